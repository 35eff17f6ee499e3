import { builtInTemplate } from "./built-in-template.js";
import type { Config } from "../core/config.js";
import { sameLabel } from "../core/config.js";
import { planApprovalCommand, planCommandRefusal } from "../core/approvals/commands.js";
import type { ApprovalEvent } from "../core/approvals/events.js";
import type { FileFinding } from "../core/approvals/files.js";
import { checkPostmortemFile, matchesAny, templateSections } from "../core/approvals/files.js";
import type { CloseDecision, ForceCloseLabel } from "../core/approvals/gate.js";
import type { JudgedClose } from "../core/approvals/notices.js";
import { closeNotices } from "../core/approvals/notices.js";
import { noticeSubject } from "../core/notify/subject.js";
import { approvalSummary, closeToJudge, planCloseGate } from "../core/approvals/gate.js";
import { syncApprovalSection } from "../core/approvals/sync.js";
import type { Verdict } from "../core/approvals/judge.js";
import { judgeApprovals } from "../core/approvals/judge.js";
import type { ApprovalComment } from "../core/approvals/ledger.js";
import { authorCounts, loginsToLookUp, mayAct } from "../core/approvals/lookups.js";
import type { People, Person } from "../core/approvals/people.js";
import type { ApprovalPlan, ApprovalStep } from "../core/approvals/plan.js";
import type { ApprovalsConfig } from "../core/approvals/config.js";
import { readPostmortemBody } from "../core/capa/items.js";
import { isPostmortem } from "../core/identity.js";
import { findMarker } from "../core/markers.js";
import type { Severity } from "../core/policy/config.js";
import {
  approvalsFor,
  approvalsIndependentOfSeverity,
  incidentSeverity,
} from "../core/policy/resolve.js";
import {
  fieldNameOf,
  findField,
  namedLogin,
  readApprovalSection,
} from "../core/approvals/section.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import { formatDate } from "../core/time.js";
import type { ApprovalGateway } from "../github/approval-gateway.js";
import { loadConfig } from "./load-config.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { issueUrlFor, writersFor } from "./deps.js";
import type { Writers } from "../core/trust/writers.js";
import { writersOf } from "../core/trust/writers.js";
import type { Logger } from "../core/logger.js";

/**
 * Enough for section 9's write, a racing writer overwriting it once, the gate's comment and
 * reopen, removing a racing run's copy of that comment, and the verifying read.
 */
export const MAX_APPROVAL_ROUNDS = 6;

export interface ApprovalOptions {
  /** The configuration, when the shell already read it for this delivery. */
  config?: Config;
}

export interface ApprovalResult {
  outcome: "ignored" | "config-problem" | "judged";
  /** The close was refused: the Action fails the job (unless `fail-on-block: false`). */
  blocked: boolean;
  approved: boolean;
  missing: string[];
  decision?: CloseDecision;
  /** Markdown for the job summary. */
  summary: string;
  /** One line for logs. */
  message: string;
  problem?: string;
}

export const IGNORED = (message: string): ApprovalResult => ({
  outcome: "ignored",
  blocked: false,
  approved: false,
  missing: [],
  summary: "",
  message,
});

/**
 * The approval gate for one delivery: read the post-mortem, its comments and the people involved,
 * judge, and (in `enforce` mode) apply the plan and read again until nothing is left to do.
 */
