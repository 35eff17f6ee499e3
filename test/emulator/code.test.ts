// Pull requests that merge and close issues, the commit graph behind `compare`, and deployments:
// what the App reads to tell whether a corrective action's fix merged and shipped.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closingReferences, issueMentions } from "../../emulator/closing-keywords.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { WebhookValidator } from "../../emulator/webhook-validator.js";
import { appOctokit, installationOctokit, invalidResponses, startEmulator } from "./helpers.js";

const o = { owner: "acme", repo: "service" };
const MERGED_AT = "2026-03-04T05:06:07Z";
let emulator: GitHubEmulator;
let gh: ReturnType<typeof installationOctokit>;

beforeEach(async () => {
  emulator = await startEmulator();
  gh = installationOctokit(emulator);
});
afterEach(() => emulator.stop());

type Payload = Record<string, unknown> & {
  issue?: { number: number };
  deployment?: { id: number };
  deployment_status?: { state: string };
  repository: { full_name: string };
  sender: { login: string };
};

/** Every webhook sent so far: `event.action` plus the payload, each checked against the description. */
function webhooks() {
  const validator = WebhookValidator.shared();
  return emulator.webhooks.events.map((e) => {
    const result = validator.validate(e.event, e.action, e.payload);
    expect(result.errors, `${e.event}.${e.action}`).toEqual([]);
    expect(result.found).toBe(true);
    return { name: `${e.event}.${e.action ?? ""}`, payload: e.payload as Payload };
  });
}

const issueNo = (spec: Parameters<GitHubEmulator["openIssue"]>[0]) =>
  emulator.openIssue(spec).number as number;
const pullNo = (spec: Parameters<GitHubEmulator["openPullRequest"]>[0]) =>
  emulator.openPullRequest(spec).number as number;

function commitOf(sha: string) {
  const c = emulator.mainRepo.commits.get(sha);
  if (!c) throw new Error(`no commit ${sha}`);
  return c;
}

describe("closing keywords", () => {
  it("finds GitHub's nine keywords, in any case, for this repository, another, or by URL", () => {
    const body = [
      "Fixes #12, closes acme/other#3 and RESOLVES: #4.",
      "close #1 closed #2 fix #5 fixed #6 resolve #7 resolved #8",
      "Closes http://127.0.0.1/acme/service/issues/9",
      "fixes #12 again (a repeat)",
    ].join("\n");
    expect(closingReferences(body)).toEqual([
      { number: 12 },
      { owner: "acme", repo: "other", number: 3 },
      { number: 4 },
      { number: 1 },
      { number: 2 },
      { number: 5 },
      { number: 6 },
      { number: 7 },
      { number: 8 },
      { owner: "acme", repo: "service", number: 9 },
    ]);
  });

  it("ignores words that only contain a keyword, references without a keyword, and malformed ones", () => {
    expect(
      closingReferences(
        "prefixes #3, hotfix #4, unresolved #5, see #6, fixes#7, fixes #8a, fixing #9, fixes # 10",
      ),
    ).toEqual([]);
    expect(closingReferences(null)).toEqual([]);
  });
});

describe("issue mentions (cross-references)", () => {
  it("finds #N and owner/repo#N with or without a keyword, and closing URLs, once each", () => {
    expect(
      issueMentions(
        "see #3 and acme/other#4; fixes #3; abc#5; #6a; Closes http://127.0.0.1/acme/service/issues/9",
      ),
    ).toEqual([
      { number: 3 },
      { owner: "acme", repo: "other", number: 4 },
      { owner: "acme", repo: "service", number: 9 },
    ]);
  });
});

