import { ApprovalGateway } from "../../src/github/approval-gateway.js";
import { checkReleaseGate } from "../../src/handlers/release-gate-handler.js";
import type { RunContext } from "../context.js";
import { gatewayOptions } from "../gateway.js";

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
  if (!result.verdict.passed) {
    context.fail(
      `Release blocked by ${blocking.length} post-mortem(s): ${blocking.map((number) => `#${number}`).join(", ")}`,
    );
  }
}
