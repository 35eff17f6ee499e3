// Pull requests as issue #20 reads them: their changed files (paged), the listing with its filters
// and sorts, the pull requests of a commit, and the scripted opened/synchronize/reopened events.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { WebhookValidator } from "../../emulator/webhook-validator.js";
import {
  installationOctokit,
  invalidRequests,
  invalidResponses,
  startEmulator,
} from "./helpers.js";

const o = { owner: "acme", repo: "service" };
let emulator: GitHubEmulator;
let gh: ReturnType<typeof installationOctokit>;

beforeEach(async () => {
  emulator = await startEmulator();
  gh = installationOctokit(emulator);
});
afterEach(() => emulator.stop());

/** Webhooks sent since `from`, each checked against @octokit/openapi-webhooks. */
function sent(from = 0) {
  const validator = WebhookValidator.shared();
  return emulator.webhooks.events.slice(from).map((e) => {
    const result = validator.validate(e.event, e.action, e.payload);
    expect(result.errors, `${e.event}.${e.action}`).toEqual([]);
    expect(result.found).toBe(true);
    return { name: `${e.event}.${e.action ?? ""}`, payload: e.payload };
  });
}

/** Requests answered 2xx (the errors GitHub gives here are not all in its description). */
const answered = () => emulator.requests.filter((r) => r.status < 300);

const paths = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `src/f${i}.ts` }));