export async function handleApprovalEvent(
  event: ApprovalEvent,
  deps: HandlerDeps,
  options: ApprovalOptions = {},
): Promise<ApprovalResult> {
  const { gateway, log, clock, frontDoor } = deps;
  const now = clock();
  if (event.issue.isPullRequest) return IGNORED("a pull request, not a post-mortem");
  const loaded = options.config
    ? { ok: true as const, config: options.config }
    : await loadConfig(gateway.base);
  if (!loaded.ok) {
    return {
      ...IGNORED(`configuration problem: ${loaded.problem}`),
      outcome: "config-problem",
      problem: loaded.problem,
      summary: `## postmortem-bot: configuration problem\n\n${loaded.problem}\n`,
    };
  }
  const config = loaded.config;
  const writers = writersFor(config, deps);
  if (!isPostmortem(event.issue, config, writers)) {
    return IGNORED(`#${event.issue.number} is not a post-mortem`);
  }
  // The front door `gate.enforceInApp` names (the App when true, the Action when false) enforces:
  // it writes (reopens, comments, fields). The other only judges and reports, so with both
  // installed only one of them writes.
  const mode = config.gate.enforceInApp === (frontDoor === "app") ? "enforce" : "report";
  const commenter = event.kind === "command" ? event.sender.login : undefined;
  const context = new RunContext(gateway, config, writers, now, commenter);
  let decision: CloseDecision | undefined;
  /** The enforcing run's first judging of a close, for its notices. */
  let judged: JudgedClose | undefined;

  // The commenter first: a command of someone who may fill no role changes nothing, so the run
  // reads nothing more than it needs to answer them once (anyone can comment on a public
  // repository, as often as they like, and every run spends the token's hourly requests).
  if (event.kind === "command") {
    const people = await context.lookUp([event.sender.login]);
    if (!mayAct(event.sender.login, config.approvals, people)) {
      if (mode === "enforce") {
        await refuseCommand(gateway, context, event.issue.number, event.commentId, config);
      }
      return IGNORED(
        `#${event.issue.number} command: @${event.sender.login} may fill no approver role, so it changes nothing`,
      );
    }
  }

  // Every enforcing run, whatever its event, first makes section 9 show what ALL the command
  // comments say (a command whose own run was cancelled is written here), then does its own part.
  const what = `${event.kind === "other" ? event.action : event.kind} of #${event.issue.number}`;
  if (mode === "enforce" || event.kind === "closed") {
    await convergeGate(gateway, context, log, what, async () => {
      const state = await context.read(event.issue.number);
      if (!state) return { steps: [] };
      let after: ApprovalPlan = [];
      const facts = {
        issue: state.issue,
        comments: state.comments,
        people: state.people,
        config: state.approvals,
        formatDay: context.formatDay,
        writers,
      };
      if (mode === "enforce" && event.kind === "command") {
        const plan = planApprovalCommand({ ...facts, commentId: event.commentId });
        if (plan.steps.length > 0 || !closeToJudge(state.issue)) {
          return { steps: plan.steps, after: plan.acknowledge };
        }
        // The command is in; the post-mortem stands closed: its close is judged below.
        after = plan.acknowledge;
      }
      if (mode === "enforce") {
        // The body first: a close is judged on section 9 as the comments make it.
        const { body } = syncApprovalSection(facts);
        if (body !== state.issue.body) {
          return { steps: [{ kind: "setIssueBody", issueNumber: state.issue.number, body }] };
        }
      }
      // A close is judged by its own run, and by any enforcing run that finds it standing.
      if (event.kind !== "closed" && !(mode === "enforce" && closeToJudge(state.issue))) {
        return { steps: [], after };
      }
      const forceClose = await context.forceCloseLabel(state.issue);
      const plan = planCloseGate({
        issue: state.issue,
        verdict: state.verdict,
        comments: state.comments,
        config: state.approvals,
        forceClose,
        writers,
      });
      // The first judging round's decision is the one the close met; later rounds only verify.
      decision ??= plan.decision;
      if (mode === "enforce") {
        judged ??= {
          issue: state.issue,
          decision: plan.decision,
          verdict: state.verdict,
          approvals: state.approvals,
          closeEvent: event.kind === "closed",
        };
      }
      return { steps: mode === "enforce" ? plan.steps : [], after };
    });
  }

  // The last planning round read the state and changed nothing since: no need to read it again.
  const state = context.unchanged ?? (await context.read(event.issue.number));
  if (!state) return IGNORED(`#${event.issue.number} is gone (deleted or transferred)`);
  const verdict = state.verdict;
  const blocked = decision === "blocked";
  const headline = headlineOf(verdict, decision, mode);
  const fieldNames = state.approvals.required.map((key) => fieldNameOf(key, state.approvals));
  // After the run's writes: a close refused (and reopened) or approved, told to chat once.
  if (judged) {
    const subject = noticeSubject(judged.issue, config, issueUrlFor(deps));
    const notices = closeNotices(judged, { ...subject, severity: state.severity });
    if (notices.length > 0) await deps.notify?.(config, notices);
  }
  return {
    outcome: "judged",
    blocked,
    approved: verdict.approved,
    missing: verdict.missing,
    ...(decision ? { decision } : {}),
    summary: approvalSummary(state.issue, verdict, headline, fieldNames),
    message: `#${state.issue.number} ${event.kind === "other" ? event.action : event.kind}: ${headline.replace(/\*\*/g, "")}`,
  };
}

