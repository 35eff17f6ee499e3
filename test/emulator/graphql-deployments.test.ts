// GraphQL `repository.deployments`: the deployments of an environment with their latest status in
// one request (REST needs one request per deployment for its statuses), as the changes block reads
// them (docs: issue20-design, emulator/README.md).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { installationOctokit, invalidResponses, startEmulator } from "./helpers.js";

const QUERY = `query($owner: String!, $name: String!, $envs: [String!], $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    deployments(environments: $envs, orderBy: {field: CREATED_AT, direction: DESC}, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId createdAt environment ref { name } commitOid creator { login }
        latestStatus { state createdAt }
      }
    }
  }
}`;

interface Node {
  databaseId: number;
  createdAt: string;
  environment: string;
  ref: { name: string } | null;
  commitOid: string;
  creator: { login: string };
  latestStatus: { state: string; createdAt: string } | null;
}
interface Answer {
  repository: {
    deployments: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Node[];
    };
  };
}

let emulator: GitHubEmulator;
let gh: ReturnType<typeof installationOctokit>;

beforeEach(async () => {
  emulator = await startEmulator();
  emulator.addUser("github-actions[bot]", "write", { type: "Bot" });
  gh = installationOctokit(emulator);
});
afterEach(() => emulator.stop());

const vars = { owner: "acme", name: "service", envs: ["production"], first: 5 };

