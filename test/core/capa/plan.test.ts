import { describe, expect, it } from "vitest";
import { itemKey } from "../../../src/core/capa/items.js";
import { humanFingerprint } from "../../../src/core/capa/lost-edit.js";
import { planCapa } from "../../../src/core/capa/plan.js";
import { findMarker } from "../../../src/core/markers.js";
import type { Step } from "../../../src/core/plan.js";
import { bot, comment } from "../fixtures.js";
import { child, config, renderedPostmortem, state, withLine } from "./fixtures.js";

const VALIDATION = "- [ ] Add automated validation checks (CI/CD gates)";
const KEY = itemKey("Add automated validation checks (CI/CD gates)");
const checked = (suffix = "") =>
  withLine(VALIDATION, `- [x] Add automated validation checks (CI/CD gates)${suffix}`);
const kinds = (steps: Step[]) => steps.map((step) => step.kind);
const only = <K extends Step["kind"]>(steps: Step[], kind: K) =>
  steps.filter((step): step is Extract<Step, { kind: K }> => step.kind === kind);

describe("a checked box becomes one child issue", () => {
  it("with the owner and date written on the line", () => {
    const steps = planCapa(
      config,
      state({ body: checked(" @carol due 2026-12-15"), assignable: new Map([["carol", true]]) }),
    );
    expect(steps).toEqual([
      {
        kind: "ensureLabel",
        name: "capa",
        color: "0e8a16",
        description: "Corrective or preventive action from a post-mortem",
      },
      {
        kind: "createIssue",
        title: "CAPA: Add automated validation checks (CI/CD gates)",
        body: [
          "Corrective or preventive action from post-mortem #20 (incident #12).",
          "",
          "> Add automated validation checks (CI/CD gates)",
          "",
          "**Owner:** @carol  ",
          "**Category:** Technical Fixes  ",
          "Due: 2026-12-15",
          "",
          "Close this issue as completed when the action is done, or as not planned if it will not be done.",
          "",
          `<!-- postmortem-bot:capa {"parent":20,"key":"${KEY}"} -->`,
          "",
        ].join("\n"),
        labels: ["capa"],
        assignees: ["carol"],
      },
    ]);
  });

  it("owned by the post-mortem's assignees and due by severity when the line says nothing", () => {
    const body = checked().replace("- [ ] P2 - High", "- [x] P2 - High");
    const [create] = only(planCapa(config, state({ body })), "createIssue");
    expect(create?.assignees).toEqual(["pat"]);
    expect(create?.body).toContain("Due: 2026-12-27\n"); // 2026-11-27 + 30 days (P2)
  });

  it("due by the incident's severity label when no box is checked, else the default", () => {
    const bySev1 = only(
      planCapa(
        config,
        state({ body: checked(), incident: { number: 12, labels: ["sev1"], assignees: [] } }),
      ),
      "createIssue",
    );
    expect(bySev1[0]?.body).toContain("Due: 2026-12-11\n"); // + 14 days
    const byDefault = only(
      planCapa(
        config,
        state({ body: checked(), incident: { number: 12, labels: [], assignees: [] } }),
      ),
      "createIssue",
    );
    expect(byDefault[0]?.body).toContain("Due: 2026-12-27\n");
  });

  it("assigns a team's people and names the team without mentioning it", () => {
    const teamConfig = {
      ...config,
      capa: { ...config.capa, teamAssignees: { "acme/sre": ["sam", "sue"] } },
    };
    const [create] = only(
      planCapa(teamConfig, state({ body: checked(" @acme/sre") })),
      "createIssue",
    );
    expect(create?.assignees).toEqual(["sam", "sue"]);
    expect(create?.body).toContain("**Owner:** `@acme/sre`  \n");
    expect(create?.body).not.toMatch(/(?<!`)@acme\/sre/);
  });

  it("adds the category's labels and the title prefix from the config", () => {
    const custom = {
      ...config,
      capa: {
        ...config.capa,
        titlePrefix: "[CAPA] ",
        categoryLabels: { "technical fixes": ["tech"] },
      },
    };
    const [create] = only(planCapa(custom, state({ body: checked() })), "createIssue");
    expect(create).toMatchObject({
      title: "[CAPA] Add automated validation checks (CI/CD gates)",
      labels: ["capa", "tech"],
    });
  });

  it("names an owner who cannot be assigned in the child and in a comment, once, without a mention", () => {
    const assignable = new Map([["ghost-user", false]]);
    const steps = planCapa(config, state({ body: checked(" @ghost-user"), assignable }));
    expect(kinds(steps)).toEqual(["ensureLabel", "createIssue", "createComment"]);
    const [create] = only(steps, "createIssue");
    expect(create?.assignees).toEqual([]);
    expect(create?.body).toContain("**Owner:** `@ghost-user`  \n");
    expect(create?.body).toContain(
      "⚠️ `@ghost-user` could not be assigned (not a collaborator of this repository).",
    );
    const [notice] = only(steps, "createComment");
    expect(notice?.body).toMatch(
      /^`@ghost-user` could not be assigned “Add automated validation checks \(CI\/CD gates\)” \(not a collaborator of this repository\); the issue names them without a mention\./,
    );
    for (const text of [create!.body, notice!.body]) expect(text).not.toMatch(/(?<!`)@ghost/);
    const again = planCapa(
      config,
      state({ body: checked(" @ghost-user"), assignable, comments: [comment(1, notice!.body)] }),
    );
    expect(kinds(again)).toEqual(["ensureLabel", "createIssue"]);
  });

  it("reports an impossible date instead of guessing", () => {
    const steps = planCapa(config, state({ body: checked(" due 2026-02-30") }));
    expect(steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body: expect.stringMatching(
          /^The due date `2026-02-30` of “Add automated validation checks \(CI\/CD gates\)” is not a real date/,
        ),
      },
    ]);
  });

  it("turns a Follow-Up row with an owner and a date into a child", () => {
    const body = renderedPostmortem().replace(
      "|---------------------------------------------|---------------|------------|----------|\n",
      "|---------------------------------------------|---------------|------------|----------|\n| Schedule RCA review | @pm-lead | 2026-12-10 | Planned |\n| No owner here | Ops | 2026-12-10 | |\n",
    );
    const steps = planCapa(config, state({ body }));
    expect(only(steps, "createIssue").map((step) => [step.title, step.assignees])).toEqual([
      ["CAPA: Schedule RCA review", ["pm-lead"]],
    ]);
    expect(only(steps, "createIssue")[0]?.body).toContain("Due: 2026-12-10\n");
  });
});

