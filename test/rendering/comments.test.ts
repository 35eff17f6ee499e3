import { appWriters } from "../support/writers.js";
import { describe, expect, it } from "vitest";
import { planAdoption } from "../../src/core/adoption/plan.js";
import { defaultConfig } from "../../src/core/config.js";
import { planGuard } from "../../src/core/guard/plan.js";
import type { Plan } from "../../src/core/plan.js";
import { judgeRelease, overdueOn } from "../../src/core/release-gate/gate.js";
import { releaseGateSummary } from "../../src/core/release-gate/summary.js";
import { overdueChild, planOverdueReminder } from "../../src/core/reminders/overdue.js";
import { planReviewReminder } from "../../src/core/reminders/review.js";
import { computeReport } from "../../src/core/report/compute.js";
import { renderReportMarkdown } from "../../src/core/report/render.js";
import { withEvidence } from "../../src/core/evidence/model.js";
import { closedPastDue, unprovenChildren } from "../../src/core/reminders/sweep.js";
import { entryFor } from "../../src/core/timeline/events.js";
import { planTimelineRecovery } from "../../src/core/timeline/lost-edit.js";
import { planTimeline } from "../../src/core/timeline/plan.js";
import { inlineText } from "../../src/core/markdown-text.js";
import { child, postmortem, renderedPostmortem } from "../core/capa/fixtures.js";
import { incidentIssue, postmortemIssue } from "../core/fixtures.js";
import { action, incident, postmortem as reportPostmortem } from "../core/report/fixtures.js";
import { expectReadable, tableWith } from "./expect.js";
import { HOSTILE_TEXTS, HOSTILE_TITLE } from "./hostile.js";

const texts = (steps: Plan, kind: "createComment" | "updateIssueBody" = "createComment") =>
  steps.flatMap((step) => (step.kind === kind ? [step.body] : []));
const sender = { login: "rita", type: "User" };
const url = (n: number) => `https://github.com/acme/shop/issues/${n}`;

describe("guard comments as GitHub renders them", () => {
  it("name an odd post-mortem label exactly and mention only who changed it", () => {
    const label = "post`@outsider`mortem | *x*";
    const config = { ...defaultConfig, postmortemLabels: [label] };
    const issue = postmortemIssue(20, { labels: [], body: renderedPostmortem() });
    const removed = planGuard({ kind: "unlabeled", issue, label, sender }, config, {
      issue,
      comments: [],
      senderPermission: "triage",
      writers: appWriters,
    });
    expectReadable(texts(removed)[0]!, { shows: [label], mentions: ["@rita"] });

    const edited = { ...issue, labels: [label], body: "# gone" };
    const lost = planGuard({ kind: "edited", issue: edited, before: issue.body, sender }, config, {
      issue: edited,
      comments: [],
      senderPermission: "triage",
      writers: appWriters,
    });
    expectReadable(texts(lost)[0]!, { mentions: ["@rita"] });
  });
});

