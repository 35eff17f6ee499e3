import { createHash } from "node:crypto";
import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import type { Edit } from "../document.js";
import { applyEdits } from "../document.js";
import { closeAsDuplicate } from "../duplicates.js";
import { isProductIssue } from "../identity.js";
import { findMarker, formatMarker } from "../markers.js";
import { codeSpan, inlineText } from "../markdown-text.js";
import type { Plan, Step } from "../plan.js";
import type { CommentSnapshot, IssueSnapshot } from "../snapshots.js";
import { MAX_BODY_LENGTH } from "../template.js";
import { incidentSeverity } from "../severity.js";
import type { CapaItem, FollowUpRow, Owner, PostmortemBody } from "./items.js";
import { stampBase } from "./lost-edit.js";
import type { EditRights } from "./rights.js";
import { refusalComment, refusedActions } from "./rights.js";
import { addDays } from "../time.js";
import { severityPolicy } from "../policy/resolve.js";
import { parseIsoDate, readPostmortemBody } from "./items.js";
import type { ChildFacts, ChildStatus } from "./render.js";
import { childBody, childTitle, followUpRow, itemSuffix } from "./render.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";
import { evidenceOf, judgeChild } from "../evidence/model.js";
import { requiredFor } from "../evidence/plan.js";
import type { CodeownersFinding } from "./codeowners.js";
import { ownersOfPaths, parseCodeowners } from "./codeowners.js";

/** GitHub refuses more sub-issues than this on one parent (closed ones count). */
export const MAX_SUB_ISSUES = 100;

/** What happened to an issue a CAPA line or row links to that is not among the children. */
export type MissingChild = "deleted" | "transferred";

export type SubIssueSupport = "supported" | "unavailable" | "limit-reached";

export interface CapaState {
  postmortem: IssueSnapshot;
  incident?: { number: number; labels: string[]; assignees: string[] };
  /** The product's issues whose marker names this post-mortem as parent, in any state. */
  children: IssueSnapshot[];
  /** Linked numbers that are not children: gone, or moved to another repository. */
  missing: Map<number, MissingChild>;
  /** Comments on the post-mortem (for notices already given). */
  comments: CommentSnapshot[];
  /** Whether a login can be assigned here; absent = not checked. */
  assignable: ReadonlyMap<string, boolean>;
  subIssues: SubIssueSupport;
  /** `YYYY-MM-DD` in the configured time zone: the day the box counts as checked. */
  today: string;
  /** Who saved the edit this run handles, and so what it may open (see rights.ts). */
  edit: EditRights;
  /** How many children this run may still open (`capa.maxChildrenPerEdit` less those opened). */
  budget: number;
  /** Whose issues and comments count as the product's (src/core/trust/writers.ts). */
  writers: Writers;
  /**
   * Under `capa.defaultOwners: codeowners`, the paths the incident implicates and the CODEOWNERS
   * file, read by the shell only when an ownerless line asks for a child (`needsCodeowners`).
   */
  codeowners?: CodeownersFinding;
}

/** A child issue as the planner sees it: the issue, and what its body says. */
interface Child {
  issue: IssueSnapshot;
  key: string;
  dueLine?: string;
  ownerLine?: string;
}

/** Something an action needs before it can become a child issue. */
interface Candidate {
  key: string;
  title: string;
  category: string;
  owner?: Owner;
  due?: string;
}

export function childrenOf(
  parent: number,
  issues: readonly IssueSnapshot[],
  writers: Writers,
): IssueSnapshot[] {
  return issues.filter(
    (issue) => isProductIssue(issue, writers) && findMarker(issue.body, "capa")?.parent === parent,
  );
}

/** Logins whose assignability the planner will ask about, so the shell can look them up first. */
export function loginsToCheck(
  state: Pick<
    CapaState,
    "postmortem" | "children" | "comments" | "edit" | "budget" | "writers" | "codeowners"
  >,
  config: Config,
): string[] {
  const logins = new Set<string>();
  for (const candidate of decide(state).open) {
    for (const login of ownerLogins(candidate.owner, config)) logins.add(login.toLowerCase());
  }
  // CODEOWNERS names people who may not be collaborators: only those who can be are assigned.
  if (needsCodeowners(state, config)) {
    const choice = codeownersChoice(state);
    if (choice.from === "codeowners") {
      for (const login of choice.users) logins.add(login.toLowerCase());
    }
  }
  return [...logins];
}

