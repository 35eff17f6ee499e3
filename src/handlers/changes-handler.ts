import type { ChangesFacts } from "../core/changes/block.js";
import {
  changesWindow,
  decideChanges,
  deploymentEntries,
  renderChanges,
} from "../core/changes/block.js";
import type { ChangesRequest } from "../core/changes/command.js";
import { CHANGES_SYNTAX, readChangesCommand } from "../core/changes/command.js";
import type { ChangesEvent } from "../core/changes/events.js";
import { environmentOfLabels, planChangesWrite, summaryOf } from "../core/changes/plan.js";
import type { Config } from "../core/config.js";
import { parseDuration } from "../core/duration.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import { isOpenedPostmortem } from "../core/identity.js";
import { findMarker } from "../core/markers.js";
import type { Step } from "../core/plan.js";
import type { Permission } from "../github/gateway.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { replyOnce } from "../core/command-reply.js";
import { loadConfig } from "./load-config.js";

/** One update of the post-mortem and one read to see it; room for failed writes in between. */
export const MAX_CHANGES_ROUNDS = 4;

const MAY_ASK: readonly Permission[] = ["triage", "write", "maintain", "admin"];

/**
 * Reads what the block needs (src/github/changes-gateway.ts) and decides it. Whatever could not
 * be read is said in the block and in one log line; nothing here throws for it, so a post-mortem
 * opens without its deployments rather than not at all.
 */
export async function readChanges(
  deps: Pick<HandlerDeps, "gateway" | "log">,
  config: Config,
  about: { environment?: string; start: string },
  request: ChangesRequest = { kind: "default" },
): Promise<ChangesFacts> {
  const lookback =
    request.kind === "duration" ? request.ms : (parseDuration(config.changes.lookback) ?? 0);
  const window = changesWindow(
    about.start,
    lookback,
    request.kind === "since" ? request.at : undefined,
  );
  const reads = await deps.gateway.changes.read(about.environment, window);
  const facts = decideChanges(reads, about.environment, window);
  if (facts.problems.length > 0) {
    deps.log.warn(`Changes before the incident: ${facts.problems.join(" ")}`);
  }
  return facts;
}

/**
 * `/changes [since]` on a post-mortem: someone with triage access or more (read from GitHub now)
 * has the block recomputed and replaced (put back where it was deleted), with its deployments'
 * Timeline rows; anyone else, or a `since` that reads as nothing, gets one reply.
 */
export async function handleChangesEvent(event: ChangesEvent, deps: HandlerDeps): Promise<string> {
  const base = deps.gateway.base;
  const loaded = await loadConfig(base);
  if (flowsRunElsewhere(loaded, deps.frontDoor) || !loaded.ok) return "ignored";
  const config = loaded.config;
  const writers = writersFor(config, deps);
  const first = await base.getIssue(event.postmortem);
  if (!first || !isOpenedPostmortem(first, writers) || first.state === "closed") return "ignored";
  const marker = findMarker(first.body, "postmortem");
  // A private post-mortem's incident and deployments are in another repository.
  if (marker?.source !== undefined) return "ignored";

  const permission: Permission =
    event.sender.type === "Bot" ? "none" : await base.getPermission(event.sender.login);
  const allowed = MAY_ASK.includes(permission);
  const request = readChangesCommand(event.body, config.timezone);
  if (request === undefined) return "ignored";
  if (!allowed || request === "malformed") {
    const comments = await base.listComments(event.postmortem);
    const message = allowed
      ? `I could not read that \`/changes\` command. Write ${CHANGES_SYNTAX} (times in ${config.timezone}).`
      : "`/changes` needs triage access or more to this repository, so the changes were not read again.";
    for (const step of replyOnce(
      "changes-reply",
      event.postmortem,
      { commentId: event.commentId, login: event.sender.login },
      comments,
      message,
      writers,
      { refused: !allowed, mention: true },
    )) {
      await base.apply(step);
    }
    return allowed ? "malformed" : "refused";
  }

  const incident =
    marker?.incident === undefined ? undefined : await base.getIssue(marker.incident);
  const summary = summaryOf(first.body, config);
  const environment =
    (incident && environmentOfLabels(incident.labels, config)) ?? summary.environment;
  const start = summary.start ?? incident?.createdAt ?? first.createdAt;
  const facts = await readChanges(
    deps,
    config,
    { ...(environment === undefined ? {} : { environment }), start },
    request,
  );
  const block = renderChanges(facts, config);
  const entries = deploymentEntries(facts);

  let known: typeof first | undefined = first;
  return converge<Step, string>({
    what: `Post-mortem #${event.postmortem}, changes`,
    maxRounds: MAX_CHANGES_ROUNDS,
    log: deps.log,
    apply: (step) => base.apply(step),
    plan: async () => {
      // Read right before every write but the first: the body is edited by position.
      const postmortem = known ?? (await base.getIssue(event.postmortem));
      known = undefined;
      if (!postmortem || !isOpenedPostmortem(postmortem, writers)) return { done: "ignored" };
      const plan = planChangesWrite({
        postmortemNumber: postmortem.number,
        body: postmortem.body,
        block,
        entries,
        config,
      });
      if (plan.length > 0) return { write: plan };
      return {
        write: [{ kind: "addReaction", commentId: event.commentId, content: "+1" }],
        done: "recomputed",
      };
    },
  });
}
