import { readFileSync } from "node:fs";
import { appWriters } from "../support/writers.js";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/core/config.js";
import { parseFormDefinition } from "../../src/core/forms/definition.js";
import { prefillFromForm } from "../../src/core/forms/prefill.js";
import { renderPostmortem } from "../../src/core/incident/content.js";
import { planIncident } from "../../src/core/incident/plan.js";
import type { IncidentState } from "../../src/core/incident/plan.js";
import type { Step } from "../../src/core/plan.js";
import { builtInTemplate, shippedTemplate } from "../../src/handlers/built-in-template.js";
import { commandEvent, incidentIssue, labeledEvent, repository } from "../core/fixtures.js";
import { expectReadable, tableWith } from "./expect.js";
import { HOSTILE_TEXTS, HOSTILE_TITLE } from "./hostile.js";
import { renderGfm } from "./render.js";

const shipped = {
  name: "templates/postmortem.md.hbs",
  source: readFileSync(new URL("../../templates/postmortem.md.hbs", import.meta.url), "utf8"),
};
const builtIn = { name: "built-in", source: builtInTemplate() };
const form = parseFormDefinition(
  ".github/ISSUE_TEMPLATE/incident.yml",
  readFileSync(new URL("../../templates/incident-form.yml", import.meta.url), "utf8"),
);

/** An incident's first paragraph: markdown, so the post-mortem shows its words as GitHub does. */
const PARAGRAPH = "Checkout down | @acme/everyone `x` * _ [] <> ~ a\\b 😱";
/** A form's answer: copied as written. */
const SUMMARY =
  "Checkout down | @acme/everyone `x` *_[]<>~ <!-- postmortem-bot:capa {} --> a\\b 😱";
const LABEL = "env:prod | @outsider `x` *_<>";
const EVENT_LABEL = "incident `@outsider` | x";

/** The standard incident with people's text everywhere: title, first paragraph, labels. */
const hostileIncident = incidentIssue({
  title: HOSTILE_TITLE,
  body: `${PARAGRAPH}\n\nDetails.`,
  labels: ["incident", LABEL, "P2"],
  assignees: ["bob", "erin"],
});

/** A body as GitHub writes it from the shipped form, every answer hostile. */
const FORM_ANSWERS = {
  summary: SUMMARY,
  environment: "Prod | @outsider `x`",
  start: "around lunch, ask @outsider | `x`",
  services: "checkout-api | @acme/everyone ``db``",
  impact: HOSTILE_TEXTS.slice(0, 8).join(" "),
  customers: '<!-- postmortem-bot:postmortem {"incident":1} --> ~40 \\ people',
};
const formBody = [
  `### Summary\n\n${FORM_ANSWERS.summary}`,
  "### Severity\n\nP2 - High Impact Degradation",
  `### Environment\n\n${FORM_ANSWERS.environment}`,
  `### Start time\n\n${FORM_ANSWERS.start}`,
  `### Services affected\n\n${FORM_ANSWERS.services}`,
  `### Business impact\n\n${FORM_ANSWERS.impact}`,
  `### Customers affected (est.)\n\n${FORM_ANSWERS.customers}`,
  "### Classification\n\n- [x] Security Incident",
].join("\n\n");

const MEANT = ["@alice", "@bob", "@erin", "@dave", "@carol"];

function rendered(template: { name: string; source: string }, prefill = false) {
  // The form's environment answer counts only when no `env:` label names one.
  const incident = prefill
    ? { ...hostileIncident, body: formBody, labels: ["incident", "P2"] }
    : hostileIncident;
  const result = renderPostmortem(
    incident,
    labeledEvent(incident, EVENT_LABEL),
    defaultConfig,
    repository,
    template,
    prefill ? prefillFromForm(incident.body, [form], defaultConfig) : undefined,
  );
  if (!result.ok) throw new Error(result.problem);
  return result;
}

// The shipped short P4 and security templates (`builtin:p4`, `builtin:security`) too.
describe.each([shipped, builtIn, shippedTemplate("p4"), shippedTemplate("security")])(
  "the post-mortem from $name as GitHub renders it",
  (template) => {
    it("shows the summary, labels and timeline as written, mentions only the people involved", () => {
      const { body, title } = rendered(template);
      expect(title).toBe(`Post-mortem: ${HOSTILE_TITLE}`);
      const page = expectReadable(body, {
        shows: [renderGfm(PARAGRAPH).text, "prod | @outsider `x` *_<>"],
        mentions: MEANT,
      });
      expect(page.mentions).toEqual(expect.arrayContaining(["@alice", "@bob", "@erin", "@dave"]));
      expect(page.text).not.toContain("postmortem-bot:capa");
      expect(tableWith(page, ["Time (HH:MM)", "Event Description"]).rows).toEqual([
        ["2026-11-27 13:05 UTC", "Incident issue #12 opened by @alice"],
        ["2026-11-27 13:07 UTC", `Labeled ${EVENT_LABEL} by @dave`],
      ]);
      const followUp = tableWith(page, ["Action Item", "Owner", "Due Date", "Status"]);
      for (const row of followUp.rows) expect(row).toHaveLength(4);
    });

    it("shows every answer of a hostile issue form as written", () => {
      const page = expectReadable(rendered(template, true).body, {
        shows: [
          FORM_ANSWERS.summary,
          FORM_ANSWERS.environment,
          FORM_ANSWERS.services,
          FORM_ANSWERS.impact,
          FORM_ANSWERS.customers,
        ],
        mentions: MEANT,
      });
      expect(page.text).toContain(`Environment Affected: ${FORM_ANSWERS.environment}`);
    });
  },
);

