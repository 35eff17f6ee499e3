import { readFileSync } from "node:fs";
import * as core from "@actions/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import type { Config } from "../src/core/config.js";
import { parseConfig } from "../src/core/config.js";
import type { RepositoryRef } from "../src/core/snapshots.js";
import { ApprovalGateway } from "../src/github/approval-gateway.js";
import { readApprovalEvent } from "../src/github/approval-events.js";
import { cacheKey, ConfigCache } from "../src/github/config-cache.js";
import type { RawConfig } from "../src/github/gateway.js";
import { throttlePolicy } from "../src/github/throttle-policy.js";
import type { CapaWebhookPayload, WebhookPayload } from "../src/github/webhook-events.js";
import { repositoryOf } from "../src/github/webhook-events.js";
import type { ApprovalResult } from "../src/handlers/approval-handler.js";
import { checkPullRequestFiles } from "../src/handlers/approval-handler.js";
import { approvalFlow, workFor } from "../src/handlers/flows.js";
import type { LoadedConfig } from "../src/handlers/load-config.js";
import { loadConfig } from "../src/handlers/load-config.js";
import type { Logger } from "../src/core/logger.js";
import { reconcileRepository, settleIncident } from "../src/handlers/reconcile-handler.js";
import { checkReleaseGate } from "../src/handlers/release-gate-handler.js";
import { sweepReminders } from "../src/handlers/reminder-handler.js";
import { renderReportJson, renderReportMarkdown } from "../src/core/report/render.js";
import { reportIssueBody } from "../src/core/report/issue.js";
import { GitHubGateway } from "../src/github/gateway.js";
import { publishReportIssue } from "../src/github/report-issue.js";
import { countRequests } from "../src/github/token-octokit.js";
import { buildReport } from "../src/handlers/report-handler.js";

const ActionOctokit = Octokit.plugin(throttling, retry);

/** How far back a scheduled run looks for unfinished flow work: a daily schedule and a missed day. */
const RECONCILE_LOOK_BACK_MS = 2 * 86_400_000;

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
    ) as CapaWebhookPayload & {
      pull_request?: { number: number; head: { sha: string } };
    };
    const failOnBlock = core.getInput("fail-on-block").trim().toLowerCase() !== "false";
    const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "").split("/");
    const repository = repositoryOf(payload) ?? { owner, repo, defaultBranch: "main" };
    const gateway = await actionGateway(env, repository, preread(options.rawConfig));

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

    // Every flow of the Action's in the list's order: the incident, CAPA and adoption flows (where
    // `flows.runIn: action`), then the gate, which judges a close on the post-mortem as the flows
    // left it.
    const deps = { gateway, clock: () => new Date(), log, frontDoor: "action" as const };
    const work = workFor("action", eventName, payload, undefined);
    let judged: ApprovalResult | undefined;
    let configProblem = false;
    for (const { flow, subject, run } of work) {
      if (flow === approvalFlow) {
        // A flow reported a broken configuration on its issue; the failed job shows it too.
        const loaded = configProblem ? await loadConfig(gateway.base) : undefined;
        if (loaded && !loaded.ok) return core.setFailed(loaded.problem);
        judged = (await run(deps)).result as ApprovalResult;
        continue;
      }
      const { outcome } = await run(deps);
      if (outcome === "ignored") core.debug(`postmortem-bot: ${subject}: ignored`);
      else core.info(`${subject}: ${outcome}`);
      configProblem ||= outcome === "config-problem";
    }
    const event = readApprovalEvent(eventName, payload);
    if (!event || !judged) {
      return core.info(`${eventName}.${payload.action ?? ""}: nothing for the approval gate.`);
    }
    const result = judged;
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

/**
 * The gateway of one run. Its configuration is read once (or taken from the entry's read) and
 * shared by the flows and the gate, so one event sees one configuration.
 */
async function actionGateway(
  env: NodeJS.ProcessEnv,
  repository: RepositoryRef,
  config?: Config,
): Promise<ApprovalGateway> {
  const octokit = actionOctokit(env);
  const configCache = new ConfigCache({ maxAgeMs: Number.POSITIVE_INFINITY });
  if (config) {
    const loaded: LoadedConfig = { ok: true, config };
    await configCache.get(cacheKey(repository.owner, repository.repo), octokit, () =>
      Promise.resolve(loaded),
    );
  }
  return new ApprovalGateway(octokit, repository, log, configCache);
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
    const payload = JSON.parse(
      readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8"),
    ) as CapaWebhookPayload;
    const repository = repositoryOf(payload) ?? { owner, repo, defaultBranch: "main" };
    const gateway = await actionGateway(env, repository);
    const deps = { gateway, clock: () => new Date(), log, frontDoor: "action" as const };
    const counts = await sweepReminders(deps);
    if (counts === "config-problem") {
      return core.setFailed(`The configuration of ${owner}/${repo} is broken: no reminders sent.`);
    }
    // Where the Action runs the flows, the scheduled run also finishes work that a run missed
    // (one cancelled by its concurrency group, a failed job): as the App's reconcile sweep.
    const since = new Date(Date.now() - RECONCILE_LOOK_BACK_MS);
    const reconciled = await reconcileRepository(deps, since);
    const flowsLines =
      reconciled === "config-problem" ||
      reconciled.incidentsChecked + reconciled.postmortemsChecked === 0
        ? []
        : [
            `| incidents without a post-mortem, settled now | ${reconciled.incidentsSettled} |`,
            `| post-mortems with unfinished corrective actions | ${reconciled.capaCompleted} |`,
          ];
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
        ...flowsLines,
        "",
      ].join("\n"),
    );
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `mode: backfill` (a `workflow_dispatch` run): opens the post-mortems of incidents labeled before
 * the workflow existed, through the same handler, so running it again adds nothing. The `incident`
 * input is one issue number, or `all-open` for every open issue with the first incident label
 * (and finishes their checked CAPA boxes too, as the scheduled reconciliation does).
 */
