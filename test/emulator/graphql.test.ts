// GraphQL's answer to "was this comment edited?": `lastEditedAt`, which reactions leave alone.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { LAST_EDITED_QUERY } from "../../src/github/approval-gateway.js";
import { PIN_ISSUE_MUTATION } from "../../src/github/report-issue.js";
import { installationOctokit, startEmulator } from "./helpers.js";

const o = { owner: "acme", repo: "service" };
let emulator: GitHubEmulator;
let gh: ReturnType<typeof installationOctokit>;

beforeEach(async () => {
  emulator = await startEmulator();
  gh = installationOctokit(emulator);
});
afterEach(() => emulator.stop());

type Nodes = { nodes: Array<{ id: string; lastEditedAt: string | null } | null> };

const lastEdited = async (ids: string[]) =>
  (await gh.graphql<Nodes>(LAST_EDITED_QUERY, { ids })).nodes;

async function post(path: string, body: unknown, token?: string) {
  const response = await fetch(`${emulator.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `token ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("POST /graphql: nodes(ids:) { ... on IssueComment { id lastEditedAt } }", () => {
  it("is null until the text is edited; reactions (scripted or the App's) do not change it", async () => {
    emulator.openIssue({ by: "alice", title: "Post-mortem" });
    const approve = emulator.comment({ by: "bob", issue: 1, body: "/approve tl" });
    emulator.react({ by: "alice", commentId: approve.id, content: "heart" });
    await gh.rest.reactions.createForIssueComment({ ...o, comment_id: approve.id, content: "+1" });

    expect(await lastEdited([approve.node_id])).toEqual([
      { id: approve.node_id, lastEditedAt: null },
    ]);

    const edited = emulator.editComment({ by: "alice", commentId: approve.id, body: "/approve" });
    const [node] = await lastEdited([approve.node_id]);
    expect(node?.lastEditedAt).toBe(edited.updated_at);
    expect(Date.parse(node!.lastEditedAt!)).not.toBeNaN();

    // The REST shape has no such field.
    expect(emulator.commentsOn(1)[0]).not.toHaveProperty("lastEditedAt");
  });

  it("an edit through the REST API or the control endpoint sets it too", async () => {
    emulator.openIssue({ by: "alice", title: "Post-mortem" });
    const first = emulator.comment({ by: "bob", issue: 1, body: "/approve tl" });
    const second = emulator.comment({ by: "bob", issue: 1, body: "/approve product" });
    await gh.rest.issues.updateComment({ ...o, comment_id: first.id, body: "/approve" });
    const scripted = await fetch(`${emulator.url}/_emulator/script/editComment`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ by: "alice", commentId: second.id, body: "/approve pm" }),
    });
    expect(scripted.status).toBe(200);

    const nodes = await lastEdited([first.node_id, second.node_id]);
    expect(nodes.map((node) => typeof node?.lastEditedAt)).toEqual(["string", "string"]);
  });

  it("answers null (and a NOT_FOUND error) for unknown and deleted comments", async () => {
    emulator.openIssue({ by: "alice", title: "Post-mortem" });
    const kept = emulator.comment({ by: "bob", issue: 1, body: "/approve tl" });
    const gone = emulator.comment({ by: "bob", issue: 1, body: "/approve pm" });
    emulator.deleteComment({ by: "bob", commentId: gone.id });

    const error = await gh
      .graphql(LAST_EDITED_QUERY, { ids: [kept.node_id, gone.node_id, "IC_unknown", "I_xyz"] })
      .catch((caught: unknown) => caught);

    // Octokit throws on `errors`, with the data GitHub could give.
    const response = error as {
      name: string;
      data?: Nodes;
      errors: Array<Record<string, unknown>>;
    };
    expect(response.name).toBe("GraphqlResponseError");
    expect(response.data?.nodes).toEqual([
      { id: kept.node_id, lastEditedAt: null },
      null,
      null,
      null,
    ]);
    expect(response.errors.map((item) => [item.type, item.path])).toEqual([
      ["NOT_FOUND", ["nodes", 1]],
      ["NOT_FOUND", ["nodes", 2]],
      ["NOT_FOUND", ["nodes", 3]],
    ]);
  });

  it("is served at /graphql and at /api/graphql (Octokit's URL for a baseUrl ending in /api/v3)", async () => {
    emulator.openIssue({ by: "alice", title: "Post-mortem" });
    const approve = emulator.comment({ by: "bob", issue: 1, body: "/approve tl" });
    const token = emulator.tokenFor("bob");
    for (const path of ["/graphql", "/api/graphql"]) {
      const answer = await post(
        path,
        { query: LAST_EDITED_QUERY, variables: { ids: [approve.node_id] } },
        token,
      );
      expect(answer).toEqual({
        status: 200,
        body: { data: { nodes: [{ id: approve.node_id, lastEditedAt: null }] } },
      });
    }
    // What the installation's Octokit (baseUrl …/api/v3) used:
    await lastEdited([approve.node_id]);
    expect(emulator.requests.at(-1)).toMatchObject({
      method: "POST",
      path: "/graphql",
      route: "/graphql",
      status: 200,
      body: { query: LAST_EDITED_QUERY, variables: { ids: [approve.node_id] } },
    });
  });

  it("validates the request minimally and answers only this query", async () => {
    const token = emulator.tokenFor("bob");
    expect(
      (await post("/graphql", { query: LAST_EDITED_QUERY, variables: { ids: [] } })).status,
    ).toBe(401);
    expect((await post("/graphql", { variables: { ids: [] } }, token)).status).toBe(400);
    const badIds = await post(
      "/graphql",
      { query: LAST_EDITED_QUERY, variables: { ids: "IC_1" } },
      token,
    );
    expect(badIds.status).toBe(200);
    expect(badIds.body.data).toBeUndefined();
    expect(badIds.body.errors).toMatchObject([{ message: expect.stringContaining("$ids") }]);
    const other = await post("/graphql", { query: "{ viewer { login } }" }, token);
    expect(other.body.errors).toMatchObject([{ message: expect.stringContaining("answers only") }]);
    const otherField = await post(
      "/graphql",
      {
        query: "query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id body } } }",
        variables: { ids: [] },
      },
      token,
    );
    expect(otherField.body.errors).toHaveLength(1);
    // Whitespace, an operation name and field order do not matter.
    const named = await post(
      "/graphql",
      {
        query:
          "query Edited($ids: [ID!]!) {\n  nodes(ids: $ids) {\n    ... on IssueComment {\n      lastEditedAt\n      id\n    }\n  }\n}",
        variables: { ids: [] },
      },
      token,
    );
    expect(named.body).toEqual({ data: { nodes: [] } });
  });
});

