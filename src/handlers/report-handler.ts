import type { Config } from "../core/config.js";
import type { ReliabilityReport } from "../core/report/compute.js";
import { computeReport } from "../core/report/compute.js";
import type { Period } from "../core/report/period.js";
import { choosePeriod, earliestInstant } from "../core/report/period.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import type { GitHubGateway } from "../github/gateway.js";
import { loadConfig } from "./load-config.js";

export type BuiltReport =
  { ok: true; report: ReliabilityReport; config: Config } | { ok: false; problem: string };

/**
 * The reliability report of one repository, from GitHub alone: the configuration, then three
 * paged listings by label (incidents and post-mortems updated since the period began, every
 * corrective action), 100 issues a page. No search, nothing per issue.
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
  return {
    ok: true,
    config,
    report: computeReport({ incidents, postmortems, actions, config, period, now }),
  };
}

function uniqueByNumber(issues: readonly IssueSnapshot[]): IssueSnapshot[] {
  return [...new Map(issues.map((issue) => [issue.number, issue])).values()];
}
