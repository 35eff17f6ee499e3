import { shippedTemplate } from "./built-in-template.js";
import type { Config } from "../core/config.js";
import type { IncidentEvent } from "../core/incident/events.js";
import { declarerNeedsReading, isTrigger, mightBeTrigger } from "../core/incident/events.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import type { IncidentState } from "../core/incident/plan.js";
import {
  acknowledgeCommand,
  canonicalPostmortem,
  changesRequest,
  formPrefill,
  openingSeverity,
  planIncident,
  postmortemsOf,
  reportProblem,
} from "../core/incident/plan.js";
import { isPostmortem } from "../core/identity.js";
import { openedNotice } from "../core/incident/notices.js";
import type { FormDefinitionResult } from "../core/forms/definition.js";
import { mayBeFormBody } from "../core/forms/prefill.js";
import type { Plan, Step } from "../core/plan.js";
import type { TemplateSource } from "../core/incident/content.js";
import type { TemplateChoice } from "../core/incident/template-choice.js";
import { chooseTemplate } from "../core/incident/template-choice.js";
import { codeSpan } from "../core/markdown-text.js";
import type { GitHubGateway, Permission } from "../github/gateway.js";
import { converge } from "./converge.js";
import type { ChangesFacts } from "../core/changes/block.js";
import { readChanges } from "./changes-handler.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { loadConfig } from "./load-config.js";
import type { PrivateOutcome } from "./private-handler.js";
import { handlePrivately } from "./private-handler.js";

/** Enough for create → list → link → verify, with room for one failed write in between. */
export const MAX_ROUNDS = 6;

const MAY_REQUEST: readonly Permission[] = ["triage", "write", "maintain", "admin"];

/** `held`: declared by someone who may not declare an incident here, so no post-mortem yet. */
export type IncidentOutcome = "ignored" | "config-problem" | "converged" | "held" | PrivateOutcome;

/**
 * Reads the state, asks the core for a plan, applies it, and repeats until the plan is empty.
 * After each write, what it changed is read again, and after a failed write everything, so a lost
 * answer, a redelivery or another replica's work is seen and built on instead of repeated.
 */