describe("POST /graphql: pinIssue(input: { issueId }), which REST cannot do", () => {
  const pinned = () =>
    [...emulator.mainRepo.issues.values()].filter((issue) => issue.pinned).map((i) => i.number);

  it("pins by the REST node_id; again changes nothing; a fourth pinned issue is refused", async () => {
    const issues = [1, 2, 3, 4].map((n) =>
      emulator.openIssue({ by: "alice", title: `Issue ${n}` }),
    );
    const pin = (index: number) =>
      gh.graphql(PIN_ISSUE_MUTATION, { issueId: issues[index]!.node_id as string });
    expect(await pin(0)).toEqual({ pinIssue: { issue: { id: issues[0]!.node_id } } });
    await pin(0);
    await pin(1);
    await pin(2);
    expect(pinned()).toEqual([1, 2, 3]);
    await expect(pin(3)).rejects.toMatchObject({
      errors: [{ message: "Repository already has 3 pinned issues" }],
    });
    expect(pinned()).toEqual([1, 2, 3]);
  });

  it("refuses a person without triage access and an id that names no issue", async () => {
    const issue = emulator.openIssue({ by: "alice", title: "Report" });
    emulator.addUser("rita", "read");
    const asRita = await post(
      "/graphql",
      { query: PIN_ISSUE_MUTATION, variables: { issueId: issue.node_id } },
      emulator.tokenFor("rita"),
    );
    expect(asRita.body).toEqual({
      errors: [
        {
          message: "rita does not have the correct permissions to execute `PinIssue`",
          locations: [{ line: 1, column: 1 }],
        },
      ],
    });
    await expect(gh.graphql(PIN_ISSUE_MUTATION, { issueId: "I_nothing" })).rejects.toMatchObject({
      errors: [{ message: "Could not resolve to a node with the global id of 'I_nothing'" }],
    });
    expect(pinned()).toEqual([]);
  });
});
