import {
  DEFAULT_OVERDUE_MESSAGE,
  DEFAULT_REVIEW_MESSAGE,
} from "../../src/core/reminders/config.js";
import { describe, expect, it } from "vitest";
import { defaultConfig, incidentLabelsOfBrokenConfig, parseConfig } from "../../src/core/config.js";

describe("parseConfig", () => {
  it("fills every default for an empty file", () => {
    expect(parseConfig(null)).toEqual({ ok: true, config: defaultConfig });
    expect(defaultConfig).toEqual({
      incidentLabels: ["incident"],
      postmortemLabels: ["postmortem"],
      severityLabels: {
        P1: ["P1", "sev1"],
        P2: ["P2", "sev2"],
        P3: ["P3", "sev3"],
        P4: ["P4", "sev4"],
      },
      classificationLabels: {
        security: ["security"],
        dataLoss: ["data-loss"],
        thirdParty: ["third-party"],
      },
      environmentLabelPrefix: "env:",
      evidence: { labels: { awaitingShip: "capa:awaiting-ship", noEvidence: "capa:no-evidence" } },
      changes: { lookback: "24h", watchDays: 180, repeatOverlap: 0 },
      timezone: "UTC",
      titleTemplate: "Post-mortem: {{incident.title}}",
      templates: { byLabel: {} },
      // openedBy is left out: it follows the repository's visibility.
      incidents: { unconfirmedLabel: "unconfirmed" },
      notify: { receivers: {}, routes: [], messages: {} },
      form: {},
      capa: {
        labels: ["capa"],
        categoryLabels: {},
        titlePrefix: "CAPA: ",
        defaultOwners: "postmortem-assignees",
        teamAssignees: {},
        dueDays: { P1: 14, P2: 30, P3: 60, P4: 90, default: 30 },
        maxChildrenPerEdit: 20,
        servicePaths: {},
      },
      reminders: {
        every: 7,
        reviewAfterDays: { P1: 3, P2: 5, P3: 10, P4: 0, default: 7 },
        messages: { overdue: DEFAULT_OVERDUE_MESSAGE, review: DEFAULT_REVIEW_MESSAGE },
      },
      approvals: {
        required: ["techLead", "product", "finalReviewDate", "ticket", "communicationSent"],
        roles: {
          techLead: {
            field: "Approved By (Tech Lead)",
            aliases: ["tech lead", "tech-lead", "tl"],
            users: [],
            teams: [],
          },
          product: {
            field: "Approved By (Product/Business)",
            aliases: ["product", "business"],
            users: [],
            teams: [],
          },
        },
        distinctApprovers: true,
        forceCloseLabel: "postmortem:force-close",
        forceClosePermission: "maintain",
      },
      gate: { enforceInApp: false },
      files: { paths: ["docs/postmortems/**/*.md"] },
      flows: { runIn: "app" },
      identity: { action: "github-actions" },
      policy: {},
      releaseGate: { waiverLabel: "postmortem:waive-release-gate" },
      acceptsFrom: [],
    });
  });

  it("rejects unknown keys, naming them", () => {
    expect(parseConfig({ incidentLabel: ["x"] })).toEqual({
      ok: false,
      problems: ["(top level): unknown key `incidentLabel`"],
    });
    expect(parseConfig({ severityLabels: { P1: [], P2: [], P3: [], P4: [], P5: [] } })).toEqual({
      ok: false,
      problems: ["severityLabels: unknown key `P5`"],
    });
  });

  it("names the path of a wrong type", () => {
    const result = parseConfig({ incidentLabels: ["ok", 3] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      "incidentLabels[1]: Invalid input: expected string, received number",
    ]);
  });

  it("rejects an unknown time zone", () => {
    const result = parseConfig({ timezone: "Mars/Olympus" });
    expect(!result.ok && result.problems[0]).toMatch(/^timezone: not an IANA time zone/);
    expect(parseConfig({ timezone: "Europe/Berlin" }).ok).toBe(true);
  });

  it("guesses incident labels from a broken file only where they are readable", () => {
    expect(incidentLabelsOfBrokenConfig({ incidentLabels: ["outage", 4], timezone: 3 })).toEqual([
      "outage",
    ]);
    expect(incidentLabelsOfBrokenConfig("garbage")).toEqual(["incident"]);
  });
});