function headlineOf(
  verdict: Verdict,
  decision: CloseDecision | undefined,
  mode: "enforce" | "report",
): string {
  const enforcedElsewhere =
    mode === "report" ? " (the gate is enforced elsewhere; this run only reports)" : "";
  switch (decision) {
    case "blocked":
      return `🚫 **Close blocked**: the approvals are incomplete, so the post-mortem was reopened${enforcedElsewhere}.`;
    case "forced":
      return `⚠️ **Closed without complete approvals** by a maintainer's force-close label${enforcedElsewhere}.`;
    case "accepted":
      return `✅ **Closed with complete approvals**${enforcedElsewhere}.`;
    case "duplicate":
      return "Closed as a duplicate by postmortem-bot: not judged as a close.";
    case "reopened":
      return "✅ Approvals complete, but the post-mortem is open again: the close no longer stands; it may be closed.";
    case undefined:
      return verdict.approved
        ? `✅ Approvals complete: the post-mortem may be closed.`
        : "Approvals incomplete: a close would be reopened.";
  }
}

export interface ReadState {
  issue: IssueSnapshot;
  /** `approvals` with the fields the post-mortem's severity policy requires. */
  approvals: ApprovalsConfig;
  comments: ApprovalComment[];
  people: People;
  verdict: Verdict;
  /** The post-mortem's severity, as its approvals were chosen by. */
  severity: Severity | undefined;
}

/**
 * The refusal of a command by someone who may fill no role: the comments are read (no edit
 * history: it cannot matter) only to find whether this person was answered already, and the one
 * reply is written without reading again. A copy a racing run wrote is deleted by the next run
 * that reads the comments.
 */
async function refuseCommand(
  gateway: ApprovalGateway,
  context: RunContext,
  issueNumber: number,
  commentId: number,
  config: Config,
): Promise<void> {
  const comments = await gateway.listComments(issueNumber, () => false);
  const steps = planCommandRefusal({
    issueNumber,
    commentId,
    comments,
    people: await context.lookUp([]),
    config: config.approvals,
    writers: context.writers,
  });
  for (const step of steps) await gateway.apply(step);
}

/** Fresh reads for one run, with the people looked up once each. */
class RunContext {
  private readonly people = new Map<string, Person>();
  readonly formatDay: (iso: string) => string;

  constructor(
    private readonly gateway: ApprovalGateway,
    private readonly config: Config,
    /** Whose post-mortems and comments count as the product's (src/core/trust/writers.ts). */
    readonly writers: Writers,
    private readonly now: Date,
    /** The author of the command this run handles, if any: always looked up (see lookups.ts). */
    private readonly commenter?: string,
  ) {
    this.formatDay = (iso) => formatDate(iso, config.timezone);
  }

  /** The state the last read saw, while nothing has been written since. */
  unchanged: ReadState | undefined;