/**
 * Whether opening children needs the CODEOWNERS owners: `capa.defaultOwners: codeowners` and a
 * line this run opens names nobody. Otherwise the shell reads neither the file nor the paths.
 */
export function needsCodeowners(
  state: Pick<CapaState, "postmortem" | "children" | "comments" | "edit" | "budget" | "writers">,
  config: Config,
): boolean {
  return (
    config.capa.defaultOwners === "codeowners" &&
    decide(state).open.some((candidate) => candidate.owner === undefined)
  );
}

/** Whether a body asks for any child: a checked box or an owner-and-date row without an issue. */
export function asksForChildren(body: string): boolean {
  return candidates(readPostmortemBody(body), []).length > 0;
}

/** Whether opening children needs the incident (for its severity labels or assignees). */
export function needsIncident(
  state: Pick<CapaState, "postmortem" | "children" | "comments" | "edit" | "budget" | "writers">,
  config: Config,
): boolean {
  const body = readPostmortemBody(state.postmortem.body);
  return decide(state).open.some(
    (candidate) =>
      (candidate.due === undefined && body.checkedSeverity === undefined) ||
      (candidate.owner === undefined && config.capa.defaultOwners === "incident-assignees"),
  );
}

/**
 * Decides the CAPA changes for one post-mortem: open a child for every checked action that has
 * none, link it as a sub-issue, and show each child's owner, due date and status on its line and
 * in the Follow-Up Actions table. Children are created in one round, linked and shown in the next,
 * so every decision is made from what GitHub says exists.
 */
export function planCapa(config: Config, state: CapaState): Plan {
  const postmortem = state.postmortem;
  const body = readPostmortemBody(postmortem.body);
  const notices = new Notices(postmortem.number, state.comments, state.writers);
  if (!body.capaSection) {
    notices.add(
      "no-capa-section",
      "Section 6 (`## 6. Corrective and Preventive Actions (CAPA)`) is missing or renamed, so no corrective action can be tracked. Restore the heading to continue.",
    );
    return notices.steps;
  }

  const children = readChildren(state.children);
  const canonical = canonicalChildren(children);
  const steps: Plan = closeDuplicateChildren(children, canonical);

  const decision = decide(state);
  if (decision.deferred.length > 0) {
    notices.add(
      `limit:${decision.deferred.map((candidate) => candidate.key).join(",")}`,
      `${decision.deferred.length} more corrective ${decision.deferred.length === 1 ? "action was" : "actions were"} not opened: one edit opens at most ${config.capa.maxChildrenPerEdit} (\`capa.maxChildrenPerEdit\`). Save the post-mortem again (any edit by someone with write access) to open the next ones.`,
    );
  }
  const creations = decision.open.flatMap((candidate) =>
    createChild(candidate, body, state, config, notices),
  );
  const refusal =
    state.edit.by === "other"
      ? refusalComment(postmortem.number, state.edit, decision.refused, decision.refusedBefore)
      : [];
  if (creations.length > 0) {
    return [...steps, ...ensureLabels(creations), ...creations, ...refusal, ...notices.steps];
  }

  steps.push(...linkSubIssues(canonical, state, notices));
  const rewrite = rewriteBody(body, canonical, state, config, notices, decision.uncheck);
  if (rewrite) steps.push(rewrite);
  steps.push(...askAboutUncheckedItems(body, canonical, notices));
  return [...steps, ...refusal, ...notices.steps];
}

/** What this run does with the actions that ask for a child and have none (see rights.ts). */
interface Decision {
  /** Opened now: asked for by a writer's saved body, within the budget. */
  open: Candidate[];
  /** Asked for by the writer too, beyond the budget: left for the next edit. */
  deferred: Candidate[];
  /** Asked for anew by the edit of someone without write access. */
  refused: Candidate[];
  /** Refusals already given: action key → logins. */
  refusedBefore: ReadonlyMap<string, ReadonlySet<string>>;
  /** Checked boxes to uncheck: refused now, or before and not checked again by a writer. */
  uncheck: CapaItem[];
}

