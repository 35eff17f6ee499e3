import { describe, expect, it } from "vitest";
import type { IndexEntry } from "../../../src/core/culprits/path-index.js";
import type { ReliabilityReport } from "../../../src/core/report/compute.js";
import { computeCulpritReport, wantsCulpritReport } from "../../../src/core/report/culprits.js";
import { renderReportJson, renderReportMarkdown } from "../../../src/core/report/render.js";
import { formatMarker } from "../../../src/core/markers.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";
import { appWriters } from "../../support/writers.js";

const period = { since: "2026-08-01", until: "2026-10-31", timezone: "UTC" };
const BOT = { login: "postmortem-bot[bot]", type: "Bot" };

function postmortem(
  number: number,
  marker: object,
  createdAt = "2026-09-10T10:00:00Z",
): IssueSnapshot {
  return {
    id: number,
    number,
    title: `Post-mortem ${number}`,
    body: `# Post-mortem\n\n${formatMarker("postmortem", { incident: number - 1, ...marker })}\n`,
    state: "open",
    stateReason: null,
    author: BOT,
    labels: ["postmortem"],
    assignees: [],
    createdAt,
    isPullRequest: false,
  };
}

const entry = (
  number: number | undefined,
  paths: string[],
  openedAt = "2026-09-10T10:00:00.000Z",
): IndexEntry => ({
  ...(number === undefined ? { key: "d".repeat(32) } : { postmortem: number, title: "t" }),
  private: number === undefined,
  openedAt,
  culprits: [{ pr: 40, paths, morePaths: 0 }],
  openCapa: [],
});

describe("the report's culprits", () => {
  const postmortems = [
    postmortem(2, { culprits: [{ pr: 41, commented: true }], related: [6] }),
    postmortem(6, { culprits: [{ pr: 42, commented: true }], related: [2] }),
    postmortem(9, {}),
    {
      ...postmortem(12, { culprits: [{ pr: 43, commented: true }] }),
      author: { login: "mallory", type: "User" },
    },
  ];

  it("asks for the index only where a post-mortem has culprits", () => {
    expect(wantsCulpritReport(postmortems, appWriters)).toBe(true);
    expect(wantsCulpritReport([postmortems[2]!, postmortems[3]!], appWriters)).toBe(false);
  });

  it("lists repeat pairs once and the most implicated paths of the period's entries", () => {
    const culprits = computeCulpritReport(
      postmortems,
      [
        entry(2, ["src/cache.ts", "src/cart.ts"]),
        entry(6, ["src/cache.ts", "src/session.ts"]),
        entry(undefined, ["src/cache.ts", "src/keys.ts"]),
        entry(1, ["src/old.ts"], "2026-07-01T00:00:00.000Z"),
      ],
      period,
      appWriters,
    );
    expect(culprits).toEqual({
      withCulprits: 2,
      repeats: [{ postmortem: 6, repeats: 2 }],
      implicatedPaths: [
        { path: "src/cache.ts", postmortems: 3 },
        { path: "src/cart.ts", postmortems: 1 },
        { path: "src/keys.ts", postmortems: 1 },
        { path: "src/session.ts", postmortems: 1 },
      ],
    });
    const report = { oldestOpenActions: [], culprits } as unknown as ReliabilityReport;
    expect(JSON.parse(renderReportJson(report, "acme/web")).culprits).toEqual(culprits);
  });

  it("renders them in markdown, paths as code", () => {
    const culprits = {
      withCulprits: 1,
      repeats: [{ postmortem: 6, repeats: 2 }],
      implicatedPaths: [{ path: "src/a|b`.ts", postmortems: 2 }],
    };
    const base = {
      period,
      generatedAt: "2026-11-29T12:00:00.000Z",
      incidents: { total: 0, bySeverity: { P1: 0, P2: 0, P3: 0, P4: 0, default: 0 }, byMonth: [] },
      timeToResolve: { count: 0, medianHours: null, p90Hours: null },
      timeToApproval: { count: 0, medianHours: null, p90Hours: null },
      actions: {
        opened: 0,
        done: 0,
        wontDo: 0,
        open: 0,
        overdue: 0,
        doneWithDueDate: 0,
        doneOnTime: 0,
        onTimePercent: null,
        closedWithoutEvidence: 0,
      },
      evidence: {
        timeToMerge: { count: 0, medianHours: null, p90Hours: null },
        timeToShip: { count: 0, medianHours: null, p90Hours: null },
        closedAsCompleted: 0,
        byKind: { shipped: 0, merged: 0, manual: 0, none: 0 },
        percentByKind: { shipped: null, merged: null, manual: null, none: null },
      },
      oldestOpenActions: [],
    } satisfies ReliabilityReport;
    const without = renderReportMarkdown(base, "acme/web");
    expect(without).not.toContain("Repeats");
    const markdown = renderReportMarkdown({ ...base, culprits }, "acme/web");
    expect(markdown.slice(without.length)).toBe(
      [
        "",
        "### Repeats and implicated code",
        "",
        "1 post-mortem of the period names culprits (`/culprit`).",
        "",
        "| Post-mortem | Possibly repeats |",
        "|---|---|",
        "| #6 | #2 |",
        "",
        "Most implicated paths:",
        "",
        "| Path | Post-mortems |",
        "|---|--:|",
        "| ``src/a\\|b`.ts`` | 2 |",
        "",
      ].join("\n"),
    );
  });
});
