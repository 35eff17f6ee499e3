import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { ApprovalGateway, LAST_EDITED_QUERY } from "../../src/github/approval-gateway.js";
import { paginate, useFakeGitHub } from "../support/github-api.js";
import { makeUser } from "../support/webhooks.js";

const COMMENTS = "GET /repos/acme/web/issues/7/comments";
const POSTED = "2026-11-27T14:00:00Z";

function comment(
  id: number,
  body: string,
  login: string,
  updatedAt = POSTED,
): Record<string, unknown> {
  return {
    id,
    node_id: `IC_${id}`,
    body,
    user: makeUser(login),
    created_at: POSTED,
    updated_at: updatedAt,
  };
}

function setUp() {
  const warnings: string[] = [];
  const octokit = new Octokit({
    auth: "ghs_test",
    request: { retries: 0 },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  const gateway = new ApprovalGateway(
    octokit,
    { owner: "acme", repo: "web", defaultBranch: "main" },
    { warn: (message) => warnings.push(message) },
  );
  return { gateway, warnings };
}

const graphqlBody = (ids: string[]) => ({ query: LAST_EDITED_QUERY, variables: { ids } });

describe("ApprovalGateway.listComments: whether a command comment was edited", () => {
  const api = useFakeGitHub();

  it("asks GraphQL for the command comments of people only, and maps lastEditedAt to `edited`", async () => {
    api.expect(COMMENTS, {
      reply: [
        200,
        [
          // updated_at moved (a reaction, say) but nobody edited it: it counts.
          comment(1, "/approve tl", "tina", "2026-11-27T14:05:00Z"),
          // edited in the same second it was posted: REST could not tell.
          comment(2, "/approve product", "paul"),
          comment(3, "/unapprove", "mia"),
          comment(4, "Looks good to me", "rita", "2026-11-27T14:09:00Z"),
          comment(5, "/approve tl", "postmortem-bot[bot]"),
        ],
      ],
    });
    api.expect("POST /graphql", {
      body: graphqlBody(["IC_1", "IC_2", "IC_3"]),
      reply: [
        200,
        {
          data: {
            nodes: [
              { id: "IC_1", lastEditedAt: null },
              { id: "IC_2", lastEditedAt: POSTED },
              { id: "IC_3", lastEditedAt: null },
            ],
          },
        },
      ],
    });
    const { gateway, warnings } = setUp();

    const comments = await gateway.listComments(7);

    expect(comments.map(({ id, edited }) => ({ id, edited }))).toEqual([
      { id: 1, edited: false },
      { id: 2, edited: true },
      { id: 3, edited: false },
      // Not commands of people: the ledger does not judge them; REST's rule fills the field.
      { id: 4, edited: true },
      { id: 5, edited: false },
    ]);
    expect(comments[0]).toEqual({
      id: 1,
      body: "/approve tl",
      author: { login: "tina", type: "User" },
      createdAt: POSTED,
      edited: false,
    });
    expect(warnings).toEqual([]);
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "GET /repos/acme/web/issues/7/comments",
      "POST /graphql",
    ]);
  });

  it("sends no GraphQL request when no person's comment is a command", async () => {
    api.expect(COMMENTS, { reply: [200, [comment(1, "hello", "tina")]] });
    const { gateway } = setUp();

    expect(await gateway.listComments(7)).toEqual([
      expect.objectContaining({ id: 1, edited: false }),
    ]);
    expect(api.requests).toHaveLength(1);
  });

  it("asks about at most 100 comments per request", async () => {
    const many = Array.from({ length: 150 }, (_, index) =>
      comment(index + 1, "/approve tl", `user${index}`),
    );
    api.expect(COMMENTS, { times: 2, reply: (request) => paginate(request, many) });
    const ids = many.map((item) => String(item.node_id));
    api.expect("POST /graphql", {
      times: 2,
      replies: [
        [200, { data: { nodes: ids.slice(0, 100).map((id) => ({ id, lastEditedAt: null })) } }],
        [200, { data: { nodes: ids.slice(100).map((id) => ({ id, lastEditedAt: null })) } }],
      ],
    });
    const { gateway } = setUp();

    const comments = await gateway.listComments(7);

    expect(comments).toHaveLength(150);
    expect(comments.every((item) => !item.edited)).toBe(true);
    const bodies = api.requests
      .filter((request) => request.path === "/graphql")
      .map((request) => request.body);
    expect(bodies).toEqual([graphqlBody(ids.slice(0, 100)), graphqlBody(ids.slice(100))]);
  });
});

