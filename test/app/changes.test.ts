import { describe, expect, it } from "vitest";
import { DEPLOYMENTS_QUERY } from "../../src/github/changes-gateway.js";
import type { FakeGitHub } from "../support/github-api.js";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import type { FakeDeployment, FakeRepo } from "../support/repo-state.js";
import {
  app,
  BOT,
  closedPullsListing,
  commented,
  CONFIG_READS,
  expectOnePostmortem,
  incidentCommentsRead,
  labeled,
  postmortemListing,
  repositoryWithIncident,
  serveConfig,
  stateReads,
} from "./harness.js";

const sha = (name: string) => name.padEnd(40, "0");

/**
 * Deployments to production around incident #1 (opened 2026-11-27 13:00:01 UTC, its Start):
 * v1.2 (25th, before any window), v1.3 (26th 08:00, before the 24 h window, the base of the
 * first one in it), a failed one, release/1.4 (27th 09:00), main (27th 12:30), one after Start,
 * and one to staging.
 */
function deployments(): FakeDeployment[] {
  const deployment = (
    id: number,
    at: string,
    ref: string,
    commit: string,
    state = "SUCCESS",
    environment = "production",
  ): FakeDeployment => ({
    id,
    createdAt: at,
    environment,
    ref,
    sha: sha(commit),
    creator: "carol",
    status: { state, createdAt: at },
  });
  return [
    deployment(300, "2026-11-25T20:00:00Z", "v1.2", "c0"),
    deployment(301, "2026-11-26T08:00:00Z", "v1.3", "c1"),
    deployment(302, "2026-11-27T08:00:00Z", "broken", "cx", "FAILURE"),
    deployment(303, "2026-11-27T09:00:00Z", "release/1.4", "c2"),
    deployment(304, "2026-11-27T12:30:00Z", "main", "c3"),
    deployment(305, "2026-11-27T14:00:00Z", "hotfix", "c4"),
    deployment(306, "2026-11-27T12:45:00Z", "main", "c3", "SUCCESS", "staging"),
  ];
}

function withChanges(repo: FakeRepo) {
  repo.deployments.push(...deployments());
  repo.compares.set(`${sha("c2")}...${sha("c3")}`, [sha("m42"), sha("plain")]);
  repo.compares.set(`${sha("c1")}...${sha("c2")}`, [sha("m41")]);
  repo.compares.set(`${sha("c0")}...${sha("c1")}`, [sha("m40")]);
  const pull = (number: number, title: string, mergedAt: string | null, merge: string | null) => ({
    number,
    title,
    user: "dave",
    merged_at: mergedAt,
    merge_commit_sha: merge === null ? null : sha(merge),
    base: "master",
  });
  repo.pulls.push(
    pull(40, "Older change", "2026-11-25T18:00:00Z", "m40"),
    pull(41, "Cache the cart", "2026-11-26T20:00:00Z", "m41"),
    pull(42, "Checkout: new | tax <b>rules</b> @acme/everyone", "2026-11-27T12:00:00Z", "m42"),
    pull(43, "Merged after the deployment", "2026-11-27T12:50:00Z", "m43"),
    pull(44, "Closed unmerged", null, null),
  );
}

const graphqlDeployments = {
  method: "POST",
  path: "/graphql",
  body: {
    query: DEPLOYMENTS_QUERY,
    variables: { owner: "acme", name: "web", environments: ["production"], first: 50 },
  },
};
const compare = (base: string, head: string) => ({
  method: "GET",
  path: `/repos/acme/web/compare/${sha(base)}...${sha(head)}`,
  query: { per_page: "100" },
});

const ROW_RELEASE = "| 2026-11-27 09:00 UTC | Deployed `release/1.4` to `production` by @carol |";
const ROW_MAIN = "| 2026-11-27 12:30 UTC | Deployed `main` to `production` by @carol |";
const ROW_V13 = "| 2026-11-26 08:00 UTC | Deployed `v1.3` to `production` by @carol |";

