import { readFileSync } from "node:fs";
import * as core from "@actions/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import type { Config } from "../src/core/config.js";
import { parseConfig } from "../src/core/config.js";
import { ApprovalGateway } from "../src/github/approval-gateway.js";
import { readApprovalEvent } from "../src/github/approval-events.js";
import type { RawConfig } from "../src/github/gateway.js";
import { throttlePolicy } from "../src/github/throttle-policy.js";
import type { WebhookPayload } from "../src/github/webhook-events.js";
import { repositoryOf } from "../src/github/webhook-events.js";
import type { ApprovalResult } from "../src/handlers/approval-handler.js";
import { checkPullRequestFiles, handleApprovalEvent } from "../src/handlers/approval-handler.js";
import type { Logger } from "../src/handlers/logger.js";
import { checkReleaseGate } from "../src/handlers/release-gate-handler.js";
import { sweepReminders } from "../src/handlers/reminder-handler.js";

const ActionOctokit = Octokit.plugin(throttling, retry);

const log: Logger = {
  info: (message) => core.info(message),
  warn: (message) => core.warning(message),
  error: (message) => core.error(message),
};

export interface RunOptions {
  /**
   * The configuration files as the entry already read them for this event (action/main.ts), so
   * they are not read twice. Only a valid configuration is used; otherwise it is read again.
   */
  rawConfig?: RawConfig;
}

/**
 * The companion Action, as the runner starts it (`node dist/index.js`, through action/main.ts): the
 * event from GITHUB_EVENT_PATH, inputs from INPUT_*, outputs, job summary and failure through
 * @actions/core.
 */
