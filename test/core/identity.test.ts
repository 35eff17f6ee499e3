import { describe, expect, it } from "vitest";
import { defaultConfig, parseConfig } from "../../src/core/config.js";
import {
  isAdopted,
  isIncident,
  isOpenedPostmortem,
  isPostmortem,
  isTrackedPostmortem,
} from "../../src/core/identity.js";
import { formatMarker } from "../../src/core/markers.js";
import { bot, comment, incidentIssue } from "./fixtures.js";

const marker = formatMarker("postmortem", { incident: 12 });
const person = { login: "alice", type: "User" };

describe("what is a post-mortem, and what an incident", () => {
  it("a bot's issue with the marker is a post-mortem with or without its label", () => {
    const opened = incidentIssue({
      number: 40,
      author: bot,
      labels: [],
      body: `${marker}\nReport`,
    });
    expect(isOpenedPostmortem(opened)).toBe(true);
    expect(isPostmortem(opened, defaultConfig)).toBe(true);
    expect(isTrackedPostmortem(opened, [])).toBe(true);
    // Labeled `incident` too, it is still no incident: nobody gets a post-mortem of a post-mortem.
    expect(isIncident({ ...opened, labels: ["incident"] }, defaultConfig)).toBe(false);
  });

  it("a marker a person typed proves nothing until the App's own comment adopts the issue", () => {
    const typed = incidentIssue({ number: 41, author: person, labels: [], body: marker });
    expect(isOpenedPostmortem(typed)).toBe(false);
    expect(isPostmortem(typed, defaultConfig)).toBe(false);
    expect(isTrackedPostmortem(typed, [])).toBe(false);
    const adoption = comment(900, formatMarker("adopted", { issue: 41 }));
    const forged = comment(901, formatMarker("adopted", { issue: 41 }), person);
    expect(isAdopted(typed, [forged])).toBe(false);
    expect(isTrackedPostmortem(typed, [forged])).toBe(false);
    expect(isAdopted(typed, [adoption])).toBe(true);
    expect(isTrackedPostmortem(typed, [adoption])).toBe(true);
    // Adopted elsewhere: the comment names another issue.
    expect(isAdopted(typed, [comment(902, formatMarker("adopted", { issue: 42 }))])).toBe(false);
  });

  it("the configured post-mortem labels make an issue a post-mortem for the gate, in any case", () => {
    const custom = parseConfig({ postmortemLabels: ["retro", "pm"] });
    if (!custom.ok) throw new Error(custom.problems.join("; "));
    const labeled = incidentIssue({ labels: ["incident", "Retro"] });
    expect(isPostmortem(labeled, custom.config)).toBe(true);
    expect(isIncident(labeled, custom.config)).toBe(false);
    expect(isPostmortem(labeled, defaultConfig)).toBe(false);
    expect(isIncident(labeled, defaultConfig)).toBe(true);
  });

  it("a pull request or an issue without an incident label is no incident", () => {
    expect(isIncident(incidentIssue(), defaultConfig)).toBe(true);
    expect(isIncident(incidentIssue({ isPullRequest: true }), defaultConfig)).toBe(false);
    expect(isIncident(incidentIssue({ labels: ["bug"] }), defaultConfig)).toBe(false);
  });
});
