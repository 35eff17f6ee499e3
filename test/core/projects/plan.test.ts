import { describe, expect, it } from "vitest";
import { formatMarker } from "../../../src/core/markers.js";
import {
  bindFields,
  movedDueBody,
  planItemWrites,
  projectStatus,
} from "../../../src/core/projects/plan.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";

const MERGED = {
  pr: 9,
  url: "https://github.com/acme/web/pull/9",
  at: "2026-11-20T10:00:00Z",
  sha: "abc",
};

function child(
  state: "open" | "closed",
  stateReason: string | null,
  evidence?: Record<string, unknown>,
): IssueSnapshot {
  return {
    id: 3,
    number: 3,
    title: "CAPA: x",
    body: `Due: 2026-12-15\n\n${formatMarker("capa", { parent: 2, key: "k", ...(evidence ? { evidence } : {}) })}`,
    state,
    stateReason,
    author: { login: "postmortem-bot[bot]", type: "Bot" },
    labels: ["capa"],
    assignees: [],
    createdAt: "2026-11-27T13:00:00Z",
    isPullRequest: false,
  };
}

describe("the Status a child shows on the board", () => {
  it("mirrors the state and the evidence", () => {
    expect(projectStatus(child("open", null), "none")).toBe("Open");
    expect(projectStatus(child("open", null, { merged: [MERGED] }), "shipped")).toBe("Fix merged");
    const shipped = {
      merged: [MERGED],
      shipped: {
        deployment: 4,
        url: "https://d",
        environment: "production",
        at: "2026-11-21T10:00:00Z",
        sha: "def",
        prs: [9],
      },
    };
    expect(projectStatus(child("open", null, shipped), "shipped")).toBe("Shipped");
    expect(projectStatus(child("closed", "completed", shipped), "shipped")).toBe("Done");
    // Closed as completed without the evidence its policy asks for: still work, not Done.
    expect(projectStatus(child("closed", "completed", { merged: [MERGED] }), "shipped")).toBe(
      "Fix merged",
    );
    expect(projectStatus(child("closed", "completed"), "merged")).toBe("Open");
    expect(projectStatus(child("closed", "completed"), "none")).toBe("Done");
    expect(projectStatus(child("closed", "not_planned"), "none")).toBe("Not planned");
    expect(projectStatus(child("closed", "duplicate"), "none")).toBe("Not planned");
  });
});

describe("the item's writes", () => {
  const project = {
    id: "PVT_1",
    url: "https://github.com/orgs/acme/projects/1",
    fields: [
      { id: "F_due", name: "due", dataType: "DATE" },
      {
        id: "F_st",
        name: "Status",
        dataType: "SINGLE_SELECT",
        options: [{ id: "o1", name: "open" }],
      },
      { id: "F_sev", name: "Severity", dataType: "TEXT" },
    ],
  };

  it("binds fields by name, case-insensitively, and names a wrong type", () => {
    const { bound, problems } = bindFields(project, {
      due: "Due",
      status: "status",
      severity: "Severity",
    });
    expect(bound.due?.id).toBe("F_due");
    expect(bound.status?.id).toBe("F_st");
    expect(problems).toEqual([
      { kind: "field-type", role: "severity", name: "Severity", want: "SINGLE_SELECT" },
    ]);
  });

  it("writes only what differs; a missing option is a problem", () => {
    const { bound } = bindFields(project, { due: "Due", status: "Status" });
    const item = { id: "I", values: new Map([["F_due", { date: "2026-12-15" }]]) };
    expect(
      planItemWrites(bound, item, { due: "2026-12-15", severity: "P1", status: "Open" }),
    ).toEqual({
      writes: [{ itemId: "I", fieldId: "F_st", value: { singleSelectOptionId: "o1" } }],
      problems: [],
    });
    expect(
      planItemWrites(bound, item, { due: "2027-01-02", severity: undefined, status: "Done" }),
    ).toEqual({
      writes: [{ itemId: "I", fieldId: "F_due", value: { date: "2027-01-02" } }],
      problems: [{ kind: "option-missing", role: "status", name: "Status", option: "Done" }],
    });
  });

  it("moves a child's Due line only when the board's date differs", () => {
    const body = "Owner: x  \nDue: 2026-12-15\n\nrest\n";
    expect(movedDueBody(body, "2026-12-15")).toBeUndefined();
    expect(movedDueBody(body, "2027-01-02")).toBe("Owner: x  \nDue: 2027-01-02\n\nrest\n");
    expect(movedDueBody("no due line", "2027-01-02")).toBeUndefined();
  });
});
