// What every mode of the full Action works with, built once per run: the event, the repository,
// the inputs, the token client, and the runner's outputs, job summary, annotations and log.
import { readFileSync } from "node:fs";
import * as core from "@actions/core";
import type { RepositoryRef } from "../src/core/snapshots.js";
import type { RawConfig } from "../src/github/gateway.js";
import type { TokenOctokitInstance } from "../src/github/token-octokit.js";
import { tokenOctokit } from "../src/github/token-octokit.js";
import type { CapaWebhookPayload } from "../src/github/webhook-events.js";
import { repositoryOf } from "../src/github/webhook-events.js";
import type { Logger } from "../src/core/logger.js";
import type { ActionInputs } from "./inputs.js";
import { readInputs } from "./inputs.js";

/** The event file as the entry read it: its JSON, or why it could not be read. */
export type EventFile = { payload: unknown } | { error: unknown };

/** What the entry (action/main.ts) hands to the full Action, so nothing is read twice. */
export interface EntryHandover {
  event?: EventFile;
  /** The configuration files, where the entry read them for this event. */
  rawConfig?: RawConfig;
}

/** The parts of a payload the modes read; it is GitHub's JSON, not checked further. */
export type ActionPayload = CapaWebhookPayload & {
  pull_request?: { number: number; head: { sha: string } };
  inputs?: { incident?: unknown };
};

/** The outputs action.yml declares. */
export type OutputName = "approved" | "missing" | "report" | "report-issue" | "blocking";

/** The handlers' logger, plus debug lines (shown when step debug logging is on). */
export interface ActionLogger extends Logger {
  debug(message: string): void;
}

export interface RunContext {
  readonly env: NodeJS.ProcessEnv;
  readonly event: { readonly name: string; readonly payload: ActionPayload };
  /** The payload's repository, else GITHUB_REPOSITORY's. */
  readonly repository: RepositoryRef;
  readonly inputs: ActionInputs;
  readonly octokit: TokenOctokitInstance;
  /** How many requests the token client has sent so far. */
  readonly requests: () => number;
  readonly log: ActionLogger;
  /** The configuration files the entry already read for this event. */
  readonly entryConfig: RawConfig | undefined;
  setOutput(name: OutputName, value: string): void;
  writeSummary(markdown: string): Promise<void>;
  annotate(
    level: "error" | "warning" | "notice",
    message: string,
    properties: core.AnnotationProperties,
  ): void;
  /** Fails the job; the mode still finishes what it does after (outputs, summary). */
  fail(problem: string): void;
}

/** One mode of the full Action (action/modes/index.ts lists them). */
export type ModeRunner = (context: RunContext) => Promise<void>;

const log: ActionLogger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  error: (message) => core.error(message),
};

/** Throws where the event file cannot be read or has no usable repository: the job fails. */
export function createRunContext(env: NodeJS.ProcessEnv, handover: EntryHandover = {}): RunContext {
  const payload = payloadOf(env, handover.event);
  const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "").split("/");
  const repository = repositoryOf(payload) ?? { owner, repo, defaultBranch: "main" };
  const inputs = readInputs();
  const { octokit, requests } = tokenOctokit({
    token: inputs["github-token"] || env.GITHUB_TOKEN,
    baseUrl: env.GITHUB_API_URL ?? "https://api.github.com",
    userAgent: "postmortem-bot-action",
    writePacing: env.WRITE_PACING,
    // Octokit logs every failed request as an error, including the expected 404s of absent
    // config files; as annotations those would alarm people, so only warnings (rate limits) show.
    log: {
      debug: (message) => core.debug(message),
      info: (message) => core.debug(message),
      warn: (message) => core.warning(message),
      error: (message) => core.debug(message),
    },
  });
  return {
    env,
    event: { name: env.GITHUB_EVENT_NAME ?? "", payload },
    repository,
    inputs,
    octokit,
    requests,
    log,
    entryConfig: handover.rawConfig,
    setOutput: (name, value) => core.setOutput(name, value),
    writeSummary,
    annotate: (level, message, properties) => core[level](message, properties),
    fail: (problem) => core.setFailed(problem),
  };
}

function payloadOf(env: NodeJS.ProcessEnv, event: EventFile | undefined): ActionPayload {
  if (!event) return JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8")) as ActionPayload;
  if ("error" in event) throw event.error;
  return event.payload as ActionPayload;
}

async function writeSummary(markdown: string): Promise<void> {
  // Outside a runner (a local try) there is no summary file.
  if (!process.env.GITHUB_STEP_SUMMARY) return core.info(markdown);
  await core.summary.addRaw(markdown).write();
}
