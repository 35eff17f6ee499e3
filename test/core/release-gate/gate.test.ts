import { describe, expect, it } from "vitest";
import type { Config } from "../../../src/core/config.js";
import { defaultConfig, parseConfig } from "../../../src/core/config.js";
import type { GatedPostmortem } from "../../../src/core/release-gate/gate.js";
import {
  closesToJudge,
  judgeRelease,
  overdueOn,
  reviewsToJudge,
} from "../../../src/core/release-gate/gate.js";
import { setMarker } from "../../../src/core/markers.js";
import {
  releaseGateAnnotations,
  releaseGateSummary,
} from "../../../src/core/release-gate/summary.js";
import { child, renderedPostmortem } from "../capa/fixtures.js";
import { incidentIssue, postmortemIssue } from "../fixtures.js";
import { appWriters } from "../../support/writers.js";

const NOW = new Date("2026-11-27T09:00:00Z");
const url = (n: number) => `https://github.com/acme/shop/issues/${n}`;

function configOf(raw: unknown): Config {
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
}

/** Post-mortem #20 of incident #12 (labels as given), open, no severity box checked. */
function entry(
  incidentLabels: string[],
  overrides: Partial<GatedPostmortem> = {},
): GatedPostmortem {
  return {
    postmortem: postmortemIssue(20, { body: renderedPostmortem(), title: "Post-mortem: Checkout" }),
    incident: incidentIssue({ labels: incidentLabels }),
    ...overrides,
  };
}

const overdueChild = child(31, "k1", { due: "2026-11-20", title: "CAPA: Add | checks" });
const futureChild = child(32, "k2", { due: "2026-12-20" });

