// Check runs: created and updated by GitHub Apps with `checks: write` only, listed for a commit by
// name, status, App and filter (latest per name, or all), with the App of the token that made them.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { GITHUB_ACTIONS_APP_ID } from "../../emulator/state.js";
import {
  installationOctokit,
  invalidRequests,
  invalidResponses,
  startEmulator,
} from "./helpers.js";

const o = { owner: "acme", repo: "service" };
const NAME = "postmortem-bot / implicated code";
let emulator: GitHubEmulator;
let gh: ReturnType<typeof installationOctokit>;

beforeEach(async () => {
  emulator = await startEmulator();
  emulator.addUser("github-actions[bot]", "write", { type: "Bot" });
  gh = installationOctokit(emulator);
});
afterEach(() => emulator.stop());

const answered = () => emulator.requests.filter((r) => r.status < 300);

/** A raw REST call with a token (as the Action's GITHUB_TOKEN or a person's). */
async function call(token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator.apiUrl}${path}`, {
    method,
    headers: { authorization: `token ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = (text ? JSON.parse(text) : {}) as {
    id: number;
    total_count: number;
    app: { id: number; slug: string };
  };
  return { status: response.status, body: parsed };
}

describe("check runs", () => {
  it("creates, updates and reads one; the App is the token's; output, details_url, external_id, times", async () => {
    const pr = emulator.openPullRequest({ by: "bob", title: "Fix", files: [{ path: "a.ts" }] });
    const head = emulator.branchSha({ branch: `pull-${pr.number as number}` });
    const { data: run } = await gh.rest.checks.create({
      ...o,
      name: NAME,
      head_sha: head,
      status: "in_progress",
      started_at: "2026-03-01T10:00:00Z",
      details_url: "https://example.test/pm/12",
      external_id: "pm-12",
      output: { title: "Implicated", summary: "Post-mortem #12", text: "src/a.ts" },
    });
    expect(run).toMatchObject({
      name: NAME,
      head_sha: head,
      status: "in_progress",
      conclusion: null,
      started_at: "2026-03-01T10:00:00Z",
      completed_at: null,
      details_url: "https://example.test/pm/12",
      external_id: "pm-12",
      output: { title: "Implicated", summary: "Post-mortem #12", text: "src/a.ts" },
      app: { id: 4242, slug: "postmortem-bot" },
      pull_requests: [{ number: pr.number, head: { sha: head } }],
    });
    const { data: done } = await gh.rest.checks.update({
      ...o,
      check_run_id: run.id,
      conclusion: "neutral",
      completed_at: "2026-03-01T10:00:05Z",
      output: { title: "Implicated in #12", summary: "Changed" },
    });
    expect(done).toMatchObject({
      status: "completed",
      conclusion: "neutral",
      completed_at: "2026-03-01T10:00:05Z",
      output: { title: "Implicated in #12", summary: "Changed", text: null },
    });
    expect((await gh.rest.checks.get({ ...o, check_run_id: run.id })).data).toEqual(done);
    expect(invalidResponses(answered())).toEqual([]);
    expect(invalidRequests(emulator.requests)).toEqual([]);
  });

  it("refuses an unknown commit, a missing name, a bad conclusion, `completed` without one, an output without summary", async () => {
    const sha = emulator.branchSha();
    const refused = async (body: Record<string, unknown>) =>
      (await call(await token(), "POST", "/repos/acme/service/check-runs", body)).status;
    const token = async () => {
      const { token } = (await gh.auth({ type: "installation" })) as { token: string };
      return token;
    };
    expect(await refused({ name: NAME, head_sha: "f".repeat(40) })).toBe(422);
    expect(await refused({ head_sha: sha })).toBe(422);
    expect(await refused({ name: NAME, head_sha: sha, conclusion: "great" })).toBe(422);
    expect(await refused({ name: NAME, head_sha: sha, status: "completed" })).toBe(422);
    expect(await refused({ name: NAME, head_sha: sha, output: { title: "t" } })).toBe(422);
    expect(
      await refused({
        name: NAME,
        head_sha: sha,
        output: { title: "t", summary: "x".repeat(65_536) },
      }),
    ).toBe(422);
    expect(emulator.mainRepo.checkRuns.size).toBe(0);
  });

  it("lists a commit's runs by name, status and App; latest keeps the newest per name, all keeps every one", async () => {
    const sha = emulator.branchSha();
    const create = async (name: string, extra: Record<string, unknown> = {}) =>
      (await gh.rest.checks.create({ ...o, name, head_sha: sha, ...extra })).data.id;
    const older = await create(NAME, { conclusion: "neutral" });
    const newer = await create(NAME, { status: "in_progress" });
    const other = await create("lint", { conclusion: "success" });
    const actions = emulator.tokenFor("github-actions[bot]");
    const byActions = await call(actions, "POST", "/repos/acme/service/check-runs", {
      name: NAME,
      head_sha: sha,
      conclusion: "failure",
    });
    expect(byActions.status).toBe(201);
    expect(byActions.body.app).toMatchObject({ id: GITHUB_ACTIONS_APP_ID, slug: "github-actions" });
    // Another commit's runs are not listed.
    const elsewhere = emulator.createCommit({ message: "later" });
    await gh.rest.checks.create({ ...o, name: NAME, head_sha: elsewhere });

    const list = async (params: Record<string, unknown>) => {
      const { data } = await gh.rest.checks.listForRef({ ...o, ref: sha, ...params });
      expect(data.total_count).toBe(data.check_runs.length);
      return data.check_runs.map((r) => r.id);
    };
    expect(await list({})).toEqual([byActions.body.id, other, newer]);
    expect(await list({ filter: "all" })).toEqual([byActions.body.id, other, newer, older]);
    expect(await list({ check_name: NAME, filter: "all" })).toEqual([
      byActions.body.id,
      newer,
      older,
    ]);
    expect(await list({ check_name: NAME, filter: "all", app_id: 4242 })).toEqual([newer, older]);
    expect(await list({ check_name: NAME })).toEqual([byActions.body.id, newer]);
    expect(await list({ check_name: "postmortem-bot" })).toEqual([]);
    expect(await list({ status: "completed", filter: "all" })).toEqual([
      byActions.body.id,
      other,
      older,
    ]);
    // A branch names its head commit.
    expect((await gh.rest.checks.listForRef({ ...o, ref: "main" })).data.total_count).toBe(1);
    const paged = await gh.rest.checks.listForRef({ ...o, ref: sha, filter: "all", per_page: 2 });
    expect(paged.data).toMatchObject({ total_count: 4 });
    expect(paged.data.check_runs).toHaveLength(2);
    expect(paged.headers.link).toContain('rel="next"');
    expect(invalidResponses(answered())).toEqual([]);
  });

  it("answers 403 to a token without checks: write (the installation, a read-only GITHUB_TOKEN, a person) and to another App's update", async () => {
    const sha = emulator.branchSha();
    const { data: run } = await gh.rest.checks.create({ ...o, name: NAME, head_sha: sha });

    const readOnly = emulator.tokenFor("github-actions[bot]", {
      permissions: { checks: "read", contents: "read", pull_requests: "read" },
    });
    const create = { name: NAME, head_sha: sha };
    expect((await call(readOnly, "POST", "/repos/acme/service/check-runs", create)).status).toBe(
      403,
    );
    const { body: listed, status } = await call(
      readOnly,
      "GET",
      `/repos/acme/service/commits/${sha}/check-runs`,
    );
    expect(status).toBe(200);
    expect(listed.total_count).toBe(1);
    const person = emulator.tokenFor("alice");
    expect((await call(person, "POST", "/repos/acme/service/check-runs", create)).status).toBe(403);
    const actions = emulator.tokenFor("github-actions[bot]");
    const patch = await call(actions, "PATCH", `/repos/acme/service/check-runs/${run.id}`, {
      conclusion: "success",
    });
    expect(patch.status).toBe(403);

    // An installation whose accepted permissions lack checks: write.
    emulator.state.app.accepted = {
      permissions: { issues: "write", metadata: "read", pull_requests: "read" },
      events: ["issues"],
    };
    await expect(gh.rest.checks.create({ ...o, ...create })).rejects.toMatchObject({
      status: 403,
      response: { data: { message: "Resource not accessible by integration" } },
    });
    await expect(gh.rest.checks.listForRef({ ...o, ref: sha })).rejects.toMatchObject({
      status: 403,
    });
    expect([...emulator.mainRepo.checkRuns.values()].map((r) => r.status)).toEqual(["queued"]);
  });
});