describe("mergePullRequest", () => {
  it("merges with a merge commit and closes the issues its closing keywords name, here and in another repository", async () => {
    emulator.addRepository("other");
    const capa = issueNo({ by: "alice", title: "CAPA: add an alert" });
    const untouched = issueNo({ by: "alice", title: "CAPA: write a runbook" });
    const elsewhere = issueNo({ by: "alice", title: "Fix there", repo: "other" });
    const pr = pullNo({
      by: "bob",
      title: "Add the alert",
      body: `Fixes #${capa}\ncloses acme/other#${elsewhere}\nprefixes #${untouched}`,
    });
    const baseBefore = emulator.branchSha();
    const headSha = emulator.branchSha({ branch: `pull-${pr}` });
    const before = emulator.webhooks.events.length;

    const merged = emulator.mergePullRequest({ by: "alice", number: pr, at: MERGED_AT });

    const mergeSha = emulator.branchSha();
    expect(commitOf(mergeSha).parents).toEqual([baseBefore, headSha]);
    expect(commitOf(headSha).parents).toEqual([baseBefore]);
    expect(merged).toMatchObject({
      number: pr,
      state: "closed",
      merged: true,
      merged_at: MERGED_AT,
      closed_at: MERGED_AT,
      merge_commit_sha: mergeSha,
      merged_by: { login: "alice" },
      title: "Add the alert",
      user: { login: "bob" },
      head: { ref: `pull-${pr}`, sha: headSha },
      base: { ref: "main", sha: baseBefore },
    });
    const { data: rest } = await gh.rest.pulls.get({ ...o, pull_number: pr });
    expect(rest).toEqual(merged);
    expect(emulator.issue(pr)).toMatchObject({
      state: "closed",
      pull_request: { merged_at: MERGED_AT },
    });

    for (const [number, repo] of [
      [capa, undefined],
      [elsewhere, "other"],
    ] as const) {
      expect(emulator.issue(number, repo)).toMatchObject({
        state: "closed",
        state_reason: "completed",
        closed_at: MERGED_AT,
        closed_by: { login: "alice" },
      });
    }
    expect(emulator.issue(untouched)).toMatchObject({ state: "open" });

    const { data: events } = await gh.rest.issues.listEvents({ ...o, issue_number: capa });
    expect(events.filter((e) => e.event === "closed")).toMatchObject([
      {
        actor: { login: "alice" },
        commit_id: mergeSha,
        commit_url: `${emulator.apiUrl}/repos/acme/service/commits/${mergeSha}`,
        created_at: MERGED_AT,
        state_reason: "completed",
      },
    ]);

    const sent = webhooks().slice(before);
    expect(sent.map((w) => w.name)).toEqual([
      "pull_request.closed",
      "issues.closed",
      "issues.closed",
    ]);
    expect(sent[0]?.payload).toMatchObject({
      number: pr,
      pull_request: { merged: true, merge_commit_sha: mergeSha, merged_at: MERGED_AT },
      sender: { login: "alice" },
      installation: { id: 99 },
    });
    expect(
      sent.slice(1).map((w) => [w.payload.repository.full_name, w.payload.issue?.number]),
    ).toEqual([
      ["acme/service", capa],
      ["acme/other", elsewhere],
    ]);
    expect(sent[1]?.payload.issue).toMatchObject({ state_reason: "completed" });

    expect(() => emulator.mergePullRequest({ by: "alice", number: pr })).toThrow("not mergeable");
    expect(() => emulator.mergePullRequest({ by: "alice", number: capa })).toThrow(
      "not a pull request",
    );
    expect(invalidResponses(emulator.requests)).toEqual([]);
  });

  it("closes an issue linked through the Development sidebar (no keyword), with a `connected` event", async () => {
    const capa = issueNo({ by: "alice", title: "CAPA: add an alert" });
    const closed = issueNo({ by: "alice", title: "CAPA: already done" });
    emulator.closeIssue({ by: "alice", issue: closed });
    const pr = pullNo({ by: "bob", title: "Add the alert", body: "No keyword" });
    emulator.linkPullRequest({
      by: "bob",
      pull: pr,
      issue: capa,
    });
    emulator.linkPullRequest({
      by: "bob",
      pull: pr,
      issue: capa,
    });
    emulator.linkPullRequest({
      by: "bob",
      pull: pr,
      issue: closed,
    });
    expect(() =>
      emulator.linkPullRequest({
        by: "bob",
        pull: pr,
        issue: pr,
      }),
    ).toThrow();
    const before = emulator.webhooks.events.length;

    emulator.mergePullRequest({ by: "alice", number: pr });

    expect(emulator.issue(capa)).toMatchObject({
      state: "closed",
      state_reason: "completed",
    });
    // An issue already closed stays as it was: no second `closed`.
    expect(
      webhooks()
        .slice(before)
        .map((w) => [w.name, w.payload.issue?.number ?? null]),
    ).toEqual([
      ["pull_request.closed", null],
      ["issues.closed", capa],
    ]);
    const { data: events } = await gh.rest.issues.listEvents({ ...o, issue_number: capa });
    expect(events.map((e) => [e.event, e.actor?.login, e.commit_id])).toEqual([
      ["connected", "bob", null],
      ["closed", "alice", emulator.branchSha()],
    ]);
    expect(() =>
      emulator.linkPullRequest({
        by: "bob",
        pull: pr,
        issue: closed,
      }),
    ).toThrow("cannot change");
    expect(invalidResponses(emulator.requests)).toEqual([]);
  });

  it("merges the head branch as it is: a later commit on it, or an existing branch named as head", () => {
    const pr = pullNo({ by: "bob", title: "Fix" });
    const second = emulator.createCommit({ message: "Review fixes", branch: `pull-${pr}` });
    emulator.mergePullRequest({ by: "alice", number: pr });
    expect(commitOf(emulator.branchSha()).parents[1]).toBe(second);

    const work = emulator.createCommit({ message: "Prepared", branch: "prepared" });
    const named = pullNo({ by: "bob", title: "Prepared", head: "prepared" });
    expect(emulator.branchSha({ branch: "prepared" })).toBe(work);
    expect(emulator.mergePullRequest({ by: "alice", number: named }).head).toMatchObject({
      ref: "prepared",
      sha: work,
    });
    expect(() => emulator.openPullRequest({ by: "bob", title: "x", head: "main" })).toThrow();
  });

  it("opens a revert of a merged pull request as GitHub's Revert button does", async () => {
    const pr = pullNo({ by: "bob", title: "Add the alert" });
    expect(() => emulator.revertPullRequest({ by: "alice", number: pr })).toThrow("not merged");
    emulator.mergePullRequest({ by: "alice", number: pr });
    const revert = emulator.revertPullRequest({ by: "alice", number: pr });
    expect(revert).toMatchObject({
      title: 'Revert "Add the alert"',
      body: `Reverts acme/service#${pr}`,
      pull_request: { merged_at: null },
    });
    const { data: rest } = await gh.rest.pulls.get({ ...o, pull_number: revert.number as number });
    expect(rest.head.ref).toBe(`revert-${pr}-pull-${pr}`);
    const { data: timeline } = await gh.rest.issues.listEventsForTimeline({
      ...o,
      issue_number: pr,
    });
    expect(timeline.map((e) => e.event)).toEqual(["merged", "closed", "cross-referenced"]);
  });

  it("is scriptable over HTTP, like the other human actions", async () => {
    emulator.openIssue({ by: "alice", title: "CAPA" });
    emulator.openPullRequest({ by: "bob", title: "Fix", body: "Fixes #1" });
    const post = async (method: string, body: unknown) => {
      const response = await fetch(`${emulator.url}/_emulator/script/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { result: unknown };
    };
    const { result } = await post("mergePullRequest", { by: "alice", number: 2, at: MERGED_AT });
    expect(result).toMatchObject({ merged: true, merged_at: MERGED_AT });
    expect(emulator.issue(1)).toMatchObject({ state: "closed" });
    const sha = (await post("createCommit", { message: "Later work" })).result as string;
    expect((await post("branchSha", {})).result).toBe(sha);
    const deployment = (
      await post("createDeployment", { by: "alice", sha, environment: "production" })
    ).result as { id: number; sha: string };
    expect(deployment.sha).toBe(sha);
    expect(
      (
        await post("setDeploymentStatus", {
          by: "alice",
          deployment: deployment.id,
          state: "success",
        })
      ).result,
    ).toMatchObject({ state: "success" });
  });
});

describe("GET /repos/{owner}/{repo}/issues/{issue_number}/timeline", () => {
  it("shows cross-references from pull requests, sidebar links, comments and the closing commit, in order", async () => {
    const keyword = issueNo({ by: "alice", title: "CAPA: alert" });
    const mentioned = issueNo({ by: "alice", title: "Context" });
    const linked = issueNo({ by: "alice", title: "CAPA: runbook" });
    emulator.comment({ by: "bob", issue: keyword, body: "Working on it" });
    const pr = pullNo({
      by: "bob",
      title: "Alert and runbook",
      body: `Fixes #${keyword}, background in #${mentioned}`,
    });
    emulator.linkPullRequest({ by: "bob", pull: pr, issue: linked });
    emulator.mergePullRequest({ by: "alice", number: pr, at: MERGED_AT });
    const merge = emulator.branchSha();
    const timeline = async (issue_number: number) =>
      (await gh.rest.issues.listEventsForTimeline({ ...o, issue_number })).data.map((item) => {
        const e = item as Record<string, unknown> & {
          event: string;
          actor?: { login: string };
          source?: { issue?: { number: number; pull_request?: unknown } };
          commit_id?: string | null;
        };
        return [
          e.event,
          e.actor?.login,
          e.source?.issue
            ? [e.source.issue.number, e.source.issue.pull_request !== undefined]
            : null,
          e.commit_id ?? null,
        ];
      });

    expect(await timeline(keyword)).toEqual([
      ["commented", "bob", null, null],
      ["cross-referenced", "bob", [pr, true], null],
      ["closed", "alice", null, merge],
    ]);
    expect(await timeline(mentioned)).toEqual([["cross-referenced", "bob", [pr, true], null]]);
    expect(await timeline(linked)).toEqual([
      ["connected", "bob", null, null],
      ["closed", "alice", null, merge],
    ]);
    // The issue events API has no cross-references (timeline items only).
    const { data: events } = await gh.rest.issues.listEvents({ ...o, issue_number: keyword });
    expect(events.map((e) => e.event)).toEqual(["closed"]);
    expect(invalidResponses(emulator.requests)).toEqual([]);
  });
});