function decide(
  state: Pick<CapaState, "postmortem" | "children" | "comments" | "edit" | "budget" | "writers">,
): Decision {
  const body = readPostmortemBody(state.postmortem.body);
  const children = readChildren(state.children);
  const refusedBefore = refusedActions(state.comments, state.writers);
  const edit = state.edit;
  const asked = (text: string) =>
    new Set(candidates(readPostmortemBody(text), []).map((candidate) => candidate.key));
  const after = edit.by === "nobody" ? new Set<string>() : asked(edit.after);
  const before = edit.by === "nobody" ? new Set<string>() : asked(edit.before);
  const anew = (key: string) => after.has(key) && !before.has(key);

  const wanted: Candidate[] = [];
  const refusedKeys = new Set<string>();
  for (const candidate of candidates(body, children)) {
    if (
      edit.by === "writer" &&
      after.has(candidate.key) &&
      (!refusedBefore.has(candidate.key) || anew(candidate.key))
    ) {
      wanted.push(candidate);
    } else if ((edit.by === "other" && anew(candidate.key)) || refusedBefore.has(candidate.key)) {
      refusedKeys.add(candidate.key);
    }
  }
  // Refused as soon as saved, even if the box is no longer checked now: a restore of the
  // overwritten edit (lost-edit.ts) or a writer saving an older copy must not open it either.
  const refused =
    edit.by === "other"
      ? candidates(readPostmortemBody(edit.after), children).filter((c) => anew(c.key))
      : [];
  for (const candidate of refused) refusedKeys.add(candidate.key);
  const budget = Math.max(0, state.budget);
  return {
    open: wanted.slice(0, budget),
    deferred: wanted.slice(budget),
    refused,
    refusedBefore,
    uncheck: body.items.filter(
      (item) =>
        item.checked && item.linked === undefined && item.title !== "" && refusedKeys.has(item.key),
    ),
  };
}

function readChildren(issues: readonly IssueSnapshot[]): Child[] {
  return issues.map((issue) => ({
    issue,
    key: findMarker(issue.body, "capa")?.key ?? "",
    dueLine: dueLineOf(issue.body),
    ownerLine: ownerLineOf(issue.body),
  }));
}

/** What a child's `**Owner:**` line says. */
export function ownerLineOf(childBody: string): string | undefined {
  return /^\*\*Owner:\*\*[ \t]*(.*?)[ \t]*$/m.exec(childBody)?.[1];
}

/** What a child's `Due:` line says (people change the date there). */
export function dueLineOf(childBody: string): string | undefined {
  return /^Due:[ \t]*(.*?)[ \t]*$/m.exec(childBody)?.[1];
}

/** Per action, the child everybody converges on: the first one not closed as a duplicate. */
function canonicalChildren(children: readonly Child[]): Map<string, Child> {
  const byKey = new Map<string, Child>();
  for (const child of [...children].sort((a, b) => a.issue.number - b.issue.number)) {
    const current = byKey.get(child.key);
    if (
      !current ||
      (current.issue.stateReason === "duplicate" && child.issue.stateReason !== "duplicate")
    ) {
      byKey.set(child.key, child);
    }
  }
  return byKey;
}

function closeDuplicateChildren(children: readonly Child[], canonical: Map<string, Child>): Plan {
  return children
    .filter((child) => child.issue.state === "open" && canonical.get(child.key) !== child)
    .map((child) =>
      closeAsDuplicate(
        child.issue,
        canonical.get(child.key)!.issue.number,
        "This corrective action",
      ),
    );
}

/** Checked items and owner-and-date rows of the Follow-Up table that have no child yet. */
function candidates(body: PostmortemBody, children: readonly Child[]): Candidate[] {
  const keys = new Set(children.map((child) => child.key));
  const numbers = new Set(children.map((child) => child.issue.number));
  const found = new Map<string, Candidate>();
  for (const item of body.items) {
    if (!item.checked || item.title === "" || item.linked !== undefined || keys.has(item.key))
      continue;
    if (!found.has(item.key)) found.set(item.key, item);
  }
  for (const row of body.rows) {
    const isNew = row.reference === undefined || !numbers.has(row.reference);
    if (!isNew || row.reference !== undefined || !row.owner || !row.due || row.title === "")
      continue;
    if (keys.has(row.key) || found.has(row.key)) continue;
    found.set(row.key, {
      key: row.key,
      title: row.title,
      category: "Follow-Up Actions",
      owner: row.owner,
      due: row.due,
    });
  }
  return [...found.values()];
}

