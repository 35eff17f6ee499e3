// Templates per severity and per label (`policy.<severity>.template`, `templates.byLabel`) in the
// running App: which template a post-mortem opens from, and a chosen template that is missing.
import { describe, expect, it } from "vitest";
import { shippedTemplate } from "../../src/handlers/built-in-template.js";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import {
  closedPullsListing,
  expectOnePostmortem,
  incidentCommentsRead,
  labeled,
  postmortemListing,
  postmortemsIn,
  repositoryWithIncident,
  serveConfig,
  stateReads,
  app,
} from "./harness.js";

const REPO_CONFIG = { method: "GET", path: "/repos/acme/web/contents/.github%2Fpostmortem.yml" };
const CREATE_LABEL = {
  method: "POST",
  path: "/repos/acme/web/labels",
  body: {
    name: "postmortem",
    color: "5319e7",
    description: "Post-mortem report (opened by postmortem-bot)",
  },
};
const LINK_COMMENT = '📝 Post-mortem opened: #2\n\n<!-- postmortem-bot:link {"postmortem":2} -->';
const CONFIG = [
  "template: .github/postmortem.md",
  "policy:",
  "  P4:",
  "    template: builtin:p4",
  "templates:",
  "  byLabel:",
  "    Security: builtin:security",
  "",
].join("\n");

/** Every request of opening a post-mortem from a shipped template: no template file is read. */
function openingRequests(body: string) {
  return [
    REPO_CONFIG,
    ...stateReads(),
    closedPullsListing(),
    CREATE_LABEL,
    {
      method: "POST",
      path: "/repos/acme/web/issues",
      body: {
        title: "Post-mortem: Checkout returns 500",
        body,
        labels: ["postmortem"],
        assignees: ["bob"],
      },
    },
    postmortemListing(),
    { method: "POST", path: "/repos/acme/web/issues/1/comments", body: { body: LINK_COMMENT } },
    incidentCommentsRead(),
  ];
}

describe("templates per severity and per label", () => {
  const api = useFakeGitHub();

  it("a P4 incident opens from `policy.P4.template` (the shipped short one), not `template`", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "P4"] });
    serveConfig(api, { repo: CONFIG });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const postmortem = expectOnePostmortem(repo);
    expect(api.requests).toEqual(openingRequests(postmortem.body));
    expect(postmortem.body.startsWith("# Post-Mortem Report (Short Form, P4)\n")).toBe(true);
    expect(postmortem.body).toContain("- [x] P4 - Minor Outage");
    expect(postmortem.body).not.toContain("### C. Customer Engagement/Communication");
  });

  it("a `security`-labeled P4 incident opens from `templates.byLabel` (any case), which wins", async () => {
    const { repo, incident } = repositoryWithIncident(api, {
      labels: ["incident", "P4", "security"],
    });
    serveConfig(api, { repo: CONFIG });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const postmortem = expectOnePostmortem(repo);
    expect(api.requests).toEqual(openingRequests(postmortem.body));
    expect(
      postmortem.body.startsWith(
        "# Post-Mortem Report & Corrective Action Checklist (Security Incident)\n",
      ),
    ).toBe(true);
    expect(postmortem.body).toContain("- [ ] Rotate every exposed credential, key and token\n");
    expect(postmortem.body).toContain("- [x] Security Incident");
    expect(shippedTemplate("security").name).toBe("templates/postmortem-security.md.hbs");
  });

  it("a severity without its own template still opens from `template`, read from the default branch", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "P1"] });
    serveConfig(api, {
      repo: CONFIG,
      extra: { ".github/postmortem.md": "# Review of {{incident.reference}}\n" },
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expect(expectOnePostmortem(repo).body).toBe(
      '# Review of #1\n\n<!-- postmortem-bot:postmortem {"incident":1,"severity":"P1","gate":2} -->\n',
    );
    expect(api.requests.slice(0, 6)).toEqual([
      REPO_CONFIG,
      ...stateReads(),
      {
        method: "GET",
        path: "/repos/acme/web/contents/.github%2Fpostmortem.md",
        query: { ref: "master" },
      },
      closedPullsListing(),
    ]);
  });

  it("a chosen template that is missing: one comment naming its key, nothing opened", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "P4"] });
    serveConfig(api, {
      repo: "template: .github/postmortem.md\npolicy:\n  P4:\n    template: .github/p4.md\n",
      extra: { ".github/postmortem.md": "# Review of {{incident.reference}}\n" },
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expect(api.requests).toEqual([
      REPO_CONFIG,
      ...stateReads(),
      {
        method: "GET",
        path: "/repos/acme/web/contents/.github%2Fp4.md",
        query: { ref: "master" },
      },
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/comments",
        body: { body: expect.any(String) },
      },
      incidentCommentsRead(),
    ]);
    const comment = api.requests.find((request) => request.method === "POST")!;
    expect((comment.body as { body: string }).body).toContain(
      "The template `.github/p4.md` (configured as `policy.P4.template`) was not found on branch `master`.",
    );
    expect(postmortemsIn(repo)).toEqual([]);
    expect(repo.labels.has("postmortem")).toBe(false);
  });

  it("a chosen template that does not render: reported with its file and line, nothing opened", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "Security"] });
    serveConfig(api, {
      repo: "templates:\n  byLabel:\n    security: .github/security.md\n",
      extra: { ".github/security.md": "# PM\n\n{{#if incident}}\nunclosed\n" },
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const writes = api.requests.filter((request) => request.method !== "GET");
    expect(writes).toHaveLength(1);
    expect((writes[0]!.body as { body: string }).body).toMatch(
      /`\.github\/security\.md`: Parse error on line \d+/,
    );
    expect(postmortemsIn(repo)).toEqual([]);
  });
});
