import { describe, expect, it } from "vitest";
import type { Config } from "../../../src/core/config.js";
import { defaultConfig, parseConfig } from "../../../src/core/config.js";
import type { Evidence } from "../../../src/core/evidence/index.js";
import { withEvidence } from "../../../src/core/evidence/model.js";
import { judgeRelease, overdueOn } from "../../../src/core/release-gate/gate.js";
import {
  releaseGateAnnotations,
  releaseGateSummary,
} from "../../../src/core/release-gate/summary.js";
import { planOverdueReminder } from "../../../src/core/reminders/overdue.js";
import {
  closedPastDue,
  unprovenChildren,
  unprovenLabels,
} from "../../../src/core/reminders/sweep.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";
import { child, renderedPostmortem } from "../capa/fixtures.js";
import { incidentIssue, postmortemIssue } from "../fixtures.js";
import { appWriters } from "../../support/writers.js";

const NOW = new Date("2026-11-27T09:00:00Z");
const TODAY = "2026-11-27";
const url = (n: number) => `https://github.com/acme/shop/issues/${n}`;

function configOf(raw: unknown): Config {
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
}

const merged = configOf({ policy: { P2: { capaEvidence: "merged" } } });
const shipped = configOf({
  evidence: { environment: "production" },
  policy: { P2: { capaEvidence: "shipped" }, default: { capaEvidence: "merged" } },
});

const fix41 = {
  pr: 41,
  url: "https://github.com/acme/shop/pull/41",
  at: "2026-11-20T23:30:00Z",
  sha: "a".repeat(40),
};

/** Child of post-mortem #20, due 2026-11-20 (7 days before NOW), closed as completed. */
function closedChild(number: number, evidence: Evidence, overrides: Partial<IssueSnapshot> = {}) {
  const base = child(number, `k${number}`, {
    due: "2026-11-20",
    state: "closed",
    stateReason: "completed",
    labels: ["capa", "capa:no-evidence"],
    ...overrides,
  });
  return { ...base, body: withEvidence(base.body, evidence, "UTC") };
}

describe("which labels are listed for closed children that still count as open", () => {
  it("none under capaEvidence: none; the no-evidence label under merged; also awaiting-ship under shipped", () => {
    expect(unprovenLabels(defaultConfig)).toEqual([]);
    expect(unprovenLabels(merged)).toEqual(["capa:no-evidence"]);
    expect(unprovenLabels(shipped)).toEqual(["capa:no-evidence", "capa:awaiting-ship"]);
  });
});

describe("closed children judged on their recorded evidence", () => {
  const noFix = closedChild(31, {});
  const mergedOnly = closedChild(
    32,
    { merged: [fix41] },
    { labels: ["capa", "capa:awaiting-ship"] },
  );
  const notDue = closedChild(33, {}, { body: child(33, "k33", { due: "2026-12-20" }).body });
  const notPlanned = closedChild(34, {}, { stateReason: "not_planned" });
  const manual = closedChild(35, {
    manual: { by: "maria", text: "runbook", at: "2026-11-21T10:00:00Z", comment: 1 },
  });
  const someoneElse = {
    ...closedChild(36, {}),
    author: { login: "mallory", type: "User" as const },
  };
  const listed = [noFix, mergedOnly, noFix, notDue, notPlanned, manual, someoneElse];

  it("the product's past-due closed children, once each", () => {
    expect(closedPastDue(listed, TODAY, appWriters).map((e) => e.child.number)).toEqual([
      31, 32, 34, 35,
    ]);
  });

  it("count as open only without the evidence their post-mortem's policy asks, with what is missing", () => {
    const candidates = closedPastDue(listed, TODAY, appWriters);
    const judged = (required: "none" | "merged" | "shipped") =>
      unprovenChildren(candidates, shipped, () => required).map((e) => [
        e.child.number,
        e.missing,
        e.daysOverdue,
      ]);
    expect(judged("none")).toEqual([]);
    expect(judged("merged")).toEqual([[31, "merged", 7]]);
    expect(judged("shipped")).toEqual([
      [31, "merged", 7],
      [32, "shipped", 7],
    ]);
  });
});

