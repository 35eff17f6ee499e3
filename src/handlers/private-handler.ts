import type { Config } from "../core/config.js";
import { isPostmortem, hasIncidentLabel } from "../core/identity.js";
import type { IncidentEvent } from "../core/incident/events.js";
import { openedNotice } from "../core/incident/notices.js";
import {
  acknowledgeCommand,
  canonicalPostmortem,
  formPrefill,
  postmortemsOf,
  reportProblem,
} from "../core/incident/plan.js";
import { mayBeFormBody } from "../core/forms/prefill.js";
import type { FormPrefill } from "../core/forms/prefill.js";
import { severityPolicy } from "../core/policy/resolve.js";
import type { TargetAccess } from "../core/private/plan.js";
import {
  decideTarget,
  goesPrivate,
  handledPrivately,
  parseRepositoryName,
  planPrivatePostmortem,
  planPublicSide,
  privatePostmortemsOf,
} from "../core/private/plan.js";
import { incidentSeverity } from "../core/severity.js";
import type { Step } from "../core/plan.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import { isStatus } from "../github/api.js";
import type { GitHubGateway } from "../github/gateway.js";
import { isPermanentFailure } from "../github/gateway.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { writersOf } from "../core/trust/writers.js";
import type { Writers } from "../core/trust/writers.js";
import { loadConfig } from "./load-config.js";
import { builtInTemplate, BUILT_IN_TEMPLATE_PATH } from "./built-in-template.js";
import type { TemplateSource } from "../core/incident/content.js";

/** Enough for create → list → verify, with room for one failed write in between. */
const MAX_ROUNDS = 6;

/** `private`: opened (or found) in `private.repository`; `private-refused`: said why not. */
export type PrivateOutcome = "ignored" | "private" | "private-refused";

/**
 * The incident flow's private branch (`private.repository`). Undefined: this incident's
 * post-mortem is not private (or is public already), and the ordinary flow goes on. Else the
 * post-mortem is opened (or found) in the target, through the target's own installation and
 * under its configuration, and the public incident gets at most one neutral comment; or, when the
 * target cannot be used, one comment saying what to fix and nothing opened anywhere.
 */
export async function handlePrivately(
  event: IncidentEvent,
  config: Config,
  deps: HandlerDeps,
): Promise<PrivateOutcome | undefined> {
  const gateway = deps.gateway.base;
  const number = event.issue.number;
  const [incident, comments] = await Promise.all([
    gateway.getIssue(number),
    gateway.listComments(number),
  ]);
  const writers = writersFor(config, deps);
  if (!incident || incident.isPullRequest || isPostmortem(incident, config, writers)) {
    return "ignored";
  }

  let form: FormPrefill | undefined;
  // Once the App said the post-mortem is private, it stays there whatever the labels say now.
  if (!handledPrivately(number, comments, writers)) {
    if (event.kind !== "command" && !hasIncidentLabel(incident.labels, config)) return "ignored";
    form = await readForm(gateway, incident, config);
    if (!goesPrivate(incident, form, config)) return undefined;
    // Whether a post-mortem is due at all is the ordinary flow's to decide (and to say).
    const severity = incidentSeverity({ labels: incident.labels, answered: form.severity }, config);
    const policy = severityPolicy(config, severity).postmortem;
    if (policy === "off" || (event.kind !== "command" && policy !== "required")) return undefined;
    // Opened in public before it went private: nothing to hide any more, the ordinary flow keeps it.
    const labeled = await gateway.listIssuesWithLabel(
      config.postmortemLabels[0]!,
      incident.createdAt,
    );
    if (postmortemsOf(labeled, number, writers, comments).length > 0) return undefined;
  }

  const source = gateway.repository;
  const named = parseRepositoryName(config.private!.repository);
  const reached = deps.reach ? await deps.reach(named) : undefined;
  const access: TargetAccess = reached
    ? await accessOf(reached)
    : deps.reach
      ? { kind: "unreachable" }
      : { kind: deps.frontDoor === "action" ? "no-token" : "unreachable" };
  const decision = decideTarget(source, config, access);
  if (decision.kind === "refuse") {
    return refuse(gateway, number, decision.problem, deps, writers);
  }
  const target = reached!;
  const targetConfig = decision.config;
  form ??= await readForm(gateway, incident, config);

  let opened: "opened" | { problem: string };
  const seen: TargetSeen = { created: false };
  try {
    opened = await convergeTarget(event, incident, form, config, targetConfig, target, deps, seen);
  } catch (error) {
    // The installation there cannot write issues (a permission it lacks, say).
    if (!isPermanentFailure(error)) throw error;
    deps.log.warn(`Incident #${number}: the private repository refused a write`);
    const refusal = decideTarget(source, config, { kind: "write-refused" });
    opened = { problem: refusal.kind === "refuse" ? refusal.problem : "" };
  }
  if (typeof opened === "object") return refuse(gateway, number, opened.problem, deps, writers);

  const outcome = await converge<Step, PrivateOutcome>({
    what: `Incident #${number} (private post-mortem)`,
    maxRounds: MAX_ROUNDS,
    log: deps.log,
    apply: (step) => gateway.apply(step),
    plan: async (round) => {
      const [now, fresh] = await Promise.all([
        round === 1 ? incident : gateway.getIssue(number),
        round === 1 ? comments : gateway.listComments(number),
      ]);
      if (!now) return { done: "private" };
      const steps = planPublicSide(event, now, config, fresh, writers);
      if (steps.length > 0) return { write: steps };
      return { write: acknowledgeCommand(event, true), done: "private" };
    },
  });
  if (seen.created && seen.postmortem) {
    // Told by the private repository's own `notify:`, claimed there, naming no title.
    const notice = { ...openedNotice(seen.postmortem, incident, target.repository), private: true };
    // Written there by the App (the Action writes there with the App's token): its claims count
    // under the App's name as this repository knows it, as the post-mortems there do.
    const app = targetConfig.identity.app ?? config.identity.app;
    const identity = { ...targetConfig.identity, ...(app === undefined ? {} : { app }) };
    await deps.notifyIn?.(target)({ ...targetConfig, identity }, [notice]);
  }
  return outcome;
}