describe("opening a post-mortem with the Changes before the incident", () => {
  const api = useFakeGitHub();

  it("reads deployments once (GraphQL), one compare per pair and one PR listing, and creates the post-mortem with the block and its Deployed rows", async () => {
    const { repo, incident } = repositoryWithIncident(api, {
      labels: ["incident", "env:production"],
    });
    withChanges(repo);
    serveConfig(api);
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const postmortem = expectOnePostmortem(repo);
    const added = [
      graphqlDeployments,
      compare("c2", "c3"),
      compare("c1", "c2"),
      closedPullsListing(),
    ];
    expect(api.requests).toEqual([
      ...CONFIG_READS,
      ...stateReads(),
      // The block's reads, before the first write: 4 requests (at most 1 + 5 + 1 = 7).
      ...added,
      {
        method: "POST",
        path: "/repos/acme/web/labels",
        body: expect.objectContaining({ name: "postmortem" }),
      },
      {
        method: "POST",
        path: "/repos/acme/web/issues",
        body: expect.objectContaining({ body: postmortem.body }),
      },
      postmortemListing(),
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/comments",
        body: expect.objectContaining({}),
      },
      incidentCommentsRead(),
    ]);
    const body = postmortem.body;
    expect(body).toContain(
      [
        "<!-- postmortem-bot:changes:start -->",
        "**Changes before the incident**",
        "",
        "Successful deployments to `production` between 2026-11-26 13:00 UTC and 2026-11-27 13:00 UTC (Start), newest first:",
        "",
        "- **2026-11-27 12:30 UTC**: `main` at `c300000` by @carol",
        "  - #42 Checkout: new \\| tax \\<b\\>rules\\</b\\> `@acme/everyone` (`@dave`, merged 2026-11-27 12:00 UTC)",
        "- **2026-11-27 09:00 UTC**: `release/1.4` at `c200000` by @carol",
        "  - #41 Cache the cart (`@dave`, merged 2026-11-26 20:00 UTC)",
        "",
        "<!-- postmortem-bot:changes:end -->",
      ].join("\n"),
    );
    // In section 4, after the table; the ten sections stay ten.
    expect(body.indexOf("<!-- postmortem-bot:changes:start -->")).toBeGreaterThan(
      body.indexOf("## 4. Timeline of Events"),
    );
    expect(body.indexOf("<!-- postmortem-bot:changes:end -->")).toBeLessThan(
      body.indexOf("## 5. "),
    );
    expect(body.match(/^## \d+\. /gm)).toHaveLength(10);
    // The Deployed rows, in time order before the incident's own rows, in the timeline marker.
    expect(body).toContain(
      `|---------------------------------------------|\n${ROW_RELEASE}\n${ROW_MAIN}\n| 2026-11-27 13:00 UTC | Incident issue #1 opened by @alice |`,
    );
    expect(body).toMatch(/<!-- postmortem-bot:timeline \{"rows":\["[0-9a-f]{12}","[0-9a-f]{12}"\]/);
  });

  it("opens the post-mortem all the same when the deployments cannot be read, and says so", async () => {
    const { repo, incident } = repositoryWithIncident(api, {
      labels: ["incident", "env:production"],
    });
    withChanges(repo);
    serveConfig(api);
    api.expect("POST /graphql", {
      reply: [403, { message: "Resource not accessible by integration" }],
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const body = expectOnePostmortem(repo).body;
    expect(body).toContain(
      "⚠️ The deployments could not be read (403: the token may lack the deployments or pull requests permission).",
    );
    // No deployments, so the pull requests merged into the default branch in the window.
    expect(body).toContain("Pull requests merged into the default branch between");
    expect(body).toContain("- #43 Merged after the deployment");
    expect(api.requests.filter((request) => request.path.includes("/compare/"))).toEqual([]);
  });
});

async function withPostmortem(api: FakeGitHub) {
  const { repo, incident } = repositoryWithIncident(api, {
    labels: ["incident", "env:production"],
  });
  withChanges(repo);
  serveConfig(api);
  const probot = await createTestProbot(app);
  await probot.deliver(labeled(incident));
  const postmortem = repo.issue(expectOnePostmortem(repo).number)!;
  expect(postmortem.number).toBe(2);
  let mark = api.requests.length;
  return {
    repo,
    incident,
    postmortem,
    requestsSince: () => {
      const since = api.requests.slice(mark);
      mark = api.requests.length;
      return since;
    },
    ...probot,
  };
}

const permissions = (api: FakeGitHub, role: string, times = 1) =>
  api.expect("GET /repos/acme/web/collaborators/{username}/permission", {
    times,
    reply: [200, { permission: role === "triage" ? "read" : role, role_name: role, user: null }],
  });
const reaction = (api: FakeGitHub, comment = 7001, times = 1) =>
  api.expect(`POST /repos/acme/web/issues/comments/${comment}/reactions`, {
    times,
    body: { content: "+1" },
    reply: [201, {}],
  });

const READ_POSTMORTEM = { method: "GET", path: "/repos/acme/web/issues/2" };
const READ_INCIDENT = { method: "GET", path: "/repos/acme/web/issues/1" };
const permissionRead = (login: string) => ({
  method: "GET",
  path: `/repos/acme/web/collaborators/${login}/permission`,
});

describe("/changes [since]", () => {
  const api = useFakeGitHub();

  it("a triager's `/changes 40h` replaces only the block, adds the new Deployed row, reacts; a redelivery writes nothing", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    // A person's edit elsewhere stays.
    postmortem.body = postmortem.body!.replace("- Action 1:", "- Action 1: rolled back");
    const before = postmortem.body;
    permissions(api, "triage", 2);
    reaction(api, 7001, 2);
    const event = commented(postmortem, "/changes 40h", "carol");
    event.edit((payload) => {
      payload.issue.user = { ...payload.issue.user, login: BOT, type: "Bot" };
    });

    await deliver(event, "delivery-changes");

    expect(requestsSince()).toEqual([
      READ_POSTMORTEM,
      permissionRead("carol"),
      READ_INCIDENT,
      graphqlDeployments,
      compare("c2", "c3"),
      compare("c1", "c2"),
      compare("c0", "c1"),
      closedPullsListing(),
      { method: "PATCH", path: "/repos/acme/web/issues/2", body: { body: repo.issue(2)!.body } },
      READ_POSTMORTEM,
      {
        method: "POST",
        path: "/repos/acme/web/issues/comments/7001/reactions",
        body: { content: "+1" },
      },
    ]);
    const after = repo.issue(2)!.body!;
    expect(after).toContain("between 2026-11-25 21:00 UTC and 2026-11-27 13:00 UTC (Start)");
    expect(after).toContain(
      "- **2026-11-26 08:00 UTC**: `v1.3` at `c100000` by @carol\n  - #40 Older change",
    );
    expect(after).toContain(`${ROW_V13}\n${ROW_RELEASE}\n${ROW_MAIN}\n`);
    expect(after).toContain("- Action 1: rolled back");
    // Outside the block and the new row, nothing changed.
    const outside = (body: string) =>
      body
        .replace(
          /<!-- postmortem-bot:changes:start -->[\s\S]*<!-- postmortem-bot:changes:end -->/,
          "",
        )
        .replace(`${ROW_V13}\n`, "")
        .replace(/<!-- postmortem-bot:timeline .*-->/, "");
    expect(outside(after)).toBe(outside(before));

    await deliver(event, "delivery-changes");
    expect(requestsSince().filter((request) => request.method === "PATCH")).toEqual([]);
  });

  it("keeps a Deployed row a person deleted deleted, and puts back a deleted block at the end of the Timeline section", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    const body = postmortem.body!;
    const start = body.indexOf("<!-- postmortem-bot:changes:start -->");
    const end =
      body.indexOf("<!-- postmortem-bot:changes:end -->") +
      "<!-- postmortem-bot:changes:end -->".length;
    postmortem.body = (body.slice(0, start) + body.slice(end)).replace(`${ROW_MAIN}\n`, "");
    permissions(api, "triage");
    reaction(api);
    const event = commented(postmortem, "/changes", "carol");
    event.edit((payload) => {
      payload.issue.user = { ...payload.issue.user, login: BOT, type: "Bot" };
    });

    await deliver(event);

    const after = repo.issue(2)!.body!;
    expect(after).not.toContain(ROW_MAIN);
    expect(after).toContain(ROW_RELEASE);
    expect(after).toMatch(
      /\| Incident issue #1 opened by @alice \|\n\| 2026-11-27 13:07 UTC \| Labeled incident by @dave \|\n\n<!-- postmortem-bot:changes:start -->[\s\S]*<!-- postmortem-bot:changes:end -->\n\n---\n\n## 5\./,
    );
  });

  it("refuses a reader once, whatever they repeat, and changes nothing", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    const before = repo.issue(2)!.body;
    permissions(api, "read", 2);
    const asBot = (event: ReturnType<typeof commented>) =>
      event.edit((payload) => {
        payload.issue.user = { ...payload.issue.user, login: BOT, type: "Bot" };
      });

    await deliver(asBot(commented(postmortem, "/changes", "mallory", 7001)));
    await deliver(asBot(commented(postmortem, "/changes 1h", "mallory", 7002)));

    const requests = requestsSince();
    expect(requests).toEqual([
      READ_POSTMORTEM,
      permissionRead("mallory"),
      { method: "GET", path: "/repos/acme/web/issues/2/comments", query: { per_page: "100" } },
      {
        method: "POST",
        path: "/repos/acme/web/issues/2/comments",
        body: {
          body: '@mallory, `/changes` needs triage access or more to this repository, so the changes were not read again.\n\n<!-- postmortem-bot:changes-reply {"comment":7001,"person":"mallory"} -->',
        },
      },
      READ_POSTMORTEM,
      permissionRead("mallory"),
      { method: "GET", path: "/repos/acme/web/issues/2/comments", query: { per_page: "100" } },
    ]);
    expect(repo.issue(2)!.body).toBe(before);
  });

  it("answers a malformed `since` once, also under redelivery", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    permissions(api, "triage", 2);
    const event = commented(postmortem, "/changes last tuesday", "carol").edit((payload) => {
      payload.issue.user = { ...payload.issue.user, login: BOT, type: "Bot" };
    });

    await deliver(event, "delivery-malformed");
    await deliver(event, "delivery-malformed");

    const writes = requestsSince().filter((request) => request.method !== "GET");
    expect(writes).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/2/comments",
        body: {
          body: expect.stringContaining(
            "@carol, I could not read that `/changes` command. Write `/changes`, `/changes 48h`",
          ),
        },
      },
    ]);
    expect(repo.comments.get(2)).toHaveLength(1);
  });
});