function ownerLogins(owner: Owner | undefined, config: Config): string[] {
  if (!owner) return [];
  if (owner.kind === "user") return [owner.login];
  return config.capa.teamAssignees[owner.slug] ?? [];
}

function createChild(
  candidate: Candidate,
  body: PostmortemBody,
  state: CapaState,
  config: Config,
  notices: Notices,
): Plan {
  const due = dueDate(candidate, body, state, config);
  if (due === undefined) {
    notices.add(
      `impossible-date:${candidate.key}:${candidate.due}`,
      `The due date ${codeSpan(candidate.due ?? "")} of “${inlineText(candidate.title)}” is not a real date, so no issue was opened for it. Write it as \`YYYY-MM-DD\`.`,
    );
    return [];
  }
  const fromCodeowners =
    !candidate.owner && config.capa.defaultOwners === "codeowners"
      ? codeownersChoice(state)
      : undefined;
  const wanted = candidate.owner
    ? ownerLogins(candidate.owner, config)
    : (fromCodeowners?.users ?? defaultOwners(state, config));
  const assignees = wanted
    .filter((login) => state.assignable.get(login.toLowerCase()) !== false)
    .slice(0, 10);
  const unassignable = wanted.filter(
    (login) => state.assignable.get(login.toLowerCase()) === false,
  );
  if (unassignable.length > 0) {
    notices.add(
      `unassignable:${candidate.key}:${unassignable.join(",")}`,
      `${unassignable.map(inert).join(", ")} could not be assigned “${inlineText(candidate.title)}” (not a collaborator of this repository); the issue names them without a mention.`,
    );
  }
  // Only collaborators (who can be assigned) are mentioned; a team never is.
  const people = [...assignees.map((login) => `@${login}`), ...unassignable.map(inert)];
  const ownerText =
    candidate.owner?.kind === "team"
      ? inert(candidate.owner.slug)
      : fromCodeowners?.from === "codeowners"
        ? `${[...people, ...fromCodeowners.teams.map(inert)].join(", ")} (from CODEOWNERS)`
        : people.join(", ");
  const category = candidate.category;
  return [
    {
      kind: "createIssue",
      title: childTitle(config.capa.titlePrefix, candidate.title),
      body: childBody({
        parent: state.postmortem.number,
        incident: state.incident?.number,
        key: candidate.key,
        title: candidate.title,
        category,
        assignees,
        ownerText,
        unassignable,
        due,
        ...(fromCodeowners ? { ownerSource: fromCodeowners.source } : {}),
      }),
      labels: [...config.capa.labels, ...categoryLabels(category, config)],
      assignees,
    },
  ];
}

export const CAPA_LABEL_COLOR = "0e8a16";
export const CAPA_LABEL_DESCRIPTION = "Corrective or preventive action from a post-mortem";

/** The labels the children will carry exist first, with a colour and a description. */
function ensureLabels(creations: Plan): Plan {
  const names = new Map<string, string>();
  for (const step of creations) {
    if (step.kind !== "createIssue") continue;
    for (const label of step.labels) names.set(label.toLowerCase(), label);
  }
  return [...names.values()].map((name) => ({
    kind: "ensureLabel",
    name,
    color: CAPA_LABEL_COLOR,
    description: CAPA_LABEL_DESCRIPTION,
  }));
}

function categoryLabels(category: string, config: Config): string[] {
  const entry = Object.entries(config.capa.categoryLabels).find(([name]) =>
    sameLabel(name, category),
  );
  return entry ? entry[1] : [];
}

function defaultOwners(state: CapaState, config: Config): string[] {
  switch (config.capa.defaultOwners) {
    case "postmortem-assignees":
      return state.postmortem.assignees;
    // Without CODEOWNERS owners (codeownersChoice), step 2 of the rule.
    case "codeowners":
      return state.postmortem.assignees;
    case "incident-assignees":
      return state.incident?.assignees ?? [];
    case "none":
      return [];
  }
}

/** Who owns an ownerless line under `capa.defaultOwners: codeowners`, and the child's words why. */
interface CodeownersChoice {
  from: "codeowners" | "postmortem-assignees";
  users: string[];
  teams: string[];
  /** Markdown for the child's `**Owner from:**` line (inert). */
  source: string;
}