describe("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", () => {
  it("lists the files its commits change, 100 a page at most, with Link headers", async () => {
    const pr = emulator.openPullRequest({ by: "bob", title: "Big", files: paths(150) })
      .number as number;
    const first = await gh.rest.pulls.listFiles({ ...o, pull_number: pr, per_page: 100 });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain("page=2");
    const second = await gh.rest.pulls.listFiles({ ...o, pull_number: pr, per_page: 100, page: 2 });
    expect(second.data.map((f) => f.filename)).toEqual(
      Array.from({ length: 50 }, (_, i) => `src/f${100 + i}.ts`),
    );
    expect(second.headers.link).not.toContain('rel="next"');
    // per_page above 100 is 100.
    const capped = await gh.rest.pulls.listFiles({ ...o, pull_number: pr, per_page: 500 });
    expect(capped.data).toHaveLength(100);
    const all = await gh.paginate(gh.rest.pulls.listFiles, {
      ...o,
      pull_number: pr,
      per_page: 100,
    });
    expect(all).toHaveLength(150);
    expect(invalidResponses(answered())).toEqual([]);
  });

  it("gives each file its status, counts, patch and URLs; pushes add files; a merge keeps them", async () => {
    const pr = emulator.openPullRequest({
      by: "bob",
      title: "Alert",
      files: [
        { path: "src/alert.ts", status: "added", additions: 10, patch: "@@ -0,0 +1,10 @@" },
        { path: "src/old.ts", status: "removed", deletions: 4 },
        { path: "docs/alert.md", status: "renamed", previousPath: "docs/alerts.md" },
      ],
    }).number as number;
    emulator.pushToPullRequest({
      number: pr,
      files: [
        { path: "src/alert.ts", additions: 2, deletions: 1 },
        { path: "src/db.ts", additions: 3, deletions: 3 },
      ],
    });
    const head = emulator.branchSha({ branch: `pull-${pr}` });
    const { data: files } = await gh.rest.pulls.listFiles({ ...o, pull_number: pr });
    expect(files.map((f) => [f.filename, f.status, f.additions, f.deletions, f.changes])).toEqual([
      ["src/alert.ts", "added", 12, 1, 13],
      ["src/old.ts", "removed", 0, 4, 4],
      ["docs/alert.md", "renamed", 1, 1, 2],
      ["src/db.ts", "modified", 3, 3, 6],
    ]);
    expect(files[0]).toMatchObject({
      patch: "@@ -0,0 +1,10 @@",
      blob_url: `${emulator.url}/acme/service/blob/${head}/src/alert.ts`,
      raw_url: `${emulator.url}/acme/service/raw/${head}/src/alert.ts`,
      contents_url: `${emulator.apiUrl}/repos/acme/service/contents/src/alert.ts?ref=${head}`,
    });
    expect(files[0]?.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(files[2]).toMatchObject({ previous_filename: "docs/alerts.md" });
    const { data: pull } = await gh.rest.pulls.get({ ...o, pull_number: pr });
    expect(pull).toMatchObject({ commits: 2, changed_files: 4, additions: 16, deletions: 9 });

    // Main moves on: the pull request's files are still only its own (three-dot diff).
    emulator.createCommit({ message: "Other work", files: [{ path: "README.md" }] });
    emulator.mergePullRequest({ by: "alice", number: pr });
    const { data: after } = await gh.rest.pulls.listFiles({ ...o, pull_number: pr });
    expect(after.map((f) => f.filename)).toEqual(files.map((f) => f.filename));
    expect(emulator.pullRequestFiles({ number: pr })).toEqual(after);

    await expect(gh.rest.pulls.listFiles({ ...o, pull_number: 999 })).rejects.toMatchObject({
      status: 404,
    });
    expect(invalidResponses(answered())).toEqual([]);
  });

  it("leaves out a file its own commits add and then remove", async () => {
    const pr = emulator.openPullRequest({
      by: "bob",
      title: "Temp",
      files: [{ path: "tmp.txt", status: "added" }, { path: "src/a.ts" }],
    }).number as number;
    emulator.pushToPullRequest({ number: pr, files: [{ path: "tmp.txt", status: "removed" }] });
    const { data } = await gh.rest.pulls.listFiles({ ...o, pull_number: pr });
    expect(data.map((f) => f.filename)).toEqual(["src/a.ts"]);
  });
});

describe("GET /repos/{owner}/{repo}/pulls", () => {
  it("filters by state, base and head, sorts and pages; merged ones carry merged_at and merge_commit_sha", async () => {
    const a = emulator.openPullRequest({ by: "bob", title: "A", at: "2026-03-01T00:00:00Z" })
      .number as number;
    const b = emulator.openPullRequest({ by: "bob", title: "B", at: "2026-03-02T00:00:00Z" })
      .number as number;
    const c = emulator.openPullRequest({
      by: "bob",
      title: "C",
      head: "feature/c",
      at: "2026-03-03T00:00:00Z",
    }).number as number;
    emulator.comment({ by: "alice", issue: a, body: "looks good" });
    emulator.comment({ by: "alice", issue: a, body: "really" });
    emulator.comment({ by: "alice", issue: c, body: "hm" });
    const merged = emulator.mergePullRequest({
      by: "alice",
      number: b,
      at: "2026-03-05T00:00:00Z",
    });
    const numbers = async (params: Record<string, unknown>) =>
      (await gh.rest.pulls.list({ ...o, ...params })).data.map((p) => p.number);

    expect(await numbers({})).toEqual([c, a]);
    expect(await numbers({ state: "closed" })).toEqual([b]);
    expect(await numbers({ state: "all" })).toEqual([c, b, a]);
    expect(await numbers({ state: "all", direction: "asc" })).toEqual([a, b, c]);
    expect(await numbers({ state: "all", sort: "popularity", direction: "desc" })).toEqual([
      a,
      c,
      b,
    ]);
    expect(await numbers({ state: "all", base: "main" })).toEqual([c, b, a]);
    expect(await numbers({ state: "all", base: "release" })).toEqual([]);
    expect(await numbers({ state: "all", head: "acme:feature/c" })).toEqual([c]);
    expect(await numbers({ state: "all", head: "someone:feature/c" })).toEqual([]);
    const page = await gh.rest.pulls.list({ ...o, state: "all", per_page: 2, page: 1 });
    expect(page.data.map((p) => p.number)).toEqual([c, b]);
    expect(page.headers.link).toContain('rel="next"');

    const { data: closed } = await gh.rest.pulls.list({
      ...o,
      state: "closed",
      base: "main",
      sort: "updated",
      direction: "desc",
      per_page: 100,
    });
    expect(closed).toMatchObject([
      {
        number: b,
        merged_at: "2026-03-05T00:00:00Z",
        merge_commit_sha: merged.merge_commit_sha,
        base: { ref: "main" },
      },
    ]);
    expect(closed[0]?.merge_commit_sha).toBe(emulator.branchSha());
    await expect(gh.rest.pulls.list({ ...o, state: "merged" as "all" })).rejects.toMatchObject({
      status: 422,
    });
    expect(invalidResponses(answered())).toEqual([]);
  });
});

describe("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", () => {
  it("gives the pull request a merge commit, a head sha or another of its commits belongs to", async () => {
    const pr = emulator.openPullRequest({ by: "bob", title: "Fix", files: [{ path: "a.ts" }] })
      .number as number;
    const first = emulator.branchSha({ branch: `pull-${pr}` });
    emulator.pushToPullRequest({ number: pr, files: [{ path: "b.ts" }] });
    const head = emulator.branchSha({ branch: `pull-${pr}` });
    const other = emulator.openPullRequest({ by: "bob", title: "Other" }).number as number;
    const of = async (sha: string) =>
      (
        await gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...o, commit_sha: sha })
      ).data.map((p) => p.number);

    // Open: its commits are not on the default branch; open pull requests are listed.
    expect(await of(head)).toEqual([pr]);
    expect(await of(first)).toEqual([pr]);
    const { merge_commit_sha: merge } = emulator.mergePullRequest({ by: "alice", number: pr });
    expect(await of(merge as string)).toEqual([pr]);
    expect(await of(head)).toEqual([pr]);
    expect(await of(first.slice(0, 10))).toEqual([pr]);
    expect(await of(emulator.branchSha({ branch: `pull-${other}` }))).toEqual([other]);
    // A commit straight on main belongs to no pull request.
    expect(await of(emulator.createCommit({ message: "Direct" }))).toEqual([]);
    const { data } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({
      ...o,
      commit_sha: merge as string,
    });
    expect(data[0]).toMatchObject({ merged_at: expect.any(String), merge_commit_sha: merge });
    await expect(
      gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...o, commit_sha: "f".repeat(40) }),
    ).rejects.toMatchObject({ status: 422 });
    expect(invalidResponses(answered())).toEqual([]);
  });
});

