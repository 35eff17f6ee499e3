import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config.js";
import { computeReport, percentile } from "../../../src/core/report/compute.js";
import { choosePeriod } from "../../../src/core/report/period.js";
import { action, incident, postmortem } from "./fixtures.js";
import { appWriters } from "../../support/writers.js";
import type { Evidence } from "../../../src/core/evidence/index.js";
import { withEvidence } from "../../../src/core/evidence/model.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";

function configIn(timezone: string) {
  const parsed = parseConfig({ timezone });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.config;
}

describe("the report's period", () => {
  it("is the last three full calendar months in the configured zone by default", () => {
    expect(choosePeriod({}, new Date("2026-11-29T12:00:00Z"), "UTC")).toEqual({
      ok: true,
      period: { since: "2026-08-01", until: "2026-10-31", timezone: "UTC" },
    });
    // 13:00 UTC on 30 November is already 1 December in Auckland: November is a full month there.
    const now = new Date("2026-11-30T13:00:00Z");
    expect(choosePeriod({}, now, "Pacific/Auckland")).toEqual({
      ok: true,
      period: { since: "2026-09-01", until: "2026-11-30", timezone: "Pacific/Auckland" },
    });
    expect(choosePeriod({}, now, "UTC")).toMatchObject({
      period: { since: "2026-08-01", until: "2026-10-31" },
    });
    // Across a year's end, and through a February.
    expect(choosePeriod({}, new Date("2027-02-10T00:00:00Z"), "UTC")).toMatchObject({
      period: { since: "2026-11-01", until: "2027-01-31" },
    });
    expect(choosePeriod({}, new Date("2028-04-01T00:00:00Z"), "UTC")).toMatchObject({
      period: { since: "2028-01-01", until: "2028-03-31" },
    });
  });

  it("takes --since and --until; since alone runs to yesterday; bad days are refused", () => {
    const now = new Date("2026-11-29T12:00:00Z");
    expect(choosePeriod({ since: "2026-01-01", until: "2026-06-30" }, now, "UTC")).toMatchObject({
      period: { since: "2026-01-01", until: "2026-06-30" },
    });
    expect(choosePeriod({ since: "2026-11-01" }, now, "UTC")).toMatchObject({
      period: { since: "2026-11-01", until: "2026-11-28" },
    });
    expect(choosePeriod({ until: "2026-06-30" }, now, "UTC")).toMatchObject({
      period: { since: "2026-04-01", until: "2026-06-30" },
    });
    expect(choosePeriod({ since: "2026-02-30" }, now, "UTC")).toEqual({
      ok: false,
      problem: '--since is "2026-02-30": write a day as YYYY-MM-DD',
    });
    expect(choosePeriod({ since: "2026-07-01", until: "2026-06-30" }, now, "UTC")).toEqual({
      ok: false,
      problem: "the period is empty: 2026-07-01 is after 2026-06-30",
    });
  });
});