/** What converging the target saw: whether this run opened the post-mortem, and which it is. */
interface TargetSeen {
  created: boolean;
  postmortem?: IssueSnapshot;
}

async function readForm(
  gateway: GitHubGateway,
  incident: IssueSnapshot,
  config: Config,
): Promise<FormPrefill> {
  const forms = mayBeFormBody(incident.body) ? await gateway.loadFormDefinitions() : [];
  return formPrefill(incident, { forms }, config);
}

/** The target's visibility and its own configuration, read with its own installation. */
async function accessOf(target: GitHubGateway): Promise<TargetAccess> {
  try {
    const loaded = await loadConfig(target);
    return {
      kind: "reached",
      visibility: target.repository.visibility,
      config: loaded.ok ? loaded.config : "invalid",
    };
  } catch (error) {
    if (isStatus(error, 403, 404)) return { kind: "unreachable" };
    throw error;
  }
}

/** Exactly one post-mortem of the incident in the target: found there, else opened there. */
function convergeTarget(
  event: IncidentEvent,
  incident: IssueSnapshot,
  form: FormPrefill,
  sourceConfig: Config,
  targetConfig: Config,
  target: GitHubGateway,
  deps: HandlerDeps,
  seen: TargetSeen,
): Promise<"opened" | { problem: string }> {
  const source = deps.gateway.base.repository;
  let template: TemplateSource | { problem: string } | undefined;
  return converge<Step, "opened" | { problem: string }>({
    what: `Incident #${incident.number}, its private post-mortem`,
    maxRounds: MAX_ROUNDS,
    log: deps.log,
    apply: (step) => target.apply(step),
    written: (steps) => {
      seen.created ||= steps.some((step) => step.kind === "createIssue");
    },
    plan: async () => {
      // The listing, unlike search, sees a create at once; a post-mortem is younger than its incident.
      const labeled = await target.listIssuesWithLabel(
        targetConfig.postmortemLabels[0]!,
        incident.createdAt,
      );
      // The post-mortems there are the App's: its own bot (the App), or the App whose token the
      // Action was given, named by `identity.app` here or there.
      const postmortems = privatePostmortemsOf(
        labeled,
        source,
        incident.number,
        writersOf(targetConfig, deps.frontDoor, deps.appSlug ?? sourceConfig.identity.app),
      );
      const canonical = canonicalPostmortem(postmortems);
      if (canonical) seen.postmortem = canonical;
      if (postmortems.length === 0) template ??= await targetTemplate(target, targetConfig);
      const plan = planPrivatePostmortem(event, source, targetConfig, {
        incident,
        postmortems,
        postmortemLabelExists: labeled.length > 0,
        template,
        form,
      });
      if ("problem" in plan) return { done: { problem: plan.problem } };
      return plan.steps.length > 0 ? { write: plan.steps } : { done: "opened" };
    },
  });
}

async function refuse(
  gateway: GitHubGateway,
  number: number,
  problem: string,
  deps: HandlerDeps,
  writers: Writers,
): Promise<PrivateOutcome> {
  deps.log.warn(`Incident #${number}: no private post-mortem: ${problem}`);
  const comments = await gateway.listComments(number);
  for (const step of reportProblem(number, problem, comments, writers)) await gateway.apply(step);
  return "private-refused";
}

/** The target's template (its `template`, else the built-in one), read there. */
async function targetTemplate(
  target: GitHubGateway,
  config: Config,
): Promise<TemplateSource | { problem: string }> {
  if (config.template === undefined) {
    return { name: BUILT_IN_TEMPLATE_PATH, source: builtInTemplate() };
  }
  const source = await target.readFile(config.template);
  return source === undefined
    ? { problem: `${config.template} not found` }
    : { name: config.template, source };
}