async function post(body: unknown) {
  const response = await fetch(`${emulator.url}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `token ${emulator.tokenFor("bob")}`,
    },
    body: JSON.stringify(body),
  });
  return (await response.json()) as { data?: unknown; errors?: { message: string }[] };
}

/** Three production deployments at fixed times (one failed, one still in progress) and one to staging. */
function history() {
  const first = emulator.createCommit({ message: "One", at: "2026-03-01T00:00:00Z" });
  const d1 = emulator.createDeployment({
    by: "alice",
    ref: "main",
    environment: "production",
    at: "2026-03-01T09:00:00Z",
  });
  emulator.setDeploymentStatus({
    by: "alice",
    deployment: d1.id,
    state: "success",
    at: "2026-03-01T09:05:00Z",
  });
  const second = emulator.createCommit({ message: "Two" });
  const d2 = emulator.createDeployment({
    by: "github-actions[bot]",
    sha: second,
    environment: "production",
    at: "2026-03-02T09:00:00Z",
  });
  emulator.setDeploymentStatus({
    by: "alice",
    deployment: d2.id,
    state: "failure",
    at: "2026-03-02T09:03:00Z",
  });
  const staging = emulator.createDeployment({
    by: "alice",
    ref: "main",
    environment: "staging",
    at: "2026-03-02T10:00:00Z",
  });
  const d3 = emulator.createDeployment({
    by: "alice",
    ref: "main",
    environment: "production",
    at: "2026-03-03T09:00:00Z",
  });
  emulator.setDeploymentStatus({
    by: "alice",
    deployment: d3.id,
    state: "in_progress",
    at: "2026-03-03T09:01:00Z",
  });
  return { first, second, d1, d2, d3, staging };
}

describe("GraphQL repository.deployments", () => {
  it("lists an environment's deployments newest first with ref, commit, creator and latest status, in one request", async () => {
    const { first, second, d1, d2, d3 } = history();
    const before = emulator.requests.length;
    const { repository } = await gh.graphql<Answer>(QUERY, vars);
    // One request (besides the installation token Octokit fetches first).
    expect(
      emulator.requests
        .slice(before)
        .map((r) => r.route)
        .filter((route) => route !== "/app/installations/{installation_id}/access_tokens"),
    ).toEqual(["/graphql"]);
    expect(repository.deployments).toEqual({
      totalCount: 3,
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      nodes: [
        {
          databaseId: d3.id,
          createdAt: "2026-03-03T09:00:00Z",
          environment: "production",
          ref: { name: "main" },
          commitOid: second,
          creator: { login: "alice" },
          latestStatus: { state: "IN_PROGRESS", createdAt: "2026-03-03T09:01:00Z" },
        },
        {
          databaseId: d2.id,
          createdAt: "2026-03-02T09:00:00Z",
          environment: "production",
          // A deployment of a bare sha has no Ref; GraphQL names a bot without "[bot]".
          ref: null,
          commitOid: second,
          creator: { login: "github-actions" },
          latestStatus: { state: "FAILURE", createdAt: "2026-03-02T09:03:00Z" },
        },
        {
          databaseId: d1.id,
          createdAt: "2026-03-01T09:00:00Z",
          environment: "production",
          ref: { name: "main" },
          commitOid: first,
          creator: { login: "alice" },
          latestStatus: { state: "SUCCESS", createdAt: "2026-03-01T09:05:00Z" },
        },
      ],
    });
    // The REST side still answers the same deployments and statuses.
    const { data: rest } = await gh.rest.repos.listDeployments({
      owner: "acme",
      repo: "service",
      environment: "production",
    });
    expect(rest.map((d) => d.id)).toEqual([d3.id, d2.id, d1.id]);
    const { data: statuses } = await gh.rest.repos.listDeploymentStatuses({
      owner: "acme",
      repo: "service",
      deployment_id: d1.id,
    });
    expect(statuses.map((s) => s.state)).toEqual(["success"]);
    expect(invalidResponses(emulator.requests)).toEqual([]);
  });

  it("pages with first/after, defaults to oldest first, filters by several environments or none", async () => {
    const { d1, d2, d3, staging } = history();
    const page1 = await gh.graphql<Answer>(QUERY, { ...vars, first: 2 });
    expect(page1.repository.deployments.nodes.map((n) => n.databaseId)).toEqual([d3.id, d2.id]);
    expect(page1.repository.deployments.pageInfo.hasNextPage).toBe(true);
    const page2 = await gh.graphql<Answer>(QUERY, {
      ...vars,
      first: 2,
      after: page1.repository.deployments.pageInfo.endCursor,
    });
    expect(page2.repository.deployments.nodes.map((n) => n.databaseId)).toEqual([d1.id]);
    expect(page2.repository.deployments.pageInfo.hasNextPage).toBe(false);

    const ascending = await gh.graphql<{
      repository: { deployments: { nodes: { databaseId: number; latestStatus: null | object }[] } };
    }>(
      `query { repository(owner: "acme", name: "service") { deployments(environments: ["production", "staging"], first: 10) { nodes { databaseId latestStatus { state } } } } }`,
    );
    expect(ascending.repository.deployments.nodes).toEqual([
      { databaseId: d1.id, latestStatus: { state: "SUCCESS" } },
      { databaseId: d2.id, latestStatus: { state: "FAILURE" } },
      { databaseId: staging.id, latestStatus: null },
      { databaseId: d3.id, latestStatus: { state: "IN_PROGRESS" } },
    ]);
    const all = await gh.graphql<{ repository: { deployments: { totalCount: number } } }>(
      `query { repository(owner: "acme", name: "service") { deployments(first: 0) { totalCount } } }`,
    );
    expect(all.repository.deployments.totalCount).toBe(4);
  });

  it("answers GitHub's errors: no first, over 100, a bad orderBy, an unknown repository, an unknown field", async () => {
    const errorOf = async (query: string, variables: Record<string, unknown> = {}) =>
      (await post({ query, variables })).errors?.[0]?.message;
    expect(
      await errorOf(
        `query { repository(owner: "acme", name: "service") { deployments { totalCount } } }`,
      ),
    ).toContain("You must provide a `first` or `last` value");
    expect(await errorOf(QUERY, { ...vars, first: 101 })).toContain("limit of 100 records");
    expect(
      await errorOf(
        `query { repository(owner: "acme", name: "service") { deployments(first: 1, orderBy: {field: NAME, direction: DESC}) { totalCount } } }`,
      ),
    ).toContain("Expected type 'DeploymentOrder'");
    const missing = await post({ query: QUERY, variables: { ...vars, name: "nope" } });
    expect(missing).toMatchObject({
      data: { repository: null },
      errors: [
        {
          type: "NOT_FOUND",
          message: "Could not resolve to a Repository with the name 'acme/nope'.",
        },
      ],
    });
    expect(
      await errorOf(
        `query { repository(owner: "acme", name: "service") { deployments(first: 1) { nodes { payload } } } }`,
      ),
    ).toContain("The emulator answers only the queries listed in emulator/README.md");
  });
});
