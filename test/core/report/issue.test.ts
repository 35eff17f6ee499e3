import { describe, expect, it } from "vitest";
import { REPORT_LABEL, planReportIssue, reportIssueBody } from "../../../src/core/report/issue.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";
import { actionWriters } from "../../support/writers.js";

const body = reportIssueBody("## Reliability report: acme/service\n");

function reportIssue(number: number, overrides: Partial<IssueSnapshot> = {}): IssueSnapshot {
  return {
    id: 70_000 + number,
    number,
    title: "Reliability report",
    body: reportIssueBody("## Reliability report: acme/service (last month)\n"),
    state: "open",
    stateReason: null,
    author: { login: "github-actions[bot]", type: "Bot" },
    labels: [REPORT_LABEL],
    assignees: [],
    createdAt: "2026-11-01T00:00:00Z",
    isPullRequest: false,
    ...overrides,
  };
}

describe("the report issue", () => {
  it("its body ends with the marker that finds it again", () => {
    expect(body).toBe(
      '## Reliability report: acme/service\n\n<!-- postmortem-bot:report {"kind":"reliability"} -->\n',
    );
  });

  it("is created when there is none (closed ones and unmarked ones do not count)", () => {
    const closed = reportIssue(3, { state: "closed", stateReason: "completed" });
    const unmarked = reportIssue(4, { body: "Someone's notes about the report" });
    expect(planReportIssue([closed, unmarked], body, actionWriters)).toEqual([
      {
        kind: "ensureLabel",
        name: REPORT_LABEL,
        color: "0e8a16",
        description: "The reliability report, kept up to date by postmortem-bot",
      },
      {
        kind: "createIssue",
        title: "Reliability report",
        body,
        labels: [REPORT_LABEL],
        assignees: [],
      },
    ]);
  });

  it("is updated in place, and left alone when it already says this", () => {
    expect(planReportIssue([reportIssue(5)], body, actionWriters)).toEqual([
      { kind: "updateIssueBody", issueNumber: 5, body },
    ]);
    expect(planReportIssue([reportIssue(5, { body })], body, actionWriters)).toEqual([]);
  });

  it("two runs that raced both created one: the older is kept, the newer closed as a duplicate", () => {
    const newer = reportIssue(9);
    expect(planReportIssue([newer, reportIssue(5, { body })], body, actionWriters)).toEqual([
      {
        kind: "closeIssue",
        issueNumber: 9,
        stateReason: "duplicate",
        body: `<!-- postmortem-bot:duplicate {"of":5} -->\n> **Duplicate of #5.** The reliability report issue was opened twice at the same moment; #5 is the one to use.\n\n${newer.body}`,
      },
    ]);
  });

  it("only the product's own report issue is kept: an older one by another bot or a person is not", () => {
    const kept = reportIssue(9, { body });
    for (const author of [
      { login: "other-app[bot]", type: "Bot" },
      { login: "mallory", type: "User" },
    ]) {
      // Older, labelled and marked: under "first wins" it would get the report and #9 be closed.
      const forged = reportIssue(2, { author });
      expect(planReportIssue([forged, kept], body, actionWriters), author.login).toEqual([]);
    }
    // The App's own (`identity.app`) counts: a report issue it kept before the Action did.
    const byApp = reportIssue(2, { author: { login: "postmortem-bot[bot]", type: "Bot" } });
    expect(planReportIssue([byApp, kept], body, actionWriters).map((step) => step.kind)).toEqual([
      "closeIssue",
      "updateIssueBody",
    ]);
  });
});