describe("ApprovalGateway.listComments: when GraphQL cannot answer", () => {
  const api = useFakeGitHub();
  const list = [
    comment(1, "/approve tl", "tina", "2026-11-27T14:05:00Z"),
    comment(2, "/approve product", "paul"),
  ];

  it("falls back to updated_at ≠ created_at on a 502, and warns once per gateway", async () => {
    api.expect(COMMENTS, { times: 2, reply: [200, list] });
    api.expect("POST /graphql", {
      times: 2,
      body: graphqlBody(["IC_1", "IC_2"]),
      reply: [502, { message: "Server Error" }],
    });
    const { gateway, warnings } = setUp();

    const first = await gateway.listComments(7);
    const second = await gateway.listComments(7);

    for (const comments of [first, second]) {
      expect(comments.map(({ id, edited }) => ({ id, edited }))).toEqual([
        { id: 1, edited: true },
        { id: 2, edited: false },
      ]);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("Could not read whether /approve comments were edited");
    expect(warnings[0]).toContain("updated_at differs from its created_at counts as edited");
  });

  it("falls back when GraphQL answers with errors and no data (e.g. no access)", async () => {
    api.expect(COMMENTS, { reply: [200, list] });
    api.expect("POST /graphql", {
      reply: [
        200,
        { errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }] },
      ],
    });
    const { gateway, warnings } = setUp();

    const comments = await gateway.listComments(7);

    expect(comments.map((item) => item.edited)).toEqual([true, false]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("Resource not accessible by integration");
  });

  it("uses what a partial answer gives and falls back only for the rest", async () => {
    api.expect(COMMENTS, { reply: [200, list] });
    api.expect("POST /graphql", {
      reply: [
        200,
        {
          data: { nodes: [{ id: "IC_1", lastEditedAt: null }, null] },
          errors: [
            {
              type: "NOT_FOUND",
              path: ["nodes", 1],
              message: "Could not resolve to a node with the global id of 'IC_2'",
            },
          ],
        },
      ],
    });
    const { gateway, warnings } = setUp();

    const comments = await gateway.listComments(7);

    // IC_1: GraphQL says never edited (its updated_at moved for something else).
    // IC_2: no answer, so the REST rule: equal timestamps, not edited.
    expect(comments.map((item) => item.edited)).toEqual([false, false]);
    expect(warnings).toHaveLength(1);
  });
});

describe("ApprovalGateway.listApprovingReviewers: approvals count on the head commit only", () => {
  const api = useFakeGitHub();
  const HEAD = "b".repeat(40);
  const EARLIER = "a".repeat(40);
  let nextId = 1;
  const review = (login: string, state: string, commit: string) => {
    const id = nextId++;
    return {
      id,
      node_id: `PRR_${id}`,
      user: makeUser(login),
      body: "",
      state,
      html_url: `https://github.com/acme/web/pull/7#pullrequestreview-${id}`,
      pull_request_url: "https://api.github.com/repos/acme/web/pulls/7",
      _links: {
        html: { href: `https://github.com/acme/web/pull/7#pullrequestreview-${id}` },
        pull_request: { href: "https://api.github.com/repos/acme/web/pulls/7" },
      },
      submitted_at: POSTED,
      commit_id: commit,
      author_association: "MEMBER",
    };
  };

  it("leaves out an approval of an earlier commit, even when nobody reviewed since", async () => {
    api.expect("GET /repos/acme/web/pulls/7/reviews", {
      query: { per_page: "100" },
      reply: [
        200,
        [
          // approved, then the author pushed: no review of the head since
          review("tina", "APPROVED", EARLIER),
          review("paul", "APPROVED", HEAD),
          // approved the earlier commit, only commented on the head: still not an approval of it
          review("mia", "APPROVED", EARLIER),
          review("mia", "COMMENTED", HEAD),
          // approved the earlier commit again after approving the head: the latest decision wins
          review("dave", "APPROVED", HEAD),
          review("dave", "APPROVED", EARLIER),
          // the commit compares without case
          review("rita", "APPROVED", HEAD.toUpperCase()),
        ],
      ],
    });
    const { gateway } = setUp();

    expect(await gateway.listApprovingReviewers(7, HEAD)).toEqual(["paul", "rita"]);
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "GET /repos/acme/web/pulls/7/reviews",
    ]);
  });

  it("counts someone whose approval of the head came after an approval of an earlier commit", async () => {
    api.expect("GET /repos/acme/web/pulls/7/reviews", {
      query: { per_page: "100" },
      reply: [200, [review("tina", "APPROVED", EARLIER), review("tina", "APPROVED", HEAD)]],
    });
    const { gateway } = setUp();

    expect(await gateway.listApprovingReviewers(7, HEAD)).toEqual(["tina"]);
  });
});