describe("the release gate counts a child closed without its evidence as open", () => {
  const entry = {
    postmortem: postmortemIssue(20, { body: renderedPostmortem(), title: "Post-mortem: Checkout" }),
    incident: incidentIssue({ labels: ["incident", "P2"] }),
  };
  const open = child(30, "k30", { due: "2026-11-20", title: "CAPA: Open one" });
  const noFix = closedChild(31, {}, { title: "CAPA: Closed bare" });
  const mergedOnly = closedChild(32, { merged: [fix41] }, { title: "CAPA: Merged only" });
  const unproven = unprovenChildren(
    closedPastDue([noFix, mergedOnly], TODAY, appWriters),
    shipped,
    () => "shipped",
  );

  it("blocks, and explains each child by what is missing", () => {
    const verdict = judgeRelease({
      postmortems: [entry],
      overdue: [...overdueOn([open], shipped, NOW, appWriters), ...unproven],
      config: shipped,
      now: NOW,
      writers: appWriters,
    });
    expect(verdict.passed).toBe(false);
    expect(releaseGateSummary(verdict, shipped, url)).toContain(
      "| [#20](https://github.com/acme/shop/issues/20) Post-mortem: Checkout | P2 | " +
        "[#30](https://github.com/acme/shop/issues/30) CAPA: Open one: open, due 2026-11-20, 7 days overdue<br>" +
        "[#31](https://github.com/acme/shop/issues/31) CAPA: Closed bare: closed without a merged fix, due 2026-11-20, 7 days overdue<br>" +
        "[#32](https://github.com/acme/shop/issues/32) CAPA: Merged only: merged, not yet shipped to production, due 2026-11-20, 7 days overdue |",
    );
    expect(releaseGateSummary(verdict, shipped, url)).toContain(
      "An action closed without the evidence its severity's `capaEvidence` asks for still counts as open: link and merge the pull request that fixes it (and deploy it where `shipped` is asked), or have someone with maintain permission or more record other evidence with `/evidence <link or text>` on it.",
    );
    expect(releaseGateAnnotations(verdict, shipped, url)[0]?.message).toBe(
      "https://github.com/acme/shop/issues/20: " +
        "#30 CAPA: Open one (https://github.com/acme/shop/issues/30): open, due 2026-11-20, 7 days overdue; " +
        "#31 CAPA: Closed bare (https://github.com/acme/shop/issues/31): closed without a merged fix, due 2026-11-20, 7 days overdue; " +
        "#32 CAPA: Merged only (https://github.com/acme/shop/issues/32): merged, not yet shipped to production, due 2026-11-20, 7 days overdue",
    );
  });

  it("alone, still blocks", () => {
    const verdict = judgeRelease({
      postmortems: [entry],
      overdue: unproven.slice(0, 1),
      config: merged,
      now: NOW,
      writers: appWriters,
    });
    expect(verdict.blocking.map((e) => e.reasons)).toEqual([
      [{ kind: "overdue", child: noFix, due: "2026-11-20", daysOverdue: 7, missing: "merged" }],
    ]);
  });
});

describe("the reminder of a child closed without its evidence", () => {
  it("says what is missing and how to give it", () => {
    const [late] = unprovenChildren(
      closedPastDue([closedChild(31, {})], TODAY, appWriters),
      merged,
      () => "merged",
    );
    expect(
      planOverdueReminder({
        overdue: late!,
        comments: [],
        config: merged,
        now: NOW,
        writers: appWriters,
      }),
    ).toEqual([
      {
        kind: "createComment",
        issueNumber: 31,
        body:
          "⏰ @carol: this corrective action was due on **2026-11-20** and still counts as open: closed without a merged fix, the evidence its severity's policy asks for (7 days overdue). It comes from post-mortem #20.\n\n" +
          "Link the pull request that fixes it (`Fixes #31` in its description, or the issue's Development sidebar) and see it merged and deployed as asked, or ask a maintainer to record other evidence with `/evidence <link or text>`.\n\n" +
          '<!-- postmortem-bot:reminder {"kind":"overdue","at":"2026-11-27T09:00:00.000Z"} -->',
      },
    ]);
  });
});