describe("percentiles", () => {
  it("interpolates between the nearest ranks", () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 10);
    expect(percentile([2, 10, 30], 0.5)).toBe(10);
    expect(percentile([2, 10, 30], 0.9)).toBeCloseTo(26, 10);
    expect(percentile([5], 0.9)).toBe(5);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe("the report's numbers", () => {
  // Berlin is two hours ahead of UTC until 25 October 2026, one hour after.
  const config = configIn("Europe/Berlin");
  const now = new Date("2026-11-29T12:00:00Z");
  const period = { since: "2026-08-01", until: "2026-10-31", timezone: "Europe/Berlin" };

  const incidents = [
    // 1 August, 01:00 in Berlin: in the period, August. Resolved in 2 h.
    incident(1, "2026-07-31T23:00:00Z", "2026-08-01T01:00:00Z", ["incident", "P1"]),
    // 1 September, 01:30 in Berlin: September, not August. Resolved in 10 h; box P2 raises label P3.
    incident(2, "2026-08-31T23:30:00Z", "2026-09-01T09:30:00Z", ["incident", "P3"]),
    // sev3 label → P3; resolved in 30 h.
    incident(3, "2026-10-10T08:00:00Z", "2026-10-11T14:00:00Z", ["incident", "sev3"]),
    // No severity at all; still open.
    incident(4, "2026-10-20T08:00:00Z"),
    // 1 November, 00:30 in Berlin: after the period.
    incident(5, "2026-10-31T23:30:00Z"),
    // 31 July, 23:00 in Berlin: before the period.
    incident(6, "2026-07-31T21:00:00Z"),
    // Declared by someone who may not, never confirmed: not the team's incident (a P1 in October).
    incident(7, "2026-10-21T08:00:00Z", undefined, ["incident", "P1", "unconfirmed"]),
    // A post-mortem someone labelled as an incident is not one.
    { ...postmortem(90, 3), labels: ["postmortem", "incident"], createdAt: "2026-10-12T00:00:00Z" },
  ];
  const postmortems = [
    // Approved 48 h after incident 1 closed.
    postmortem(10, 1, { approved: "2026-08-03T01:00:00Z" }),
    // Approved 6 h after incident 2 closed.
    postmortem(11, 2, { severity: "P2", approved: "2026-09-01T15:30:00Z" }),
    // Closed as not planned: not approved.
    postmortem(12, 3, { approved: "2026-10-12T00:00:00Z", reason: "not_planned" }),
    // A person typed a marker into an issue of their own: ignored (it would say P4).
    { ...postmortem(8, 1, { severity: "P4" }), author: { login: "mallory", type: "User" } },
  ];
  const actions = [
    // Done on its due day (23:30 on 15 September in Berlin).
    action(20, 10, "2026-08-05T10:00:00Z", "2026-09-15", {
      at: "2026-09-15T21:30:00Z",
      reason: "completed",
    }),
    // Done a day late: 16 September 00:30 in Berlin.
    action(21, 10, "2026-08-05T10:00:00Z", "2026-09-15", {
      at: "2026-09-15T22:30:00Z",
      reason: "completed",
    }),
    // Done, never had a date: not in the on-time share.
    action(22, 11, "2026-09-02T10:00:00Z", undefined, {
      at: "2026-09-20T10:00:00Z",
      reason: "completed",
    }),
    action(23, 11, "2026-09-02T10:00:00Z", "2026-10-01", {
      at: "2026-09-20T10:00:00Z",
      reason: "not_planned",
    }),
    // Open, due 2026-11-01: 28 days overdue on 29 November.
    // Its owner from CODEOWNERS (a team, named inert, and where it came from).
    action(24, 11, "2026-09-02T11:00:00Z", "2026-11-01", undefined, {
      line: "`@acme/sre` (from CODEOWNERS)",
    }),
    // Open, not yet due.
    action(25, 11, "2026-10-02T11:00:00Z", "2026-12-15"),
    // The App's duplicate: never counted.
    action(26, 11, "2026-10-02T11:00:00Z", "2026-12-15", {
      at: "2026-10-02T11:01:00Z",
      reason: "duplicate",
    }),
    // Opened before the period, still open and overdue: only in the oldest list.
    action(27, 9, "2026-06-01T10:00:00Z", "2026-07-01", undefined, { assignees: ["dan", "erin"] }),
    // Opened after the period.
    action(28, 11, "2026-11-05T10:00:00Z", "2026-11-20"),
    // A person's issue with a typed marker: ignored.
    {
      ...action(29, 11, "2026-09-02T10:00:00Z", "2026-09-03"),
      author: { login: "mallory", type: "User" },
    },
  ];

  it("counts incidents per month by severity, in the configured zone, and the durations", () => {
    const report = computeReport({
      incidents,
      postmortems,
      actions,
      config,
      period,
      now,
      writers: appWriters,
    });
    expect(report.incidents).toEqual({
      total: 4,
      bySeverity: { P1: 1, P2: 1, P3: 1, P4: 0, default: 1 },
      byMonth: [
        { month: "2026-08", total: 1, P1: 1, P2: 0, P3: 0, P4: 0, default: 0 },
        { month: "2026-09", total: 1, P1: 0, P2: 1, P3: 0, P4: 0, default: 0 },
        { month: "2026-10", total: 2, P1: 0, P2: 0, P3: 1, P4: 0, default: 1 },
      ],
    });
    expect(report.timeToResolve).toEqual({ count: 3, medianHours: 10, p90Hours: 26 });
    expect(report.timeToApproval).toEqual({ count: 2, medianHours: 27, p90Hours: 43.8 });
  });

  it("counts the actions opened in the period by their state now, and the oldest open ones", () => {
    const report = computeReport({
      incidents,
      postmortems,
      actions,
      config,
      period,
      now,
      writers: appWriters,
    });
    expect(report.actions).toEqual({
      opened: 6,
      done: 3,
      wontDo: 1,
      open: 2,
      overdue: 1,
      doneWithDueDate: 2,
      doneOnTime: 1,
      onTimePercent: 50,
      closedWithoutEvidence: 0,
    });
    expect(report.oldestOpenActions).toEqual([
      {
        number: 27,
        title: "[CAPA] Action 27",
        postmortem: 9,
        owner: "@dan, @erin",
        due: "2026-07-01",
        daysOverdue: 151,
        openedAt: "2026-06-01T10:00:00Z",
      },
      {
        number: 24,
        title: "[CAPA] Action 24",
        postmortem: 11,
        owner: "@acme/sre",
        due: "2026-11-01",
        daysOverdue: 28,
        openedAt: "2026-09-02T11:00:00Z",
      },
      {
        number: 25,
        title: "[CAPA] Action 25",
        postmortem: 11,
        owner: "@carol",
        due: "2026-12-15",
        daysOverdue: 0,
        openedAt: "2026-10-02T11:00:00Z",
      },
      {
        number: 28,
        title: "[CAPA] Action 28",
        postmortem: 11,
        owner: "@carol",
        due: "2026-11-20",
        daysOverdue: 9,
        openedAt: "2026-11-05T10:00:00Z",
      },
    ]);
  });

  it("with an evidence policy: a child closed without its evidence is open work, not done; fix times and evidence by kind", () => {
    const parsed = parseConfig({
      timezone: "Europe/Berlin",
      evidence: { environment: "production" },
      policy: { P2: { capaEvidence: "shipped" } },
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const fix = (pr: number, at: string) => ({
      pr,
      url: `https://github.com/acme/service/pull/${pr}`,
      at,
      sha: "a".repeat(40),
    });
    const withRecorded = (issue: IssueSnapshot, evidence: Evidence) => ({
      ...issue,
      body: withEvidence(issue.body, evidence, "UTC"),
    });
    const byNumber = new Map(actions.map((a) => [a.number, a]));
    const evidenceActions = [
      ...actions.filter((a) => ![20, 21, 24].includes(a.number)),
      // Merged 24 h after it opened, shipped 48 h after.
      withRecorded(byNumber.get(20)!, {
        merged: [fix(41, "2026-08-06T10:00:00Z")],
        shipped: {
          deployment: 7,
          url: "https://deploy.example.com/7",
          environment: "production",
          at: "2026-08-07T10:00:00Z",
          sha: "b".repeat(40),
          prs: [41],
        },
      }),
      withRecorded(byNumber.get(21)!, {
        manual: { by: "maria", text: "runbook", at: "2026-09-15T20:00:00Z", comment: 1 },
      }),
      // Still open, its fix merged 24 h after it opened.
      withRecorded(byNumber.get(24)!, { merged: [fix(42, "2026-09-03T11:00:00Z")] }),
      // Post-mortem 11 is P2 (shipped asked): merged 96 h after it opened, closed, not shipped.
      withRecorded(
        action(30, 11, "2026-09-10T00:00:00Z", "2026-09-20", {
          at: "2026-09-15T00:00:00Z",
          reason: "completed",
        }),
        { merged: [fix(43, "2026-09-14T00:00:00Z")] },
      ),
    ];
    const report = computeReport({
      incidents,
      postmortems,
      actions: evidenceActions,
      config: parsed.config,
      period,
      now,
      writers: appWriters,
    });
    // 22 (P2, closed bare) and 30 (merged, not shipped) count as open; 30 is past due.
    expect(report.actions).toEqual({
      opened: 7,
      done: 2,
      wontDo: 1,
      open: 4,
      overdue: 2,
      doneWithDueDate: 2,
      doneOnTime: 1,
      onTimePercent: 50,
      closedWithoutEvidence: 2,
    });
    expect(report.evidence).toEqual({
      timeToMerge: { count: 3, medianHours: 24, p90Hours: 81.6 },
      timeToShip: { count: 1, medianHours: 48, p90Hours: 48 },
      closedAsCompleted: 4,
      byKind: { shipped: 1, merged: 1, manual: 1, none: 1 },
      percentByKind: { shipped: 25, merged: 25, manual: 25, none: 25 },
    });
    // Without a policy the same evidence is counted, and every close counts as done.
    const none = computeReport({
      incidents,
      postmortems,
      actions: evidenceActions,
      config,
      period,
      now,
      writers: appWriters,
    });
    expect(none.actions).toMatchObject({ done: 4, open: 2, closedWithoutEvidence: 0 });
    expect(none.evidence.byKind).toEqual(report.evidence.byKind);
  });

  it("shows ten open actions at most, the oldest first", () => {
    const many = Array.from({ length: 12 }, (_, index) =>
      action(
        100 + index,
        10,
        `2026-09-${String(20 - index).padStart(2, "0")}T10:00:00Z`,
        "2026-12-31",
      ),
    );
    const report = computeReport({
      incidents: [],
      postmortems: [],
      actions: many,
      config,
      period,
      now,
      writers: appWriters,
    });
    expect(report.oldestOpenActions.map((entry) => entry.number)).toEqual([
      111, 110, 109, 108, 107, 106, 105, 104, 103, 102,
    ]);
  });

  it("has no durations and no on-time share where there is nothing to measure", () => {
    const report = computeReport({
      incidents: [],
      postmortems: [],
      actions: [],
      config,
      period,
      now,
      writers: appWriters,
    });
    expect(report.timeToResolve).toEqual({ count: 0, medianHours: null, p90Hours: null });
    expect(report.actions.onTimePercent).toBeNull();
    expect(report.incidents.byMonth.map((entry) => entry.month)).toEqual([
      "2026-08",
      "2026-09",
      "2026-10",
    ]);
  });
});
