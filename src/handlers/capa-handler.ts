import type { CapaEvent, PersonEdit } from "../core/capa/events.js";
import type { EditRights } from "../core/capa/rights.js";
import type { CapaState, MissingChild, SubIssueSupport } from "../core/capa/plan.js";
import {
  asksForChildren,
  childrenOf,
  loginsToCheck,
  needsCodeowners,
  needsIncident,
  planCapa,
} from "../core/capa/plan.js";
import type { CodeownersFinding, ImplicatedPaths } from "../core/capa/codeowners.js";
import { servicePathsOf } from "../core/capa/codeowners.js";
import type { Config } from "../core/config.js";
import { culpritsOf } from "../core/culprits/plan.js";
import type { Writers } from "../core/trust/writers.js";
import { readCodeowners } from "../github/codeowners.js";
import { readTrustedPathIndex } from "../github/path-index.js";
import { linkedIssueNumbers } from "../core/capa/items.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import { planLostEditRecovery } from "../core/capa/lost-edit.js";
import { mayAdopt } from "../core/adoption/plan.js";
import { isOpenedPostmortem, isProductIssue, isTrackedPostmortem } from "../core/identity.js";
import { reportProblem } from "../core/incident/plan.js";
import { findMarker } from "../core/markers.js";
import type { Plan, Step } from "../core/plan.js";
import type { CommentSnapshot, IssueSnapshot } from "../core/snapshots.js";
import { todayIn } from "../core/time.js";
import type { GitHubGateway, Permission } from "../github/gateway.js";
import { SubIssueError } from "../github/gateway.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { loadConfig } from "./load-config.js";
import { refreshPathIndexEntry } from "./path-index-sync.js";
import { syncProjectItems } from "./projects-sync.js";

/** Creating 30 children takes one round; linking, showing and verifying take a few more. */
export const MAX_CAPA_ROUNDS = 8;

export type CapaOutcome = "ignored" | "config-problem" | "converged" | "restored";

/**
 * Brings one post-mortem's CAPA children, lines and Follow-Up rows in line with what people
 * checked and what the children say, re-reading GitHub before every round of writes.
 */