describe("once the child exists", () => {
  it("links it as a sub-issue and shows it on its line and in the Follow-Up table", () => {
    const body = checked(" @carol due 2026-12-15");
    const steps = planCapa(
      config,
      state({ body, children: [child(31, KEY, { parentIssueUrl: null })] }),
    );
    expect(kinds(steps)).toEqual(["addSubIssue", "updateIssueBody"]);
    expect(steps[0]).toEqual({ kind: "addSubIssue", parentNumber: 20, childId: 50_031 });
    const [update] = only(steps, "updateIssueBody");
    const shown = body
      .replace(
        "- [x] Add automated validation checks (CI/CD gates) @carol due 2026-12-15",
        "- [x] Add automated validation checks (CI/CD gates) → #31 · @carol · due 2026-12-15",
      )
      .replace(
        "|---------------------------------------------|---------------|------------|----------|\n",
        "|---------------------------------------------|---------------|------------|----------|\n| Add automated validation checks (CI/CD gates) (#31) | @carol | 2026-12-15 | Open |\n",
      );
    // The write carries the fingerprint of the people's text it was based on (lost-edit check).
    expect(update?.body).toBe(
      `${shown.trimEnd()}\n<!-- postmortem-bot:sync {"base":"${humanFingerprint(body)}"} -->\n`,
    );
  });

  it("has nothing to do when everything is shown", () => {
    const once = planCapa(
      config,
      state({ body: checked(" @carol due 2026-12-15"), children: [child(31, KEY)] }),
    );
    const shown = only(once, "updateIssueBody")[0]!.body;
    expect(planCapa(config, state({ body: shown, children: [child(31, KEY)] }))).toEqual([]);
  });

  it("follows the child: closed as completed or not planned, reopened, new due date or assignee", () => {
    const shown = only(
      planCapa(config, state({ body: checked(), children: [child(31, KEY)] })),
      "updateIssueBody",
    )[0]!.body;
    const row = (children: ReturnType<typeof child>[]) =>
      only(planCapa(config, state({ body: shown, children })), "updateIssueBody")[0]
        ?.body.split("\n")
        .find((line) => line.includes("(#31)"));
    expect(row([child(31, KEY, { state: "closed", stateReason: "completed" })])).toBe(
      "| Add automated validation checks (CI/CD gates) (#31) | @carol | 2026-12-15 | Done |",
    );
    expect(row([child(31, KEY, { state: "closed", stateReason: "not_planned" })])).toBe(
      "| Add automated validation checks (CI/CD gates) (#31) | @carol | 2026-12-15 | Won't do |",
    );
    expect(row([child(31, KEY, { due: "2027-01-10", assignees: ["dana"] })])).toBe(
      "| Add automated validation checks (CI/CD gates) (#31) | @dana | 2027-01-10 | Open |",
    );
    expect(row([child(31, KEY, { due: "soon | evil" })])).toBe(
      "| Add automated validation checks (CI/CD gates) (#31) | @carol | soon \\| evil | Open |",
    );
  });

  it("says so when a child was deleted or transferred", () => {
    const shown = only(
      planCapa(config, state({ body: checked(), children: [child(31, KEY)] })),
      "updateIssueBody",
    )[0]!.body;
    const [update] = only(
      planCapa(config, state({ body: shown, missing: new Map([[31, "deleted" as const]]) })),
      "updateIssueBody",
    );
    expect(update?.body).toContain(
      "- [x] Add automated validation checks (CI/CD gates) → #31 · `@carol` · due 2026-12-15 · Deleted\n",
    );
    expect(update?.body).toContain(
      "| Add automated validation checks (CI/CD gates) (#31) | @carol | 2026-12-15 | Deleted |",
    );
    // Shown once: read back, the inert owner is the same owner, so nothing changes again.
    expect(
      planCapa(config, state({ body: update!.body, missing: new Map([[31, "deleted" as const]]) })),
    ).toEqual([]);
  });

  it("asks once, and deletes nothing, when the box is unchecked", () => {
    const shown = only(
      planCapa(config, state({ body: checked(), children: [child(31, KEY)] })),
      "updateIssueBody",
    )[0]!.body;
    const unchecked = shown.replace("- [x] Add automated", "- [ ] Add automated");
    const steps = planCapa(config, state({ body: unchecked, children: [child(31, KEY)] }));
    expect(steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body: expect.stringMatching(
          /^The box for “Add automated validation checks \(CI\/CD gates\)” was unchecked, but #31 is still open/,
        ),
      },
    ]);
    const asked = only(steps, "createComment")[0]!.body;
    expect(
      planCapa(
        config,
        state({ body: unchecked, children: [child(31, KEY)], comments: [comment(5, asked)] }),
      ),
    ).toEqual([]);
  });

  it("closes a second child of the same action as a duplicate of the first", () => {
    const shown = only(
      planCapa(config, state({ body: checked(), children: [child(31, KEY)] })),
      "updateIssueBody",
    )[0]!.body;
    const steps = planCapa(
      config,
      state({ body: shown, children: [child(32, KEY), child(31, KEY)] }),
    );
    expect(steps[0]).toEqual({
      kind: "closeIssue",
      issueNumber: 32,
      stateReason: "duplicate",
      body: expect.stringMatching(
        /^<!-- postmortem-bot:duplicate \{"of":31\} -->\n> \*\*Duplicate of #31\.\*\* This corrective action was opened twice/,
      ),
    });
    expect(kinds(steps).filter((kind) => kind === "createComment")).toEqual([]);
  });

  it("links through bodies and says so once where sub-issues are unavailable", () => {
    const steps = planCapa(
      config,
      state({
        body: checked(),
        children: [child(31, KEY, { parentIssueUrl: null })],
        subIssues: "unavailable",
      }),
    );
    expect(kinds(steps)).toEqual(["updateIssueBody", "createComment"]);
    expect(only(steps, "createComment")[0]?.body).toMatch(/^This GitHub does not offer sub-issues/);
  });
});