describe("scripted pull requests send the webhooks GitHub sends", () => {
  it("opened, synchronize (new head sha, before/after), closed, reopened; each payload valid", () => {
    const opened = emulator.openPullRequest({
      by: "bob",
      title: "Touch the DB",
      body: "Changes the pool",
      head: "db-pool",
      files: [{ path: "src/db.ts" }],
      at: "2026-03-01T10:00:00Z",
    });
    const pr = opened.number as number;
    const first = emulator.branchSha({ branch: "db-pool" });
    const pushed = emulator.pushToPullRequest({ number: pr, files: [{ path: "src/pool.ts" }] });
    expect(pushed.head.sha).not.toBe(first);
    emulator.closePullRequest({ by: "bob", number: pr });
    emulator.reopenPullRequest({ by: "alice", number: pr });

    const events = sent();
    expect(events.map((e) => e.name)).toEqual([
      "pull_request.opened",
      "pull_request.synchronize",
      "pull_request.closed",
      "pull_request.reopened",
    ]);
    expect(events[0]?.payload).toMatchObject({
      number: pr,
      pull_request: {
        number: pr,
        title: "Touch the DB",
        state: "open",
        created_at: "2026-03-01T10:00:00Z",
        head: { ref: "db-pool", sha: first },
        base: { ref: "main" },
        changed_files: 1,
        user: { login: "bob" },
      },
      sender: { login: "bob" },
      installation: { id: 99 },
    });
    expect(events[1]?.payload).toMatchObject({
      before: first,
      after: pushed.head.sha,
      pull_request: { head: { sha: pushed.head.sha }, changed_files: 2 },
      sender: { login: "bob" },
    });
    expect(events[2]?.payload).toMatchObject({ pull_request: { state: "closed", merged: false } });
    expect(events[3]?.payload).toMatchObject({
      pull_request: { state: "open" },
      sender: { login: "alice" },
    });
    expect(emulator.lastEvent("pull_request", "opened", { as: "pull_request_target" })).toEqual({
      eventName: "pull_request_target",
      payload: events[0]?.payload,
    });
    expect(emulator.lastEvent("pull_request").payload).toEqual(events[3]?.payload);
    expect(() => emulator.lastEvent("check_run")).toThrow("no check_run event");

    emulator.mergePullRequest({ by: "alice", number: pr });
    expect(() => emulator.pushToPullRequest({ number: pr })).toThrow("not open");
    expect(() => emulator.reopenPullRequest({ by: "alice", number: pr })).toThrow();
  });

  it("a pull request from a fork: head in the fork, the base repository's events, no check run link", async () => {
    const pr = emulator.openPullRequest({
      by: "nora",
      title: "Drive-by",
      head: "main",
      fork: true,
      files: [{ path: "src/db.ts" }],
    }).number as number;
    emulator.pushToPullRequest({ number: pr, files: [{ path: "src/pool.ts" }] });
    const events = sent();
    expect(events.map((e) => e.name)).toEqual(["pull_request.opened", "pull_request.synchronize"]);
    const head = (events[1]?.payload as { after: string }).after;
    expect(events[0]?.payload).toMatchObject({
      repository: { full_name: "acme/service" },
      pull_request: {
        head: { label: "nora:main", ref: "main", repo: { full_name: "nora/service", fork: true } },
        base: { ref: "main", repo: { full_name: "acme/service", fork: false } },
        user: { login: "nora" },
      },
    });
    const { data: files } = await gh.rest.pulls.listFiles({ ...o, pull_number: pr });
    expect(files.map((f) => f.filename)).toEqual(["src/db.ts", "src/pool.ts"]);
    expect(
      (await gh.rest.pulls.list({ ...o, head: "nora:main" })).data.map((p) => p.number),
    ).toEqual([pr]);
    // The base repository's main did not move; GitHub lists no fork pull request on a check run.
    expect(emulator.branchSha()).not.toBe(head);
    const { data: run } = await gh.rest.checks.create({ ...o, name: "x", head_sha: head });
    expect(run.pull_requests).toEqual([]);
    expect(
      (await gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...o, commit_sha: head })).data,
    ).toMatchObject([{ number: pr }]);
    expect(invalidResponses(answered())).toEqual([]);
  });

  it("is scriptable over HTTP", async () => {
    const post = async (method: string, body: unknown) => {
      const response = await fetch(`${emulator.url}/_emulator/script/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { result: Record<string, unknown> };
    };
    const { result: opened } = await post("openPullRequest", {
      by: "bob",
      title: "Fix",
      files: [{ path: "src/a.ts", status: "added" }],
    });
    const number = opened.number as number;
    await post("pushToPullRequest", { number, files: [{ path: "src/b.ts" }] });
    const { result: files } = await post("pullRequestFiles", { number });
    expect((files as unknown as { filename: string }[]).map((f) => f.filename)).toEqual([
      "src/a.ts",
      "src/b.ts",
    ]);
    expect(sent().map((e) => e.name)).toEqual(["pull_request.opened", "pull_request.synchronize"]);
    expect(invalidRequests(emulator.requests)).toEqual([]);
  });
});
