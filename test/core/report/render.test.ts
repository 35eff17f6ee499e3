import { describe, expect, it } from "vitest";
import type { ReliabilityReport } from "../../../src/core/report/compute.js";
import {
  formatHours,
  renderReportJson,
  renderReportMarkdown,
  reportCharts,
} from "../../../src/core/report/render.js";
import { mermaidBlocks, parseMermaid } from "../../support/mermaid.js";

const report: ReliabilityReport = {
  period: { since: "2026-08-01", until: "2026-10-31", timezone: "Europe/Berlin" },
  generatedAt: "2026-11-29T12:00:00.000Z",
  incidents: {
    total: 4,
    bySeverity: { P1: 1, P2: 1, P3: 1, P4: 0, default: 1 },
    byMonth: [
      { month: "2026-08", total: 1, P1: 1, P2: 0, P3: 0, P4: 0, default: 0 },
      { month: "2026-09", total: 1, P1: 0, P2: 1, P3: 0, P4: 0, default: 0 },
      { month: "2026-10", total: 2, P1: 0, P2: 0, P3: 1, P4: 0, default: 1 },
    ],
  },
  timeToResolve: { count: 3, medianHours: 10, p90Hours: 26 },
  timeToApproval: { count: 2, medianHours: 27, p90Hours: 60.5 },
  actions: {
    opened: 6,
    done: 3,
    wontDo: 1,
    open: 2,
    overdue: 1,
    doneWithDueDate: 2,
    doneOnTime: 1,
    onTimePercent: 50,
    closedWithoutEvidence: 1,
  },
  evidence: {
    timeToMerge: { count: 3, medianHours: 30, p90Hours: 100.5 },
    timeToShip: { count: 1, medianHours: 52, p90Hours: 52 },
    closedAsCompleted: 4,
    byKind: { shipped: 1, merged: 1, manual: 1, none: 1 },
    percentByKind: { shipped: 25, merged: 25, manual: 25, none: 25 },
  },
  oldestOpenActions: [
    {
      number: 27,
      title: "[CAPA] Rotate the | keys @mallory",
      postmortem: 9,
      owner: "@dan, @erin",
      due: "2026-07-01",
      daysOverdue: 151,
      openedAt: "2026-06-01T10:00:00Z",
    },
    {
      number: 25,
      title: "[CAPA] Add a canary",
      postmortem: 11,
      owner: "",
      due: null,
      daysOverdue: 0,
      openedAt: "2026-10-02T11:00:00Z",
    },
  ],
};

