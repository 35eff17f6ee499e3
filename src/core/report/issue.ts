import { closeAsDuplicate } from "../duplicates.js";
import { findMarker, formatMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import type { IssueSnapshot } from "../snapshots.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";

/** The label that finds the report issue with a paged listing (consistent, unlike search). */
export const REPORT_LABEL = "postmortem-report";
export const REPORT_TITLE = "Reliability report";

/** The report issue's body: the report, and the marker that finds it again. */
export function reportIssueBody(markdown: string): string {
  return `${markdown.trimEnd()}\n\n${formatMarker("report", { kind: "reliability" })}\n`;
}

/**
 * The open report issues among the labelled ones, oldest first; the first is the one kept. Only
 * the product's own count: anyone can open an older issue with the label and the marker.
 */
export function reportIssues(labeled: readonly IssueSnapshot[], writers: Writers): IssueSnapshot[] {
  return labeled
    .filter(
      (issue) =>
        issue.state === "open" &&
        wroteIt(issue.author, "runs", writers) &&
        findMarker(issue.body, "report"),
    )
    .sort((a, b) => a.number - b.number);
}

/**
 * What makes the repository hold exactly one open report issue with this body: create it when
 * there is none, close any later one as a duplicate (two runs that raced both created one), and
 * update the kept one in place. Run again on a fresh listing until it plans nothing.
 */
export function planReportIssue(
  labeled: readonly IssueSnapshot[],
  body: string,
  writers: Writers,
): Plan {
  const [kept, ...duplicates] = reportIssues(labeled, writers);
  if (!kept) {
    // GitHub drops a label that does not exist from a new issue rather than creating it.
    return [
      {
        kind: "ensureLabel",
        name: REPORT_LABEL,
        color: "0e8a16",
        description: "The reliability report, kept up to date by postmortem-bot",
      },
      { kind: "createIssue", title: REPORT_TITLE, body, labels: [REPORT_LABEL], assignees: [] },
    ];
  }
  return [
    ...duplicates.map((duplicate) =>
      closeAsDuplicate(duplicate, kept.number, "The reliability report issue"),
    ),
    ...(kept.body === body
      ? []
      : [{ kind: "updateIssueBody" as const, issueNumber: kept.number, body }]),
  ];
}
