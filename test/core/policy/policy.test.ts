import { describe, expect, it } from "vitest";
import { builtInTemplate } from "../../../src/handlers/built-in-template.js";
import type { Config } from "../../../src/core/config.js";
import { defaultConfig, parseConfig } from "../../../src/core/config.js";
import { isTrigger } from "../../../src/core/incident/events.js";
import { planIncident } from "../../../src/core/incident/plan.js";
import {
  approvalsFor,
  incidentSeverity,
  severityPolicy,
} from "../../../src/core/policy/resolve.js";
import { reconcileCandidates } from "../../../src/core/reconcile/candidates.js";
import { reviewDeadline } from "../../../src/core/reminders/review.js";
import { renderedPostmortem } from "../capa/fixtures.js";
import {
  commandEvent,
  incidentIssue,
  labeledEvent,
  postmortemIssue,
  repository,
} from "../fixtures.js";
import { appWriters } from "../../support/writers.js";

function configOf(raw: unknown): Config {
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
}

describe("severityPolicy", () => {
  it("without `policy`, equals today's behaviour for every severity", () => {
    expect(severityPolicy(defaultConfig, "P1")).toEqual({
      severity: "P1",
      postmortem: "required",
      approvalsRequired: ["techLead", "product", "finalReviewDate", "ticket", "communicationSent"],
      capaDueDays: 14,
      reviewAfterDays: 3,
      releaseGate: true,
      capaEvidence: "none",
      culpritCheck: "neutral",
    });
    expect(severityPolicy(defaultConfig, undefined)).toMatchObject({
      severity: "default",
      capaDueDays: 30,
      reviewAfterDays: 7,
    });
    expect(severityPolicy(defaultConfig, "P4")).toMatchObject({
      capaDueDays: 90,
      reviewAfterDays: 0,
    });
  });

  it("a policy value wins over the older key for its severity; other severities keep the older key", () => {
    const config = configOf({
      capa: { dueDays: { P1: 10, P2: 20, P3: 40, P4: 80, default: 25 } },
      reminders: { reviewAfterDays: { P1: 2, P2: 4, P3: 8, P4: 0, default: 6 } },
      policy: { P1: { capaDueDays: 7, reviewAfterDays: 1 }, default: { capaDueDays: 15 } },
    });
    expect(severityPolicy(config, "P1")).toMatchObject({ capaDueDays: 7, reviewAfterDays: 1 });
    expect(severityPolicy(config, "P2")).toMatchObject({ capaDueDays: 20, reviewAfterDays: 4 });
    // `default` is the bucket of incidents without a severity, not a fallback for P1–P4.
    expect(severityPolicy(config, "P3")).toMatchObject({ capaDueDays: 40 });
    expect(severityPolicy(config, undefined)).toMatchObject({
      capaDueDays: 15,
      reviewAfterDays: 6,
    });
  });

  it("approvalsRequired replaces approvals.required for its severity only", () => {
    const config = configOf({ policy: { P4: { approvalsRequired: ["techLead", "ticket"] } } });
    expect(approvalsFor(config, "P4").required).toEqual(["techLead", "ticket"]);
    expect(approvalsFor(config, "P4").roles).toBe(config.approvals.roles);
    expect(approvalsFor(config, "P1")).toBe(config.approvals);
    expect(approvalsFor(config, undefined)).toBe(config.approvals);
  });
});

describe("incidentSeverity", () => {
  it("the most severe source counts: a checked box cannot lower a label; several labels → the most severe", () => {
    expect(incidentSeverity({ checked: "P3", labels: ["P1"] }, defaultConfig)).toBe("P1");
    expect(incidentSeverity({ checked: "P2", labels: ["P4"] }, defaultConfig)).toBe("P2");
    expect(incidentSeverity({ labels: ["sev4", "SEV2"] }, defaultConfig)).toBe("P2");
    expect(incidentSeverity({ labels: ["incident"] }, defaultConfig)).toBeUndefined();
    // An issue form's answer counts where no box is checked and no label names a severity.
    expect(incidentSeverity({ labels: ["incident"], answered: "P4" }, defaultConfig)).toBe("P4");
    expect(incidentSeverity({ labels: ["P2"], answered: "P4" }, defaultConfig)).toBe("P2");
  });
});

describe("policy validation (shown where users work)", () => {
  it("names the path of an unknown value, field and key", () => {
    const result = parseConfig({
      policy: {
        P1: { postmortem: "always", approvalsRequired: ["techLead", "ceo"] },
        P5: {},
        P4: { releaseGate: "no", capaDueDays: 0 },
      },
      releaseGate: { waiverLabel: "" },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      'policy.P1.postmortem: Invalid option: expected one of "required"|"on-request"|"off"',
      "policy.P4.capaDueDays: Too small: expected number to be >0",
      "policy.P4.releaseGate: Invalid input: expected boolean, received string",
      "policy: unknown key `P5`",
      "releaseGate.waiverLabel: Too small: expected string to have >=1 characters",
    ]);
    const fields = parseConfig({ policy: { P1: { approvalsRequired: ["techLead", "ceo"] } } });
    expect(!fields.ok && fields.problems).toEqual([
      "policy.P1.approvalsRequired[1]: `ceo` is neither a role (techLead, product) nor one of finalReviewDate, ticket, communicationSent",
    ]);
  });
});