export async function runBackfill(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const wanted = backfillTarget(env);
    if (typeof wanted === "object") return core.setFailed(wanted.problem);
    const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "").split("/");
    const payload = JSON.parse(
      readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8"),
    ) as CapaWebhookPayload;
    const repository = repositoryOf(payload) ?? { owner, repo, defaultBranch: "main" };
    const gateway = await actionGateway(env, repository);
    const loaded = await loadConfig(gateway.base);
    if (!loaded.ok) return core.setFailed(loaded.problem);
    if (loaded.config.flows.runIn !== "action") {
      return core.setFailed(
        "`flows.runIn` is `app` in .github/postmortem.yml: the App opens post-mortems here, so the Action backfills none. Set `flows: { runIn: action }` to let the Action run the incident flow.",
      );
    }
    const deps = { gateway, clock: () => new Date(), log, frontDoor: "action" as const };
    const lines = ["## postmortem-bot: backfill", ""];
    if (wanted === "all-open") {
      const counts = await reconcileRepository(deps, new Date(0));
      if (counts === "config-problem") return core.setFailed("The configuration is broken.");
      lines.push(
        "| | |",
        "|---|---|",
        `| open incidents without a post-mortem | ${counts.incidentsChecked} |`,
        `| post-mortems opened or confirmed now | ${counts.incidentsSettled} |`,
        `| post-mortems with unfinished corrective actions | ${counts.postmortemsChecked} |`,
        "",
      );
    } else {
      const incident = await gateway.getIssue(wanted);
      const outcome = incident ? await settleIncident(incident, loaded.config, deps) : "ignored";
      if (outcome !== "converged") {
        return core.setFailed(
          `#${wanted} is no incident here (an issue with one of the labels ${loaded.config.incidentLabels.join(", ")}): no post-mortem opened.`,
        );
      }
      lines.push(`Incident #${wanted}: its post-mortem is open.`, "");
    }
    await writeSummary(lines.join("\n"));
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `mode: report` (`workflow_dispatch` or `schedule:`): the reliability report of the last three
 * full months (or the `report-since`/`report-until` inputs) as the job summary and the `report`
 * output (JSON); with `report-issue: true` also kept in one pinned issue, updated in place.
 */
export async function runReport(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "").split("/");
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8")) as WebhookPayload;
    const repository = repositoryOf(payload) ?? { owner, repo, defaultBranch: "main" };
    const octokit = actionOctokit(env);
    const requests = countRequests(octokit);
    const built = await buildReport(
      new GitHubGateway(octokit, repository),
      {
        since: core.getInput("report-since").trim() || undefined,
        until: core.getInput("report-until").trim() || undefined,
      },
      new Date(),
      { since: "the `report-since` input", until: "the `report-until` input" },
    );
    if (!built.ok) return core.setFailed(built.problem);
    const name = `${repository.owner}/${repository.repo}`;
    const markdown = renderReportMarkdown(built.report, name);
    core.setOutput("report", renderReportJson(built.report, name).trimEnd());
    // The summary first: a failure to keep the issue must not cost the report itself.
    await writeSummary(markdown);
    if (core.getInput("report-issue").trim().toLowerCase() === "true") {
      const published = await publishReportIssue(octokit, repository, reportIssueBody(markdown));
      core.setOutput("report-issue", String(published.number));
      core.info(`The report is in issue #${published.number}.`);
      if (published.pinned !== true) {
        core.warning(`Issue #${published.number} could not be pinned: ${published.pinned.problem}`);
      }
    }
    core.info(`Report computed with ${requests()} requests to GitHub.`);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

/** The `incident` input of a backfill: an issue number, or `all-open`. */
function backfillTarget(env: NodeJS.ProcessEnv): number | "all-open" | { problem: string } {
  const dispatched = (() => {
    try {
      const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? "", "utf8")) as {
        inputs?: { incident?: unknown };
      };
      return typeof payload.inputs?.incident === "string" ? payload.inputs.incident : "";
    } catch {
      return "";
    }
  })();
  const input = (core.getInput("incident") || dispatched).trim().replace(/^#/, "").toLowerCase();
  if (input === "all-open") return "all-open";
  if (/^[1-9]\d{0,9}$/.test(input)) return Number(input);
  return {
    problem: `mode backfill needs the \`incident\` input: an issue number or \`all-open\` (got "${input}").`,
  };
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
