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
import { writersOf, wroteIt } from "../../src/core/trust/writers.js";
import { actionWriters, APP_SLUG, appWriters } from "../support/writers.js";

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
    expect(isOpenedPostmortem(opened, appWriters)).toBe(true);
    expect(isPostmortem(opened, defaultConfig, appWriters)).toBe(true);
    expect(isTrackedPostmortem(opened, [], appWriters)).toBe(true);
    // Labeled `incident` too, it is still no incident: nobody gets a post-mortem of a post-mortem.
    expect(isIncident({ ...opened, labels: ["incident"] }, defaultConfig, appWriters)).toBe(false);
  });

  it("a marker a person typed proves nothing until the App's own comment adopts the issue", () => {
    const typed = incidentIssue({ number: 41, author: person, labels: [], body: marker });
    expect(isOpenedPostmortem(typed, appWriters)).toBe(false);
    expect(isPostmortem(typed, defaultConfig, appWriters)).toBe(false);
    expect(isTrackedPostmortem(typed, [], appWriters)).toBe(false);
    const adoption = comment(900, formatMarker("adopted", { issue: 41 }));
    const forged = comment(901, formatMarker("adopted", { issue: 41 }), person);
    expect(isAdopted(typed, [forged], appWriters)).toBe(false);
    expect(isTrackedPostmortem(typed, [forged], appWriters)).toBe(false);
    expect(isAdopted(typed, [adoption], appWriters)).toBe(true);
    expect(isTrackedPostmortem(typed, [adoption], appWriters)).toBe(true);
    // Adopted elsewhere: the comment names another issue.
    expect(
      isAdopted(typed, [comment(902, formatMarker("adopted", { issue: 42 }))], appWriters),
    ).toBe(false);
  });

  it("the configured post-mortem labels make an issue a post-mortem for the gate, in any case", () => {
    const custom = parseConfig({ postmortemLabels: ["retro", "pm"] });
    if (!custom.ok) throw new Error(custom.problems.join("; "));
    const labeled = incidentIssue({ labels: ["incident", "Retro"] });
    expect(isPostmortem(labeled, custom.config, appWriters)).toBe(true);
    expect(isIncident(labeled, custom.config, appWriters)).toBe(false);
    expect(isPostmortem(labeled, defaultConfig, appWriters)).toBe(false);
    expect(isIncident(labeled, defaultConfig, appWriters)).toBe(true);
  });

  it("a pull request or an issue without an incident label is no incident", () => {
    expect(isIncident(incidentIssue(), defaultConfig, appWriters)).toBe(true);
    expect(isIncident(incidentIssue({ isPullRequest: true }), defaultConfig, appWriters)).toBe(
      false,
    );
    expect(isIncident(incidentIssue({ labels: ["bug"] }), defaultConfig, appWriters)).toBe(false);
  });
});

