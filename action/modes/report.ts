import { reportIssueBody } from "../../src/core/report/issue.js";
import { renderReportJson, renderReportMarkdown } from "../../src/core/report/render.js";
import { GitHubGateway } from "../../src/github/gateway.js";
import { buildReport, publishReportIssue } from "../../src/handlers/report-handler.js";
import type { RunContext } from "../context.js";
import { gatewayOptions } from "../gateway.js";

/**
 * `mode: report` (`workflow_dispatch` or `schedule:`): the reliability report of the last three
 * full months (or the `report-since`/`report-until` inputs) as the job summary and the `report`
 * output (JSON); with `report-issue: true` also kept in one pinned issue, updated in place.
 */
export async function runReport(context: RunContext): Promise<void> {
  const { octokit, repository, inputs } = context;
  const built = await buildReport(
    new GitHubGateway(octokit, repository, undefined, gatewayOptions(context)),
    { since: inputs["report-since"], until: inputs["report-until"] },
    new Date(),
    { since: "the `report-since` input", until: "the `report-until` input" },
  );
  if (!built.ok) return context.fail(built.problem);
  const name = `${repository.owner}/${repository.repo}`;
  const markdown = renderReportMarkdown(built.report, name);
  context.setOutput("report", renderReportJson(built.report, name).trimEnd());
  // The summary first: a failure to keep the issue must not cost the report itself.
  await context.writeSummary(markdown);
  if (inputs["report-issue"]) {
    const published = await publishReportIssue(
      octokit,
      repository,
      reportIssueBody(markdown),
      context.log,
      built.writers,
    );
    context.setOutput("report-issue", String(published.number));
    context.log.info(`The report is in issue #${published.number}.`);
    if (published.pinned !== true) {
      context.log.warn(
        `Issue #${published.number} could not be pinned: ${published.pinned.problem}`,
      );
    }
  }
  context.log.info(`Report computed with ${context.requests()} requests to GitHub.`);
}