describe("the report as markdown", () => {
  it("has tables and Mermaid charts; people are named, never mentioned", () => {
    expect(renderReportMarkdown(report, "acme/service")).toBe(
      [
        "## Reliability report: acme/service",
        "",
        "2026-08-01 – 2026-10-31 (Europe/Berlin); computed 2026-11-29 12:00 UTC from the repository's issues.",
        "",
        "### Incidents",
        "",
        "```mermaid",
        "xychart-beta",
        '  title "Incidents per month"',
        '  x-axis ["2026-08", "2026-09", "2026-10"]',
        '  y-axis "Incidents" 0 --> 2',
        "  bar [1, 1, 2]",
        "```",
        "",
        "| Month | P1 | P2 | P3 | P4 | no severity | Total |",
        "|---|--:|--:|--:|--:|--:|--:|",
        "| 2026-08 | 1 | 0 | 0 | 0 | 0 | 1 |",
        "| 2026-09 | 0 | 1 | 0 | 0 | 0 | 1 |",
        "| 2026-10 | 0 | 0 | 1 | 0 | 1 | 2 |",
        "| **Total** | 1 | 1 | 1 | 0 | 1 | **4** |",
        "",
        "```mermaid",
        "pie title Incidents by severity",
        '  "P1" : 1',
        '  "P2" : 1',
        '  "P3" : 1',
        '  "no severity" : 1',
        "```",
        "",
        "### Time to resolve and to review",
        "",
        "| | Median | 90th percentile | Incidents |",
        "|---|--:|--:|--:|",
        "| Incident opened → closed | 10 h | 26 h | 3 |",
        "| Incident closed → post-mortem approved | 27 h | 2.5 d | 2 |",
        "",
        "### Corrective actions",
        "",
        "```mermaid",
        "pie title Actions opened in the period, now",
        '  "Done" : 3',
        '  "Won\'t do" : 1',
        '  "Open, not overdue" : 1',
        '  "Overdue" : 1',
        "```",
        "",
        "| Opened in the period | Done | Won't do | Still open | Overdue now | Done on time |",
        "|--:|--:|--:|--:|--:|--:|",
        "| 6 | 3 | 1 | 2 | 1 | 50 % (1 of 2) |",
        "",
        "Still open counts 1 closed as completed without the evidence their severity's policy asks for (`capaEvidence`).",
        "",
        "### Evidence that the actions are done",
        "",
        "| | Median | 90th percentile | Actions |",
        "|---|--:|--:|--:|",
        "| Action opened → fix merged | 30 h | 4.2 d | 3 |",
        "| Action opened → fix shipped | 2.2 d | 2.2 d | 1 |",
        "",
        "| Closed as completed | Shipped | Merged, not shipped | Manual evidence | No evidence |",
        "|--:|--:|--:|--:|--:|",
        "| 4 | 1 (25 %) | 1 (25 %) | 1 (25 %) | 1 (25 %) |",
        "",
        "### Oldest open actions",
        "",
        "| Action | Owner | Due | Days overdue | Post-mortem |",
        "|---|---|---|--:|---|",
        "| \\[CAPA\\] Rotate the \\| keys `@mallory` (#27) | `@dan`, `@erin` | 2026-07-01 | 151 | #9 |",
        "| \\[CAPA\\] Add a canary (#25) | — | — | — | #11 |",
        "",
      ].join("\n"),
    );
  });

  it("writes charts Mermaid's own parser accepts", async () => {
    const markdown = renderReportMarkdown(report, "acme/service");
    const charts = mermaidBlocks(markdown);
    expect(charts).toEqual(reportCharts(report));
    expect(await Promise.all(charts.map(parseMermaid))).toEqual(["xychart", "pie", "pie"]);
  });

  it("with nothing to count: one chart of zeros, no empty pies, still valid", async () => {
    const empty: ReliabilityReport = {
      ...report,
      incidents: {
        total: 0,
        bySeverity: { P1: 0, P2: 0, P3: 0, P4: 0, default: 0 },
        byMonth: [{ month: "2026-10", total: 0, P1: 0, P2: 0, P3: 0, P4: 0, default: 0 }],
      },
      actions: { ...report.actions, opened: 0, done: 0, wontDo: 0, open: 0, overdue: 0 },
      oldestOpenActions: [],
    };
    const markdown = renderReportMarkdown(empty, "acme/service");
    expect(mermaidBlocks(markdown)).toEqual([
      'xychart-beta\n  title "Incidents per month"\n  x-axis ["2026-10"]\n  y-axis "Incidents" 0 --> 1\n  bar [0]',
    ]);
    expect(await parseMermaid(mermaidBlocks(markdown)[0]!)).toBe("xychart");
    expect(markdown).toContain("\nNo open corrective actions.\n");
  });

  it("the check fails on a chart Mermaid cannot read", async () => {
    await expect(parseMermaid('xychart-beta\n  x-axis ["2026-10"\n  bar [1,')).rejects.toThrow(
      /Parse error/,
    );
    await expect(parseMermaid('pie title X\n  "Done" 3')).rejects.toThrow();
  });
});

describe("the report as JSON", () => {
  it("is the same numbers with the repository", () => {
    expect(JSON.parse(renderReportJson(report, "acme/service"))).toEqual({
      repository: "acme/service",
      ...report,
    });
  });
});

describe("durations", () => {
  it("in minutes, hours, then days", () => {
    expect([null, 0.25, 1, 47.9, 48, 60.5].map(formatHours)).toEqual([
      "—",
      "15 min",
      "1 h",
      "47.9 h",
      "2 d",
      "2.5 d",
    ]);
  });
});
