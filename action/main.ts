// Entry of the bundled Action (dist/index.js; see action.yml). Every issues and issue_comment event
// of a repository starts the workflow, and most of them cannot concern the approval gate, so this
// entry stays small: it decides from the event (action/triage.ts) whether there can be anything
// to do, and only then loads the configuration check (dist/postmortem-labels.js) or the full
// Action (dist/run.js, with Octokit, zod, the markdown parser and @actions/core).
import { readFileSync } from "node:fs";
import type { RawConfig } from "../src/github/gateway.js";
import { chooseMode } from "./mode.js";
import type { Triage } from "./triage.js";
import { eventNameOf, triageEvent } from "./triage.js";

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const eventName = eventNameOf(env);
  let payload: unknown;
  let triage: Triage;
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8"));
    triage = triageEvent(eventName, payload);
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
  if (choice.mode === "reminders") {
    const { runReminders } = await import("./run.js");
    return runReminders(env);
  }
  if (choice.mode === "release-gate") {
    const { runReleaseGate } = await import("./run.js");
    return runReleaseGate(env);
  }

  let rawConfig: RawConfig | undefined;
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