  async read(issueNumber: number): Promise<ReadState | undefined> {
    this.unchanged = undefined;
    const issue = await this.gateway.getIssue(issueNumber);
    if (!issue || issue.isPullRequest || !isPostmortem(issue, this.config, this.writers)) {
      return undefined;
    }
    const section = readApprovalSection(issue.body);
    const named = Object.values(this.config.approvals.roles)
      .map((role) => namedLogin(findField(section, role.field)?.value ?? ""))
      .filter((login): login is string => login !== undefined);
    const namedSet = new Set(named.map((login) => login.toLowerCase()));
    // Only the commands that can count need their edit history, and their authors a lookup.
    const comments = await this.gateway.listComments(issueNumber, (comment) =>
      authorCounts(comment, this.config.approvals, namedSet, this.commenter),
    );
    const severity = await this.severityOf(issue);
    const approvals = approvalsFor(this.config, severity);
    const people = await this.lookUp(loginsToLookUp(comments, approvals, named, this.commenter));
    const verdict = judgeApprovals({
      body: issue.body,
      evidence: { kind: "comments", comments },
      people,
      config: approvals,
      formatDay: this.formatDay,
      now: this.now,
    });
    this.unchanged = { issue, approvals, comments, people, verdict, severity };
    return this.unchanged;
  }

  /**
   * The post-mortem's severity: the most severe of its checked box, its severity at opening and
   * its incident's labels. The incident is read only when the policy's approval fields differ by
   * severity and the post-mortem does not say P1 already.
   */
  private async severityOf(issue: IssueSnapshot): Promise<Severity | undefined> {
    const checked = readPostmortemBody(issue.body).checkedSeverity;
    const marker = findMarker(issue.body, "postmortem");
    const known = incidentSeverity({ checked, answered: marker?.severity }, this.config);
    if (known === "P1" || approvalsIndependentOfSeverity(this.config)) return known;
    if (marker?.incident === undefined) return known;
    const incident = await this.gateway.getIssue(marker.incident);
    return incidentSeverity(
      { checked, labels: incident?.labels, answered: marker.severity },
      this.config,
    );
  }

  async forceCloseLabel(issue: IssueSnapshot): Promise<ForceCloseLabel | undefined> {
    const label = this.config.approvals.forceCloseLabel;
    if (!issue.labels.some((name) => sameLabel(name, label))) return undefined;
    const addedBy = await this.gateway.lastLabeledBy(issue.number, label);
    if (addedBy === undefined) return { addedBy, permission: "none" };
    const people = await this.lookUp([addedBy]);
    return { addedBy, permission: people.get(addedBy.toLowerCase())!.permission };
  }

  async lookUp(logins: readonly string[]): Promise<People> {
    const teams = [
      ...new Set(Object.values(this.config.approvals.roles).flatMap((role) => role.teams)),
    ];
    for (const login of logins) {
      const key = login.toLowerCase();
      if (!this.people.has(key)) this.people.set(key, await this.gateway.getPerson(login, teams));
    }
    return this.people;
  }
}

/**
 * The shared converge loop over the gate's plans: when the planner has nothing left, its `after`
 * steps (acknowledgements) are written last. Whatever is written, the last read no longer stands.
 */
async function convergeGate(
  gateway: ApprovalGateway,
  context: RunContext,
  log: Logger,
  what: string,
  plan: () => Promise<{ steps: ApprovalPlan; after?: ApprovalPlan }>,
): Promise<void> {
  await converge<ApprovalStep, "settled">({
    what,
    maxRounds: MAX_APPROVAL_ROUNDS,
    log,
    apply: (step) => {
      // A reaction changes nothing the gate reads: the state read last still stands.
      if (step.kind !== "addReaction") context.unchanged = undefined;
      return gateway.apply(step);
    },
    plan: async () => {
      const { steps, after = [] } = await plan();
      return steps.length > 0 ? { write: steps } : { write: after, done: "settled" };
    },
  });
}

/**
 * The gate's verdict on a post-mortem as it stands (for reminders): the same fresh reads and
 * rules as a close, nothing written. Undefined when the issue is no post-mortem.
 */
