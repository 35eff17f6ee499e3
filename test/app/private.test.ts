// Private post-mortems through the App (deliveries in-process, GitHub faked with nock): the
// target's installation is looked up with the App's JWT, and the post-mortem is written there with
// that installation's token; the public incident gets the one neutral comment.
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "../support/github-api.js";
import type { FakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import { FakeRepo } from "../support/repo-state.js";
import {
  app,
  CONFIG_READS,
  INCIDENT_OPENED_AT,
  NOW,
  incidentCommentsRead,
  labeled,
  postmortemListing,
  repositoryWithIncident,
  serveConfig,
} from "./harness.js";

const SOURCE_CONFIG =
  "private:\n  repository: acme/web-security\n  when:\n    labels: [security]\n";
const TARGET_INSTALLATION = 7;

/** The private repository: installed (its own installation) or not. */
function privateRepository(api: FakeGitHub, installed = true) {
  const target = new FakeRepo("acme", "web-security", { now: NOW });
  api.expect("GET /repos/acme/web-security/installation", {
    persist: true,
    reply: installed
      ? [200, { id: TARGET_INSTALLATION, account: { login: "acme" } }]
      : [404, { message: "Not Found" }],
  });
  if (!installed) return target;
  target.serve(api);
  api.expect("GET /repos/acme/web-security", {
    persist: true,
    reply: [
      200,
      {
        name: "web-security",
        full_name: "acme/web-security",
        owner: { login: "acme" },
        private: true,
        visibility: "private",
        default_branch: "main",
      },
    ],
  });
  api.expect("GET /repos/acme/web-security/contents/{path}", {
    persist: true,
    reply: [
      200,
      "postmortemLabels: [security-postmortem]\n",
      { "content-type": "application/vnd.github.raw+json; charset=utf-8" },
    ],
  });
  return target;
}

const targetListing = {
  method: "GET",
  path: "/repos/acme/web-security/issues",
  query: {
    labels: "security-postmortem",
    state: "all",
    sort: "created",
    direction: "asc",
    per_page: "100",
    since: INCIDENT_OPENED_AT,
  },
};

describe("a security incident's post-mortem opens in the private repository", () => {
  const api = useFakeGitHub();

  it("through the target's installation, under its configuration; one neutral comment in public", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "security"] });
    serveConfig(api, { repo: SOURCE_CONFIG });
    const target = privateRepository(api);
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const [postmortem, ...others] = target.listIssues({ state: "all" });
    expect(others).toEqual([]);
    expect(postmortem!.body).toContain(
      '<!-- postmortem-bot:postmortem {"source":{"repository":"acme/web","incident":1},"gate":2} -->',
    );
    expect(repo.listIssues({ state: "all" }).map((issue) => issue.number)).toEqual([1]);
    const notice =
      '🔒 The post-mortem of this incident is kept privately, with the people who follow it up.\n\n<!-- postmortem-bot:private {"incident":1} -->';
    expect(api.requests).toEqual([
      CONFIG_READS[0],
      { method: "GET", path: "/repos/acme/web/issues/1" },
      incidentCommentsRead(),
      postmortemListing(),
      // The App's JWT finds the installation on the target; its token reads and writes there.
      { method: "GET", path: "/repos/acme/web-security/installation" },
      { method: "GET", path: "/repos/acme/web-security" },
      { method: "GET", path: "/repos/acme/web-security/contents/.github%2Fpostmortem.yml" },
      targetListing,
      {
        method: "POST",
        path: "/repos/acme/web-security/labels",
        body: {
          name: "security-postmortem",
          color: "5319e7",
          description: "Post-mortem report (opened by postmortem-bot)",
        },
      },
      {
        method: "POST",
        path: "/repos/acme/web-security/issues",
        body: {
          title: "Post-mortem: Checkout returns 500",
          body: postmortem!.body,
          labels: ["security-postmortem"],
          assignees: ["bob"],
        },
      },
      targetListing,
      { method: "POST", path: "/repos/acme/web/issues/1/comments", body: { body: notice } },
      { method: "GET", path: "/repos/acme/web/issues/1" },
      incidentCommentsRead(),
    ]);
    // The installation lookup with the App's JWT; the writes there with the target's own token.
    const authOf = (method: string, path: string) =>
      api.log.find((entry) => entry.method === method && entry.path === path)?.headers
        .authorization;
    expect(authOf("GET", "/repos/acme/web-security/installation")).toMatch(/^bearer eyJ/i);
    expect(authOf("POST", "/repos/acme/web-security/issues")).toBe(
      `token ghs_fake_installation_token_${TARGET_INSTALLATION}`,
    );
    expect(authOf("POST", "/repos/acme/web/issues/1/comments")).toBe(
      "token ghs_fake_installation_token_1",
    );
  });

  it("not installed there: one comment says what to fix, nothing is opened anywhere", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "security"] });
    serveConfig(api, { repo: SOURCE_CONFIG });
    privateRepository(api, false);
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expect(repo.listIssues({ state: "all" }).map((issue) => issue.number)).toEqual([1]);
    const writes = api.requests.filter((request) => request.method !== "GET");
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: "POST", path: "/repos/acme/web/issues/1/comments" });
    const body = (writes[0] as { body: { body: string } }).body.body;
    expect(body).toContain("install the App on that repository too");
    expect(body).not.toContain("web-security");
  });
});