describe("a child a person moved under another parent", () => {
  const moved = () =>
    child(31, KEY, { parentIssueUrl: "https://api.github.com/repos/acme/shop/issues/77" });

  it("is not linked back (GitHub would refuse: it already has a parent); the move is noted once", () => {
    const body = checked(" @carol due 2026-12-15");
    const steps = planCapa(config, state({ body, children: [moved()] }));
    expect(kinds(steps)).toEqual(["updateIssueBody", "createComment"]);
    const [notice] = only(steps, "createComment");
    expect(notice?.body).toMatch(
      /^#31 was moved under #77, so it is no longer a sub-issue here\. postmortem-bot leaves it there and keeps its line and row here in sync\.\n\n<!-- postmortem-bot:notice \{"key":"[0-9a-f]{16}"\} -->$/,
    );

    // Once noted, later edits cost nothing for it: no link, no second note.
    const shown = only(steps, "updateIssueBody")[0]!.body;
    const again = planCapa(
      config,
      state({ body: shown, children: [moved()], comments: [comment(900, notice!.body, bot)] }),
    );
    expect(again).toEqual([]);
  });
});

describe("many boxes at once", () => {
  it("opens all thirty children in one round, and only then links and shows them", () => {
    let body = renderedPostmortem();
    const extra = Array.from(
      { length: 30 },
      (_, index) => `- [x] Action number ${index + 1} @carol due 2026-12-15`,
    ).join("\n");
    body = body.replace("### D. Documentation", `### E. Many\n${extra}\n\n### D. Documentation`);
    const steps = planCapa(config, state({ body, budget: 30 }));
    expect(kinds(steps)).toEqual(["ensureLabel", ...Array(30).fill("createIssue")]);
    expect(
      new Set(only(steps, "createIssue").map((step) => findMarker(step.body, "capa")?.key)).size,
    ).toBe(30);
  });
});

