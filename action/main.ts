// Entry of the bundled Action (dist/index.js; see action.yml). Every issues and issue_comment event
// of a repository starts the workflow, and most of them cannot concern the approval gate, so this
// entry stays small: it reads the event once, decides from it whether there can be anything to do
// (action/triage.ts), and only then loads the configuration check (dist/postmortem-labels.js) or
// the full Action (dist/run.js, with Octokit, zod, the markdown parser and @actions/core), to which
// it hands the event and any configuration it read.
import { readFileSync } from "node:fs";
import type { RawConfig } from "../src/github/gateway.js";
import type { EntryHandover, EventFile } from "./context.js";
import type { ModeChoice } from "./mode.js";
import { APPROVALS, chooseMode } from "./mode.js";
import type { Triage } from "./triage.js";
import { eventNameOf, mayConcernFlows, triageEvent } from "./triage.js";

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const eventName = eventNameOf(env);
  const event = readEventFile(env);
  const payload = "payload" in event ? event.payload : undefined;
  const choice = chooseMode(env["INPUT_MODE"] ?? "", eventName, payload);
  // Scheduled, dispatched and release-check runs have work by definition; an unknown mode fails.
  if (choice.mode !== APPROVALS) return runFull(env, choice, { event });

  let triage: Triage = { kind: "run" };
  let flows = false;
  // An unreadable event: the full Action reports it as it always did.
  if ("payload" in event) {
    try {
      triage = triageEvent(eventName, payload);
      flows = mayConcernFlows(eventName, payload);
    } catch {
      triage = { kind: "run" };
      flows = false;
    }
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
      return runFull(env, choice, {
        event,
        ...(decision.kind === "run" ? { rawConfig: decision.rawConfig } : {}),
      });
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
  await runFull(env, choice, { event, ...(rawConfig ? { rawConfig } : {}) });
}

/** The one read of `GITHUB_EVENT_PATH` in a run; a failure is the full Action's to report. */
function readEventFile(env: NodeJS.ProcessEnv): EventFile {
  try {
    return { payload: JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8")) as unknown };
  } catch (error) {
    return { error };
  }
}

async function runFull(env: NodeJS.ProcessEnv, choice: ModeChoice, handover: EntryHandover) {
  const { runMode } = await import("./run.js");
  await runMode(choice, handover, env);
}

/**
 * As the full Action: the payload's repository, else GITHUB_REPOSITORY; undefined where that is
 * no owner and name (the full Action then does what it always did).
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