export async function runAction(
  env: NodeJS.ProcessEnv = process.env,
  options: RunOptions = {},
): Promise<void> {
  try {
    const eventName = env.GITHUB_EVENT_NAME ?? "";
    const payload = JSON.parse(
      readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8"),
    ) as WebhookPayload & {
      pull_request?: { number: number; head: { sha: string } };
    };
    const failOnBlock = core.getInput("fail-on-block").trim().toLowerCase() !== "false";
    const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "").split("/");
    const repository = repositoryOf(payload) ?? { owner, repo, defaultBranch: "main" };
    const octokit = actionOctokit(env);
    const gateway = new ApprovalGateway(octokit, repository, log);

    if (eventName === "pull_request" || eventName === "pull_request_target") {
      const pull = payload.pull_request;
      if (!pull) return core.info("No pull request in the event: nothing to check.");
      const result = await checkPullRequestFiles(
        gateway,
        { number: pull.number, headSha: pull.head.sha },
        log,
      );
      if (result.problem) return fail(result.problem, true);
      for (const finding of result.findings) {
        core.error(finding.message, { file: finding.path, startLine: finding.line });
      }
      core.setOutput("approved", String(result.findings.length === 0));
      core.setOutput(
        "missing",
        JSON.stringify(result.findings.map((f) => `${f.path}:${f.line}: ${f.message}`)),
      );
      await writeSummary(result.summary);
      if (result.findings.length > 0 && failOnBlock) {
        core.setFailed(`${result.findings.length} problem(s) in post-mortem files`);
      }
      return;
    }

    const event = readApprovalEvent(eventName, payload);
    if (!event)
      return core.info(`${eventName}.${payload.action ?? ""}: nothing for the approval gate.`);
    const config = preread(options.rawConfig);
    const result = await handleApprovalEvent(gateway, event, log, {
      runner: "action",
      ...(config ? { config } : {}),
    });
    core.info(result.message);
    if (result.problem) return fail(result.problem, event.kind === "closed");
    if (result.outcome !== "judged") return;
    report(result);
    await writeSummary(result.summary);
    if (result.blocked && failOnBlock) {
      core.setFailed(
        `Post-mortem #${event.issue.number}: close blocked, missing or invalid: ${result.missing.join(", ")}`,
      );
    }
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

/** The configuration the entry read, if it is valid (a broken one is read and reported as ever). */
function preread(rawConfig: RawConfig | undefined): Config | undefined {
  if (!rawConfig) return undefined;
  const parsed = parseConfig(rawConfig.value);
  return parsed.ok ? parsed.config : undefined;
}

/** The Action's Octokit: the App's pacing and bounded rate-limit policy, quiet about 404s. */
function actionOctokit(env: NodeJS.ProcessEnv) {
  return new ActionOctokit({
    auth: core.getInput("github-token") || env.GITHUB_TOKEN,
    baseUrl: env.GITHUB_API_URL ?? "https://api.github.com",
    userAgent: "postmortem-bot-action",
    throttle: {
      // The runtime passes the request options with `request.retryCount`, as the policy reads them.
      onRateLimit: (after, options, kit) =>
        throttlePolicy.onRateLimit(after, options as never, kit),
      onSecondaryRateLimit: (after, options, kit) =>
        throttlePolicy.onSecondaryRateLimit(after, options as never, kit),
    },
    // Octokit logs every failed request as an error, including the expected 404s of absent
    // config files; as annotations those would alarm people, so only warnings (rate limits) show.
    log: {
      debug: (message: string) => core.debug(message),
      info: (message: string) => core.debug(message),
      warn: (message: string) => core.warning(message),
      error: (message: string) => core.debug(message),
    },
  });
}

/**
 * `mode: reminders` (a `schedule:` run): reminds the owners of overdue corrective actions once per
 * `reminders.every` days and shows `Overdue` in their post-mortems; the counts go to the summary.
 */
export async function runReminders(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "").split("/");
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8")) as WebhookPayload;
    const repository = repositoryOf(payload) ?? { owner, repo, defaultBranch: "main" };
    const gateway = new ApprovalGateway(actionOctokit(env), repository, log);
    const counts = await sweepReminders(gateway, log);
    if (counts === "config-problem") {
      return core.setFailed(`The configuration of ${owner}/${repo} is broken: no reminders sent.`);
    }
    await writeSummary(
      [
        "## postmortem-bot: reminders",
        "",
        "| | |",
        "|---|---|",
        `| open corrective actions | ${counts.openChildren} |`,
        `| overdue | ${counts.overdue} |`,
        `| reminded now | ${counts.reminded} |`,
        `| post-mortems updated | ${counts.postmortemsUpdated} |`,
        `| open post-mortems | ${counts.openPostmortems} |`,
        `| reviews late | ${counts.reviewsLate} |`,
        `| reviews reminded now | ${counts.reviewsReminded} |`,
        "",
      ].join("\n"),
    );
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `mode: release-gate` (a required check on pull requests, or a deploy step): fails while a
 * post-mortem under the release gate has an overdue action or a late review; each one is listed
 * in the job summary and as an annotation. Reads only.
 */
export async function runReleaseGate(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "").split("/");
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8")) as WebhookPayload;
    const repository = repositoryOf(payload) ?? { owner, repo, defaultBranch: "main" };
    const gateway = new ApprovalGateway(actionOctokit(env), repository, log);
    const server = (env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, "");
    const url = (issue: number) =>
      `${server}/${repository.owner}/${repository.repo}/issues/${issue}`;
    const result = await checkReleaseGate(gateway, log, new Date(), url);
    if (!result.ok) {
      return core.setFailed(`The configuration of ${owner}/${repo} is broken: ${result.problem}`);
    }
    for (const annotation of result.annotations) {
      core[annotation.level](annotation.message, { title: annotation.title });
    }
    core.setOutput(
      "blocking",
      JSON.stringify(result.verdict.blocking.map((e) => e.postmortem.number)),
    );
    await writeSummary(result.summary);
    if (!result.verdict.passed) {
      core.setFailed(
        `Release blocked by ${result.verdict.blocking.length} post-mortem(s): ${result.verdict.blocking.map((e) => `#${e.postmortem.number}`).join(", ")}`,
      );
    }
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

function report(result: ApprovalResult): void {
  core.setOutput("approved", String(result.approved));
  core.setOutput("missing", JSON.stringify(result.missing));
}

async function writeSummary(markdown: string): Promise<void> {
  // Outside a runner (a local try) there is no summary file.
  if (!process.env.GITHUB_STEP_SUMMARY) return core.info(markdown);
  await core.summary.addRaw(markdown).write();
}

function fail(problem: string, failJob: boolean): void {
  if (failJob) core.setFailed(problem);
  else core.warning(problem);
}