describe("a mangled post-mortem", () => {
  it("without section 6 gets one notice and nothing else", () => {
    const body = renderedPostmortem().replace(
      "## 6. Corrective and Preventive Actions (CAPA)",
      "## Six",
    );
    const steps = planCapa(config, state({ body }));
    expect(steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body: expect.stringMatching(/^Section 6 .* is missing or renamed/),
      },
    ]);
  });

  it("without the Follow-Up table still shows the link on the line, and says the table is missing", () => {
    const body = checked(" @carol due 2026-12-15").replace(/\| Action Item[^\n]*\n\|[-|]*\n/, "");
    const steps = planCapa(config, state({ body, children: [child(31, KEY)] }));
    expect(kinds(steps)).toEqual(["updateIssueBody", "createComment"]);
    expect(only(steps, "updateIssueBody")[0]?.body).toContain("→ #31 · @carol · due 2026-12-15\n");
    expect(only(steps, "createComment")[0]?.body).toMatch(
      /^The Follow-Up Actions table \(section 8\) is missing or broken/,
    );
  });

  it("keeps every byte the App does not own", () => {
    const body = checked(" @carol due 2026-12-15").replace(
      "- What worked well?",
      "- What worked well? *The rollback* <!-- note -->",
    );
    const [update] = only(
      planCapa(config, state({ body, children: [child(31, KEY)] })),
      "updateIssueBody",
    );
    const before = body.split("\n");
    const after = update!.body.split("\n");
    const changed = after.filter((line, index) => line !== before[index]);
    expect(changed[0]).toBe(
      "- [x] Add automated validation checks (CI/CD gates) → #31 · @carol · due 2026-12-15",
    );
    expect(update!.body).toContain("- What worked well? *The rollback* <!-- note -->\n");
    // One row, and the sync marker, are added.
    expect(after.length).toBe(before.length + 2);
  });
});
