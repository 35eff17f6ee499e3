// GraphQL's links between issues and the pull requests that close them, which REST does not give:
// Issue.closedByPullRequestsReferences and PullRequest.closingIssuesReferences, by node id.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { installationOctokit, startEmulator } from "./helpers.js";

/** The two shapes the App agreed on, as documented in emulator/README.md. */
const CLOSED_BY_QUERY = `query($id: ID!) { node(id: $id) { ... on Issue { closedByPullRequestsReferences(first: 10, includeClosedPrs: true) { nodes { number url merged mergedAt mergeCommit { oid } repository { nameWithOwner } } } } } }`;
const CLOSING_QUERY = `query($id: ID!) { node(id: $id) { ... on PullRequest { closingIssuesReferences(first: 10) { nodes { number id databaseId repository { nameWithOwner } } } } } }`;
const MERGED_AT = "2026-03-04T05:06:07Z";

let emulator: GitHubEmulator;
let gh: ReturnType<typeof installationOctokit>;

beforeEach(async () => {
  emulator = await startEmulator();
  gh = installationOctokit(emulator);
});
afterEach(() => emulator.stop());

async function post(body: unknown, token = emulator.tokenFor("bob")) {
  const response = await fetch(`${emulator.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `token ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** An issue #1 in acme/service, closed by #2 (keyword) and #3 of acme/other (sidebar); #4 only mentions it. */
function linkedWork() {
  emulator.addRepository("other");
  const issue = emulator.openIssue({ by: "alice", title: "CAPA: add an alert" });
  const keyword = emulator.openPullRequest({ by: "bob", title: "Alert", body: "Fixes #1" });
  const sidebar = emulator.openPullRequest({ by: "bob", title: "Runbook", repo: "other" });
  emulator.linkPullRequest({ by: "bob", pull: 1, repo: "other", issue: 1, issueRepo: "service" });
  const mention = emulator.openPullRequest({ by: "bob", title: "Other", body: "See #1" });
  return { issue, keyword, sidebar, mention };
}

describe("Issue.closedByPullRequestsReferences", () => {
  it("lists the pull requests that close the issue, by keyword or sidebar, with their merge", async () => {
    const { issue } = linkedWork();
    const closedBy = async () =>
      (
        await gh.graphql<{ node: { closedByPullRequestsReferences: { nodes: unknown[] } } }>(
          CLOSED_BY_QUERY,
          { id: issue.node_id as string },
        )
      ).node.closedByPullRequestsReferences.nodes;

    expect(await closedBy()).toEqual([
      {
        number: 2,
        url: `${emulator.url}/acme/service/pull/2`,
        merged: false,
        mergedAt: null,
        mergeCommit: null,
        repository: { nameWithOwner: "acme/service" },
      },
      {
        number: 1,
        url: `${emulator.url}/acme/other/pull/1`,
        merged: false,
        mergedAt: null,
        mergeCommit: null,
        repository: { nameWithOwner: "acme/other" },
      },
    ]);

    const merged = emulator.mergePullRequest({ by: "alice", number: 2, at: MERGED_AT });
    expect(emulator.issue(1)).toMatchObject({ state: "closed" });
    expect((await closedBy())[0]).toEqual({
      number: 2,
      url: `${emulator.url}/acme/service/pull/2`,
      merged: true,
      mergedAt: MERGED_AT,
      mergeCommit: { oid: merged.merge_commit_sha },
      repository: { nameWithOwner: "acme/service" },
    });
    expect(await closedBy()).toHaveLength(2);

    // Without includeClosedPrs, GitHub lists open pull requests only; userLinkedOnly keeps sidebar links.
    const open = await gh.graphql<{
      node: Record<string, { totalCount: number; nodes: unknown[] }>;
    }>(
      `query Links($id: ID!, $n: Int) {
        node(id: $id) {
          __typename
          ... on Issue {
            open: closedByPullRequestsReferences(first: $n) { totalCount nodes { number } }
            linked: closedByPullRequestsReferences(first: 5, includeClosedPrs: true, userLinkedOnly: true) {
              nodes { repository { nameWithOwner } number }
            }
          }
        }
      }`,
      { id: issue.node_id as string, n: 5 },
    );
    expect(open.node).toEqual({
      __typename: "Issue",
      open: { totalCount: 1, nodes: [{ number: 1 }] },
      linked: { nodes: [{ repository: { nameWithOwner: "acme/other" }, number: 1 }] },
    });
  });

  it("leaves out pull requests of repositories the App's installation does not cover", async () => {
    emulator.addRepository("elsewhere", { owner: "partner", installed: false });
    const issue = emulator.openIssue({ by: "alice", title: "CAPA" });
    emulator.openPullRequest({ by: "bob", title: "Fix", repo: "partner/elsewhere" });
    emulator.linkPullRequest({
      by: "bob",
      pull: 1,
      repo: "partner/elsewhere",
      issue: 1,
      issueRepo: "service",
    });
    const answer = await gh.graphql<{
      node: { closedByPullRequestsReferences: { nodes: unknown[] } };
    }>(CLOSED_BY_QUERY, { id: issue.node_id as string });
    expect(answer.node.closedByPullRequestsReferences.nodes).toEqual([]);
  });
});

describe("PullRequest.closingIssuesReferences", () => {
  it("lists the issues a pull request closes, before and after the merge, by the PR's node id", async () => {
    emulator.addRepository("other");
    const first = emulator.openIssue({ by: "alice", title: "CAPA 1" });
    const second = emulator.openIssue({ by: "alice", title: "CAPA 2", repo: "other" });
    emulator.openIssue({ by: "alice", title: "not linked" });
    const pr = emulator.openPullRequest({
      by: "bob",
      title: "Fix",
      body: "Resolves acme/other#1 and prefixes #3",
    });
    emulator.linkPullRequest({ by: "bob", pull: pr.number as number, issue: 1 });
    const closing = async () =>
      (
        await gh.graphql<{ node: { closingIssuesReferences: { nodes: unknown[] } } }>(
          CLOSING_QUERY,
          {
            id: pr.node_id as string,
          },
        )
      ).node.closingIssuesReferences.nodes;
    const expected = [
      {
        number: 1,
        id: second.node_id,
        databaseId: second.id,
        repository: { nameWithOwner: "acme/other" },
      },
      {
        number: 1,
        id: first.node_id,
        databaseId: first.id,
        repository: { nameWithOwner: "acme/service" },
      },
    ];
    expect(await closing()).toEqual(expected);
    emulator.mergePullRequest({ by: "alice", number: pr.number as number });
    // Frozen at the merge: editing the body afterwards changes nothing.
    emulator.editBody({ by: "bob", issue: pr.number as number, body: "nothing" });
    expect(await closing()).toEqual(expected);
  });
});

describe("queries the emulator does not know", () => {
  it("accepts any operation name, whitespace, field order and aliases", async () => {
    emulator.openIssue({ by: "alice", title: "CAPA" });
    const pr = emulator.openPullRequest({ by: "bob", title: "Fix", body: "fixes #1" });
    const answer = await post({
      query: `query  Closing ( $id : ID! )
        {
          node ( id : $id ) {
            ... on PullRequest {
              refs: closingIssuesReferences ( first : 1 ) {
                nodes { repository { nameWithOwner } databaseId id number }
              }
            }
          }
        }`,
      variables: { id: pr.node_id },
    });
    expect(answer.body).toEqual({
      data: {
        node: {
          refs: {
            nodes: [
              {
                repository: { nameWithOwner: "acme/service" },
                databaseId: emulator.issue(1).id,
                id: emulator.issue(1).node_id,
                number: 1,
              },
            ],
          },
        },
      },
    });
  });

  it("answers the other fields of the subset: ids, titles, states, a Node fragment, __typename", async () => {
    const issue = emulator.openIssue({ by: "alice", title: "CAPA" });
    const pr = emulator.openPullRequest({ by: "bob", title: "Fix", body: "Closes #1" });
    const merged = emulator.mergePullRequest({ by: "alice", number: pr.number as number });
    const answer = await post({
      query: `query($pr: ID!) {
        __typename
        node(id: $pr) {
          ... on Node { id }
          ... on PullRequest {
            __typename databaseId number title url state merged
            closingIssuesReferences(first: 1) {
              totalCount
              nodes { __typename title url state stateReason }
            }
          }
        }
      }`,
      variables: { pr: pr.node_id },
    });
    expect(answer.body).toEqual({
      data: {
        __typename: "Query",
        node: {
          id: pr.node_id,
          __typename: "PullRequest",
          databaseId: pr.id,
          number: pr.number,
          title: "Fix",
          url: merged.html_url,
          state: "MERGED",
          merged: true,
          closingIssuesReferences: {
            totalCount: 1,
            nodes: [
              {
                __typename: "Issue",
                title: "CAPA",
                url: issue.html_url,
                state: "CLOSED",
                stateReason: "COMPLETED",
              },
            ],
          },
        },
      },
    });
  });

  it("refuses unknown fields, arguments, fragments and operations, naming the problem", async () => {
    const issue = emulator.openIssue({ by: "alice", title: "CAPA" });
    const variables = { id: issue.node_id };
    const refused = [
      [
        `query($id: ID!) { node(id: $id) { ... on Issue { closedByPullRequestsReferences(first: 1) { nodes { number body } } } } }`,
        "field 'body' on type 'PullRequest'",
      ],
      [
        `query($id: ID!) { node(id: $id) { ... on Issue { closedByPullRequestsReferences(first: 1, orderByState: true) { nodes { number } } } } }`,
        "argument 'orderByState'",
      ],
      [`query($id: ID!) { node(id: $id) { ... on Discussion { id } } }`, "fragment on Discussion"],
      [`query($id: ID!) { node(id: $id) { ... on Issue { title } }`, "Unexpected end"],
      [`query { viewer { login } }`, "field 'viewer' on type 'Query'"],
      [
        `mutation($id: ID!) { closeIssue(input: { issueId: $id }) { issue { id } } }`,
        "only queries",
      ],
      [`query { node(id: $id) { id } }`, "variable $id is not declared"],
      [`query($id: ID!) { node(id: $id) { ... on Issue { repository } } }`, "needs a selection"],
    ] as const;
    for (const [query, reason] of refused) {
      const answer = await post({ query, variables });
      expect(answer.status).toBe(200);
      expect(answer.body, query).toEqual({
        errors: [
          {
            message: expect.stringMatching(
              /^The emulator answers only the queries listed in emulator\/README.md \(/,
            ),
            locations: [{ line: 1, column: 1 }],
          },
        ],
      });
      expect((answer.body.errors as Array<{ message: string }>)[0]?.message).toContain(reason);
    }
  });

  it("reports GitHub's errors: no `first`, more than 100, bad variables, unknown or mismatched ids", async () => {
    const issue = emulator.openIssue({ by: "alice", title: "CAPA" });
    const pr = emulator.openPullRequest({ by: "bob", title: "Fix" });
    const noFirst = await post({
      query: `query($id: ID!) { node(id: $id) { ... on PullRequest { closingIssuesReferences { totalCount } } } }`,
      variables: { id: pr.node_id },
    });
    expect(noFirst.body.errors).toMatchObject([
      { message: expect.stringContaining("You must provide a `first` or `last` value") },
    ]);
    const tooMany = await post({
      query: `query($id: ID!) { node(id: $id) { ... on PullRequest { closingIssuesReferences(first: 101) { totalCount } } } }`,
      variables: { id: pr.node_id },
    });
    expect(tooMany.body.errors).toMatchObject([
      { message: expect.stringContaining("limit of 100") },
    ]);
    const badVariable = await post({ query: CLOSING_QUERY, variables: { id: 5 } });
    expect(badVariable.body.errors).toMatchObject([
      { message: "Variable $id of type ID! was provided invalid value" },
    ]);

    // An issue's id asked as a pull request answers an empty object, as GraphQL does for a fragment
    // that does not apply; an unknown id answers null with NOT_FOUND.
    expect((await post({ query: CLOSING_QUERY, variables: { id: issue.node_id } })).body).toEqual({
      data: { node: {} },
    });
    expect((await post({ query: CLOSED_BY_QUERY, variables: { id: "I_nothing" } })).body).toEqual({
      data: { node: null },
      errors: [
        {
          type: "NOT_FOUND",
          path: ["node"],
          locations: [{ line: 1, column: 1 }],
          message: "Could not resolve to a node with the global id of 'I_nothing'",
        },
      ],
    });
    // Through the request log like every other route.
    expect(emulator.requests.at(-1)).toMatchObject({
      method: "POST",
      route: "/graphql",
      status: 200,
    });
  });
});