/** How many CODEOWNERS rules the child names as its owner's source; the rest are counted. */
const MAX_SOURCES_SHOWN = 3;

/**
 * The CODEOWNERS owners of the implicated paths (users to assign, teams to name), else the
 * post-mortem's assignees, with why.
 */
function codeownersChoice(state: Pick<CapaState, "postmortem" | "codeowners">): CodeownersChoice {
  const finding = state.codeowners ?? {};
  const fallback = (why: string): CodeownersChoice => ({
    from: "postmortem-assignees",
    users: state.postmortem.assignees,
    teams: [],
    source: `the post-mortem's assignees (${why})`,
  });
  const implicated = finding.implicated;
  if (!implicated || implicated.paths.length === 0) {
    return fallback(
      "the incident implicates no path: no culprits, and no `capa.servicePaths` entry for its service",
    );
  }
  if (!finding.file) return fallback("this repository has no CODEOWNERS file");
  const owners = ownersOfPaths(parseCodeowners(finding.file.text), implicated.paths);
  if (owners.users.length === 0 && owners.teams.length === 0) {
    const what = implicated.from === "culprits" ? "culprits' paths" : "service's paths";
    return fallback(`no CODEOWNERS rule owns the ${what}`);
  }
  const file = codeSpan(finding.file.path);
  const shown = owners.sources
    .slice(0, MAX_SOURCES_SHOWN)
    .map(
      (source) =>
        `${codeSpan(source.rule.pattern)} (line ${source.rule.line}) for ${codeSpan(source.path)}`,
    );
  const more = owners.sources.length - shown.length;
  const from = implicated.from === "culprits" ? "a culprit's path" : "the service's path";
  return {
    from: "codeowners",
    users: owners.users,
    teams: owners.teams,
    source: `${file}, rule ${shown.join("; ")}${more > 0 ? ` and ${more} more` : ""} (${from})`,
  };
}

/** The written date when it is real; else today plus the severity's days. Undefined if impossible. */
function dueDate(candidate: Candidate, body: PostmortemBody, state: CapaState, config: Config) {
  if (candidate.due !== undefined) return parseIsoDate(candidate.due);
  const severity = incidentSeverity(
    {
      checked: body.checkedSeverity,
      labels: state.incident?.labels,
      answered: findMarker(state.postmortem.body, "postmortem")?.severity,
    },
    config,
  );
  return addDays(state.today, severityPolicy(config, severity).capaDueDays);
}

export { severityFromLabels } from "../severity.js";

function linkSubIssues(canonical: Map<string, Child>, state: CapaState, notices: Notices): Plan {
  const parentUrlEnd = `/issues/${state.postmortem.number}`;
  const notOurs = [...canonical.values()].filter(
    (child) => !(child.issue.parentIssueUrl ?? "").endsWith(parentUrlEnd),
  );
  // A child under another parent was moved there by a person (the App links only under its own
  // post-mortem): respect the move, say so once, and keep following the child by its link.
  for (const child of notOurs.filter((child) => child.issue.parentIssueUrl)) {
    const parent = /\/issues\/(\d+)$/.exec(child.issue.parentIssueUrl ?? "")?.[1];
    notices.add(
      `moved-child-${child.issue.number}`,
      `#${child.issue.number} was moved under ${parent ? `#${parent}` : "another issue"}, so it is no longer a sub-issue here. postmortem-bot leaves it there and keeps its line and row here in sync.`,
    );
  }
  const unlinked = notOurs.filter((child) => !child.issue.parentIssueUrl);
  if (unlinked.length === 0) return [];
  if (state.subIssues === "unavailable") {
    notices.add(
      "sub-issues-unavailable",
      "This GitHub does not offer sub-issues, so corrective actions are linked through the issue bodies instead (each child links this post-mortem, and each line here links its child).",
    );
    return [];
  }
  if (state.subIssues === "limit-reached" || state.children.length > MAX_SUB_ISSUES) {
    notices.add(
      "sub-issue-limit",
      `GitHub allows at most ${MAX_SUB_ISSUES} sub-issues on one issue (closed ones count), so some corrective actions are linked only through the issue bodies.`,
    );
    return [];
  }
  return unlinked.map((child): Step => ({
    kind: "addSubIssue",
    parentNumber: state.postmortem.number,
    childId: child.issue.id,
  }));
}

