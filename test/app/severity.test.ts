// Severity is fixed when the post-mortem opens and afterwards only rises; it is lowered only by a
// severity-label change on the incident made by someone with approvals.forceClosePermission
// (default maintain), read from the incident's events. The App then records the lower level in
// the post-mortem's marker and checks its box to match.
import { describe, expect, it } from "vitest";
import { readPostmortemBody } from "../../src/core/capa/items.js";
import { parseConfig } from "../../src/core/config.js";
import { findMarker } from "../../src/core/markers.js";
import { approvalsFor, incidentSeverity } from "../../src/core/policy/resolve.js";
import { useFakeGitHub } from "../support/github-api.js";
import type { FakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import type { FakeIssue } from "../support/repo-state.js";
import { makeLabel, makeUser, webhook } from "../support/webhooks.js";
import {
  app,
  asPayloadIssue,
  BOT,
  CONFIG_READS,
  postmortemListing,
  OWNER,
  REPO,
  repositoryWithIncident,
  serveConfig,
} from "./harness.js";

const POLICY =
  "policy:\n  P1:\n    approvalsRequired: [techLead, product]\n  P3:\n    approvalsRequired: [techLead]\n";
const parsed = parseConfig({
  policy: {
    P1: { approvalsRequired: ["techLead", "product"] },
    P3: { approvalsRequired: ["techLead"] },
  },
});
if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
const config = parsed.config;

const boxes = (checked?: string) =>
  ["P1", "P2", "P3", "P4"]
    .map((level) => `- [${level === checked ? "x" : " "}] ${level}`)
    .join("\n");
const body = (severity: string, checked?: string) =>
  `# Post-Mortem Report\n\n## 9. Approvals & Final Notes\n- **Approved By (Tech Lead):**\n- **Approved By (Product/Business):**\n\n## 10. Incident Classification (Optional)\n${boxes(checked)}\n\n<!-- postmortem-bot:postmortem {"incident":1,"severity":"${severity}","gate":2} -->\n`;

/** The severity every consumer reads (gate, reminders, release gate, report), and its approvals. */
function severityOf(postmortem: FakeIssue, incident: FakeIssue) {
  const text = postmortem.body ?? "";
  const severity = incidentSeverity(
    {
      checked: readPostmortemBody(text).checkedSeverity,
      labels: incident.labels.map((label) => label.name),
      answered: findMarker(text, "postmortem")?.severity,
    },
    config,
  );
  return { severity, required: approvalsFor(config, severity).required };
}

function unlabeled(issue: FakeIssue, label: string, sender: string) {
  return webhook("issues.unlabeled")
    .repo(OWNER, REPO)
    .issue(asPayloadIssue(issue))
    .label(label)
    .sender(sender)
    .installation(1);
}

function labelEvent(event: "labeled" | "unlabeled", label: string, actor: string, at: string) {
  return {
    id: at.length,
    event,
    actor: makeUser(actor),
    label: { name: label, color: "b60205" },
    created_at: at,
  };
}

describe("lowering an incident's severity", () => {
  const api = useFakeGitHub();

  function setUp(api: FakeGitHub, events?: unknown[]) {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "P1"] });
    const postmortem = repo.addIssue({
      title: "Post-mortem: Checkout returns 500",
      body: body("P1", "P1"),
      labels: ["postmortem"],
      user: BOT,
    });
    serveConfig(api, { repo: POLICY });
    if (events) api.expect(`GET /repos/${OWNER}/${REPO}/issues/1/events`, { reply: [200, events] });
    // The change: P3 added, P1 removed.
    incident.labels = [
      ...incident.labels.filter((label) => label.name !== "P1"),
      makeLabel(OWNER, REPO, "P3"),
    ];
    return { repo, incident, postmortem };
  }

  it("a maintainer's P1 → P3 lowers it: the marker and the box say P3, and so do the approvals", async () => {
    const { repo, incident, postmortem } = setUp(api, [
      labelEvent("labeled", "P1", "alice", "2026-11-27T13:00:01Z"),
      labelEvent("labeled", "P3", "mia", "2026-11-27T13:10:00Z"),
      labelEvent("unlabeled", "P1", "mia", "2026-11-27T13:10:05Z"),
    ]);
    api.expect(`GET /repos/${OWNER}/${REPO}/collaborators/mia/permission`, {
      reply: [200, { permission: "write", role_name: "maintain", user: null }],
    });
    expect(severityOf(postmortem, incident)).toEqual({
      severity: "P1",
      required: ["techLead", "product"],
    });
    const { deliver } = await createTestProbot(app);

    await deliver(unlabeled(repo.issue(1)!, "P1", "mia"));

    const lowered = body("P3", "P3");
    expect(repo.issue(2)!.body).toBe(lowered);
    expect(severityOf(repo.issue(2)!, repo.issue(1)!)).toEqual({
      severity: "P3",
      required: ["techLead"],
    });
    const listing = postmortemListing();
    expect(api.requests).toEqual([
      CONFIG_READS[0],
      // The severity flow: the incident and its post-mortem, then (a lower level named) who
      // changed the severity labels last and their permission; the write and its check.
      { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/1` },
      listing,
      {
        method: "GET",
        path: `/repos/${OWNER}/${REPO}/issues/1/events`,
        query: { per_page: "100" },
      },
      { method: "GET", path: `/repos/${OWNER}/${REPO}/collaborators/mia/permission` },
      { method: "PATCH", path: `/repos/${OWNER}/${REPO}/issues/2`, body: { body: lowered } },
      { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/2` },
      // The timeline flow, as for any label change of an incident (its post-mortem has no timeline).
      { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/1` },
      listing,
      { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/2` },
    ]);
  });

  it("a triager's change lowers nothing: it still only rises", async () => {
    const { repo } = setUp(api, [
      labelEvent("labeled", "P1", "alice", "2026-11-27T13:00:01Z"),
      labelEvent("labeled", "P3", "tina", "2026-11-27T13:10:00Z"),
      labelEvent("unlabeled", "P1", "tina", "2026-11-27T13:10:05Z"),
    ]);
    api.expect(`GET /repos/${OWNER}/${REPO}/collaborators/tina/permission`, {
      reply: [200, { permission: "read", role_name: "triage", user: null }],
    });
    const { deliver } = await createTestProbot(app);

    await deliver(unlabeled(repo.issue(1)!, "P1", "tina"));

    expect(repo.issue(2)!.body).toBe(body("P1", "P1"));
    expect(severityOf(repo.issue(2)!, repo.issue(1)!).severity).toBe("P1");
    expect(api.requests.filter((request) => request.method !== "GET")).toEqual([]);
    expect(api.requests.slice(0, 5).map((request) => request.path)).toEqual([
      `/repos/${OWNER}/${REPO}/contents/.github%2Fpostmortem.yml`,
      `/repos/${OWNER}/${REPO}/issues/1`,
      `/repos/${OWNER}/${REPO}/issues`,
      `/repos/${OWNER}/${REPO}/issues/1/events`,
      `/repos/${OWNER}/${REPO}/collaborators/tina/permission`,
    ]);
  });

  it("a label that names no severity costs the severity flow no request", async () => {
    const { repo } = setUp(api);
    const { deliver } = await createTestProbot(app);
    // The first delivery reads (and caches) the configuration.
    await deliver(unlabeled(repo.issue(2)!, "bug", "tina"));
    const before = api.requests.length;

    await deliver(unlabeled(repo.issue(1)!, "needs-triage", "tina"));

    expect(api.requests.slice(before)).toEqual([]);
  });
});