describe("judgeRelease", () => {
  it("passes with no overdue action and no late review", () => {
    const verdict = judgeRelease({
      postmortems: [entry(["incident", "P1"])],
      overdue: overdueOn([futureChild], defaultConfig, NOW, appWriters),
      config: defaultConfig,
      now: NOW,
      writers: appWriters,
    });
    expect(verdict).toMatchObject({
      passed: true,
      blocking: [],
      waived: [],
      postmortemsChecked: 1,
    });
    expect(releaseGateSummary(verdict, defaultConfig, url)).toContain("✅ **Release allowed**");
    expect(releaseGateAnnotations(verdict, defaultConfig, url)).toEqual([]);
  });

  it("fails on an overdue open child; lists it with links in the summary and an annotation", () => {
    const verdict = judgeRelease({
      postmortems: [entry(["incident", "P2"])],
      overdue: overdueOn([overdueChild, futureChild], defaultConfig, NOW, appWriters),
      config: defaultConfig,
      now: NOW,
      writers: appWriters,
    });
    expect(verdict.passed).toBe(false);
    expect(
      verdict.blocking.map((e) => [e.postmortem.number, e.severity, e.reasons.length]),
    ).toEqual([[20, "P2", 1]]);
    expect(releaseGateSummary(verdict, defaultConfig, url)).toContain(
      "| [#20](https://github.com/acme/shop/issues/20) Post-mortem: Checkout | P2 | [#31](https://github.com/acme/shop/issues/31) CAPA: Add \\| checks: open, due 2026-11-20, 7 days overdue |",
    );
    expect(releaseGateSummary(verdict, defaultConfig, url)).not.toContain(
      "closed without the evidence",
    );
    expect(releaseGateAnnotations(verdict, defaultConfig, url)).toEqual([
      {
        level: "error",
        title: "Release blocked by post-mortem #20 (P2)",
        message:
          "https://github.com/acme/shop/issues/20: #31 CAPA: Add | checks (https://github.com/acme/shop/issues/31): open, due 2026-11-20, 7 days overdue",
      },
    ]);
  });

  it("policy releaseGate: false keeps a severity out of the gate", () => {
    const config = configOf({ policy: { P4: { releaseGate: false } } });
    const verdict = judgeRelease({
      postmortems: [entry(["incident", "P4"])],
      overdue: overdueOn([overdueChild], defaultConfig, NOW, appWriters),
      config,
      now: NOW,
      writers: appWriters,
    });
    expect(verdict.passed).toBe(true);
    expect(verdict.exempt.map((e) => e.severity)).toEqual(["P4"]);
  });

  it("a review past its deadline fails unless judged approved; only gated, late ones are judged", () => {
    const closed = incidentIssue({
      labels: ["incident", "P1"],
      state: "closed",
      closedAt: "2026-11-20T09:00:00Z",
    });
    const late = entry([], { incident: closed });
    expect(
      reviewsToJudge({ postmortems: [late, entry(["incident"])], config: defaultConfig, now: NOW }),
    ).toEqual([20]);
    const unapproved = judgeRelease({
      postmortems: [{ ...late, approved: false }],
      overdue: overdueOn([], defaultConfig, NOW, appWriters),
      config: defaultConfig,
      now: NOW,
      writers: appWriters,
    });
    expect(unapproved.blocking[0]?.reasons).toEqual([
      { kind: "review-late", deadline: "2026-11-23" },
    ]);
    const approved = judgeRelease({
      postmortems: [{ ...late, approved: true }],
      overdue: overdueOn([], defaultConfig, NOW, appWriters),
      config: defaultConfig,
      now: NOW,
      writers: appWriters,
    });
    expect(approved.passed).toBe(true);
  });

  it("a waiver counts only from someone with approvals.forceClosePermission", () => {
    const labeled = (addedBy: string, permission: "admin" | "maintain" | "write") =>
      entry(["incident", "P1"], { waiver: { addedBy, permission } });
    const byMaintainer = judgeRelease({
      postmortems: [labeled("mia", "maintain")],
      overdue: overdueOn([overdueChild], defaultConfig, NOW, appWriters),
      config: defaultConfig,
      now: NOW,
      writers: appWriters,
    });
    expect(byMaintainer.passed).toBe(true);
    expect(byMaintainer.waived.map((e) => e.postmortem.number)).toEqual([20]);
    expect(releaseGateSummary(byMaintainer, defaultConfig, url)).toContain(
      "waived by @mia (maintain) with `postmortem:waive-release-gate`",
    );
    const byWriter = judgeRelease({
      postmortems: [labeled("wes", "write")],
      overdue: overdueOn([overdueChild], defaultConfig, NOW, appWriters),
      config: defaultConfig,
      now: NOW,
      writers: appWriters,
    });
    expect(byWriter.passed).toBe(false);
    expect(releaseGateAnnotations(byWriter, defaultConfig, url)[0]?.message).toContain(
      "the `postmortem:waive-release-gate` label was ignored: @wes added it with write permission; it counts only from someone with maintain or more",
    );
    const adminOnly = configOf({ approvals: { forceClosePermission: "admin" } });
    expect(
      judgeRelease({
        postmortems: [labeled("mia", "maintain")],
        overdue: overdueOn([overdueChild], defaultConfig, NOW, appWriters),
        config: adminOnly,
        now: NOW,
        writers: appWriters,
      }).passed,
    ).toBe(false);
  });

  it("ignores post-mortems a person wrote (the App's are bot-authored)", () => {
    const typed = entry(["incident", "P1"]);
    typed.postmortem = { ...typed.postmortem, author: { login: "eve", type: "User" } };
    const verdict = judgeRelease({
      postmortems: [typed],
      overdue: overdueOn([overdueChild], defaultConfig, NOW, appWriters),
      config: defaultConfig,
      now: NOW,
      writers: appWriters,
    });
    expect(verdict).toMatchObject({ passed: true, postmortemsChecked: 0 });
  });

  it("a closed gate:2 post-mortem judged unapproved blocks (subject to its policy and waiver); only unrecorded gate:2 closes are judged", () => {
    const closedAt = "2026-11-20T10:00:00Z";
    const body = renderedPostmortem(); // carries "gate":2, as every post-mortem this version opens
    const closed = (number: number, text: string) =>
      postmortemIssue(number, { body: text, state: "closed", closedAt, title: "Post-mortem: X" });
    const recorded = setMarker(body, "postmortem", { incident: 12, gate: 2, closed: closedAt });
    const reclosed = setMarker(body, "postmortem", {
      incident: 12,
      gate: 2,
      closed: "2026-11-01T00:00:00Z",
    });
    const preUpgrade = setMarker(body, "postmortem", { incident: 12 });
    expect(
      closesToJudge([
        closed(20, body),
        closed(21, recorded),
        closed(22, reclosed),
        closed(23, preUpgrade),
        postmortemIssue(24, { body }),
      ]),
    ).toEqual([20, 22]);

    const unapproved = { ...entry(["incident", "P2"]), postmortem: closed(20, body) };
    const verdict = judgeRelease({
      postmortems: [{ ...unapproved, closedUnapproved: true }],
      overdue: [],
      config: defaultConfig,
      now: NOW,
      writers: appWriters,
    });
    expect(verdict.blocking.map((e) => [e.postmortem.number, e.severity, e.reasons])).toEqual([
      [20, "P2", [{ kind: "closed-unapproved", closed: "2026-11-20" }]],
    ]);
    expect(releaseGateSummary(verdict, defaultConfig, url)).toContain(
      "| [#20](https://github.com/acme/shop/issues/20) Post-mortem: X | P2 | closed on 2026-11-20 without complete approvals (the close gate did not let it stand) |",
    );
    expect(releaseGateAnnotations(verdict, defaultConfig, url)[0]).toEqual({
      level: "error",
      title: "Release blocked by post-mortem #20 (P2)",
      message:
        "https://github.com/acme/shop/issues/20: closed on 2026-11-20 without complete approvals (the close gate did not let it stand)",
    });
    // Not judged unapproved (approved, or never judged): a closed post-mortem does not block.
    expect(
      judgeRelease({
        postmortems: [unapproved],
        overdue: [],
        config: defaultConfig,
        now: NOW,
        writers: appWriters,
      }).passed,
    ).toBe(true);
    const exempt = configOf({ policy: { P2: { releaseGate: false } } });
    expect(
      judgeRelease({
        postmortems: [{ ...unapproved, closedUnapproved: true }],
        overdue: [],
        config: exempt,
        now: NOW,
        writers: appWriters,
      }),
    ).toMatchObject({ passed: true, exempt: [{ postmortem: { number: 20 } }] });
  });
});
