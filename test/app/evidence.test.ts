// The evidence flow (issue #19) in the App: merged pull requests, reverts, closes, deployments and
// `/evidence`, against nock, every request asserted.
import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { ApprovalGateway } from "../../src/github/approval-gateway.js";
import { reconcileRepository } from "../../src/handlers/reconcile-handler.js";
import type { FakeGitHub } from "../support/github-api.js";
import type { FakeIssue, FakeRepo } from "../support/repo-state.js";
import { webhook } from "../support/webhooks.js";
import { formatMarker } from "../../src/core/markers.js";
import { useFakeGitHub } from "../support/github-api.js";
import { asPayloadIssue, BOT, commented, NOW, OWNER, REPO } from "./harness.js";
import { personEdits, VALIDATION, withPostmortem } from "./capa-harness.js";

const SEVERITIES = ["P1", "P2", "P3", "P4", "default"];
/** Every severity asks the same, so no post-mortem is read to know what. */
const policy = (kind: string, environment?: string) =>
  `policy:\n${SEVERITIES.map((key) => `  ${key}:\n    capaEvidence: ${kind}`).join("\n")}\n` +
  (environment ? `evidence:\n  environment: ${environment}\n` : "");

const SHA41 = "4".repeat(40);
const MERGED_AT = "2026-11-27T12:30:00Z";
const ROW = "| Add automated validation checks (CI/CD gates) (#3) | @carol | 2026-12-15 |";

/** An incident, its post-mortem (#2) and one CAPA child (#3) the App opened for carol. */
async function withChild(api: FakeGitHub, config?: string, roles: Record<string, string> = {}) {
  const setup = await withPostmortem(api, [], { maria: "maintain", ...roles }, config);
  await setup.deliver(
    personEdits(setup.repo, 2, (body) =>
      body.replace(
        VALIDATION,
        "- [x] Add automated validation checks (CI/CD gates) @carol due 2026-12-15",
      ),
    ),
  );
  const child = setup.repo.issue(3)!;
  expect(child.user.login).toBe(BOT);
  let mark = api.requests.length;
  return {
    ...setup,
    child,
    /** The requests since the child was opened, or since the last call of `reset`. */
    since: () => api.requests.slice(mark),
    reset: () => {
      mark = api.requests.length;
    },
    row: () => (setup.repo.issue(2)!.body ?? "").split("\n").find((line) => line.startsWith(ROW)),
  };
}

const methodPaths = (requests: { method: string; path: string }[]) =>
  requests.map((request) => `${request.method} ${request.path}`);

function merged(
  number: number,
  options: { sha?: string; title?: string; body?: string; at?: string } = {},
) {
  return webhook("pull_request.closed")
    .repo(OWNER, REPO)
    .sender("carol")
    .installation(1)
    .edit((payload) => {
      payload.number = number;
      Object.assign(payload.pull_request, {
        number,
        node_id: `PR_node${number}`,
        html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
        title: options.title ?? "Validate checkout config in CI",
        body: options.body ?? "Fixes #3",
        merged: true,
        merged_at: options.at ?? MERGED_AT,
        merge_commit_sha: options.sha ?? SHA41,
        state: "closed",
        closed_at: options.at ?? MERGED_AT,
      });
    });
}

function closedChild(repo: FakeRepo, child: FakeIssue, sender = "carol") {
  child.state = "closed";
  child.state_reason = "completed";
  child.closed_at = "2026-11-27T13:30:00Z";
  repo.issue(child.number)!.state = "closed";
  return webhook("issues.closed")
    .repo(OWNER, REPO)
    .issue({ ...asPayloadIssue(child), state: "closed", state_reason: "completed" })
    .sender(sender)
    .installation(1)
    .edit((payload) => {
      payload.issue.user = { ...payload.issue.user, login: BOT, type: "Bot" };
    });
}

function deployed(id: number, sha: string, environment = "production") {
  return webhook("deployment_status.created")
    .repo(OWNER, REPO)
    .sender("deployer")
    .installation(1)
    .edit((payload) => {
      Object.assign(payload.deployment, { id, sha, environment });
      Object.assign(payload.deployment_status, {
        state: "success",
        environment,
        created_at: "2026-11-27T14:00:00Z",
        target_url: `https://deploy.example.com/${id}`,
        log_url: `https://deploy.example.com/${id}/log`,
      });
    });
}

