// The path index's reader (helper of the pull-request check and the report): trusted entries only,
// through the configuration cache's aside key, so a fresh read costs no request.
import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { entryComment } from "../../src/core/culprits/index-plan.js";
import type { IndexEntry } from "../../src/core/culprits/path-index.js";
import { INDEX_LABEL } from "../../src/core/culprits/path-index.js";
import { ConfigCache } from "../../src/github/config-cache.js";
import { GitHubGateway } from "../../src/github/gateway.js";
import {
  culpritPaths,
  readTrustedPathIndex as readPathIndex,
} from "../../src/github/path-index.js";
import { paginate, useFakeGitHub } from "../support/github-api.js";
import { FakeRepo } from "../support/repo-state.js";
import { appWriters } from "../support/writers.js";

const entry = (postmortem: number, paths: string[]): IndexEntry => ({
  postmortem,
  title: `Post-mortem ${postmortem}`,
  private: false,
  openedAt: "2026-11-01T00:00:00.000Z",
  culprits: [{ pr: 40 + postmortem, paths, morePaths: 0 }],
  openCapa: [],
});

describe("readPathIndex", () => {
  const api = useFakeGitHub();

  it("returns the trusted entries, names the untrusted ones, and is cached while fresh", async () => {
    const repo = new FakeRepo("acme", "web", { now: new Date("2026-11-27T12:00:00Z") }).serve(api);
    // A forged index issue with a lower number is not the index.
    const forged = repo.addIssue({ title: "index", labels: [INDEX_LABEL], user: "mallory" });
    repo.addComment(forged.number, { body: entryComment(entry(2, ["evil"])), user: "mallory" });
    const index = repo.addIssue({ title: "index", labels: [INDEX_LABEL], state: "closed" });
    repo.addComment(index.number, { body: entryComment(entry(2, ["src/a.ts"])) });
    const edited = repo.addComment(index.number, { body: entryComment(entry(3, ["src/b.ts"])) });
    edited.updated_at = "2026-11-27T13:00:00Z";
    repo.addComment(index.number, { body: entryComment(entry(4, ["x"])), user: "mallory" });
    let now = 0;
    const cache = new ConfigCache({ maxAgeMs: 60_000, now: () => now });
    const gateway = new GitHubGateway(
      new Octokit({ auth: "ghs_test", request: { retries: 0 } }),
      { owner: "acme", repo: "web", defaultBranch: "main" },
      cache,
    );

    const read = await readPathIndex(gateway, appWriters);

    expect(read).toEqual({
      issue: index.number,
      entries: [entry(2, ["src/a.ts"])],
      untrusted: [3, 4],
    });
    expect(api.requests).toEqual([
      {
        method: "GET",
        path: "/repos/acme/web/issues",
        query: {
          labels: INDEX_LABEL,
          state: "all",
          creator: "postmortem-bot[bot]",
          // The oldest index issue the writer opened wins, should a race have opened two.
          sort: "created",
          direction: "asc",
          per_page: "10",
        },
      },
      {
        method: "GET",
        path: `/repos/acme/web/issues/${index.number}/comments`,
        query: { per_page: "100" },
      },
    ]);
    now = 59_000;
    expect(await readPathIndex(gateway, appWriters)).toEqual(read);
    expect(api.requests).toHaveLength(2);
    now = 61_000;
    await readPathIndex(gateway, appWriters);
    expect(api.requests).toHaveLength(4);
  });
});

describe("culpritPaths", () => {
  const api = useFakeGitHub();

  it("keeps 300 paths of a pull request, a page of 100 each, and counts the rest", async () => {
    const files = Array.from({ length: 350 }, (_, i) => `src/file-${i}.ts`);
    api.expect("GET /repos/acme/web/pulls/41/files", {
      times: 3,
      reply: (request) =>
        paginate(
          request,
          files.map((filename) => ({ filename })),
        ),
    });
    const gateway = new GitHubGateway(new Octokit({ auth: "ghs_test", request: { retries: 0 } }), {
      owner: "acme",
      repo: "web",
      defaultBranch: "main",
    });

    const read = await culpritPaths(gateway, 41, 350);

    expect(read).toEqual({ paths: files.slice(0, 300), morePaths: 50 });
    expect(api.requests.map((request) => request.query)).toEqual([
      { per_page: "100", page: "1" },
      { per_page: "100", page: "2" },
      { per_page: "100", page: "3" },
    ]);
  });
});
