import { describe, expect, it } from "vitest";
import { itemKey } from "../../../src/core/capa/items.js";
import { planCapa } from "../../../src/core/capa/plan.js";
import type { EditRights } from "../../../src/core/capa/rights.js";
import { findMarker } from "../../../src/core/markers.js";
import type { Step } from "../../../src/core/plan.js";
import { comment } from "../fixtures.js";
import { config, renderedPostmortem, state, withLine } from "./fixtures.js";

const VALIDATION = "- [ ] Add automated validation checks (CI/CD gates)";
const RUNBOOKS = "- [ ] Update runbooks/playbooks";
const checkValidation = (body = renderedPostmortem()) =>
  withLine(VALIDATION, "- [x] Add automated validation checks (CI/CD gates) @acme/everyone", body);
const checkRunbooks = (body = renderedPostmortem()) =>
  withLine(RUNBOOKS, "- [x] Update runbooks/playbooks", body);
const KEYS = [
  itemKey("Add automated validation checks (CI/CD gates)"),
  itemKey("Update runbooks/playbooks"),
];
const kinds = (steps: Step[]) => steps.map((step) => step.kind);
const only = <K extends Step["kind"]>(steps: Step[], kind: K) =>
  steps.filter((step): step is Extract<Step, { kind: K }> => step.kind === kind);

const before = renderedPostmortem();
const both = checkRunbooks(checkValidation());
const rita = (after: string, mention = false): EditRights => ({
  by: "other",
  login: "rita",
  mention,
  before,
  after,
});
const writer = (from: string, after: string): EditRights => ({
  by: "writer",
  login: "carol",
  before: from,
  after,
});

describe("boxes checked by someone without write access", () => {
  it("open nothing: the boxes are unchecked and one comment names them, without a mention", () => {
    const steps = planCapa(config, state({ body: both, edit: rita(both) }));

    expect(kinds(steps)).toEqual(["updateIssueBody", "createComment"]);
    const [update] = only(steps, "updateIssueBody");
    expect(update!.body).toContain(
      "- [ ] Add automated validation checks (CI/CD gates) @acme/everyone\n",
    );
    expect(update!.body).toContain("- [ ] Update runbooks/playbooks\n");
    const [refusal] = only(steps, "createComment");
    expect(refusal!.body).toBe(
      "`@rita` asked for corrective-action issues for “Add automated validation checks (CI/CD gates)”, “Update runbooks/playbooks”, but only people with write access to this repository can open them, so nothing was opened and the boxes were unchecked. Someone with write access can check a box again (or write a Follow-Up row again) to open its issue.\n\n" +
        `<!-- postmortem-bot:notice {"key":"refused:rita:${KEYS.join(",")}"} -->`,
    );
  });

  it("mention a collaborator (read or triage) in the refusal", () => {
    const steps = planCapa(config, state({ body: both, edit: rita(both, true) }));
    expect(only(steps, "createComment")[0]!.body).toMatch(/^@rita asked for/);
  });

  it("are refused once per person and action: checked again, unchecked again, no second comment", () => {
    const first = planCapa(config, state({ body: both, edit: rita(both) }));
    const comments = [comment(1, only(first, "createComment")[0]!.body)];

    const again = planCapa(config, state({ body: both, edit: rita(both), comments }));

    expect(kinds(again)).toEqual(["updateIssueBody"]);
    // A third box in the same edit gets its own comment, naming only it.
    const three = withLine(
      "- [ ] Improve logging/observability",
      "- [x] Improve logging/observability",
      both,
    );
    const more = only(
      planCapa(config, state({ body: three, edit: rita(three), comments })),
      "createComment",
    );
    expect(more.map((step) => step.body.split(",")[0])).toEqual([
      "`@rita` asked for corrective-action issues for “Improve logging/observability”",
    ]);
  });

  it("are refused even when the box is no longer checked, and unchecked when a restore brings it back", () => {
    // rita's edit was overwritten by the App's write (lost-edit.ts): the body no longer has it.
    const refusal = planCapa(config, state({ body: before, edit: rita(both) }));
    expect(kinds(refusal)).toEqual(["createComment"]);
    const comments = [comment(1, refusal[0]!.kind === "createComment" ? refusal[0].body : "")];

    // The restore puts rita's text back; that run has no person's edit.
    const restored = planCapa(config, state({ body: both, edit: { by: "nobody" }, comments }));

    expect(kinds(restored)).toEqual(["updateIssueBody"]);
    expect(only(restored, "updateIssueBody")[0]!.body).toContain(
      "- [ ] Update runbooks/playbooks\n",
    );
  });

  it("stay closed to a writer's later edit of other text, and open when a writer checks them again", () => {
    const refusal = only(
      planCapa(config, state({ body: both, edit: rita(both) })),
      "createComment",
    );
    const comments = [comment(1, refusal[0]!.body)];
    // Between rita's save and the App's uncheck, carol saved a copy that still has them checked.
    const carols = both.replace("- What worked well?", "- What worked well? Paging.");

    const later = planCapa(config, state({ body: carols, edit: writer(both, carols), comments }));
    expect(kinds(later)).toEqual(["updateIssueBody"]);

    const rechecked = planCapa(
      config,
      state({ body: checkRunbooks(), edit: writer(before, checkRunbooks()), comments }),
    );
    expect(kinds(rechecked)).toEqual(["ensureLabel", "createIssue"]);
  });
});

describe("what a run without a writer's edit opens", () => {
  it("nothing: a sweep or a child's change leaves boxes nobody refused checked and unopened", () => {
    expect(planCapa(config, state({ body: both, edit: { by: "nobody" } }))).toEqual([]);
  });

  it("a writer's edit opens only what the writer's saved body asks for", () => {
    // rita checked runbooks after carol saved: carol's edit opens validation only.
    const carols = checkValidation();
    const steps = planCapa(config, state({ body: both, edit: writer(before, carols) }));
    expect(only(steps, "createIssue").map((step) => findMarker(step.body, "capa")?.key)).toEqual([
      KEYS[0],
    ]);
  });
});

describe("children per edit", () => {
  it("opens at most the budget, and says once how many are left and how to go on", () => {
    const steps = planCapa(config, state({ body: both, budget: 1 }));

    expect(kinds(steps)).toEqual(["ensureLabel", "createIssue", "createComment"]);
    expect(only(steps, "createComment")[0]!.body.split("\n")[0]).toBe(
      "1 more corrective action was not opened: one edit opens at most 20 (`capa.maxChildrenPerEdit`). Save the post-mortem again (any edit by someone with write access) to open the next ones.",
    );
    const given = [comment(1, only(steps, "createComment")[0]!.body)];
    // A redelivery of the same edit: the same action is left, and the comment is not repeated.
    expect(kinds(planCapa(config, state({ body: both, budget: 1, comments: given })))).toEqual([
      "ensureLabel",
      "createIssue",
    ]);
  });
});
