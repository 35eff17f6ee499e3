// End to end, issue forms (#12): an incident filed through an issue form prefills its post-mortem,
// through the real App server against the emulator.
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { bodyOf, check, onlyChild, personEdits, settle } from "./capa-helpers.js";
import type { Stack } from "./stack.js";
import {
  appWrites,
  botComments,
  lastSeq,
  loopbackOnly,
  postmortemsFor,
  startStack,
} from "./stack.js";

let stack: Stack | undefined;
beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const shippedForm = readFileSync(
  new URL("../../templates/incident-form.yml", import.meta.url),
  "utf8",
);
const shippedFormIncident = readFileSync(
  new URL("../fixtures/forms/shipped-form-incident.md", import.meta.url),
  "utf8",
);

/** The one post-mortem of an incident, once the App is done. */
function onlyPostmortem(emulator: Stack["emulator"], incident: number) {
  const postmortems = postmortemsFor(emulator, incident);
  expect(postmortems).toHaveLength(1);
  return postmortems[0]!.number;
}

describe("issue forms (e2e)", () => {
  it("an incident from the shipped form fills severity, environment, start, services, summary, impact and customers; its CAPA children are due by P1", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setFile(".github/ISSUE_TEMPLATE/incident.yml", shippedForm);
    emulator.setFile(".github/ISSUE_TEMPLATE/config.yml", "blank_issues_enabled: false\n");
    const incident = emulator.openIssue({
      by: "alice",
      title: "[Incident]: Checkout API returns 500s",
      body: shippedFormIncident,
      labels: ["incident"],
    }).number as number;
    await settle(emulator);

    const postmortem = onlyPostmortem(emulator, incident);
    const lines = bodyOf(emulator, postmortem).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "- **Date & Time (Start):** 2026-11-27 12:41 UTC",
        "- **Environment Affected:** Production  ",
        "  > Checkout fails for EU users since the 13:00 deploy.",
        "- **Systems/Services Affected:** checkout-api, payments  ",
        "- **Business Impact:** No orders for 40 minutes  ",
        "- **Customers Affected (est.):** about 1,200  ",
        "- [x] P1 - Critical Outage  ",
        "- [ ] P2 - High Impact Degradation  ",
        "- [x] Third-party Service Impact",
      ]),
    );
    // The forms were read from the default branch: the listing, then the one form (not config.yml).
    const reads = emulator
      .appRequests()
      .filter((r) => r.method === "GET" && r.path.includes("ISSUE_TEMPLATE"))
      .map((r) => decodeURIComponent(r.path));
    expect(reads).toEqual([
      "/repos/acme/service/contents/.github/ISSUE_TEMPLATE",
      "/repos/acme/service/contents/.github/ISSUE_TEMPLATE/incident.yml",
    ]);
    // Nothing to report: only the link comment.
    expect(botComments(emulator, incident)).toHaveLength(1);
    expect(botComments(emulator, postmortem)).toEqual([]);

    // A box checked without a date: due in capa.dueDays.P1 (14) days from the fixed start day.
    emulator.setPermission("carol", "write");
    const mark = personEdits(
      emulator,
      postmortem,
      check("Add automated validation checks (CI/CD gates)", " @carol"),
    );
    await settle(emulator, mark.delivery);
    const child = onlyChild(emulator, postmortem, "Add automated validation checks (CI/CD gates)");
    expect(child.body).toContain("Due: 2026-12-11\n");

    // Later edits of the answers do not rewrite the post-mortem.
    const before = bodyOf(emulator, postmortem);
    const edited = lastSeq(emulator);
    emulator.editBody({
      by: "alice",
      issue: incident,
      body: shippedFormIncident.replace("checkout-api, payments", "everything"),
    });
    await settle(emulator);
    expect(bodyOf(emulator, postmortem)).toBe(before);
    expect(appWrites(emulator, edited)).toEqual([]);
  }, 90_000);

  it("a team's own form works through form: and incident.fields; a mapped id the form lacks and a start that is no date are reported once", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setFile(
      ".github/ISSUE_TEMPLATE/outage.yaml",
      [
        "name: Outage",
        "labels: [incident]",
        "body:",
        "  - {type: dropdown, id: prio, attributes: {label: Priority, options: [Sev1, Sev2, Sev3]}}",
        "  - {type: input, id: began, attributes: {label: Began at}}",
        "  - {type: input, id: region, attributes: {label: Region}}",
      ].join("\n"),
    );
    emulator.setFile(
      ".github/postmortem.yml",
      "form:\n  severity: prio\n  start: began\n  services: systems\ntemplate: .github/pm.md\n",
    );
    emulator.setFile(
      ".github/pm.md",
      [
        "# {{incident.title}}",
        "",
        "- **Region:** {{incident.fields.region}}",
        "- **Severity:** {{severity}}",
        "- **Date & Time (Start):** {{incident.startedAt}}",
        "",
        "## 6. Corrective and Preventive Actions (CAPA)",
        "- [ ] Fix the failover",
        "",
      ].join("\n"),
    );
    const incident = emulator.openIssue({
      by: "alice",
      title: "EU outage",
      body: "### Priority\n\nSev2\n\n### Began at\n\nafter lunch\n\n### Region\n\neu-west-1 @acme/ops",
      labels: ["incident"],
    }).number as number;
    await settle(emulator);

    const postmortem = onlyPostmortem(emulator, incident);
    const body = bodyOf(emulator, postmortem);
    expect(body).toContain("- **Region:** eu-west-1 `@acme/ops`\n");
    expect(body).toContain("- **Severity:** P2\n");
    expect(body).toContain("- **Date & Time (Start):** \n");
    expect(body).toContain(
      `<!-- postmortem-bot:postmortem {"incident":${incident},"severity":"P2","gate":2} -->`,
    );

    const problems = botComments(emulator, incident).filter((c) => c.body.includes("⚠️"));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.body).toContain(
      "`form.services` names the field `systems`, which `.github/ISSUE_TEMPLATE/outage.yaml` does not have",
    );
    const notes = botComments(emulator, postmortem);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(
      "**Date & Time (Start)** was left for you: the incident's answer “after lunch” is not a date and time",
    );

    // The answered severity counts for due days where the template has no classification box.
    const mark = personEdits(emulator, postmortem, check("Fix the failover"));
    await settle(emulator, mark.delivery);
    expect(onlyChild(emulator, postmortem, "Fix the failover").body).toContain("Due: 2026-12-27\n");
  }, 90_000);
});