/** How a child closed as completed shows: by its evidence and the post-mortem's policy. */
type Judge = (issue: IssueSnapshot) => ChildStatus;

function factsOf(child: Child, prefix: string, today: string, judge: Judge): ChildFacts {
  const issue = child.issue;
  const owner =
    issue.assignees.length > 0
      ? issue.assignees.map((login) => `@${login}`).join(", ")
      : safeOwnerText(child.ownerLine ?? "");
  const dueText = child.dueLine ?? "";
  const due = parseIsoDate(dueText);
  const status = statusOf(issue, judge);
  return {
    number: issue.number,
    title: issue.title.startsWith(prefix) ? issue.title.slice(prefix.length) : issue.title,
    owner,
    due: due ?? (dueText === "" ? "" : inlineText(dueText)),
    // Dates compare as text (YYYY-MM-DD); a date moved to the future makes it Open again.
    status: status === "Open" && due !== undefined && due < today ? "Overdue" : status,
  };
}

/**
 * The owner line of a child body is editable by people: keep handles, defuse anything else. Only
 * assignees are mentioned (they are collaborators); the handles of this line are written inert.
 */
function safeOwnerText(text: string): string {
  const handles = text.match(/@[a-z\d](?:[a-z\d-]*[a-z\d])?(?:\/[\w.-]+)?/gi);
  return handles ? handles.map(inert).join(", ") : text.startsWith("_") ? "" : inlineText(text);
}

function statusOf(issue: IssueSnapshot, judge: Judge): ChildStatus {
  if (issue.state === "open") return "Open";
  if (issue.stateReason === "not_planned") return "Won't do";
  if (issue.stateReason === "duplicate") return "Duplicate";
  return judge(issue);
}

/** The judge of a post-mortem's children: its severity's `capaEvidence`, their recorded evidence. */
function judgeFor(state: CapaState, config: Config): Judge {
  const required = requiredFor(config, state.postmortem.body, state.incident?.labels);
  return (issue) =>
    judgeChild(issue, evidenceOf(issue.body), {
      required,
      environment: config.evidence.environment,
      timeZone: config.timezone,
    }).status ?? "Done";
}

const MISSING_STATUS: Record<MissingChild, ChildStatus> = {
  deleted: "Deleted",
  transferred: "Transferred",
};

/** Rewrites only what the App owns: the part of a CAPA line from `→` on, and the children's rows. */
function rewriteBody(
  body: PostmortemBody,
  canonical: Map<string, Child>,
  state: CapaState,
  config: Config,
  notices: Notices,
  uncheck: readonly CapaItem[],
): Step | undefined {
  const text = state.postmortem.body;
  const prefix = config.capa.titlePrefix;
  const byNumber = new Map([...canonical.values()].map((child) => [child.issue.number, child]));
  const edits: Edit[] = [];
  const judge = judgeFor(state, config);

  const shownFor = (
    item: CapaItem,
  ): Pick<ChildFacts, "number" | "owner" | "due" | "status"> | undefined => {
    const child =
      item.linked !== undefined
        ? byNumber.get(item.linked)
        : item.checked
          ? canonical.get(item.key)
          : undefined;
    if (child) return factsOf(child, prefix, state.today, judge);
    const missing = item.linked !== undefined ? state.missing.get(item.linked) : undefined;
    if (item.linked === undefined || !missing) return undefined;
    return {
      number: item.linked,
      owner: ownerMarkdown(item.owner),
      due: item.due ?? "",
      status: MISSING_STATUS[missing],
    };
  };
  for (const item of body.items) {
    const facts = shownFor(item);
    if (!facts) continue;
    // The user's words stay; owner and date move into the part the App keeps current.
    const wanted = `${item.title} ${itemSuffix(facts)}`;
    if (text.slice(item.task.textSpan.start, item.task.textSpan.end) !== wanted) {
      edits.push({ span: item.task.textSpan, replacement: wanted });
    }
  }

  for (const item of uncheck) {
    // `- [x] …` → `- [ ] …`: only the box, between the list marker and the item's words.
    const box = /\[[xX]\]/.exec(text.slice(item.task.line.start, item.task.textSpan.start));
    if (!box) continue;
    const start = item.task.line.start + box.index;
    edits.push({ span: { start, end: start + 3 }, replacement: "[ ]" });
  }

  const table = body.followUpTable;
  if (!table) {
    if (canonical.size > 0) {
      notices.add(
        "no-follow-up-table",
        "The Follow-Up Actions table (section 8) is missing or broken, so the corrective actions are listed only on their lines in section 6.",
      );
    }
  } else {
    const rowFor = (child: Child) =>
      body.rows.find((row) => row.reference === child.issue.number) ??
      body.rows.find(
        (row) => row.reference === undefined && row.key === child.key && row.owner && row.due,
      );
    const appended: string[] = [];
    for (const child of [...canonical.values()].sort((a, b) => a.issue.number - b.issue.number)) {
      const wanted = followUpRow(factsOf(child, prefix, state.today, judge));
      const row = rowFor(child);
      if (!row) appended.push(wanted);
      else if (text.slice(row.row.line.start, row.row.line.end) !== wanted) {
        edits.push({ span: row.row.line, replacement: wanted });
      }
    }
    for (const row of body.rows) {
      const missing =
        row.reference !== undefined && !byNumber.has(row.reference)
          ? state.missing.get(row.reference)
          : undefined;
      if (missing) edits.push(missingRowEdit(row, MISSING_STATUS[missing]));
    }
    if (appended.length > 0) {
      edits.push({
        span: { start: table.span.end, end: table.span.end },
        replacement: `\n${appended.join("\n")}`,
      });
    }
  }

  const edited = applyEdits(
    text,
    edits.filter((edit) => text.slice(edit.span.start, edit.span.end) !== edit.replacement),
  );
  if (edited === text) return undefined;
  if (edited.length > MAX_BODY_LENGTH) {
    notices.add(
      "body-too-long",
      `The post-mortem would grow past GitHub's limit of ${MAX_BODY_LENGTH} characters, so its CAPA lines and Follow-Up table were not updated. Shorten it to continue.`,
    );
    return undefined;
  }
  return {
    kind: "updateIssueBody",
    issueNumber: state.postmortem.number,
    body: stampBase(edited, text),
  };
}

