import type { IndexEntry } from "../culprits/path-index.js";
import { culpritsOf, relatedOf } from "../culprits/plan.js";
import { isProductIssue } from "../identity.js";
import { formatDate } from "../time.js";
import type { IssueSnapshot } from "../snapshots.js";
import type { Writers } from "../trust/writers.js";
import type { Period } from "./period.js";
import { inPeriod } from "./period.js";

/** Paths shown, at most. */
export const IMPLICATED_SHOWN = 10;

/** The report's part about culprits (issue #20): repeats and the most implicated paths. */
export interface CulpritReport {
  /** Post-mortems of the period with culprits (`/culprit`). */
  withCulprits: number;
  /** Pairs of post-mortems linked as Possibly related, lower number first, by the later one. */
  repeats: { postmortem: number; repeats: number }[];
  /** Paths changed by the culprits of the most post-mortems opened in the period (the index). */
  implicatedPaths: { path: string; postmortems: number }[];
}

/**
 * Whether the report needs the path index: a post-mortem listed for the period has culprits. None:
 * no part about culprits and no request for it.
 */
export function wantsCulpritReport(
  postmortems: readonly IssueSnapshot[],
  writers: Writers,
): boolean {
  return postmortems.some(
    (issue) => isProductIssue(issue, writers) && culpritsOf(issue.body).length > 0,
  );
}

/**
 * Repeats from the post-mortems' markers (`related`, written once by `/culprit`), implicated
 * paths from the index's trusted entries opened in the period (a private post-mortem's counted
 * too: its paths are in the index, its name is not).
 */
export function computeCulpritReport(
  postmortems: readonly IssueSnapshot[],
  index: readonly IndexEntry[],
  period: Period,
  writers: Writers,
): CulpritReport {
  const dayOf = (iso: string) => formatDate(iso, period.timezone);
  const counted = postmortems.filter(
    (issue) =>
      isProductIssue(issue, writers) &&
      issue.stateReason !== "duplicate" &&
      inPeriod(issue.createdAt, period, dayOf),
  );
  const pairs = new Map<string, { postmortem: number; repeats: number }>();
  for (const issue of counted) {
    for (const other of relatedOf(issue.body)) {
      const [earlier, later] = other < issue.number ? [other, issue.number] : [issue.number, other];
      pairs.set(`${earlier}-${later}`, { postmortem: later, repeats: earlier });
    }
  }
  const byPath = new Map<string, number>();
  for (const entry of index) {
    if (!inPeriod(entry.openedAt, period, dayOf)) continue;
    const paths = new Set(entry.culprits.flatMap((culprit) => culprit.paths));
    for (const path of paths) byPath.set(path, (byPath.get(path) ?? 0) + 1);
  }
  return {
    withCulprits: counted.filter((issue) => culpritsOf(issue.body).length > 0).length,
    repeats: [...pairs.values()].sort(
      (a, b) => a.postmortem - b.postmortem || a.repeats - b.repeats,
    ),
    implicatedPaths: [...byPath]
      .map(([path, count]) => ({ path, postmortems: count }))
      .sort((a, b) => b.postmortems - a.postmortems || (a.path < b.path ? -1 : 1))
      .slice(0, IMPLICATED_SHOWN),
  };
}