describe("GET /repos/{owner}/{repo}/compare/{basehead}", () => {
  const compare = async (basehead: string) =>
    (await gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead })).data;

  it("answers identical, ahead, behind (an older commit) and diverged, with the merge base", async () => {
    const initial = emulator.branchSha();
    const fix = emulator.createCommit({ message: "Fix the alert", by: "bob" });
    const feature = emulator.createCommit({ message: "Feature work", branch: "feature" });
    const later = emulator.createCommit({ message: "Later on main" });
    expect(commitOf(feature).parents).toEqual([fix]);
    expect(emulator.branchSha()).toBe(later);

    const same = await compare(`${fix}...${fix}`);
    expect(same).toMatchObject({
      status: "identical",
      ahead_by: 0,
      behind_by: 0,
      total_commits: 0,
    });
    expect(same.commits).toEqual([]);
    expect(same.merge_base_commit.sha).toBe(fix);

    // The deployed commit (head) contains the fix (base): ahead.
    const ahead = await compare(`${initial}...main`);
    expect(ahead).toMatchObject({ status: "ahead", ahead_by: 2, behind_by: 0, total_commits: 2 });
    expect(ahead.commits.map((c) => [c.sha, c.commit.message])).toEqual([
      [fix, "Fix the alert"],
      [later, "Later on main"],
    ]);
    expect(ahead.commits[0]).toMatchObject({
      author: { login: "bob" },
      parents: [{ sha: initial }],
    });
    expect(ahead.base_commit.sha).toBe(initial);
    expect(ahead.merge_base_commit.sha).toBe(initial);

    // A deployment of an older commit does not contain the fix: behind.
    const behind = await compare(`${fix}...${initial}`);
    expect(behind).toMatchObject({ status: "behind", ahead_by: 0, behind_by: 1, total_commits: 0 });
    expect(behind.merge_base_commit.sha).toBe(initial);

    const diverged = await compare("main...feature");
    expect(diverged).toMatchObject({ status: "diverged", ahead_by: 1, behind_by: 1 });
    expect(diverged.merge_base_commit.sha).toBe(fix);
    expect(diverged.commits.map((c) => c.sha)).toEqual([feature]);

    // Abbreviated shas name commits too.
    expect((await compare(`${initial.slice(0, 7)}...${fix.slice(0, 12)}`)).status).toBe("ahead");
    expect(invalidResponses(emulator.requests)).toEqual([]);
  });

  it("counts a merged pull request's commits as contained once the merge commit is deployed", async () => {
    const pr = pullNo({ by: "bob", title: "Fix" });
    const head = emulator.branchSha({ branch: `pull-${pr}` });
    const before = emulator.branchSha();
    expect((await compare(`${head}...${before}`)).status).toBe("behind");
    const { merge_commit_sha: merge } = emulator.mergePullRequest({
      by: "alice",
      number: pr,
    });
    expect(await compare(`${head}...${merge}`)).toMatchObject({ status: "ahead", ahead_by: 1 });
    expect(await compare(`${before}...${merge}`)).toMatchObject({ status: "ahead", ahead_by: 2 });
  });

  it("answers 404 for an unknown ref or a malformed basehead", async () => {
    for (const basehead of ["main...nope", `main...${"f".repeat(40)}`, "main", "main..main"]) {
      await expect(compare(basehead)).rejects.toMatchObject({ status: 404 });
    }
  });
});