describe("which events open a post-mortem", () => {
  const config = configOf({
    policy: { P3: { postmortem: "on-request" }, P4: { postmortem: "off" } },
  });
  const template = { name: "built-in", source: builtInTemplate() };
  const planFor = (event: ReturnType<typeof labeledEvent>, labels: string[]) =>
    planIncident({
      event,
      config,
      repository,
      writers: appWriters,
      state: {
        incident: incidentIssue({ labels }),
        postmortems: [],
        incidentComments: [],
        requesterMayOpen: true,
        template,
      },
    });

  it("required (the default, and for an incident without severity): the incident label", () => {
    expect(isTrigger(labeledEvent(incidentIssue({ labels: ["incident", "P1"] })), config)).toBe(
      true,
    );
    expect(isTrigger(labeledEvent(incidentIssue({ labels: ["incident"] })), config)).toBe(true);
    expect(planFor(labeledEvent(), ["incident", "P1"]).map((step) => step.kind)).toEqual([
      "ensureLabel",
      "createIssue",
    ]);
  });

  it("on-request: the label opens nothing, /postmortem does", () => {
    const issue = incidentIssue({ labels: ["incident", "P3"] });
    expect(isTrigger(labeledEvent(issue), config)).toBe(false);
    expect(isTrigger({ ...labeledEvent(issue), kind: "opened" } as never, config)).toBe(false);
    expect(planFor(labeledEvent(issue), issue.labels)).toEqual([]);
    expect(planFor(commandEvent(issue), issue.labels).map((step) => step.kind)).toEqual([
      "ensureLabel",
      "createIssue",
    ]);
  });

  it("off: nothing, and /postmortem is answered once with the reason", () => {
    const issue = incidentIssue({ labels: ["incident", "P4"] });
    expect(isTrigger(labeledEvent(issue), config)).toBe(false);
    expect(planFor(commandEvent(issue), issue.labels)).toEqual([
      {
        kind: "createComment",
        issueNumber: 12,
        body: '@carol, the severity policy says no post-mortem for this incident: `policy.P4` has `postmortem: off` in `.github/postmortem.yml`. Change the severity label or the policy to open one.\n\n<!-- postmortem-bot:refusal {"comment":555} -->',
      },
    ]);
  });

  it("a severity label that arrives after the incident label is decided on again", () => {
    // P4 first (off), then P1: the P1 label is the trigger, and P1 requires a post-mortem.
    const later = incidentIssue({ labels: ["incident", "P4", "P1"] });
    expect(isTrigger(labeledEvent(later, "P1"), config)).toBe(true);
    expect(planFor(labeledEvent(later, "P1"), later.labels).map((step) => step.kind)).toEqual([
      "ensureLabel",
      "createIssue",
    ]);
    // A P3 label later (on-request) is no trigger; nor is a severity label on an issue that is no incident.
    expect(
      isTrigger(labeledEvent(incidentIssue({ labels: ["incident", "P3"] }), "P3"), config),
    ).toBe(false);
    expect(isTrigger(labeledEvent(incidentIssue({ labels: ["P1"] }), "P1"), config)).toBe(false);
    // Other labels are still no trigger.
    expect(
      isTrigger(labeledEvent(incidentIssue({ labels: ["incident", "bug"] }), "bug"), config),
    ).toBe(false);
  });
});

describe("review deadline by policy", () => {
  it("uses the severity's reviewAfterDays from policy over reminders.reviewAfterDays", () => {
    const config = configOf({ policy: { default: { reviewAfterDays: 2 } } });
    const incident = incidentIssue({ state: "closed", closedAt: "2026-11-20T10:00:00Z" });
    const postmortem = postmortemIssue(20, { body: renderedPostmortem() });
    expect(reviewDeadline(postmortem, incident, config)?.toISOString()).toBe(
      "2026-11-22T10:00:00.000Z",
    );
    expect(reviewDeadline(postmortem, incident, defaultConfig)?.toISOString()).toBe(
      "2026-11-27T10:00:00.000Z",
    );
  });
});

describe("reconcile sweep", () => {
  it("offers only incidents whose severity requires a post-mortem", () => {
    const config = configOf({
      policy: { P3: { postmortem: "on-request" }, P4: { postmortem: "off" } },
    });
    const incidents = [
      incidentIssue({ number: 1, labels: ["incident", "P1"] }),
      incidentIssue({ number: 3, labels: ["incident", "P3"] }),
      incidentIssue({ number: 4, labels: ["incident", "P4"] }),
      incidentIssue({ number: 5, labels: ["incident"] }),
    ];
    expect(
      reconcileCandidates(incidents, [], config, appWriters).incidents.map((issue) => issue.number),
    ).toEqual([1, 5]);
  });
});
