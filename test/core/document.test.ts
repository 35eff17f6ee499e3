import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyEdits, findSection, readDocument, setFieldValue } from "../../src/core/document.js";

const seed = readFileSync(new URL("../fixtures/seed-template.md", import.meta.url), "utf8");

describe("readDocument", () => {
  const document = readDocument(seed);

  it("finds sections by title, with the subsections inside them", () => {
    const capa = findSection(document, /^6\.|corrective and preventive/i);
    expect(capa?.title).toBe("6. Corrective and Preventive Actions (CAPA)");
    expect(seed.slice(capa!.span.start, capa!.span.end)).toMatch(
      /^## 6\.[\s\S]*### D\. Documentation[\s\S]*---\n\n$/,
    );
    expect(findSection(document, /^11\./)).toBeUndefined();
  });

  it("reads task items with their subsection and exact source spans", () => {
    const capa = findSection(document, /^6\./)!;
    const tasks = document.tasksIn(capa.span);
    expect(tasks).toHaveLength(12);
    expect(tasks[3]).toMatchObject({
      checked: false,
      text: "Update deployment checklist or release plan",
      headings: [
        "Post-Mortem Report & Corrective Action Checklist",
        "6. Corrective and Preventive Actions (CAPA)",
        "B. Process Improvements",
      ],
    });
    expect(seed.slice(tasks[3]!.line.start, tasks[3]!.line.end)).toBe(
      "- [ ] Update deployment checklist or release plan",
    );
    expect(seed.slice(tasks[3]!.textSpan.start, tasks[3]!.textSpan.end)).toBe(tasks[3]!.text);
  });

  it("reads field lines, empty or not", () => {
    const approvals = findSection(document, /^9\./)!;
    expect(document.fieldsIn(approvals.span).map((field) => [field.name, field.value])).toEqual([
      ["Approved By (Tech Lead)", ""],
      ["Approved By (Product/Business)", ""],
      ["Date of Final Review", ""],
      ["Related JIRA/Incident Ticket", ""],
      ["Communication Sent to Team (Yes/No)", ""],
    ]);
    const summary = findSection(document, /^1\./)!;
    expect(
      document.fieldsIn(summary.span).find((field) => field.name === "Environment Affected")?.value,
    ).toBe("Production / UAT / Other");
  });

  it("reads tables with header and rows", () => {
    const followUp = findSection(document, /^8\./)!;
    const [table] = document.tablesIn(followUp.span);
    expect(table?.header).toEqual(["Action Item", "Owner", "Due Date", "Status"]);
    expect(table?.rows.map((row) => row.cells)).toEqual([
      ["Add validation in deployment pipeline", "DevOps Team", "2025-05-15", "Pending"],
      ["Schedule RCA review with VP and stakeholders", "PM", "2025-05-10", "Planned"],
      ["Create test case for similar failure path", "QA Lead", "2025-05-13", "In Prog."],
    ]);
  });
});

describe("edits by position", () => {
  it("set field values and leave every other byte alone", () => {
    const document = readDocument(seed);
    const fields = document.fieldsIn(findSection(document, /^9\./)!.span);
    const edited = applyEdits(seed, [
      setFieldValue(seed, fields[0]!, "@carol (2026-12-01)"),
      setFieldValue(seed, fields[4]!, "Yes"),
    ]);
    expect(edited).toContain("- **Approved By (Tech Lead):** @carol (2026-12-01)  \n");
    expect(edited).toContain("- **Communication Sent to Team (Yes/No):** Yes\n");
    expect(edited.replace(" @carol (2026-12-01)", "").replace(" Yes\n", "\n")).toBe(seed);
  });

  it("refuses overlapping edits", () => {
    expect(() =>
      applyEdits("abcdef", [
        { span: { start: 0, end: 3 }, replacement: "x" },
        { span: { start: 2, end: 4 }, replacement: "y" },
      ]),
    ).toThrow("overlapping edits");
  });
});