describe("whose post-mortem it is: only the product's writers count (src/core/trust/writers.ts)", () => {
  const configOf = (raw: unknown) => {
    const parsed = parseConfig(raw);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    return parsed.config;
  };
  const openedBy = (login: string) =>
    incidentIssue({ number: 40, author: { login, type: "Bot" }, labels: [], body: marker });

  it("another App's bot, or a workflow's, writing the marker makes no post-mortem for the App", () => {
    for (const login of ["other-app[bot]", "github-actions[bot]"]) {
      const forged = openedBy(login);
      expect(isOpenedPostmortem(forged, appWriters), login).toBe(false);
      expect(isPostmortem(forged, defaultConfig, appWriters), login).toBe(false);
      expect(isTrackedPostmortem(forged, [], appWriters), login).toBe(false);
      expect(isIncident({ ...forged, labels: ["incident"] }, defaultConfig, appWriters)).toBe(true);
    }
    expect(isOpenedPostmortem(openedBy("postmortem-bot[bot]"), appWriters)).toBe(true);
    // GitHub's logins are case-insensitive.
    expect(isOpenedPostmortem(openedBy("Postmortem-Bot[bot]"), appWriters)).toBe(true);
  });

  it("github-actions[bot] writes the flows' markers only under `flows.runIn: action`", () => {
    const byAction = openedBy("github-actions[bot]");
    const inAction = configOf({ flows: { runIn: "action" } });
    for (const frontDoor of ["app", "action"] as const) {
      const writers = writersOf(inAction, frontDoor, frontDoor === "app" ? APP_SLUG : undefined);
      expect(isOpenedPostmortem(byAction, writers), frontDoor).toBe(true);
      expect(isOpenedPostmortem(openedBy("other-app[bot]"), writers), frontDoor).toBe(false);
    }
    expect(isOpenedPostmortem(byAction, writersOf(defaultConfig, "action"))).toBe(false);
  });

  it("the Action knows the App by `identity.app`, and its own token's App by `identity.action`", () => {
    const byApp = openedBy("postmortem-bot[bot]");
    expect(isOpenedPostmortem(byApp, writersOf(defaultConfig, "action"))).toBe(false);
    const named = configOf({ identity: { app: "postmortem-bot" } });
    expect(isOpenedPostmortem(byApp, writersOf(named, "action"))).toBe(true);
    // The App goes by the slug it learnt from GitHub, not by the file.
    const wrong = configOf({ identity: { app: "someone-else" } });
    expect(isOpenedPostmortem(byApp, writersOf(wrong, "app", APP_SLUG))).toBe(true);
    expect(
      isOpenedPostmortem(openedBy("someone-else[bot]"), writersOf(wrong, "app", APP_SLUG)),
    ).toBe(false);
    const ownToken = configOf({ flows: { runIn: "action" }, identity: { action: "acme-ci[bot]" } });
    expect(isOpenedPostmortem(openedBy("acme-ci[bot]"), writersOf(ownToken, "action"))).toBe(true);
    expect(isOpenedPostmortem(openedBy("github-actions[bot]"), writersOf(ownToken, "action"))).toBe(
      false,
    );
  });

  it("an adoption comment counts only from a writer of the flows", () => {
    const typed = incidentIssue({ number: 41, author: person, labels: [], body: marker });
    const adoptedBy = (login: string) =>
      comment(900, formatMarker("adopted", { issue: 41 }), { login, type: "Bot" });
    expect(isAdopted(typed, [adoptedBy("other-app[bot]")], appWriters)).toBe(false);
    expect(isAdopted(typed, [adoptedBy("github-actions[bot]")], appWriters)).toBe(false);
    expect(isAdopted(typed, [adoptedBy("postmortem-bot[bot]")], appWriters)).toBe(true);
    const inAction = writersOf(configOf({ flows: { runIn: "action" } }), "app", APP_SLUG);
    expect(isAdopted(typed, [adoptedBy("github-actions[bot]")], inAction)).toBe(true);
  });

  it("the gate's comments: github-actions[bot] only where the Action enforces the gate", () => {
    const gateComment = { login: "github-actions[bot]", type: "Bot" };
    expect(wroteIt(gateComment, "gate", writersOf(defaultConfig, "app", APP_SLUG))).toBe(true);
    const inApp = configOf({ gate: { enforceInApp: true } });
    expect(wroteIt(gateComment, "gate", writersOf(inApp, "app", APP_SLUG))).toBe(false);
    expect(wroteIt(gateComment, "gate", writersOf(inApp, "action"))).toBe(false);
    expect(wroteIt({ login: "other-app[bot]", type: "Bot" }, "gate", appWriters)).toBe(false);
    // A person named like a bot is no bot.
    expect(wroteIt({ login: "postmortem-bot[bot]", type: "User" }, "flows", appWriters)).toBe(
      false,
    );
  });
});

describe("the tests' writers", () => {
  it("are what writersOf gives under the default configuration", () => {
    expect(writersOf(defaultConfig, "app", APP_SLUG)).toEqual(appWriters);
    expect(writersOf(defaultConfig, "action", APP_SLUG)).toEqual(actionWriters);
  });
});
