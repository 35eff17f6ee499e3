import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtInTemplate } from "../../../src/handlers/built-in-template.js";
import { defaultConfig, parseConfig } from "../../../src/core/config.js";
import type { Config } from "../../../src/core/config.js";
import { readFormAnswers } from "../../../src/core/forms/answers.js";
import type { FormDefinitionResult } from "../../../src/core/forms/definition.js";
import { parseFormDefinition } from "../../../src/core/forms/definition.js";
import { prefillFromForm } from "../../../src/core/forms/prefill.js";
import { findMarker } from "../../../src/core/markers.js";
import { renderPostmortem } from "../../../src/core/incident/content.js";
import { incidentSeverity, severityFromAnswer } from "../../../src/core/severity.js";
import { incidentIssue, labeledEvent, repository } from "../fixtures.js";

const shippedFormSource = readFileSync(
  new URL("../../../templates/incident-form.yml", import.meta.url),
  "utf8",
);
const shippedForm = parseFormDefinition(".github/ISSUE_TEMPLATE/incident.yml", shippedFormSource);

/** A body as GitHub writes it from the shipped form. */
const shippedFormBody = [
  "### Summary",
  "",
  "Checkout fails for EU users since the 13:00 deploy.",
  "",
  "### Severity",
  "",
  "P1 - Critical Outage",
  "",
  "### Environment",
  "",
  "Production",
  "",
  "### Start time",
  "",
  "2026-11-29 13:02 UTC",
  "",
  "### Services affected",
  "",
  "checkout-api, payments",
  "",
  "### Business impact",
  "",
  "No orders for 40 minutes",
  "",
  "### Customers affected (est.)",
  "",
  "_No response_",
  "",
  "### Classification",
  "",
  "- [ ] Security Incident",
  "- [X] Data Loss Event",
  "- [x] Third-party Service Impact",
].join("\n");

function config(raw: object = {}): Config {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.config;
}

describe("issue-form definitions", () => {
  it("reads the shipped form's labels and field ids (markdown elements are no questions)", () => {
    expect(shippedForm.ok && shippedForm.form).toEqual({
      path: ".github/ISSUE_TEMPLATE/incident.yml",
      name: "Incident",
      labels: ["incident"],
      fields: [
        { id: "summary", label: "Summary", type: "textarea" },
        { id: "severity", label: "Severity", type: "dropdown" },
        { id: "environment", label: "Environment", type: "dropdown" },
        { id: "start", label: "Start time", type: "input" },
        { id: "services", label: "Services affected", type: "input" },
        { id: "impact", label: "Business impact", type: "textarea" },
        { id: "customers", label: "Customers affected (est.)", type: "input" },
        { id: "classification", label: "Classification", type: "checkboxes" },
      ],
    });
  });

  it("names a field without an id after its label; accepts labels as one string", () => {
    const result = parseFormDefinition(
      "f.yml",
      "name: X\nlabels: incident, ops\nbody:\n  - type: input\n    attributes:\n      label: Start Time (UTC)\n",
    );
    expect(result).toEqual({
      ok: true,
      form: {
        path: "f.yml",
        name: "X",
        labels: ["incident", "ops"],
        fields: [{ id: "start-time-utc", label: "Start Time (UTC)", type: "input" }],
      },
    });
  });

  it("reports YAML that does not parse, and YAML that is no form, naming the file", () => {
    const broken = parseFormDefinition("bad.yml", "name: [unclosed\n");
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problem).toMatch(/^`bad\.yml` is not valid YAML: /);
    expect(parseFormDefinition("x.yml", "name: X\nbody: 3\n")).toEqual({
      ok: false,
      problem: "`x.yml` is not an issue form: body: Invalid input: expected array, received number",
    });
  });
});

