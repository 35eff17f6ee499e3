import type { Config } from "../core/config.js";
import type { ReliabilityReport } from "../core/report/compute.js";
import { computeReport } from "../core/report/compute.js";
import type { Period } from "../core/report/period.js";
import { choosePeriod, earliestInstant } from "../core/report/period.js";
import type { Logger } from "../core/logger.js";
import type { Step } from "../core/plan.js";
import { planReportIssue, reportIssues } from "../core/report/issue.js";
import type { Writers } from "../core/trust/writers.js";
import { writersOf } from "../core/trust/writers.js";
import type { IssueSnapshot, RepositoryRef } from "../core/snapshots.js";
import { GitHubGateway } from "../github/gateway.js";
import type { PublishedReport, ReportIssueApi } from "../github/report-issue.js";
import { listReportLabeled, pinIssue } from "../github/report-issue.js";
import { computeCulpritReport, wantsCulpritReport } from "../core/report/culprits.js";
import { readTrustedPathIndex as readPathIndex } from "../github/path-index.js";
import { converge } from "./converge.js";
import { loadConfig } from "./load-config.js";

export type BuiltReport =
  | {
      ok: true;
      report: ReliabilityReport;
      config: Config;
      /** Whose issues count as the product's here (the Action's or the CLI's reading). */
      writers: Writers;
    }
  | { ok: false; problem: string };

/**
 * The reliability report of one repository, from GitHub alone: the configuration, then three
 * paged listings by label (incidents and post-mortems updated since the period began, every
 * corrective action), 100 issues a page, and where a post-mortem has culprits one read of the path
 * index. No search, nothing per issue.
 */
export async function buildReport(
  gateway: GitHubGateway,
  wanted: { since?: string; until?: string },
  now: Date,
  names?: { since: string; until: string },
): Promise<BuiltReport> {
  const loaded = await loadConfig(gateway);
  if (!loaded.ok) return { ok: false, problem: loaded.problem };
  const config = loaded.config;
  // Run by the Action or the CLI, which know the App only by `identity.app`.
  const writers = writersOf(config, "action");
  const chosen = choosePeriod(wanted, now, config.timezone, names);
  if (!chosen.ok) return { ok: false, problem: chosen.problem };
  const period: Period = chosen.period;
  // An issue opened in the period was updated since it began: `since` keeps older history out.
  const since = earliestInstant(period);
  const incidents = uniqueByNumber(
    (
      await Promise.all(
        config.incidentLabels.map((label) => gateway.listIssuesWithLabel(label, since)),
      )
    ).flat(),
  );
  const postmortems = await gateway.listIssuesWithLabel(config.postmortemLabels[0]!, since);
  // Every action, whenever opened: the oldest open ones are the point of the last table.
  const actions = await gateway.listIssuesWithLabel(config.capa.labels[0]!);
  const report = computeReport({ incidents, postmortems, actions, config, period, now, writers });
  // Culprits: repeats from the markers listed, implicated paths from one read of the path index
  // (a page per 100 entries, plus the index issue's listing), only where a post-mortem has any.
  if (wantsCulpritReport(postmortems, writers)) {
    const index = await readPathIndex(gateway, writers);
    report.culprits = computeCulpritReport(postmortems, index.entries, period, writers);
  }
  return { ok: true, config, writers, report };
}

function uniqueByNumber(issues: readonly IssueSnapshot[]): IssueSnapshot[] {
  return [...new Map(issues.map((issue) => [issue.number, issue])).values()];
}

/** A create, its verification by a second listing, and a failed write or two. */
const REPORT_ISSUE_ROUNDS = 4;

/**
 * Keeps the report in one pinned issue, updated in place. Found by its label and hidden marker
 * through a paged listing (consistent after a create, unlike search); two runs at once may both
 * create one, and both then converge on the older and close the other as a duplicate. Only a
 * create is listed again: an update or a duplicate's close changes nothing the plan reads.
 */
export async function publishReportIssue(
  api: ReportIssueApi,
  repository: RepositoryRef,
  body: string,
  log: Logger,
  writers: Writers,
): Promise<PublishedReport> {
  const gateway = new GitHubGateway(api, repository);
  const kept = await converge<Step, { number: number; nodeId: string }>({
    what: "The report issue",
    maxRounds: REPORT_ISSUE_ROUNDS,
    log,
    apply: (step) => gateway.apply(step),
    plan: async () => {
      const labeled = await listReportLabeled(api, repository);
      const plan = planReportIssue(
        labeled.map((entry) => entry.issue),
        body,
        writers,
      );
      if (plan.some((step) => step.kind === "createIssue")) return { write: plan };
      const keptNumber = reportIssues(
        labeled.map((entry) => entry.issue),
        writers,
      )[0]!.number;
      const entry = labeled.find((candidate) => candidate.issue.number === keptNumber)!;
      const done = { number: keptNumber, nodeId: entry.nodeId };
      return plan.length > 0 ? { write: plan, done } : { done };
    },
  });
  return { number: kept.number, pinned: await pinIssue(api, kept.nodeId) };
}