describe("timeline rows and notices as GitHub renders them", () => {
  const body = renderedPostmortem();
  const HEADER = ["Time (HH:MM)", "Event Description"];

  it("a label change and a /timeline command with hostile words keep two cells per row", () => {
    const label = "env:prod | @outsider `x` *_[]<>~ a\\b";
    const labeled = entryFor(
      {
        kind: "incident",
        incident: incidentIssue(),
        change: { type: "labeled", label },
        sender: { login: "dave", type: "User" },
        at: "2026-11-27T13:30:00Z",
      },
      defaultConfig,
    );
    expect(labeled).toBeDefined();
    // The timeline handler makes a command's words inert the same way (inlineText, 500 characters).
    const words = HOSTILE_TEXTS.slice(0, 9).join(" ");
    const command = { at: "2026-11-27T13:40:00Z", text: inlineText(words, 500) };
    const [update] = texts(
      planTimeline({
        body,
        postmortemNumber: 20,
        entries: [labeled!, command],
        config: defaultConfig,
      }),
      "updateIssueBody",
    );
    const page = expectReadable(update!, {
      shows: [label, words.slice(0, 499)],
      mentions: ["@alice", "@bob", "@dave"],
    });
    const rows = tableWith(page, HEADER).rows;
    expect(rows).toHaveLength(4);
    expect(rows[2]).toEqual(["2026-11-27 13:30 UTC", `Labeled ${label} by @dave`]);
    expect(rows[3]![0]).toBe("2026-11-27 13:40 UTC");
    expect(rows[3]![1]!.startsWith(words.slice(0, 300))).toBe(true);
  });

  it("the notice of an overwritten edit shows the text exactly", () => {
    const [written] = texts(
      planTimeline({
        body,
        postmortemNumber: 20,
        entries: [{ at: "2026-11-27T13:20:00Z", text: "Deployment started" }],
        config: defaultConfig,
      }),
      "updateIssueBody",
    );
    const before = body.replace(
      "- What worked well?",
      `- What worked well? ${HOSTILE_TEXTS.join(" ")}\n\n\`\`\`\`\nx\n\`\`\`\``,
    );
    const [notice] = texts(
      planTimelineRecovery({
        writers: appWriters,
        issueNumber: 20,
        before,
        written: written!,
        current: `${written}x`,
        comments: [],
        zone: "UTC",
      }),
    );
    expect(notice).toBeDefined();
    expectReadable(notice!, { shows: [before.replace(/\n<!-- postmortem-bot:sync[^\n]*/, "")] });
  });
});

describe("reminders as GitHub renders them", () => {
  const NOW = new Date("2026-12-20T09:00:00Z");

  it("the overdue reminder mentions the assignee only and shows the title", () => {
    const overdue = overdueChild(
      child(31, "k31", { due: "2026-12-15", title: `CAPA: ${HOSTILE_TITLE}` }),
      20,
      "2026-12-20",
    )!;
    const [body] = texts(
      planOverdueReminder({
        overdue,
        comments: [],
        config: defaultConfig,
        now: NOW,
        writers: appWriters,
      }),
    );
    expectReadable(body!, { mentions: ["@carol"] });
  });

  it("the overdue reminder of a child owned by people not assignable mentions nobody", () => {
    const overdue = overdueChild(
      child(31, "k31", {
        due: "2026-12-15",
        assignees: [],
        owner: "`@outsider`, `@acme/everyone`",
      }),
      20,
      "2026-12-20",
    )!;
    const [body] = texts(
      planOverdueReminder({
        overdue,
        comments: [],
        config: defaultConfig,
        now: NOW,
        writers: appWriters,
      }),
    );
    expectReadable(body!);
  });

  it("the review reminder names the missing fields", () => {
    const [body] = texts(
      planReviewReminder({
        writers: appWriters,
        postmortem: postmortem(renderedPostmortem()),
        incident: incidentIssue({ state: "closed", closedAt: "2026-12-01T10:00:00Z" }),
        missing: ["Approved By (Tech Lead)", "Date of Final Review"],
        comments: [],
        config: defaultConfig,
        now: NOW,
      }),
    );
    expectReadable(body!, { shows: ["“Approved By (Tech Lead)”"], mentions: ["@pat"] });
  });
});