describe("reading a form's answers from a body", () => {
  it("reads each ### section; _No response_ is empty; checkboxes give the checked options", () => {
    expect(readFormAnswers(shippedFormBody)).toEqual([
      { label: "Summary", text: "Checkout fails for EU users since the 13:00 deploy." },
      { label: "Severity", text: "P1 - Critical Outage" },
      { label: "Environment", text: "Production" },
      { label: "Start time", text: "2026-11-29 13:02 UTC" },
      { label: "Services affected", text: "checkout-api, payments" },
      { label: "Business impact", text: "No orders for 40 minutes" },
      { label: "Customers affected (est.)", text: "" },
      {
        label: "Classification",
        text: "- [ ] Security Incident\n- [X] Data Loss Event\n- [x] Third-party Service Impact",
        checked: ["Data Loss Event", "Third-party Service Impact"],
      },
    ]);
  });

  it("takes a rendered textarea's code, and ignores ### inside code", () => {
    const body = "### Logs\n\n```shell\n### not a heading\nexit 1\n```\n";
    expect(readFormAnswers(body)).toEqual([{ label: "Logs", text: "### not a heading\nexit 1" }]);
    expect(readFormAnswers("Checkout is down.\n\n```\n### x\n```")).toEqual([]);
  });
});

describe("prefilling from the shipped form with no configuration", () => {
  const forms: FormDefinitionResult[] = [shippedForm];

  it("maps every answer; the start time in the configured zone", () => {
    const prefill = prefillFromForm(shippedFormBody, forms, config({ timezone: "Europe/Berlin" }));
    expect(prefill).toMatchObject({
      severity: "P1",
      environment: "Production",
      start: "2026-11-29 14:02 Europe/Berlin",
      services: "checkout-api, payments",
      summary: "Checkout fails for EU users since the 13:00 deploy.",
      impact: "No orders for 40 minutes",
      customers: undefined,
      classification: { security: false, dataLoss: true, thirdParty: true },
      problems: [],
      notes: [],
    });
    expect(prefill.fields).toEqual({
      summary: "Checkout fails for EU users since the 13:00 deploy.",
      severity: "P1 - Critical Outage",
      environment: "Production",
      start: "2026-11-29 13:02 UTC",
      services: "checkout-api, payments",
      impact: "No orders for 40 minutes",
      customers: "",
      classification: "Data Loss Event, Third-party Service Impact",
    });
  });

  it("renders them into the built-in template, checks P1 and records it in the marker", () => {
    const issue = incidentIssue({ body: shippedFormBody });
    const prefill = prefillFromForm(issue.body, forms, defaultConfig);
    const result = renderPostmortem(
      issue,
      labeledEvent(issue),
      defaultConfig,
      repository,
      { name: "built-in", source: builtInTemplate() },
      prefill,
    );
    if (!result.ok) throw new Error(result.problem);
    const lines = result.body.split("\n");
    expect(lines).toContain("- **Date & Time (Start):** 2026-11-29 13:02 UTC");
    expect(lines).toContain("- **Environment Affected:** Production  ");
    expect(lines).toContain("- **Systems/Services Affected:** checkout-api, payments  ");
    expect(lines).toContain("- **Business Impact:** No orders for 40 minutes  ");
    expect(lines).toContain("- **Customers Affected (est.):**  ");
    expect(lines).toContain("  > Checkout fails for EU users since the 13:00 deploy.");
    expect(lines).toContain("- [x] P1 - Critical Outage  ");
    expect(lines).toContain("- [ ] P2 - High Impact Degradation  ");
    expect(lines).toContain("- [ ] Security Incident  ");
    expect(lines).toContain("- [x] Data Loss Event  ");
    expect(lines).toContain("- [x] Third-party Service Impact");
    expect(findMarker(result.body, "postmortem")).toEqual({
      incident: 12,
      severity: "P1",
      gate: 2,
    });
  });

  it("leaves a start that is no date as the prompt and says so in a note", () => {
    const body = shippedFormBody.replace("2026-11-29 13:02 UTC", "around lunch");
    const prefill = prefillFromForm(body, forms, defaultConfig);
    expect(prefill.start).toBeUndefined();
    expect(prefill.notes).toEqual([
      "**Date & Time (Start)** was left for you: the incident's answer “around lunch” is not a date and time (`YYYY-MM-DD HH:MM`, optionally with a zone such as `UTC` or `+02:00`; without one, UTC).",
    ]);
  });

  it("keeps answers inert: no mentions, no structure", () => {
    const body = shippedFormBody.replace(
      "checkout-api, payments",
      "@acme/everyone <!-- x --> | a |",
    );
    expect(prefillFromForm(body, forms, defaultConfig).services).toBe(
      "`@acme/everyone` \\<!-- x --\\> \\| a \\|",
    );
  });

  it("leaves a body written by hand alone, whatever forms there are", () => {
    const prefill = prefillFromForm(
      "Checkout is down.\n\n### Impact\n\nall of it",
      forms,
      defaultConfig,
    );
    expect(prefill.form).toBeUndefined();
    expect(prefill.fields).toEqual({});
    expect(prefill.severity).toBeUndefined();
  });
});