export async function judgePostmortem(
  gateway: ApprovalGateway,
  config: Config,
  writers: Writers,
  issueNumber: number,
  now: Date,
): Promise<ReadState | undefined> {
  return new RunContext(gateway, config, writers, now).read(issueNumber);
}

/**
 * The close gate's decision on a post-mortem's close as it stands now (for the release gate and
 * the guard): the same fresh reads and rules as the close's own run, nothing written. Undefined
 * when the issue is gone or no post-mortem.
 */
export async function judgeClose(
  gateway: ApprovalGateway,
  config: Config,
  writers: Writers,
  issueNumber: number,
  now: Date,
): Promise<{ issue: IssueSnapshot; decision: CloseDecision } | undefined> {
  const context = new RunContext(gateway, config, writers, now);
  const state = await context.read(issueNumber);
  if (!state) return undefined;
  const { decision } = planCloseGate({
    issue: state.issue,
    verdict: state.verdict,
    comments: state.comments,
    config: state.approvals,
    forceClose: await context.forceCloseLabel(state.issue),
    writers,
  });
  return { issue: state.issue, decision };
}

// ---- post-mortems kept as files -------------------------------------------------------------

export interface FileCheckResult {
  outcome: "checked" | "config-problem";
  findings: FileFinding[];
  checkedFiles: string[];
  summary: string;
  problem?: string;
}

/** A pull request's changed post-mortem files, checked at its head commit. */
export async function checkPullRequestFiles(
  gateway: ApprovalGateway,
  pull: { number: number; headSha: string },
  log: Logger,
  now = new Date(),
): Promise<FileCheckResult> {
  const loaded = await loadConfig(gateway.base);
  if (!loaded.ok) {
    return {
      outcome: "config-problem",
      findings: [],
      checkedFiles: [],
      problem: loaded.problem,
      summary: `## postmortem-bot: configuration problem\n\n${loaded.problem}\n`,
    };
  }
  const config = loaded.config;
  const changed = (await gateway.listPullRequestFiles(pull.number)).filter(
    (file) => file.status !== "removed" && matchesAny(file.path, config.files.paths),
  );
  const findings: FileFinding[] = [];
  if (changed.length > 0) {
    const template =
      config.template === undefined
        ? builtInTemplate()
        : await gateway.base.readFile(config.template);
    const sections = templateSections(template ?? builtInTemplate());
    const approvedBy = await gateway.listApprovingReviewers(pull.number, pull.headSha);
    // Only people are looked up here: no post-mortem issue or comment is read.
    const context = new RunContext(gateway, config, writersOf(config, "action"), now);
    const people = await context.lookUp(approvedBy);
    for (const file of changed) {
      const text = await gateway.readFileAt(file.path, pull.headSha);
      if (text === undefined) {
        findings.push({
          path: file.path,
          line: 1,
          message: "could not be read at the pull request's head",
        });
        continue;
      }
      findings.push(
        ...checkPostmortemFile({
          path: file.path,
          text,
          config,
          sections,
          evidence: { kind: "reviews", approvedBy },
          people,
          formatDay: context.formatDay,
          now,
        }),
      );
    }
  }
  log.info(
    `pull request #${pull.number}: ${changed.length} post-mortem file(s), ${findings.length} finding(s)`,
  );
  return {
    outcome: "checked",
    findings,
    checkedFiles: changed.map((file) => file.path),
    summary: fileSummary(
      changed.map((file) => file.path),
      findings,
    ),
  };
}

export function fileSummary(paths: readonly string[], findings: readonly FileFinding[]): string {
  if (paths.length === 0) return "## Post-mortem files\n\nNo post-mortem file changed.\n";
  const lines = paths.map((path) => {
    const own = findings.filter((finding) => finding.path === path);
    if (own.length === 0) return `- ✅ \`${path}\``;
    return `- ❌ \`${path}\`\n${own.map((finding) => `  - line ${finding.line}: ${finding.message}`).join("\n")}`;
  });
  return `## Post-mortem files\n\n${lines.join("\n")}\n`;
}
