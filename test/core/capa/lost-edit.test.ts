import { describe, expect, it } from "vitest";
import { itemKey } from "../../../src/core/capa/items.js";
import {
  humanView,
  overwrotePeople,
  planLostEditRecovery,
} from "../../../src/core/capa/lost-edit.js";
import { planCapa } from "../../../src/core/capa/plan.js";
import { comment } from "../fixtures.js";
import { child, config, state, withLine } from "./fixtures.js";

const KEY = itemKey("Add automated validation checks (CI/CD gates)");
const base = withLine(
  "- [ ] Add automated validation checks (CI/CD gates)",
  "- [x] Add automated validation checks (CI/CD gates) @carol",
);
const plan = planCapa(config, state({ body: base, children: [child(31, KEY)] }));
const written = plan.find((step) => step.kind === "updateIssueBody")!.body;
const humanEdit = base.replace("- What worked well?", "- What worked well? The rollback was fast.");

describe("humanView", () => {
  it("is the same before and after the App shows its children", () => {
    expect(humanView(written)).toBe(humanView(base));
    expect(overwrotePeople(base, written)).toBe(false);
  });

  it("differs when a person's words changed", () => {
    expect(overwrotePeople(humanEdit, written)).toBe(true);
  });
});

describe("planLostEditRecovery", () => {
  it("restores the person's text when nobody edited since (the next round shows the children again)", () => {
    expect(
      planLostEditRecovery({
        issueNumber: 20,
        before: humanEdit,
        written,
        current: written,
        comments: [],
      }),
    ).toEqual([{ kind: "updateIssueBody", issueNumber: 20, body: humanEdit }]);
  });

  it("does nothing when the App's write was based on the latest text", () => {
    expect(
      planLostEditRecovery({
        issueNumber: 20,
        before: base,
        written,
        current: written,
        comments: [],
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
    });
    expect(steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body: expect.stringContaining("- What worked well? The rollback was fast."),
      },
    ]);
    const again = planLostEditRecovery({
      issueNumber: 20,
      before: humanEdit,
      written,
      current,
      comments: [comment(3, steps[0]!.kind === "createComment" ? steps[0]!.body : "")],
    });
    expect(again).toEqual([]);
  });
});
