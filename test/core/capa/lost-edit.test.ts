import { describe, expect, it } from "vitest";
import { itemKey } from "../../../src/core/capa/items.js";
import {
  humanFingerprint,
  humanView,
  overwrotePeople,
  planLostEditRecovery,
  stampBase,
} from "../../../src/core/capa/lost-edit.js";
import { planCapa } from "../../../src/core/capa/plan.js";
import { findMarker } from "../../../src/core/markers.js";
import type { Step } from "../../../src/core/plan.js";
import { comment } from "../fixtures.js";
import { child, config, renderedPostmortem, state, withLine } from "./fixtures.js";
import { appWriters } from "../../support/writers.js";

const KEY = itemKey("Add automated validation checks (CI/CD gates)");
const HEADER_RULE =
  "|---------------------------------------------|---------------|------------|----------|\n";
const base = withLine(
  "- [ ] Add automated validation checks (CI/CD gates)",
  "- [x] Add automated validation checks (CI/CD gates) @carol",
);
const bodyOf = (steps: Step[]) => steps.find((step) => step.kind === "updateIssueBody")!.body;
/** What the App writes for `base` once the child exists. */
const written = bodyOf(planCapa(config, state({ body: base, children: [child(31, KEY)] })));
/** A person's edit that landed after the App read `base` and before its write. */
const humanEdit = base.replace("- What worked well?", "- What worked well? The rollback was fast.");

describe("humanView", () => {
  it("is the same before and after the App shows its children", () => {
    expect(humanView(written)).toBe(humanView(base));
  });

  it("leaves out a Follow-Up row the App turns into a child", () => {
    const withRow = renderedPostmortem().replace(
      HEADER_RULE,
      `${HEADER_RULE}| Schedule review | @carol | 2026-12-10 | Planned |\n`,
    );
    expect(humanView(withRow)).toBe(humanView(renderedPostmortem()));
  });

  it("differs when a person's words changed", () => {
    expect(humanView(humanEdit)).not.toBe(humanView(base));
  });
});

describe("overwrotePeople", () => {
  it("compares the body before the write with the text the write was based on", () => {
    expect(findMarker(written, "sync")).toEqual({ base: humanFingerprint(base) });
    expect(overwrotePeople(base, written)).toBe(false);
    expect(overwrotePeople(humanEdit, written)).toBe(true);
  });

  it("does not judge other writes that carry an older fingerprint (an approval filled in)", () => {
    const approved = humanEdit.replace(
      "- **Approved By (Tech Lead):**",
      "- **Approved By (Tech Lead):** @lead (2026-11-27)",
    );
    const approvalWrite = `${approved.trimEnd()}\n<!-- postmortem-bot:sync {"base":"${humanFingerprint(base)}"} -->\n`;
    expect(overwrotePeople(humanEdit, approvalWrite)).toBe(false);
  });

  it("cannot tell, and so says no, for a body without the App's fingerprint", () => {
    expect(overwrotePeople(humanEdit, base)).toBe(false);
  });

  it("does not see a row the App converted as a loss", () => {
    const withRow = renderedPostmortem().replace(
      HEADER_RULE,
      `${HEADER_RULE}| Schedule review | @carol | 2026-12-10 | Planned |\n`,
    );
    const key = itemKey("Schedule review");
    const converted = bodyOf(
      planCapa(config, state({ body: withRow, children: [child(33, key)] })),
    );
    expect(converted).toMatch(/^\| [^|\n]+ \(#33\) \| @carol \| 2026-12-15 \| Open \|$/m);
    expect(converted).not.toContain("| Schedule review | @carol |");
    expect(overwrotePeople(withRow, converted)).toBe(false);
  });
});

describe("planLostEditRecovery", () => {
  it("restores the person's text when nobody edited since, stamped so the restore is not a loss", () => {
    const steps = planLostEditRecovery({
      issueNumber: 20,
      before: humanEdit,
      written,
      current: written,
      comments: [],
      writers: appWriters,
    });
    expect(steps).toEqual([
      { kind: "updateIssueBody", issueNumber: 20, body: stampBase(humanEdit, written) },
    ]);
    // The restore's own edited event: before = the App's earlier write, written = the restore.
    const restored = bodyOf(steps);
    expect(
      planLostEditRecovery({
        issueNumber: 20,
        before: written,
        written: restored,
        current: restored,
        comments: [],
        writers: appWriters,
      }),
    ).toEqual([]);
  });

  it("does nothing when the App's write was based on the latest text", () => {
    expect(
      planLostEditRecovery({
        issueNumber: 20,
        before: base,
        written,
        current: written,
        comments: [],
        writers: appWriters,
      }),
    ).toEqual([]);
  });

  it("quotes the lost text in a comment, once, when the body changed again since", () => {
    const current = written.replace("## 7. Lessons Learned", "## 7. Lessons Learned\nNew note.");
    const steps = planLostEditRecovery({
      issueNumber: 20,
      before: humanEdit,
      written,
      current,
      comments: [],
      writers: appWriters,
    });
    expect(steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body: expect.stringContaining("- What worked well? The rollback was fast."),
      },
    ]);
    const reply = steps[0]!.kind === "createComment" ? steps[0].body : "";
    expect(
      planLostEditRecovery({
        issueNumber: 20,
        before: humanEdit,
        written,
        current,
        comments: [comment(3, reply)],
        writers: appWriters,
      }),
    ).toEqual([]);
  });
});