export async function handleIncidentEvent(
  event: IncidentEvent,
  deps: HandlerDeps,
): Promise<IncidentOutcome> {
  const { gateway: github, log, frontDoor } = deps;
  const gateway = github.base;
  const loaded = await loadConfig(gateway);
  // Only the front door `flows.runIn` names writes anything (a config problem too).
  if (flowsRunElsewhere(loaded, frontDoor)) return "ignored";
  if (!loaded.ok) {
    if (!mightBeTrigger(event, loaded.incidentLabels)) return "ignored";
    log.warn(`Configuration problem reported on #${event.issue.number}: ${loaded.problem}`);
    const comments = await gateway.listComments(event.issue.number);
    await applyPlan(
      gateway,
      reportProblem(event.issue.number, loaded.problem, comments, writersFor(undefined, deps)),
    );
    return "config-problem";
  }
  const config = loaded.config;
  if (!isTrigger(event, config)) return "ignored";
  const writers = writersFor(config, deps);

  const requesterMayOpen =
    event.kind !== "command" ||
    MAY_REQUEST.includes(await gateway.getPermission(event.sender.login));
  const declarerMayOpen = event.kind === "command" || (await mayDeclare(event, config, gateway));
  // `private.repository`: the post-mortem of some incidents opens there, never here. Refusals and
  // holds are the ordinary flow's, which opens nothing for them.
  if (config.private && requesterMayOpen && declarerMayOpen) {
    const routed = await handlePrivately(event, config, deps);
    if (routed !== undefined) return routed;
  }
  const number = event.issue.number;
  const label = config.postmortemLabels[0]!;
  // A post-mortem is created after its incident, so it was updated since the incident was
  // opened: the listing stays short whatever the repository's history.
  const since = event.issue.createdAt;
  let template: IncidentState["template"];
  let forms: readonly FormDefinitionResult[] | undefined;
  let postmortemComments: IncidentState["postmortemComments"];
  let known: Omit<IncidentState, "requesterMayOpen" | "template"> | undefined;
  let stale = ALL_STALE;
  let changes: ChangesFacts | undefined;
  // Whether this run tried to open a post-mortem: then chat is told (`notify:`, event `opened`).
  // Tried, not confirmed: a create whose answer was lost still opened it (the next round finds it),
  // and a create that truly failed is tried again; the claim keeps the message to one either way.
  let openedHere = false;

  const outcome = await converge<Step, IncidentOutcome>({
    what: `Incident #${number}`,
    maxRounds: MAX_ROUNDS,
    log,
    apply: (step) => {
      openedHere ||= step.kind === "createIssue";
      return gateway.apply(step);
    },
    // Only what the last round's writes changed is read again; everything after a failure.
    written: (plan) => (stale = staleAfter(plan)),
    failed: () => (stale = ALL_STALE),
    plan: async () => {
      const [incident, labeled, incidentComments] = await Promise.all([
        stale.incident || !known ? gateway.getIssue(number) : known.incident,
        stale.postmortems || !known ? gateway.listIssuesWithLabel(label, since) : undefined,
        stale.comments || !known ? gateway.listComments(number) : known.incidentComments,
      ]);
      if (!incident || incident.isPullRequest || isPostmortem(incident, config, writers)) {
        return { done: "ignored" };
      }
      known = {
        incident,
        postmortems: labeled
          ? postmortemsOf(labeled, number, writers, incidentComments)
          : known!.postmortems,
        postmortemLabelExists: labeled ? labeled.length > 0 : known!.postmortemLabelExists,
        incidentComments,
      };
      const winner = canonicalPostmortem(known.postmortems);
      if (!winner) {
        // The answers as they stand when the post-mortem is opened count; later edits do not.
        forms ??= mayBeFormBody(incident.body) ? await gateway.loadFormDefinitions() : [];
        // Chosen by the incident's labels and severity as the post-mortem would open now.
        template ??= await loadTemplate(
          gateway,
          chooseTemplate(config, {
            labels: incident.labels,
            severity: openingSeverity(incident, { forms }, config),
          }),
        );
      }
      if (winner && (stale.comments || postmortemComments === undefined)) {
        const notes = formPrefill(incident, { forms }, config).notes;
        postmortemComments =
          notes.length > 0 ? await gateway.listComments(winner.number) : postmortemComments;
      }

      const planWith = () =>
        planIncident({
          event,
          config,
          repository: gateway.repository,
          state: {
            ...known!,
            requesterMayOpen,
            declarerMayOpen,
            template,
            forms,
            postmortemComments,
            ...(changes === undefined ? {} : { changes }),
          },
          writers,
        });
      let plan = planWith();
      // Read only once the plan opens a post-mortem, so the first write already has the block.
      if (changes === undefined && plan.some((step) => step.kind === "createIssue")) {
        changes = await readChanges(deps, config, changesRequest(incident, { forms }, config));
        plan = planWith();
      }
      if (plan.length > 0) return { write: plan };
      // A command the severity policy refused (`postmortem: off`) was answered by a comment.
      const opened = canonicalPostmortem(known.postmortems) !== undefined;
      if (!opened && !declarerMayOpen) return { done: "held" };
      return { write: acknowledgeCommand(event, requesterMayOpen && opened), done: "converged" };
    },
  });
  const postmortem = known && canonicalPostmortem(known.postmortems);
  if (openedHere && outcome === "converged" && postmortem) {
    // After the flow's own writes; the notifier never throws (src/handlers/notify.ts).
    await deps.notify?.(config, [openedNotice(postmortem, known?.incident, gateway.repository)]);
  }
  return outcome;
}

interface Staleness {
  incident: boolean;
  postmortems: boolean;
  comments: boolean;
}

const ALL_STALE: Staleness = { incident: true, postmortems: true, comments: true };

/**
 * What a successful plan changed and must be read again, to see it as others see it: a new or
 * closed post-mortem (another replica may have raced it) and the incident's comments. The
 * incident itself is not changed by any step, so it is not read again.
 */
function staleAfter(plan: readonly Step[]): Staleness {
  return {
    incident: plan.some((step) => step.kind === "addLabels" || step.kind === "removeLabel"),
    postmortems: plan.some((step) => step.kind === "createIssue" || step.kind === "closeIssue"),
    comments: plan.some((step) => /^(create|update|delete)Comment$/.test(step.kind)),
  };
}

async function applyPlan(gateway: GitHubGateway, plan: Plan): Promise<void> {
  for (const step of plan) await gateway.apply(step);
}

/**
 * The chosen template's text: a shipped one, or the repository's file on its default branch. A
 * file that is missing is a problem naming the key that chose it (reported on the incident, and
 * nothing opened, as for any template that cannot be rendered).
 */
export async function loadTemplate(
  gateway: GitHubGateway,
  choice: TemplateChoice,
): Promise<TemplateSource | { problem: string }> {
  if (choice.kind === "shipped") return shippedTemplate(choice.name);
  const source = await gateway.readFile(choice.path);
  if (source === undefined) {
    return {
      problem: `The template ${codeSpan(choice.path)} (configured as ${codeSpan(choice.key)}) was not found on branch \`${gateway.repository.defaultBranch}\`.`,
    };
  }
  return { name: choice.path, source };
}

/** Whether whoever labeled or opened the incident may declare one here (`incidents.openedBy`). */
async function mayDeclare(
  event: IncidentEvent,
  config: Config,
  gateway: GitHubGateway,
): Promise<boolean> {
  if (!declarerNeedsReading(event, config.incidents, gateway.repository.visibility)) return true;
  return MAY_REQUEST.includes(await gateway.getPermission(event.sender.login));
}
