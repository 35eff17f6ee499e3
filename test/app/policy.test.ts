// The severity policy (`policy:` in .github/postmortem.yml) in the running App: which incidents
// get a post-mortem on their label, which only on `/postmortem`, which never, and a severity label
// that arrives after the incident label.
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import {
  app,
  CONFIG_READS,
  commented,
  expectOnePostmortem,
  labeled,
  postmortemsIn,
  repositoryWithIncident,
  serveConfig,
  stateReads,
} from "./harness.js";

const POLICY = [
  "policy:",
  "  P3:",
  "    postmortem: on-request",
  "  P4:",
  "    postmortem: off",
  "",
].join("\n");
const REPO_CONFIG = [{ method: "GET", path: "/repos/acme/web/contents/.github%2Fpostmortem.yml" }];
const writes = <T extends { method: string }>(requests: T[]) =>
  requests.filter((request) => request.method !== "GET");

describe("severity policy in the App", () => {
  const api = useFakeGitHub();
  const permission = (role: string, permission: string) =>
    api.expect("GET /repos/acme/web/collaborators/{username}/permission", {
      reply: [200, { permission, role_name: role, user: null }],
    });

  it("required (P1): the incident label opens the post-mortem, with the P1 box checked", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "P1"] });
    serveConfig(api, { repo: POLICY });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expect(expectOnePostmortem(repo).body).toContain("- [x] P1 - Critical Outage");
  });

  it("on-request (P3): the label reads only the configuration; /postmortem opens it", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "P3"] });
    serveConfig(api, { repo: POLICY });
    permission("triage", "read");
    api.expect("POST /repos/acme/web/issues/comments/7001/reactions", {
      body: { content: "+1" },
      reply: [201, {}],
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));
    expect(api.requests).toEqual(REPO_CONFIG);
    expect(postmortemsIn(repo)).toEqual([]);

    await deliver(commented(incident, "/postmortem", "carol"));
    const postmortem = expectOnePostmortem(repo);
    expect(postmortem.body).toContain("- [x] P3 - Medium Outage");
    expect(writes(api.requests).map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /repos/acme/web/labels",
      "POST /repos/acme/web/issues",
      "POST /repos/acme/web/issues/1/comments",
      "POST /repos/acme/web/issues/comments/7001/reactions",
    ]);
  });

  it("off (P4): the label opens nothing; /postmortem is answered once with the reason, never opened", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "P4"] });
    serveConfig(api, { repo: POLICY });
    permission("write", "write");
    permission("write", "write");
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));
    const command = commented(incident, "/postmortem", "carol");
    await deliver(command, "d-1");
    await deliver(command, "d-1");

    expect(postmortemsIn(repo)).toEqual([]);
    expect(writes(api.requests)).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/comments",
        body: {
          body: '@carol, the severity policy says no post-mortem for this incident: `policy.P4` has `postmortem: off` in `.github/postmortem.yml`. Change the severity label or the policy to open one.\n\n<!-- postmortem-bot:refusal {"comment":7001} -->',
        },
      },
    ]);
  });

  it("a P1 label added after the incident label (P4: off) opens the post-mortem P1 requires", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "P4"] });
    serveConfig(api, { repo: POLICY });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));
    expect(postmortemsIn(repo)).toEqual([]);

    // Someone raises the severity: GitHub sends `labeled` for P1, with every label in the payload.
    incident.labels.push({ ...incident.labels[1]!, id: 99_001, name: "P1" });
    const before = api.requests.length;
    await deliver(labeled(incident, "P1"));

    const postmortem = expectOnePostmortem(repo);
    expect(postmortem.body).toContain("- [x] P1 - Critical Outage");
    expect(api.requests.slice(before, before + 3)).toEqual(stateReads());
    // A redelivery, or a further severity label, opens nothing more.
    await deliver(labeled(incident, "P1"));
    expect(postmortemsIn(repo)).toHaveLength(1);
  });

  it("without a policy, every severity opens a post-mortem on the label (today's behaviour)", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "P4"] });
    serveConfig(api);
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expect(api.requests.slice(0, 2)).toEqual(CONFIG_READS);
    expect(expectOnePostmortem(repo).body).toContain("- [x] P4 - Minor Outage");
  });
});