export async function handleCapaEvent(event: CapaEvent, deps: HandlerDeps): Promise<CapaOutcome> {
  const { gateway: github, log, clock, frontDoor } = deps;
  const gateway = github.base;
  const loaded = await loadConfig(gateway);
  // Only the front door `flows.runIn` names writes anything (a config problem too).
  if (flowsRunElsewhere(loaded, frontDoor)) return "ignored";
  if (!loaded.ok) {
    if (event.kind === "childChanged") return "config-problem";
    const comments = await gateway.listComments(event.postmortem);
    const writers = writersFor(undefined, deps);
    await applyAll(gateway, reportProblem(event.postmortem, loaded.problem, comments, writers));
    return "config-problem";
  }
  const config = loaded.config;
  const writers = writersFor(config, deps);

  let outcome: CapaOutcome = "converged";
  let restoredRights: EditRights | undefined;
  if (event.kind === "ownEditOverwrote") {
    const current = await gateway.getIssue(event.postmortem);
    if (!current || !isOpenedPostmortem(current, writers)) return "ignored";
    const recovery = planLostEditRecovery({
      issueNumber: current.number,
      before: event.before,
      written: event.written,
      current: current.body,
      comments: await gateway.listComments(current.number),
      writers,
    });
    log.warn(`Post-mortem #${current.number}: a person's edit was overwritten; recovering it`);
    await applyAll(gateway, recovery);
    // Restored: go on and show the CAPA state on the restored text. Quoted in a comment: done.
    if (recovery[0]?.kind !== "updateIssueBody") return "restored";
    outcome = "restored";
    // Only people with write access (and bots with issue rights) can edit a body the App wrote,
    // so the restored text opens what it asks for; what was refused stays refused (nothing in it
    // counts as checked anew), and a bot's edit was refused when its own delivery came.
    restoredRights = { by: "writer", login: "", before: event.before, after: event.before };
  }

  const capaLabel = config.capa.labels[0]!;
  const missing = new Map<number, MissingChild>();
  /** Children linked on a line but missing from the label listing (someone removed the label). */
  const unlabeled = new Map<number, IssueSnapshot>();
  const checkedFates = new Set<number>();
  const assignable = new Map<string, boolean>();
  let incident: CapaState["incident"];
  /** `capa.defaultOwners: codeowners`: read once per run, only when an ownerless line needs it. */
  let codeowners: CodeownersFinding | undefined;
  let subIssues: SubIssueSupport = "supported";
  let rights: EditRights | undefined = restoredRights;
  /** Children this run asked GitHub to open: `capa.maxChildrenPerEdit` bounds them per edit. */
  let opening = 0;

  /** The post-mortem as last read: its path index entry names its open CAPA children. */
  let lastRead: IssueSnapshot | undefined;
  /** The children and comments as the last round read them (the project's items follow them). */
  let lastChildren: IssueSnapshot[] = [];
  let lastComments: CommentSnapshot[] = [];
  const result = await converge<Step, CapaOutcome>({
    what: `Post-mortem #${event.postmortem}`,
    maxRounds: MAX_CAPA_ROUNDS,
    log,
    apply: (step) => {
      if (step.kind === "createIssue") opening++;
      return gateway.apply(step);
    },
    absorbs: (error) => {
      if (!(error instanceof SubIssueError)) return false;
      subIssues = error.reason;
      return true;
    },
    plan: async () => {
      const postmortem = await gateway.getIssue(event.postmortem);
      lastRead = postmortem;
      if (!postmortem || !findMarker(postmortem.body, "postmortem")) return { done: "ignored" };
      if (!isProductIssue(postmortem, writers) && !mayAdopt(postmortem, config)) {
        return { done: "ignored" };
      }
      const labeled = childrenOf(
        postmortem.number,
        // A child is opened after its post-mortem: the listing stays short as the repository grows.
        await gateway.listIssuesWithLabel(capaLabel, postmortem.createdAt),
        writers,
      );
      const comments = await gateway.listComments(postmortem.number);
      // One a person wrote counts only once the App's own comment says it adopted it.
      if (!isTrackedPostmortem(postmortem, comments, writers)) return { done: "ignored" };

      for (const number of linkedIssueNumbers(postmortem.body)) {
        if (checkedFates.has(number) || labeled.some((child) => child.number === number)) continue;
        checkedFates.add(number);
        const fate = await gateway.getIssueFate(number);
        if (typeof fate === "string") missing.set(number, fate);
        else if (childrenOf(postmortem.number, [fate], writers).length > 0) {
          unlabeled.set(number, fate);
        }
      }
      const children = [
        ...labeled,
        ...[...unlabeled.values()].filter(
          (child) => !labeled.some((other) => other.number === child.number),
        ),
      ];
      // Read once per run, when it matters: the sender's permission as GitHub has it now.
      rights ??= await editRights(
        gateway,
        event.kind === "postmortemEdited" ? event.edit : undefined,
      );
      if (rights.by === "writer" && rights.login !== "") {
        assignable.set(rights.login.toLowerCase(), true);
      }
      lastChildren = children;
      lastComments = comments;
      const budget = config.capa.maxChildrenPerEdit - opening;
      const who = { postmortem, children, comments, edit: rights, budget, writers };
      if (!codeowners && needsCodeowners(who, config)) {
        codeowners = await findCodeowners(gateway, postmortem, config, writers);
      }
      for (const login of loginsToCheck({ ...who, codeowners }, config)) {
        if (!assignable.has(login)) assignable.set(login, await gateway.isAssignable(login));
      }
      const incidentNumber = findMarker(postmortem.body, "postmortem")?.incident;
      if (!incident && incidentNumber !== undefined && needsIncident(who, config)) {
        const issue = await gateway.getIssue(incidentNumber);
        incident = {
          number: incidentNumber,
          labels: issue?.labels ?? [],
          assignees: issue?.assignees ?? [],
        };
      }

      const plan = planCapa(config, {
        postmortem,
        incident:
          incident ??
          (incidentNumber === undefined
            ? undefined
            : { number: incidentNumber, labels: [], assignees: [] }),
        children,
        missing,
        comments,
        assignable,
        subIssues,
        today: todayIn(clock(), config.timezone),
        edit: rights,
        budget,
        writers,
        ...(codeowners ? { codeowners } : {}),
      });
      return plan.length === 0 ? { done: outcome } : { write: plan };
    },
  });
  // A post-mortem with culprits: its path index entry lists its open CAPA children (a pull
  // request touching its culprits' paths names them). None: no request.
  if (result !== "ignored" && lastRead && isProductIssue(lastRead, writers)) {
    await refreshPathIndexEntry(gateway, lastRead, writers, deps);
  }
  // `projects:`: the children on the board, with their Due, Severity and Status.
  if (result !== "ignored" && lastRead && isProductIssue(lastRead, writers)) {
    await syncProjectItems(config, deps, lastRead, lastChildren, lastComments, writers);
  }
  return result;
}