describe("the report and the release gate summary as GitHub renders them", () => {
  it("the report's tables keep their columns for hostile titles and owners", () => {
    const period = { since: "2026-08-01", until: "2026-10-31", timezone: "UTC" };
    const hostile = {
      ...action(31, 10, "2026-09-01T10:00:00Z", "2026-10-01"),
      title: `CAPA: ${HOSTILE_TITLE}`,
    };
    const inert = action(32, 10, "2026-09-02T10:00:00Z", "2026-10-01", undefined, {
      line: "`@outsider`, `@acme/everyone`",
    });
    const words = action(33, 10, "2026-09-03T10:00:00Z", "2026-10-01", undefined, {
      line: "the | `db` team",
    });
    const report = computeReport({
      incidents: [incident(1, "2026-09-01T00:00:00Z", "2026-09-02T00:00:00Z")],
      postmortems: [reportPostmortem(10, 1)],
      actions: [hostile, inert, words],
      config: defaultConfig,
      period,
      now: new Date("2026-11-29T12:00:00Z"),
      writers: appWriters,
    });
    const page = expectReadable(renderReportMarkdown(report, "acme/shop"), {
      shows: [HOSTILE_TITLE, "the | `db` team"],
    });
    const oldest = tableWith(page, ["Action", "Owner", "Due", "Days overdue", "Post-mortem"]);
    expect(oldest.rows).toEqual([
      [`CAPA: ${HOSTILE_TITLE} (#31)`, "@carol", "2026-10-01", "59", "#10"],
      ["[CAPA] Action 32 (#32)", "@outsider, @acme/everyone", "2026-10-01", "59", "#10"],
      ["[CAPA] Action 33 (#33)", "the | `db` team", "2026-10-01", "59", "#10"],
    ]);
    for (const table of page.tables) for (const row of table.rows) expect(row).not.toContain("");
  });

  it("the release gate summary keeps three columns for hostile titles", () => {
    const NOW = new Date("2026-11-27T09:00:00Z");
    const late = child(31, "k1", { due: "2026-11-20", title: `CAPA: ${HOSTILE_TITLE}` });
    const verdict = judgeRelease({
      postmortems: [
        {
          postmortem: postmortemIssue(20, {
            body: renderedPostmortem(),
            title: `Post-mortem: ${HOSTILE_TITLE}`,
          }),
          incident: incidentIssue({ labels: ["incident", "P2"] }),
        },
      ],
      overdue: overdueOn([late], defaultConfig, NOW, appWriters),
      writers: appWriters,
      config: defaultConfig,
      now: NOW,
    });
    const page = expectReadable(releaseGateSummary(verdict, defaultConfig, url), {
      shows: [HOSTILE_TITLE],
    });
    expect(tableWith(page, ["Post-mortem", "Severity", "Why"]).rows).toEqual([
      [
        `#20 Post-mortem: ${HOSTILE_TITLE}`,
        "P2",
        `#31 CAPA: ${HOSTILE_TITLE}: open, due 2026-11-20, 7 days overdue`,
      ],
    ]);
  });

  it("a child closed without its evidence: the gate's row names what is missing, an odd environment included", () => {
    const NOW = new Date("2026-11-27T09:00:00Z");
    const environment = "prod | `@outsider` *x*";
    const config = {
      ...defaultConfig,
      evidence: { ...defaultConfig.evidence, environment },
    };
    const closed = child(31, "k1", {
      due: "2026-11-20",
      title: `CAPA: ${HOSTILE_TITLE}`,
      state: "closed",
      stateReason: "completed",
    });
    const body = withEvidence(
      closed.body,
      {
        merged: [
          {
            pr: 41,
            url: "https://github.com/acme/shop/pull/41",
            at: "2026-11-19T10:00:00Z",
            sha: "a".repeat(40),
          },
        ],
      },
      "UTC",
    );
    const unproven = unprovenChildren(
      closedPastDue([{ ...closed, body }], "2026-11-27", appWriters),
      config,
      () => "shipped",
    );
    const verdict = judgeRelease({
      postmortems: [
        {
          postmortem: postmortemIssue(20, { body: renderedPostmortem(), title: "Post-mortem" }),
          incident: incidentIssue({ labels: ["incident", "P2"] }),
        },
      ],
      overdue: unproven,
      writers: appWriters,
      config,
      now: NOW,
    });
    const page = expectReadable(releaseGateSummary(verdict, config, url), {
      shows: [HOSTILE_TITLE, environment],
    });
    expect(tableWith(page, ["Post-mortem", "Severity", "Why"]).rows).toEqual([
      [
        "#20 Post-mortem",
        "P2",
        `#31 CAPA: ${HOSTILE_TITLE}: merged, not yet shipped to ${environment}, due 2026-11-20, 7 days overdue`,
      ],
    ]);
  });

  it("the report's evidence tables keep their columns", () => {
    const period = { since: "2026-08-01", until: "2026-10-31", timezone: "UTC" };
    const report = computeReport({
      incidents: [incident(1, "2026-09-01T00:00:00Z", "2026-09-02T00:00:00Z")],
      postmortems: [reportPostmortem(10, 1)],
      actions: [
        action(31, 10, "2026-09-01T10:00:00Z", "2026-10-01", {
          at: "2026-09-20T10:00:00Z",
          reason: "completed",
        }),
      ],
      config: defaultConfig,
      period,
      now: new Date("2026-11-29T12:00:00Z"),
      writers: appWriters,
    });
    const page = expectReadable(renderReportMarkdown(report, "acme/shop"), { shows: [] });
    expect(tableWith(page, ["", "Median", "90th percentile", "Actions"]).rows).toEqual([
      ["Action opened → fix merged", "—", "—", "0"],
      ["Action opened → fix shipped", "—", "—", "0"],
    ]);
    expect(
      tableWith(page, [
        "Closed as completed",
        "Shipped",
        "Merged, not shipped",
        "Manual evidence",
        "No evidence",
      ]).rows,
    ).toEqual([["1", "0 (0 %)", "0 (0 %)", "0 (0 %)", "1 (100 %)"]]);
  });
});