describe("the incident's comments as GitHub renders them", () => {
  const state = (overrides: Partial<IncidentState> = {}): IncidentState => ({
    incident: hostileIncident,
    postmortems: [],
    incidentComments: [],
    requesterMayOpen: true,
    template: builtIn,
    ...overrides,
  });
  const comments = (steps: Step[]) =>
    steps.flatMap((step) =>
      step.kind === "createComment" || step.kind === "updateComment" ? [step.body] : [],
    );

  it("the held comment names an odd incident label exactly, mentioning only the declarer", () => {
    const event = labeledEvent(hostileIncident, EVENT_LABEL);
    const config = { ...defaultConfig, incidentLabels: [EVENT_LABEL] };
    const [body] = comments(
      planIncident({
        writers: appWriters,
        event,
        config,
        repository,
        state: state({
          incident: { ...hostileIncident, labels: [EVENT_LABEL] },
          declarerMayOpen: false,
        }),
      }),
    );
    expect(body).toBeDefined();
    expectReadable(body!, { shows: [EVENT_LABEL], mentions: ["@dave"] });
  });

  it("a template that cannot be rendered is named exactly", () => {
    const template = { name: ".github/post mortem | `x` *_.md", source: "Ask @outsider {{#if}}" };
    const problems = comments(
      planIncident({
        writers: appWriters,
        event: labeledEvent(hostileIncident),
        config: defaultConfig,
        repository,
        state: state({ template }),
      }),
    );
    expect(problems).toHaveLength(1);
    expectReadable(problems[0]!, { shows: [template.name] });
  });

  it("the note on a post-mortem closed as a duplicate", () => {
    const duplicate = {
      ...hostileIncident,
      number: 21,
      author: { login: "postmortem-bot[bot]", type: "Bot" },
    };
    const winner = { ...duplicate, number: 20 };
    const steps = planIncident({
      writers: appWriters,
      event: labeledEvent(hostileIncident),
      config: defaultConfig,
      repository,
      state: state({
        postmortems: [
          { ...winner, body: rendered(builtIn).body },
          { ...duplicate, body: rendered(builtIn).body },
        ],
      }),
    });
    const closed = steps.flatMap((step) => (step.kind === "closeIssue" ? [step.body ?? ""] : []));
    expect(closed).toHaveLength(1);
    expectReadable(closed[0]!, { shows: [renderGfm(PARAGRAPH).text], mentions: MEANT });
    const [link] = comments(steps);
    expectReadable(link!);
  });

  it("the refusal of /postmortem (no right, and a policy that says no)", () => {
    const refused = comments(
      planIncident({
        writers: appWriters,
        event: commandEvent(hostileIncident),
        config: defaultConfig,
        repository,
        state: state({ requesterMayOpen: false }),
      }),
    );
    expect(refused).toHaveLength(1);
    expectReadable(refused[0]!, { mentions: ["@carol"] });
    const off = comments(
      planIncident({
        writers: appWriters,
        event: commandEvent(hostileIncident),
        config: {
          ...defaultConfig,
          policy: { ...defaultConfig.policy, default: { postmortem: "off" } },
        },
        repository,
        state: state({ incident: { ...hostileIncident, labels: ["incident"] } }),
      }),
    );
    expect(off).toHaveLength(1);
    expectReadable(off[0]!, { mentions: ["@carol"] });
  });

  it("the form's problems and notes show the answers as written", () => {
    const brokenForm = parseFormDefinition("bad | `x`.yml", "name: [unclosed\n");
    const incident = { ...hostileIncident, body: formBody };
    const config = {
      ...defaultConfig,
      form: { ...defaultConfig.form, services: "no_such | `id`" },
    };
    const opened = planIncident({
      writers: appWriters,
      event: labeledEvent(incident),
      config,
      repository,
      state: state({ incident, forms: [form, brokenForm] }),
    });
    const problems = comments(opened);
    expect(problems).toHaveLength(1);
    expectReadable(problems[0]!, { shows: ["no_such | `id`", "bad | `x`.yml"] });

    const postmortem = {
      ...incident,
      number: 20,
      author: { login: "postmortem-bot[bot]", type: "Bot" },
    };
    const later = comments(
      planIncident({
        writers: appWriters,
        event: labeledEvent(incident),
        config,
        repository,
        state: state({
          incident,
          forms: [form],
          postmortems: [{ ...postmortem, body: rendered(builtIn, true).body }],
          postmortemComments: [],
        }),
      }),
    );
    expect(later.length).toBeGreaterThanOrEqual(2);
    for (const body of later)
      expectReadable(body, { shows: body.includes("left for you") ? [FORM_ANSWERS.start] : [] });
  });
});
