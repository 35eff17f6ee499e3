import { ApprovalGateway } from "../../src/github/approval-gateway.js";
import { checkReleaseGate } from "../../src/handlers/release-gate-handler.js";
import type { RunContext } from "../context.js";
import { releaseGateNotice } from "../../src/core/release-gate/notices.js";
import { gatewayOptions, runDeps } from "../gateway.js";

/**
 * `mode: release-gate` (a required check on pull requests, or a deploy step): fails while a
 * post-mortem under the release gate has an overdue action, a late review or an unapproved close;
 * each one is listed in the job summary and as an annotation. Reads only.
 */
export async function runReleaseGate(context: RunContext): Promise<void> {
  const { repository, log } = context;
  const gateway = new ApprovalGateway(
    context.octokit,
    repository,
    log,
    undefined,
    gatewayOptions(context),
  );
  const server = (context.env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, "");
  const url = (issue: number) => `${server}/${repository.owner}/${repository.repo}/issues/${issue}`;
  const result = await checkReleaseGate(gateway, log, new Date(), url);
  if (!result.ok) {
    return context.fail(
      `The configuration of ${repository.owner}/${repository.repo} is broken: ${result.problem}`,
    );
  }
  for (const annotation of result.annotations) {
    context.annotate(annotation.level, annotation.message, { title: annotation.title });
  }
  const blocking = result.verdict.blocking.map((entry) => entry.postmortem.number);
  context.setOutput("blocking", JSON.stringify(blocking));
  await context.writeSummary(result.summary);
  // A blocked release is told to chat once per commit (a rerun claims the same key); the notifier
  // never fails the run, and nothing is built or read for it when the gate passes.
  const notice = releaseGateNotice({
    verdict: result.verdict,
    release: releaseOf(context),
    config: result.config,
    url,
  });
  if (notice) await (await runDeps(context)).notify?.(result.config, [notice]);
  if (!result.verdict.passed) {
    context.fail(
      `Release blocked by ${blocking.length} post-mortem(s): ${blocking.map((number) => `#${number}`).join(", ")}`,
    );
  }
}

/** The commit the gate judged: a pull request's head, else the run's commit, else its ref. */
function releaseOf(context: RunContext): string {
  const head = context.event.payload.pull_request?.head.sha;
  return head ?? context.env.GITHUB_SHA ?? context.env.GITHUB_REF ?? "unknown";
}
