import { describe, expect, it } from "vitest";
import type { AdoptionState } from "../../src/core/adoption/plan.js";
import { canDismissAdoption, incidentNamedIn, planAdoption } from "../../src/core/adoption/plan.js";
import { defaultConfig } from "../../src/core/config.js";
import { isTrackedPostmortem } from "../../src/core/identity.js";
import { postmortemsOf } from "../../src/core/incident/plan.js";
import { comment, incidentIssue } from "./fixtures.js";
import { appWriters } from "../support/writers.js";

const handWritten = [
  "# Post-Mortem Report & Corrective Action Checklist",
  "",
  "## 1. Incident Summary",
  "- **Incident ID:** #12",
  "",
  "## 6. Corrective and Preventive Actions (CAPA)",
  "- [x] Add automated validation checks (CI/CD gates) @carol",
  "",
].join("\n");

const person = { login: "erin", type: "User" };
const adoptedComment = comment(900, 'Adopted\n\n<!-- postmortem-bot:adopted {"issue":40} -->');

function state(overrides: Partial<AdoptionState> = {}): AdoptionState {
  return {
    issue: incidentIssue({
      number: 40,
      title: "Post-mortem: checkout outage",
      body: handWritten,
      author: person,
      labels: ["postmortem"],
    }),
    comments: [],
    labeledBy: "alice",
    labelerMayAdopt: true,
    incident: incidentIssue(),
    incidentComments: [],
    ...overrides,
  };
}

describe("adopting a post-mortem written by hand", () => {
  it("comments, marks the body with its incident and links it from the incident", () => {
    expect(planAdoption(state(), defaultConfig, appWriters)).toEqual([
      {
        kind: "createComment",
        issueNumber: 40,
        body: '📎 Adopted as a post-mortem of #12: checked corrective actions in section 6 now become child issues with an owner and a due date, kept in sync, as in the post-mortems postmortem-bot opens.\n\n<!-- postmortem-bot:adopted {"issue":40} -->',
      },
      {
        kind: "updateIssueBody",
        issueNumber: 40,
        body: `${handWritten.trimEnd()}\n<!-- postmortem-bot:postmortem {"incident":12} -->\n`,
      },
      {
        kind: "createComment",
        issueNumber: 12,
        body: '📝 Post-mortem: #40\n\n<!-- postmortem-bot:link {"postmortem":40} -->',
      },
    ]);
  });

  it("is done once adopted, marked and linked; a removed marker is put back", () => {
    const marked = `${handWritten}\n<!-- postmortem-bot:postmortem {"incident":12} -->\n`;
    const link = comment(901, '<!-- postmortem-bot:link {"postmortem":40} -->');
    const done = state({ comments: [adoptedComment], incidentComments: [link] });
    expect(
      planAdoption({ ...done, issue: { ...done.issue, body: marked } }, defaultConfig, appWriters),
    ).toEqual([]);
    expect(planAdoption(done, defaultConfig, appWriters).map((step) => step.kind)).toEqual([
      "updateIssueBody",
    ]);
  });

  it("without an incident named, adopts it with a marker that names none", () => {
    const body = handWritten.replace("#12", "INC-7");
    const plan = planAdoption(
      state({ issue: { ...state().issue, body }, incident: undefined }),
      defaultConfig,
      appWriters,
    );
    expect(plan.map((step) => step.kind)).toEqual(["createComment", "updateIssueBody"]);
    expect(plan[1]).toMatchObject({
      body: expect.stringContaining("postmortem-bot:postmortem {}"),
    });
  });

  it("labeled by someone without triage access: one comment saying why, nothing else", () => {
    const refused = state({ labeledBy: "rita", labelerMayAdopt: false });
    const plan = planAdoption(refused, defaultConfig, appWriters);
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ kind: "createComment", issueNumber: 40 });
    expect((plan[0] as { body: string }).body).toMatch(
      /^@rita added the post-mortem label, but adopting a post-mortem written by hand needs triage access or more/,
    );
    const again = { ...refused, comments: [comment(902, (plan[0] as { body: string }).body)] };
    expect(planAdoption(again, defaultConfig, appWriters)).toEqual([]);
  });

  it("leaves the App's own issues and unlabeled issues alone", () => {
    const own = state();
    own.issue = { ...own.issue, author: { login: "postmortem-bot[bot]", type: "Bot" } };
    expect(planAdoption(own, defaultConfig, appWriters)).toEqual([]);
    expect(
      planAdoption(state({ issue: { ...state().issue, labels: [] } }), defaultConfig, appWriters),
    ).toEqual([]);
  });
});

describe("what counts as a post-mortem", () => {
  const marked = {
    ...state().issue,
    body: `${handWritten}\n<!-- postmortem-bot:postmortem {"incident":12} -->\n`,
  };

  it("a person's issue with a marker only with the App's adoption comment", () => {
    expect(isTrackedPostmortem(marked, [], appWriters)).toBe(false);
    const forged = comment(903, adoptedComment.body, person);
    expect(isTrackedPostmortem(marked, [forged], appWriters)).toBe(false);
    expect(isTrackedPostmortem(marked, [adoptedComment], appWriters)).toBe(true);
  });

  it("an incident's post-mortems include an adopted one its link comment names", () => {
    const link = comment(904, '<!-- postmortem-bot:link {"postmortem":40} -->');
    expect(postmortemsOf([marked], 12, appWriters)).toEqual([]);
    expect(postmortemsOf([marked], 12, appWriters, [link])).toEqual([marked]);
    expect(postmortemsOf([marked], 12, appWriters, [{ ...link, author: person }])).toEqual([]);
  });

  it("reads the incident from the Incident ID line only", () => {
    expect(incidentNamedIn(handWritten)).toBe(12);
    expect(incidentNamedIn("- **Incident ID:** acme/other#5 or #7")).toBe(7);
    expect(incidentNamedIn("See #12\n\n- **Incident ID:** tbd")).toBeUndefined();
  });

  it("lets a label go without a request only when the config is known and it is no post-mortem label", () => {
    const known = { ok: true as const, config: defaultConfig };
    expect(canDismissAdoption("bug", known)).toBe(true);
    expect(canDismissAdoption("Postmortem", known)).toBe(false);
    expect(canDismissAdoption("bug", undefined)).toBe(false);
  });
});