function ownerMarkdown(owner: Owner | undefined): string {
  if (!owner) return "";
  return inert(owner.kind === "user" ? owner.login : owner.slug);
}

/** A login or team written so that GitHub links nobody and notifies nobody: `` `@name` ``. */
export function inert(handle: string): string {
  return `\`@${handle.replace(/^@/, "")}\``;
}

/** A row whose child is gone keeps what it said, with the status telling what happened. */
function missingRowEdit(row: FollowUpRow, status: ChildStatus): Edit {
  const cells = [...row.row.cells];
  while (cells.length < 4) cells.push("");
  cells[3] = status;
  return { span: row.row.line, replacement: `| ${cells.join(" | ")} |` };
}

function askAboutUncheckedItems(
  body: PostmortemBody,
  canonical: Map<string, Child>,
  notices: Notices,
): Plan {
  const byNumber = new Map([...canonical.values()].map((child) => [child.issue.number, child]));
  for (const item of body.items) {
    if (item.checked || item.linked === undefined) continue;
    const child = byNumber.get(item.linked);
    if (!child || child.issue.state !== "open") continue;
    notices.add(
      `unchecked:${child.issue.number}`,
      `The box for “${inlineText(item.title)}” was unchecked, but #${child.issue.number} is still open. Nothing was deleted: close #${child.issue.number} as not planned if the action is no longer needed, or check the box again.`,
    );
  }
  return [];
}

/** One-time comments on the post-mortem, each recognised later by a hidden marker. */
class Notices {
  readonly steps: Plan = [];
  private readonly given: Set<string>;

  constructor(
    private readonly issueNumber: number,
    comments: readonly CommentSnapshot[],
    writers: Writers,
  ) {
    this.given = new Set(
      comments
        .filter((comment) => wroteIt(comment.author, "flows", writers))
        .map((comment) => findMarker(comment.body, "notice")?.key)
        .filter((key): key is string => key !== undefined),
    );
  }

  add(topic: string, message: string): void {
    const key = createHash("sha256").update(topic).digest("hex").slice(0, 16);
    if (this.given.has(key)) return;
    this.given.add(key);
    this.steps.push({
      kind: "createComment",
      issueNumber: this.issueNumber,
      body: `${message}\n\n${formatMarker("notice", { key })}`,
    });
  }
}
