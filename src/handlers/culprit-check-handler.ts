import type { Config } from "../core/config.js";
import type { CulpritCheckEvent } from "../core/culprit-check/events.js";
import type { CheckWrite } from "../core/culprit-check/plan.js";
import {
  anyBlocking,
  CHECK_NAME,
  checkWrite,
  desiredCheck,
  implications,
  watchedEntries,
} from "../core/culprit-check/plan.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import type { Writers } from "../core/trust/writers.js";
import { isStatus } from "../github/api.js";
import { isPermanentFailure } from "../github/gateway.js";
import type { ListedCheckRun } from "../github/culprit-check-gateway.js";
import { converge, describe } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { loadConfig } from "./load-config.js";

/** A write, then (only if it failed) one more read and write, then one more for luck. */
export const MAX_CULPRIT_CHECK_ROUNDS = 3;

/**
 * The warning on the next pull request (src/core/culprit-check/plan.ts): its head commit gets one
 * check run naming the post-mortems whose culprits changed the same paths. With a warm cache it
 * costs the pull request's files (one request per 100), the check runs of the head commit, and
 * one write, or nothing at all when no watched entry and no `blocking` severity exist. It never
 * rebuilds the index (an outsider's pull request must not make the product spend): untrusted
 * entries are only ignored.
 */
export async function handleCulpritCheckEvent(
  event: CulpritCheckEvent,
  deps: HandlerDeps,
): Promise<string> {
  const loaded = await loadConfig(deps.gateway.base);
  // Only the front door that runs the flows checks: never two check runs of one name by two Apps.
  if (flowsRunElsewhere(loaded, deps.frontDoor) || !loaded.ok) return "ignored";
  const config = loaded.config;
  const reads = deps.gateway.culpritCheck;
  const writers = writersFor(config, deps);
  const now = deps.clock();
  const entries = watchedEntries(await reads.pathIndex(writers, indexWriter(writers)), config, now);
  if (entries.length === 0 && !anyBlocking(config)) return "ignored";
  const what = `Pull request #${event.pullRequest.number}, culprit check on ${event.pullRequest.headSha.slice(0, 7)}`;
  let paths: string[];
  try {
    paths = await reads.pullRequestPaths(event.pullRequest.number);
  } catch (error) {
    if (!refused(error)) throw error;
    deps.log.error(
      `${what}: GitHub refused the pull request's files (${describe(error)}): ${grant(deps, "pull_requests: read", "pull-requests: read")}.`,
    );
    return "no permission to read pull requests";
  }
  const desired = desiredCheck(implications(entries, paths, config), config, event.repositoryUrl);
  if (desired === undefined) return "nothing implicated";
  const sha = event.pullRequest.headSha;
  const own = ownSlug(config, deps);
  try {
    return await converge<CheckWrite, string>({
      what,
      maxRounds: MAX_CULPRIT_CHECK_ROUNDS,
      log: deps.log,
      plan: async () => {
        const ours = (await reads.checkRuns(sha, CHECK_NAME)).filter((run) => isOurs(run, own));
        const write = checkWrite(ours, desired);
        if (write === undefined) return { done: `${desired.conclusion}, unchanged` };
        const done = `${desired.conclusion}, ${write.kind === "create-check-run" ? "created" : "updated"}`;
        return { write: [write], done };
      },
      apply: (step) =>
        step.kind === "create-check-run"
          ? reads.createCheckRun(sha, CHECK_NAME, step.output, now.toISOString())
          : reads.updateCheckRun(step.id, step.output, now.toISOString()),
    });
  } catch (error) {
    if (!refused(error)) throw error;
    // Permission missing: one clear line where the product reports such problems, no crash.
    deps.log.error(
      `${what}: GitHub refused the check run (${describe(error)}): ${grant(deps, "checks: write", "checks: write")}.`,
    );
    return "no permission to write checks";
  }
}

/** A 403 that is no rate limit: a permission the App or the workflow lacks. */
function refused(error: unknown): boolean {
  return isStatus(error, 403) && isPermanentFailure(error);
}

/** How to give the permission, at this front door. */
function grant(deps: HandlerDeps, app: string, workflow: string): string {
  return deps.frontDoor === "app"
    ? `grant the App \`${app}\` (app.yml; each installation's owner then accepts it), see \`postmortem-bot doctor\``
    : `add \`${workflow}\` to the workflow's \`permissions:\` (docs/action.md)`;
}

/** The login that writes the index: the writer of the flows under this configuration. */
function indexWriter(writers: Writers): string | undefined {
  return writers.action.parts.has("flows") ? writers.action.login : writers.app;
}

/** The slug of the App whose check runs are ours at this front door; undefined: unknown. */
function ownSlug(config: Config, deps: HandlerDeps): string | undefined {
  const slug =
    deps.frontDoor === "app" ? (deps.appSlug ?? config.identity.app) : config.identity.action;
  return slug?.toLowerCase();
}

/** A check run by another App with the same name is not ours. */
function isOurs(run: ListedCheckRun, slug: string | undefined): boolean {
  if (slug === undefined || run.app?.slug === undefined) return true;
  return run.app.slug.toLowerCase() === slug;
}