describe("labels named in messages as GitHub renders them", () => {
  const LABEL = "waive`@outsider`gate | *x*";

  it("the release gate summary names an odd waiver label exactly", () => {
    const NOW = new Date("2026-11-27T09:00:00Z");
    const config = {
      ...defaultConfig,
      releaseGate: { ...defaultConfig.releaseGate, waiverLabel: LABEL },
    };
    const late = child(31, "k1", { due: "2026-11-20" });
    const waived = (addedBy: string, permission: "maintain" | "write") =>
      judgeRelease({
        postmortems: [
          {
            postmortem: postmortemIssue(20, { body: renderedPostmortem() }),
            incident: incidentIssue({ labels: ["incident", "P2"] }),
            waiver: { addedBy, permission },
          },
        ],
        overdue: overdueOn([late], config, NOW, appWriters),
        writers: appWriters,
        config,
        now: NOW,
      });
    expectReadable(releaseGateSummary(waived("mia", "maintain"), config, url), {
      shows: [LABEL],
      mentions: ["@mia"],
    });
    expectReadable(releaseGateSummary(waived("wes", "write"), config, url), {
      shows: [LABEL],
      mentions: ["@wes"],
    });
  });
});

describe("adoption comments as GitHub renders them", () => {
  it("the adopted, link and refusal comments", () => {
    const handWritten = postmortemIssue(40, {
      author: { login: "rita", type: "User" },
      title: HOSTILE_TITLE,
      labels: ["postmortem"],
      body: `${renderedPostmortem().replace(/<!-- postmortem-bot:postmortem[^\n]*\n/, "")}\nIncident: #12\n`,
    });
    const state = {
      issue: handWritten,
      comments: [],
      labeledBy: "mia",
      labelerMayAdopt: true,
      incident: incidentIssue(),
      incidentComments: [],
    };
    const adopted = texts(planAdoption(state, defaultConfig, appWriters));
    expect(adopted.length).toBeGreaterThanOrEqual(1);
    for (const body of adopted) expectReadable(body);
    const [refusal] = texts(
      planAdoption({ ...state, labelerMayAdopt: false }, defaultConfig, appWriters),
    );
    expectReadable(refusal!, { mentions: ["@mia"] });
  });
});