interface GraphqlBody {
  query: string;
  variables: { id: string };
}

/** The issues a pull request closes, asked once per expected call. */
function expectClosingIssues(api: FakeGitHub, pr: number, issues: number[], times = 1) {
  api.expect("POST /graphql", {
    name: `closingIssuesReferences of #${pr}`,
    times,
    body: (body: unknown) =>
      (body as GraphqlBody).query.includes("closingIssuesReferences") &&
      (body as GraphqlBody).variables.id === `PR_node${pr}`,
    reply: [
      200,
      {
        data: {
          node: {
            closingIssuesReferences: {
              nodes: issues.map((number) => ({
                number,
                id: `I_node${number}`,
                databaseId: number,
                repository: { nameWithOwner: `${OWNER}/${REPO}` },
              })),
            },
          },
        },
      },
    ],
  });
}

/** The pull requests that close an issue (merged ones by number), asked once per expected call. */
function expectClosedBy(api: FakeGitHub, issue: FakeIssue, prs: number[], times = 1) {
  api.expect("POST /graphql", {
    name: `closedByPullRequestsReferences of #${issue.number}`,
    times,
    body: (body: unknown) =>
      (body as GraphqlBody).query.includes("closedByPullRequestsReferences") &&
      (body as GraphqlBody).variables.id === issue.node_id,
    reply: [
      200,
      {
        data: {
          node: {
            closedByPullRequestsReferences: {
              nodes: prs.map((number) => ({
                number,
                url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
                merged: true,
                mergedAt: MERGED_AT,
                mergeCommit: { oid: SHA41 },
                repository: { nameWithOwner: `${OWNER}/${REPO}` },
              })),
            },
          },
        },
      },
    ],
  });
}

/** What the App's reconcile sweep hands the handlers, with an installation token's Octokit. */
function sweepDeps() {
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const octokit = new Octokit({
    auth: "ghs_test",
    request: { retries: 0 },
    log: { ...quiet, debug: () => {} },
  });
  return {
    gateway: new ApprovalGateway(octokit, { owner: OWNER, repo: REPO, defaultBranch: "main" }),
    clock: () => NOW,
    log: quiet,
    frontDoor: "app" as const,
    appSlug: "postmortem-bot",
  };
}

const evidenceComments = (repo: FakeRepo, issue: number) =>
  (repo.comments.get(issue) ?? []).filter((comment) => comment.body.includes(":evidence "));