describe("a team's own form through form:", () => {
  const teamForm = parseFormDefinition(
    ".github/ISSUE_TEMPLATE/outage.yaml",
    [
      "name: Outage",
      "labels: [incident]",
      "body:",
      "  - {type: dropdown, id: prio, attributes: {label: Priority, options: [Sev1, Sev2]}}",
      "  - {type: input, id: when, attributes: {label: Began at}}",
      "  - {type: input, id: region, attributes: {label: Region}}",
    ].join("\n"),
  );
  const body =
    "### Priority\n\nSev2\n\n### Began at\n\n2026-11-29 13:02\n\n### Region\n\neu-west-1";

  it("fills what the mapping names and keeps every answer for the template", () => {
    const prefill = prefillFromForm(
      body,
      [teamForm],
      config({ timezone: "America/New_York", form: { severity: "prio", start: "when" } }),
    );
    expect(prefill).toMatchObject({
      severity: "P2",
      start: "2026-11-29 13:02 America/New_York",
      fields: { prio: "Sev2", when: "2026-11-29 13:02", region: "eu-west-1" },
      problems: [],
    });
  });

  it("reports a mapped id the form lacks and a broken form, and still reads the rest", () => {
    const prefill = prefillFromForm(
      body,
      [teamForm, parseFormDefinition(".github/ISSUE_TEMPLATE/bug.yml", "name: [")],
      config({ form: { severity: "prio", services: "systems" } }),
    );
    expect(prefill.severity).toBe("P2");
    expect(prefill.problems).toHaveLength(2);
    expect(prefill.problems[0]).toMatch(/^`\.github\/ISSUE_TEMPLATE\/bug\.yml` is not valid YAML/);
    expect(prefill.problems[1]).toBe(
      "`form.services` names the field `systems`, which `.github/ISSUE_TEMPLATE/outage.yaml` does not have (its ids: `prio`, `when`, `region`).",
    );
  });

  it("names ids in code spans as they are: no markdown escapes, which GitHub would show", () => {
    const prefill = prefillFromForm(
      body,
      [teamForm],
      config({ form: { severity: "prio", services: "no_such_field" } }),
    );
    expect(prefill.problems).toEqual([
      "`form.services` names the field `no_such_field`, which `.github/ISSUE_TEMPLATE/outage.yaml` does not have (its ids: `prio`, `when`, `region`).",
    ]);
  });
});

describe("severity", () => {
  it("reads P1–P4 from severityLabels words or the classification text, as whole words", () => {
    expect(severityFromAnswer("P1 - Critical Outage", defaultConfig)).toBe("P1");
    expect(severityFromAnswer("high impact degradation", defaultConfig)).toBe("P2");
    expect(severityFromAnswer("SEV3", defaultConfig)).toBe("P3");
    expect(severityFromAnswer("P10", defaultConfig)).toBeUndefined();
    expect(severityFromAnswer("", defaultConfig)).toBeUndefined();
  });

  it("takes the most severe of the checked box, a label and the form's answer: a box never lowers it", () => {
    expect(
      incidentSeverity({ checked: "P3", labels: ["sev1"], answered: "P2" }, defaultConfig),
    ).toBe("P1");
    expect(
      incidentSeverity({ checked: "P4", labels: ["bug"], answered: "P2" }, defaultConfig),
    ).toBe("P2");
    // Checking a more severe box raises it.
    expect(
      incidentSeverity({ checked: "P1", labels: ["sev3"], answered: "P3" }, defaultConfig),
    ).toBe("P1");
    expect(incidentSeverity({ labels: ["sev1"], answered: "P2" }, defaultConfig)).toBe("P1");
    expect(incidentSeverity({ labels: ["bug"], answered: "P2" }, defaultConfig)).toBe("P2");
    expect(incidentSeverity({}, defaultConfig)).toBeUndefined();
  });
});