/**
 * What `capa.defaultOwners: codeowners` works from: the paths the incident implicates (its
 * culprits' paths in the path index, else `capa.servicePaths` of its services) and, when there
 * are any, the CODEOWNERS file. Both reads go through the configuration cache; no paths, no read
 * of the file. A private post-mortem's culprits are another repository's: its services count.
 */
async function findCodeowners(
  gateway: GitHubGateway,
  postmortem: IssueSnapshot,
  config: Config,
  writers: Writers,
): Promise<CodeownersFinding> {
  const implicated = await implicatedPaths(gateway, postmortem, config, writers);
  if (!implicated) return {};
  const file = await readCodeowners(gateway);
  return { implicated, ...(file ? { file } : {}) };
}

async function implicatedPaths(
  gateway: GitHubGateway,
  postmortem: IssueSnapshot,
  config: Config,
  writers: Writers,
): Promise<ImplicatedPaths | undefined> {
  const isPrivate = findMarker(postmortem.body, "postmortem")?.source !== undefined;
  if (!isPrivate && culpritsOf(postmortem.body).length > 0) {
    const index = await readTrustedPathIndex(gateway, writers);
    const entry = index.entries.find((found) => found.postmortem === postmortem.number);
    const paths = [...new Set(entry?.culprits.flatMap((culprit) => culprit.paths) ?? [])];
    if (paths.length > 0) return { from: "culprits", paths };
  }
  const paths = servicePathsOf(postmortem.body, config);
  return paths.length > 0 ? { from: "services", paths } : undefined;
}

const WRITERS: readonly Permission[] = ["write", "maintain", "admin"];
/** Collaborators below write: mentioned in a refusal (anyone else is named without a mention). */
const READERS: readonly Permission[] = ["read", "triage"];

/**
 * What the edit this run handles may open. The permission is read only when the saved body asks
 * for a child at all (a checked box or an owner-and-date row without one): other edits cost
 * nothing more. A bot's edit here is another App's or workflow's, never this App's (its own
 * edits are `ownEditOverwrote` or nothing): it opens nothing.
 */
async function editRights(
  gateway: GitHubGateway,
  edit: PersonEdit | undefined,
): Promise<EditRights> {
  if (!edit || !asksForChildren(edit.after)) return { by: "nobody" };
  const { login, type } = edit.sender;
  const permission: Permission = type === "Bot" ? "none" : await gateway.getPermission(login);
  if (WRITERS.includes(permission)) {
    return { by: "writer", login, before: edit.before, after: edit.after };
  }
  return {
    by: "other",
    login,
    mention: READERS.includes(permission),
    before: edit.before,
    after: edit.after,
  };
}

async function applyAll(gateway: GitHubGateway, plan: Plan): Promise<void> {
  for (const step of plan) await gateway.apply(step);
}