describe("a merged pull request", () => {
  const api = useFakeGitHub();

  it("is recorded on the child it closes, then shown as Merged once the child is closed", async () => {
    const { repo, child, deliver, since, reset, row } = await withChild(api, policy("merged"));
    expectClosingIssues(api, 41, [3]);

    await deliver(merged(41));

    // A config read from the cache, one GraphQL question, the child read, written, read again;
    // the row of an open child says Open whatever its evidence, so the post-mortem is not read.
    expect(methodPaths(since())).toEqual([
      "POST /graphql",
      "GET /repos/acme/web/issues/3",
      "PATCH /repos/acme/web/issues/3",
      "GET /repos/acme/web/issues/3",
    ]);
    expect(since()[0]!.body).toEqual({
      query: expect.stringContaining("closingIssuesReferences(first: 25)") as string,
      variables: { id: "PR_node41" },
    });
    const body = repo.issue(3)!.body!;
    expect(body).toContain(
      "not be done.\n\nFixed by #41 (merged 2026-11-27)\n\n<!-- postmortem-bot:capa ",
    );
    expect(body).toContain(
      formatMarker("capa", {
        parent: 2,
        key: JSON.parse(/"key":("[^"]+")/.exec(body)![1]!) as string,
        evidence: {
          merged: [
            { pr: 41, url: "https://github.com/acme/web/pull/41", at: MERGED_AT, sha: SHA41 },
          ],
        },
      }),
    );
    expect(row()).toBe(`${ROW} Open |`);

    reset();
    expectClosedBy(api, child, [41]);
    await deliver(closedChild(repo, child));
    expect(row()).toBe(`${ROW} Merged |`);
    // Nothing more on the child: the fix was already recorded; no comment, no label.
    expect(methodPaths(since()).filter((line) => line.includes("/issues/3"))).toEqual([
      "GET /repos/acme/web/issues/3",
    ]);
    expect(evidenceComments(repo, 3)).toEqual([]);
  });

  it("redelivered, changes nothing more", async () => {
    const { repo, deliver, since, reset } = await withChild(api, policy("merged"));
    expectClosingIssues(api, 41, [3], 2);
    await deliver(merged(41));
    const body = repo.issue(3)!.body;
    reset();
    await deliver(merged(41));
    expect(methodPaths(since())).toEqual(["POST /graphql", "GET /repos/acme/web/issues/3"]);
    expect(repo.issue(3)!.body).toBe(body);
  });

  it("ignores an issue with a CAPA marker that another bot wrote", async () => {
    const { repo, deliver, since } = await withChild(api, policy("merged"));
    const forged = repo.addIssue({
      title: "CAPA: forged",
      body: `Forged.\n\n${formatMarker("capa", { parent: 2, key: "forged" })}\n`,
      labels: ["capa"],
      user: "other-bot[bot]",
    });
    forged.user.type = "Bot";
    expectClosingIssues(api, 41, [forged.number]);
    const before = forged.body;

    await deliver(merged(41));

    expect(methodPaths(since())).toEqual([
      "POST /graphql",
      `GET /repos/acme/web/issues/${forged.number}`,
    ]);
    expect(repo.issue(forged.number)!.body).toBe(before);
  });
});

describe("a child closed as completed", () => {
  const api = useFakeGitHub();

  it("without the evidence its policy asks: Closed, no evidence, a label and one comment, redelivered or not", async () => {
    const { repo, child, deliver, since, row } = await withChild(api, policy("merged"));
    expectClosedBy(api, child, [], 2);
    const event = closedChild(repo, child);

    await deliver(event);

    expect(row()).toBe(`${ROW} Closed, no evidence |`);
    expect(repo.issue(3)!.state).toBe("closed");
    expect(repo.issue(3)!.labels.map((label) => label.name)).toContain("capa:no-evidence");
    const comments = evidenceComments(repo, 3);
    expect(comments.map((comment) => comment.body)).toEqual([
      "@carol: this corrective action was closed as completed without the evidence its severity's policy asks for (`capaEvidence: merged`): a merged pull request that fixes it. It is shown as “Closed, no evidence” and still counts as open; nothing was reopened. Link the pull request that fixes it (`Fixes #3` in its description, or the issue's Development sidebar); once it is merged, the post-mortem shows it. Evidence that is not code can be recorded by someone with maintain permission or more with `/evidence <link or text>` here.\n\n" +
        formatMarker("evidence", { issue: 3, key: "missing" }),
    ]);
    const childWrites = since().filter(
      (request) => request.method !== "GET" && request.path.includes("/issues/3"),
    );
    expect(childWrites.map((request) => [request.method, request.path, request.body])).toEqual([
      ["POST", "/repos/acme/web/issues/3/labels", { labels: ["capa:no-evidence"] }],
      ["POST", "/repos/acme/web/issues/3/comments", { body: comments[0]!.body }],
    ]);

    await deliver(event);
    expect(evidenceComments(repo, 3)).toHaveLength(1);
    expect(row()).toBe(`${ROW} Closed, no evidence |`);
  });

  it("delivered twice at once: one comment, one label; reopened: the label goes, Open again", async () => {
    const { repo, child, deliver, row } = await withChild(api, policy("merged"));
    expectClosedBy(api, child, [], 2);
    const event = closedChild(repo, child);

    await Promise.all([deliver(event), deliver(event)]);

    expect(evidenceComments(repo, 3)).toHaveLength(1);
    expect(row()).toBe(`${ROW} Closed, no evidence |`);

    repo.issue(3)!.state = "open";
    repo.issue(3)!.state_reason = "reopened";
    await deliver(
      webhook("issues.reopened")
        .repo(OWNER, REPO)
        .issue({ ...asPayloadIssue(repo.issue(3)!), state: "open" })
        .sender("carol")
        .installation(1)
        .edit((payload) => {
          Object.assign(payload.issue.user!, { login: BOT, type: "Bot" });
        }),
    );
    expect(repo.issue(3)!.labels.map((label) => label.name)).not.toContain("capa:no-evidence");
    expect(row()).toBe(`${ROW} Open |`);
    expect(evidenceComments(repo, 3)).toHaveLength(1);
  });

  it("closed by a merged pull request (the Development sidebar): the fix recorded, shown as Merged", async () => {
    const { repo, child, deliver, row } = await withChild(api, policy("merged"));
    expectClosedBy(api, child, [41]);

    await deliver(closedChild(repo, child));

    expect(repo.issue(3)!.body).toContain("Fixed by #41 (merged 2026-11-27)");
    expect(row()).toBe(`${ROW} Merged |`);
    expect(evidenceComments(repo, 3)).toEqual([]);
  });

  it("where GraphQL cannot say which pull requests close it: nothing recorded or said", async () => {
    const { repo, child, deliver, since } = await withChild(api, policy("merged"));
    api.expect("POST /graphql", {
      body: (body: unknown) =>
        (body as GraphqlBody).query.includes("closedByPullRequestsReferences"),
      reply: [
        200,
        {
          errors: [
            { message: "Field 'closedByPullRequestsReferences' doesn't exist on type 'Issue'" },
          ],
        },
      ],
    });

    await deliver(closedChild(repo, child));

    expect(since().filter((r) => r.method !== "GET" && r.path.includes("/issues/3"))).toEqual([]);
    expect(evidenceComments(repo, 3)).toEqual([]);
  });

  it("under capaEvidence none (the default) stays Done, and shows a fix it finds", async () => {
    const { repo, child, deliver, row, since } = await withChild(api);
    expectClosedBy(api, child, []);
    await deliver(closedChild(repo, child));
    expect(row()).toBe(`${ROW} Done |`);
    expect(since().filter((r) => r.method !== "GET" && r.path.includes("/issues/3"))).toEqual([]);
    expect(evidenceComments(repo, 3)).toEqual([]);
  });

  it("under capaEvidence none with a merged fix: Done · merged #41", async () => {
    const { repo, child, deliver, row } = await withChild(api);
    expectClosedBy(api, child, [41]);
    await deliver(closedChild(repo, child));
    expect(row()).toBe(`${ROW} Done · merged #41 |`);
  });
});

describe("a revert", () => {
  const api = useFakeGitHub();

  it("takes the fix back with one comment: Closed, no evidence", async () => {
    const { repo, child, deliver, since, reset, row } = await withChild(api, policy("merged"));
    expectClosingIssues(api, 41, [3], 3);
    await deliver(merged(41));
    expectClosedBy(api, child, [41]);
    await deliver(closedChild(repo, child));
    expect(row()).toBe(`${ROW} Merged |`);

    reset();
    api.expect("GET /repos/acme/web/pulls/41", {
      times: 2,
      reply: [
        200,
        {
          number: 41,
          node_id: "PR_node41",
          html_url: "https://github.com/acme/web/pull/41",
          merged: true,
          merged_at: MERGED_AT,
          merge_commit_sha: SHA41,
        },
      ],
    });
    const revert = merged(45, {
      sha: "5".repeat(40),
      title: 'Revert "Validate checkout config in CI"',
      body: "Reverts acme/web#41",
    });
    await deliver(revert);

    expect(methodPaths(since()).slice(0, 7)).toEqual([
      "GET /repos/acme/web/pulls/41",
      "POST /graphql",
      "GET /repos/acme/web/issues/3",
      "GET /repos/acme/web/issues/3/comments",
      "PATCH /repos/acme/web/issues/3",
      "POST /repos/acme/web/issues/3/labels",
      "POST /repos/acme/web/issues/3/comments",
    ]);
    expect(row()).toBe(`${ROW} Closed, no evidence |`);
    expect(repo.issue(3)!.body).toContain("Taken back: #41 (reverted by #45)");
    expect(repo.issue(3)!.body).not.toContain("Fixed by");
    const comments = evidenceComments(repo, 3);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(
      "@carol: #41 was reverted by #45, so it no longer counts as evidence that this corrective action is done. This corrective action now shows as “Closed, no evidence”.",
    );

    // Redelivered, and the original merge redelivered after it: nothing more.
    await deliver(revert);
    await deliver(merged(41));
    expect(evidenceComments(repo, 3)).toHaveLength(1);
    expect(row()).toBe(`${ROW} Closed, no evidence |`);
  });
});

describe("a successful deployment", () => {
  const api = useFakeGitHub();
  const DEPLOYED = "d".repeat(40);
  const OLDER = "0".repeat(40);

  function expectCompare(head: string, status: string) {
    api.expect(`GET /repos/acme/web/compare/${SHA41}...${head}`, {
      query: { per_page: "1" },
      reply: [200, { status, ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files: [] }],
    });
  }

  it("ships a merged child once its commit contains the fix; an older one does not count", async () => {
    const setup = await withChild(api, policy("shipped", "production"));
    const { repo, child, deliver, since, reset, row } = setup;
    expectClosingIssues(api, 41, [3]);
    await deliver(merged(41));
    expectClosedBy(api, child, [41]);
    await deliver(closedChild(repo, child));
    expect(row()).toBe(`${ROW} Merged |`);
    expect(repo.issue(3)!.labels.map((label) => label.name)).toContain("capa:awaiting-ship");

    // An older commit: GitHub says the fix is ahead of it.
    reset();
    expectCompare(OLDER, "behind");
    await deliver(deployed(76, OLDER));
    expect(methodPaths(since())).toEqual([
      "GET /repos/acme/web/issues",
      `GET /repos/acme/web/compare/${SHA41}...${OLDER}`,
    ]);
    expect(since()[0]!.query).toEqual({
      labels: "capa:awaiting-ship",
      state: "all",
      per_page: "100",
    });
    expect(row()).toBe(`${ROW} Merged |`);

    reset();
    expectCompare(DEPLOYED, "ahead");
    await deliver(deployed(77, DEPLOYED));
    expect(methodPaths(since()).slice(0, 5)).toEqual([
      "GET /repos/acme/web/issues",
      `GET /repos/acme/web/compare/${SHA41}...${DEPLOYED}`,
      "PATCH /repos/acme/web/issues/3",
      "DELETE /repos/acme/web/issues/3/labels/capa%3Aawaiting-ship",
      "GET /repos/acme/web/issues/3",
    ]);
    expect(row()).toBe(`${ROW} Shipped 2026-11-27 |`);
    expect(repo.issue(3)!.body).toContain(
      "Shipped to production 2026-11-27: [deployment 77](https://deploy.example.com/77/log) of #41",
    );

    // Redelivered: the child is no longer waiting, so only the listing.
    reset();
    await deliver(deployed(77, DEPLOYED));
    expect(methodPaths(since())).toEqual(["GET /repos/acme/web/issues"]);
  });

  it("to another environment costs no request; to the configured one, one listing", async () => {
    const { deliver, since } = await withChild(api, policy("shipped", "production"));
    await deliver(deployed(78, DEPLOYED, "staging"));
    expect(since()).toEqual([]);
    // To the configured one: the listing of the children awaiting it (none here).
    await deliver(deployed(79, DEPLOYED, "production"));
    expect(methodPaths(since())).toEqual(["GET /repos/acme/web/issues"]);
  });
});

describe("/evidence on a child", () => {
  const api = useFakeGitHub();

  it("from someone without forceClosePermission: refused once per person, nothing recorded", async () => {
    const { repo, child, deliver, row } = await withChild(api, policy("merged"), {
      eve: "write",
    });
    expectClosedBy(api, child, []);
    await deliver(closedChild(repo, child));
    const body = repo.issue(3)!.body;

    await deliver(commented(child, "/evidence trust me", "eve", 7001));
    await deliver(commented(child, "/evidence really", "eve", 7002));

    const refusals = evidenceComments(repo, 3).filter((c) => c.body.includes("refusal:eve"));
    expect(refusals.map((comment) => comment.body)).toEqual([
      "`@eve`: only people with maintain permission or more (`approvals.forceClosePermission`) can record evidence with `/evidence`, so nothing was recorded. Ask a maintainer, or link the pull request that fixes this corrective action.\n\n" +
        formatMarker("evidence", { issue: 3, key: "refusal:eve" }),
    ]);
    expect(repo.issue(3)!.body).toBe(body);
    expect(row()).toBe(`${ROW} Closed, no evidence |`);
  });

  it("from a maintainer: recorded, and the row says who", async () => {
    const { repo, child, deliver, row } = await withChild(api, policy("merged"));
    expectClosedBy(api, child, []);
    await deliver(closedChild(repo, child));

    await deliver(
      commented(
        child,
        "/evidence Runbook updated: https://wiki.example.com/checkout",
        "maria",
        7003,
      ).edit((payload) => {
        payload.comment.created_at = "2026-11-27T14:10:00Z";
      }),
    );

    expect(repo.issue(3)!.body).toContain(
      "Evidence (manual): Runbook updated: https://wiki.example.com/checkout (recorded by @maria on 2026-11-27)",
    );
    expect(row()).toBe(`${ROW} Done (manual evidence by @maria) |`);
    expect(repo.issue(3)!.labels.map((label) => label.name)).not.toContain("capa:no-evidence");
  });
});

describe("the reconcile sweep", () => {
  const api = useFakeGitHub();

  it("catches up a child whose close the App missed: label, one comment, its row", async () => {
    const { repo, child, row, since, reset } = await withChild(api, policy("merged"));
    // Closed while the App was down: no delivery.
    child.state = "closed";
    child.state_reason = "completed";
    expectClosedBy(api, child, [], 1);
    const deps = sweepDeps();
    const lookBack = new Date("2026-11-26T13:00:00Z");
    reset();

    const counts = await reconcileRepository(deps, lookBack);

    expect(counts).toMatchObject({ evidenceChecked: 1 });
    expect(row()).toBe(`${ROW} Closed, no evidence |`);
    expect(evidenceComments(repo, 3)).toHaveLength(1);
    const capaListing = since().filter(
      (request) => request.path === "/repos/acme/web/issues" && request.query?.labels === "capa",
    );
    expect(capaListing[0]!.query).toEqual({
      labels: "capa",
      state: "all",
      sort: "created",
      direction: "asc",
      per_page: "100",
      since: "2026-11-26T13:00:00.000Z",
    });

    // The next sweep: the child carries the no-evidence label, so it is not handled again.
    reset();
    await reconcileRepository(deps, lookBack);
    expect(since().filter((request) => request.path === "/graphql")).toEqual([]);
    expect(evidenceComments(repo, 3)).toHaveLength(1);
  });

  it("ships awaiting children from the newest successful deployment, whose event never came", async () => {
    const DEPLOYED = "d".repeat(40);
    const FAILED = "f".repeat(40);
    const setup = await withChild(api, policy("shipped", "production"));
    const { repo, child, deliver, row, since, reset } = setup;
    expectClosingIssues(api, 41, [3]);
    await deliver(merged(41));
    expectClosedBy(api, child, [41]);
    await deliver(closedChild(repo, child));
    expect(row()).toBe(`${ROW} Merged |`);
    const deps = sweepDeps();
    // Newest first: one that failed, then the one that succeeded.
    api.expect("GET /repos/acme/web/deployments", {
      query: { environment: "production", per_page: "10" },
      reply: [
        200,
        [
          { id: 78, sha: FAILED, environment: "production" },
          { id: 77, sha: DEPLOYED, environment: "production" },
        ],
      ],
    });
    api.expect("GET /repos/acme/web/deployments/78/statuses", {
      query: { per_page: "1" },
      reply: [
        200,
        [{ state: "failure", environment: "production", created_at: NOW.toISOString() }],
      ],
    });
    api.expect("GET /repos/acme/web/deployments/77/statuses", {
      query: { per_page: "1" },
      reply: [
        200,
        [
          {
            state: "success",
            environment: "production",
            created_at: "2026-11-27T14:00:00Z",
            target_url: "https://deploy.example.com/77",
            log_url: "https://deploy.example.com/77/log",
          },
        ],
      ],
    });
    api.expect(`GET /repos/acme/web/compare/${SHA41}...${DEPLOYED}`, {
      query: { per_page: "1" },
      reply: [200, { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: [] }],
    });
    reset();

    const counts = await reconcileRepository(deps, new Date("2026-11-26T13:00:00Z"));

    expect(counts).toMatchObject({ evidenceDeployment: 77 });
    const deploymentReads = methodPaths(since()).filter((line) => line.includes("/deployments"));
    expect(deploymentReads).toEqual([
      "GET /repos/acme/web/deployments",
      "GET /repos/acme/web/deployments/78/statuses",
      "GET /repos/acme/web/deployments/77/statuses",
    ]);
    expect(row()).toBe(`${ROW} Shipped 2026-11-27 |`);
    expect(repo.issue(3)!.body).toContain(
      "Shipped to production 2026-11-27: [deployment 77](https://deploy.example.com/77/log) of #41",
    );
  });
});