describe("deployments", () => {
  it("creates, lists (newest first, filtered), reads and answers statuses; each sends its webhook", async () => {
    const old = emulator.branchSha();
    const fix = emulator.createCommit({ message: "Fix" });
    const { data: first } = await gh.rest.repos.createDeployment({
      ...o,
      ref: old,
      environment: "production",
      required_contexts: [],
    });
    const { data: second } = await gh.rest.repos.createDeployment({
      ...o,
      ref: "main",
      environment: "staging",
    });
    if (!("id" in first) || !("id" in second)) throw new Error("no deployment");
    expect(first).toMatchObject({
      sha: old,
      ref: old,
      environment: "production",
      original_environment: "production",
      production_environment: true,
      task: "deploy",
      creator: { login: "postmortem-bot[bot]" },
      performed_via_github_app: { id: 4242 },
    });
    expect(second).toMatchObject({
      sha: fix,
      ref: "main",
      environment: "staging",
      production_environment: false,
    });

    const list = async (filter: Record<string, string>) =>
      (await gh.rest.repos.listDeployments({ ...o, ...filter })).data.map((d) => d.id);
    expect(await list({})).toEqual([second.id, first.id]);
    expect(await list({ environment: "production" })).toEqual([first.id]);
    expect(await list({ sha: fix })).toEqual([second.id]);
    expect(await list({ ref: "main" })).toEqual([second.id]);
    expect(await list({ environment: "qa" })).toEqual([]);
    expect((await gh.rest.repos.getDeployment({ ...o, deployment_id: first.id })).data).toEqual(
      first,
    );
    await expect(gh.rest.repos.getDeployment({ ...o, deployment_id: 1 })).rejects.toMatchObject({
      status: 404,
    });

    const before = emulator.webhooks.events.length;
    const { data: pending } = await gh.rest.repos.createDeploymentStatus({
      ...o,
      deployment_id: first.id,
      state: "in_progress",
    });
    const { data: success } = await gh.rest.repos.createDeploymentStatus({
      ...o,
      deployment_id: first.id,
      state: "success",
      environment_url: "https://service.example",
      log_url: "https://ci.example/run/1",
      description: "Deployed",
    });
    expect(success).toMatchObject({
      state: "success",
      environment: "production",
      environment_url: "https://service.example",
      log_url: "https://ci.example/run/1",
      target_url: "https://ci.example/run/1",
      description: "Deployed",
      deployment_url: `${emulator.apiUrl}/repos/acme/service/deployments/${first.id}`,
    });
    const { data: statuses } = await gh.rest.repos.listDeploymentStatuses({
      ...o,
      deployment_id: first.id,
    });
    expect(statuses.map((s) => [s.id, s.state])).toEqual([
      [success.id, "success"],
      [pending.id, "in_progress"],
    ]);

    const sent = webhooks();
    expect(sent.slice(0, before).map((w) => [w.name, w.payload.deployment?.id])).toEqual([
      ["deployment.created", first.id],
      ["deployment.created", second.id],
    ]);
    expect(sent.slice(before).map((w) => [w.name, w.payload.deployment_status?.state])).toEqual([
      ["deployment_status.created", "in_progress"],
      ["deployment_status.created", "success"],
    ]);
    expect(sent.at(-1)?.payload).toMatchObject({
      deployment: { id: first.id, sha: old, environment: "production" },
      deployment_status: { id: success.id, environment_url: "https://service.example" },
      repository: { full_name: "acme/service" },
      sender: { login: "postmortem-bot[bot]", type: "Bot" },
      installation: { id: 99 },
    });
    expect(invalidResponses(emulator.requests)).toEqual([]);
  });

  it("refuses a missing or unknown ref, an unknown state, and a person without write access", async () => {
    await expect(
      gh.request("POST /repos/{owner}/{repo}/deployments", o as never),
    ).rejects.toMatchObject({
      status: 422,
    });
    await expect(gh.rest.repos.createDeployment({ ...o, ref: "nope" })).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: "No ref found for: nope" }] } },
    });
    const { data: d } = await gh.rest.repos.createDeployment({ ...o, ref: "main" });
    if (!("id" in d)) throw new Error("no deployment");
    await expect(
      gh.rest.repos.createDeploymentStatus({
        ...o,
        deployment_id: d.id,
        state: "done" as "success",
      }),
    ).rejects.toMatchObject({ status: 422 });
    const asRita = await fetch(`${emulator.apiUrl}/repos/acme/service/deployments`, {
      method: "POST",
      headers: {
        authorization: `token ${emulator.tokenFor("rita")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ ref: "main" }),
    });
    expect(asRita.status).toBe(403);
    expect(emulator.mainRepo.deployments.map((x) => x.id)).toEqual([d.id]);
    expect(emulator.webhooks.events.map((e) => `${e.event}.${e.action}`)).toEqual([
      "deployment.created",
    ]);
  });

  it("scripts a deployment and its statuses as a human, at a given time; success retires older non-production ones", () => {
    const older = emulator.createDeployment({ by: "alice", ref: "main", environment: "staging" });
    const fix = emulator.createCommit({ message: "Fix" });
    emulator.setDeploymentStatus({ by: "alice", deployment: older.id, state: "success" });
    const newer = emulator.createDeployment({
      by: "alice",
      sha: fix,
      environment: "staging",
      at: "2026-03-05T00:00:00.000Z",
    });
    const status = emulator.setDeploymentStatus({
      by: "alice",
      deployment: newer.id,
      state: "success",
      environmentUrl: "https://staging.example",
      at: "2026-03-05T00:10:00Z",
    });
    expect(newer).toMatchObject({ sha: fix, ref: fix, created_at: "2026-03-05T00:00:00Z" });
    expect(status).toMatchObject({
      state: "success",
      created_at: "2026-03-05T00:10:00Z",
      environment_url: "https://staging.example",
      creator: { login: "alice" },
    });
    const states = (id: number) =>
      emulator.mainRepo.deployments.find((d) => d.id === id)?.statuses.map((s) => s.state);
    expect(states(older.id)).toEqual(["success", "inactive"]);
    expect(states(newer.id)).toEqual(["success"]);
    // The retired deployment's `inactive` status sends no webhook in the emulator.
    expect(webhooks().map((w) => [w.name, w.payload.sender.login])).toEqual([
      ["deployment.created", "alice"],
      ["deployment_status.created", "alice"],
      ["deployment.created", "alice"],
      ["deployment_status.created", "alice"],
    ]);
  });
});

describe("the App's permissions", () => {
  it("include what reading a fix's evidence needs: pull requests and deployments, read", async () => {
    const { data: app } = await appOctokit(emulator).request("GET /app");
    expect(app?.permissions).toMatchObject({
      contents: "read",
      pull_requests: "read",
      deployments: "read",
    });
  });
});

describe("the new routes in the request log and under faults", () => {
  it("logs each with its OpenAPI template, and injected faults apply", async () => {
    const pr = pullNo({ by: "bob", title: "Fix" });
    emulator.injectFault({
      path: "/repos/{owner}/{repo}/compare/*",
      respond: { status: 502 },
      times: 1,
    });
    await expect(
      gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: "main...main" }),
    ).rejects.toMatchObject({ status: 502 });
    await gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: "main...main" });
    await gh.rest.pulls.get({ ...o, pull_number: pr });
    await expect(gh.rest.pulls.get({ ...o, pull_number: 999 })).rejects.toMatchObject({
      status: 404,
    });
    await gh.rest.repos.listDeployments(o);
    expect(
      emulator.requests.map((r) => [r.method, r.route, r.status, r.fault ?? null, r.actor]),
    ).toEqual([
      ["POST", "/app/installations/{installation_id}/access_tokens", 201, null, "app"],
      ["GET", "/repos/{owner}/{repo}/compare/{basehead}", 502, "responded", "postmortem-bot[bot]"],
      ["GET", "/repos/{owner}/{repo}/compare/{basehead}", 200, null, "postmortem-bot[bot]"],
      ["GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200, null, "postmortem-bot[bot]"],
      ["GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 404, null, "postmortem-bot[bot]"],
      ["GET", "/repos/{owner}/{repo}/deployments", 200, null, "postmortem-bot[bot]"],
    ]);
  });
});
