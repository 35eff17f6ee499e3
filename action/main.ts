// Entry of the bundled Action (dist/index.js; see action.yml). Every issues and issue_comment event
// of a repository starts the workflow, and most of them cannot concern the approval gate, so this
// entry stays small: it decides from the event (action/triage.ts) whether there can be anything
// to do, and only then loads the configuration check (dist/postmortem-labels.js) or the full
// Action (dist/run.js, with Octokit, zod, the markdown parser and @actions/core).
import { readFileSync } from "node:fs";
import type { RawConfig } from "../src/github/gateway.js";
import { chooseMode } from "./mode.js";
import type { Triage } from "./triage.js";
import { eventNameOf, mayConcernFlows, triageEvent } from "./triage.js";

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const eventName = eventNameOf(env);
  let payload: unknown;
  let triage: Triage;
  let flows = false;
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8"));
    triage = triageEvent(eventName, payload);
    flows = mayConcernFlows(eventName, payload);
  } catch {
    // An unreadable event: the full Action reports it as it always did.
    triage = { kind: "run" };
  }

  const choice = chooseMode(env["INPUT_MODE"] ?? "", eventName, payload);
  if ("problem" in choice) {
    process.stdout.write(`::error::${choice.problem}\n`);
    process.exitCode = 1;
    return;
  }
  if (choice.mode !== "approvals") {
    // The other modes (scheduled, dispatched, release checks): each is one function of the full Action.
    const run = await import("./run.js");
    const byMode = {
      reminders: run.runReminders,
      report: run.runReport,
      backfill: run.runBackfill,
      "release-gate": run.runReleaseGate,
    };
    return byMode[choice.mode](env);
  }

  let rawConfig: RawConfig | undefined;
  const flowsRepository = flows && triage.kind !== "run" ? repositoryOf(env, payload) : undefined;
  if (flowsRepository) {
    // Maybe an incident or CAPA event: the configuration says whether the Action runs those flows.
    const { decideFlows } = await import("./postmortem-labels.js");
    const decision = await decideFlows(env, flowsRepository);
    if (decision.kind !== "app") {
      debug(
        decision.kind === "run"
          ? "the full Action runs: flows.runIn is action"
          : `the full Action runs: ${decision.reason}`,
      );
      const { runAction } = await import("./run.js");
      return runAction(env, decision.kind === "run" ? { rawConfig: decision.rawConfig } : {});
    }
    debug("flows.runIn is app: the App runs the incident and CAPA flows");
    rawConfig = decision.rawConfig;
  }
  if (triage.kind === "skip") {
    debug(`${triage.reason}: decided from the event alone`);
    return info(triage.message);
  }
  const repository = triage.kind === "labels" ? repositoryOf(env, payload) : undefined;
  if (triage.kind === "labels" && repository) {
    const { decideByLabels } = await import("./postmortem-labels.js");
    const decision = await decideByLabels(env, {
      issueNumber: triage.issueNumber,
      labels: triage.labels,
      repository,
      ...(rawConfig ? { rawConfig } : {}),
    });
    if (decision.kind === "skip") {
      debug("none of the issue's labels is a post-mortem label: decided after the configuration");
      return info(decision.message);
    }
    debug(`the full Action runs: ${decision.reason}`);
    rawConfig = decision.rawConfig;
  }
  const { runAction } = await import("./run.js");
  await runAction(env, rawConfig ? { rawConfig } : {});
}

/**
 * As runAction: the payload's repository, else GITHUB_REPOSITORY; undefined where that is no
 * owner and name (the full Action then does what it always did).
 */
function repositoryOf(
  env: NodeJS.ProcessEnv,
  payload: unknown,
): { owner: string; repo: string } | undefined {
  const repository = (payload as { repository?: { name?: unknown; owner: { login?: unknown } } })
    .repository;
  const [owner, repo] = repository
    ? [repository.owner.login, repository.name]
    : (env.GITHUB_REPOSITORY ?? "").split("/");
  return typeof owner === "string" && owner !== "" && typeof repo === "string" && repo !== ""
    ? { owner, repo }
    : undefined;
}

/** What @actions/core's `info` writes. */
function info(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** What @actions/core's `debug` writes (shown when step debug logging is on). */
function debug(message: string): void {
  const escaped = message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  process.stdout.write(`::debug::postmortem-bot: ${escaped}\n`);
}

await main(process.env);
