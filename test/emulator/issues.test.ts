// Issue behaviour the App depends on, as GitHub has it: ids vs numbers, limits, pagination, labels, assignees.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { MAX_BODY_LENGTH } from "../../emulator/index.js";
import { installationOctokit, startEmulator } from "./helpers.js";

const o = { owner: "acme", repo: "service" };
let emulator: GitHubEmulator;
let gh: ReturnType<typeof installationOctokit>;

beforeEach(async () => {
  emulator = await startEmulator();
  gh = installationOctokit(emulator);
});
afterEach(() => emulator.stop());

describe("issues", () => {
  it("serves the API both at / and under /api/v3", async () => {
    emulator.openIssue({ by: "alice", title: "one" });
    const token = emulator.tokenFor("alice");
    for (const base of [emulator.url, emulator.apiUrl]) {
      const res = await fetch(`${base}/repos/acme/service/issues/1`, {
        headers: { authorization: `token ${token}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { title: string }).title).toBe("one");
    }
  });

  it("creates issues as the bot, with labels auto-created and unassignable people dropped", async () => {
    const { data } = await gh.rest.issues.create({
      ...o,
      title: "t",
      labels: ["new-label"],
      assignees: ["alice", "nora", "ghost"],
    });
    expect(data.number).toBe(1);
    expect(data.id).not.toBe(data.number);
    expect(data.user?.login).toBe("postmortem-bot[bot]");
    expect(data.user?.type).toBe("Bot");
    expect(data.performed_via_github_app?.slug).toBe("postmortem-bot");
    expect(data.labels).toMatchObject([{ name: "new-label", color: "ededed" }]);
    expect(data.assignees?.map((a) => a.login)).toEqual(["alice"]);
    expect(data.node_id).toMatch(/^I_/);
    expect(data.html_url).toBe(`${emulator.url}/acme/service/issues/1`);
    expect(data.url).toBe(`${emulator.apiUrl}/repos/acme/service/issues/1`);
    expect(data.sub_issues_summary).toEqual({ total: 0, completed: 0, percent_completed: 0 });
    expect(data.parent_issue_url).toBeNull();
    await expect(
      gh.rest.issues.checkUserCanBeAssigned({ ...o, assignee: "nora" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("rejects a missing title and a body over 65,536 characters with 422", async () => {
    await expect(
      gh.request("POST /repos/{owner}/{repo}/issues", { ...o } as never),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      gh.rest.issues.create({ ...o, title: "t", body: "x".repeat(MAX_BODY_LENGTH + 1) }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ field: "body" }] } },
    });
    const { data } = await gh.rest.issues.create({
      ...o,
      title: "t",
      body: "x".repeat(MAX_BODY_LENGTH),
    });
    await expect(
      gh.rest.issues.update({
        ...o,
        issue_number: data.number,
        body: "y".repeat(MAX_BODY_LENGTH + 1),
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      gh.rest.issues.createComment({
        ...o,
        issue_number: data.number,
        body: "y".repeat(MAX_BODY_LENGTH + 1),
      }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("closes with a state_reason, including duplicate, and reopens", async () => {
    emulator.openIssue({ by: "alice", title: "a" });
    const { data } = await gh.rest.issues.update({
      ...o,
      issue_number: 1,
      state: "closed",
      state_reason: "duplicate",
    });
    expect(data).toMatchObject({ state: "closed", state_reason: "duplicate" });
    expect(data.closed_at).not.toBeNull();
    expect(data.closed_by?.login).toBe("postmortem-bot[bot]");
    const reopened = await gh.rest.issues.update({ ...o, issue_number: 1, state: "open" });
    expect(reopened.data).toMatchObject({
      state: "open",
      state_reason: "reopened",
      closed_at: null,
    });
    const actions = emulator.webhooks.events.map((e) => e.action);
    expect(actions).toEqual(["opened", "closed", "reopened"]);
    expect(
      (emulator.webhooks.events[1]?.payload.issue as { state_reason: string }).state_reason,
    ).toBe("duplicate");
  });

  it("paginates with RFC 5988 Link headers and lists pull requests too", async () => {
    for (let i = 1; i <= 5; i++) emulator.openIssue({ by: "alice", title: `issue ${i}` });
    emulator.openPullRequest({ by: "bob", title: "a pull request" });
    const first = await gh.rest.issues.listForRepo({ ...o, per_page: 2, direction: "asc" });
    expect(first.data.map((i) => i.number)).toEqual([1, 2]);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('rel="last"');
    expect(first.headers.link).toContain("/api/v3/repos/acme/service/issues?");
    const all = await gh.paginate(gh.rest.issues.listForRepo, { ...o, per_page: 2 });
    expect(all.map((i) => i.number)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(all.find((i) => i.number === 6)?.pull_request).toBeDefined();
    const last = await gh.rest.issues.listForRepo({ ...o, per_page: 2, page: 3 });
    expect(last.headers.link).toContain('rel="prev"');
    expect(last.headers.link).not.toContain('rel="next"');
  });

  it("filters the list by labels (AND), creator, state and since", async () => {
    emulator.openIssue({ by: "alice", title: "a", labels: ["incident", "sev1"] });
    emulator.openIssue({ by: "bob", title: "b", labels: ["incident"] });
    emulator.openIssue({ by: "bob", title: "c", labels: ["SEV1"] });
    emulator.closeIssue({ by: "bob", issue: 2 });
    const numbers = async (params: Record<string, string>) =>
      (await gh.rest.issues.listForRepo({ ...o, ...params })).data.map((i) => i.number);
    expect(await numbers({ labels: "incident,sev1", state: "all" })).toEqual([1]);
    expect(await numbers({ labels: "incident", state: "all" })).toEqual([2, 1]);
    expect(await numbers({ labels: "incident" })).toEqual([1]);
    expect(await numbers({ creator: "bob", state: "all" })).toEqual([3, 2]);
    expect(await numbers({ state: "closed" })).toEqual([2]);
    expect(
      await numbers({ since: new Date(Date.now() + 60_000).toISOString(), state: "all" }),
    ).toEqual([]);
  });

  it("names labels case-insensitively and refuses duplicates with already_exists", async () => {
    await gh.rest.issues.createLabel({ ...o, name: "Incident", color: "ff0000" });
    expect((await gh.rest.issues.getLabel({ ...o, name: "incident" })).data.name).toBe("Incident");
    await expect(
      gh.rest.issues.createLabel({ ...o, name: "INCIDENT", color: "ff0000" }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ code: "already_exists" }] } },
    });
    emulator.openIssue({ by: "alice", title: "a" });
    await gh.rest.issues.addLabels({ ...o, issue_number: 1, labels: ["incident"] });
    expect(emulator.issue(1).labels).toMatchObject([{ name: "Incident" }]);
    await expect(
      gh.rest.issues.removeLabel({ ...o, issue_number: 1, name: "nope" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("makes reactions idempotent: 201 when new, 200 when it exists", async () => {
    emulator.openIssue({ by: "alice", title: "a" });
    const c = emulator.comment({ by: "alice", issue: 1, body: "/postmortem" });
    const first = await gh.rest.reactions.createForIssueComment({
      ...o,
      comment_id: c.id,
      content: "eyes",
    });
    const second = await gh.rest.reactions.createForIssueComment({
      ...o,
      comment_id: c.id,
      content: "eyes",
    });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.data.id).toBe(first.data.id);
    expect(emulator.commentsOn(1)[0]?.reactions).toMatchObject({ total_count: 1, eyes: 1 });
  });

  it("records issue events with their actor", async () => {
    emulator.openIssue({ by: "alice", title: "a" });
    emulator.addLabel({ by: "tina", issue: 1, label: "incident" });
    await gh.rest.issues.addLabels({ ...o, issue_number: 1, labels: ["postmortem-requested"] });
    const { data } = await gh.rest.issues.listEvents({ ...o, issue_number: 1 });
    expect(
      data.map((e) => [e.event, e.actor?.login, (e as { label?: { name: string } }).label?.name]),
    ).toEqual([
      ["labeled", "tina", "incident"],
      ["labeled", "postmortem-bot[bot]", "postmortem-requested"],
    ]);
  });

  it("reports permissions with maintain→write and triage→read, plus role_name", async () => {
    emulator.setPermission("mia", "maintain");
    const check = async (username: string) =>
      (await gh.rest.repos.getCollaboratorPermissionLevel({ ...o, username })).data;
    expect(await check("mia")).toMatchObject({ permission: "write", role_name: "maintain" });
    expect(await check("tina")).toMatchObject({ permission: "read", role_name: "triage" });
    expect(await check("alice")).toMatchObject({ permission: "admin", role_name: "admin" });
    expect(await check("nora")).toMatchObject({ permission: "none" });
    await expect(check("ghost")).rejects.toMatchObject({ status: 404 });
  });
  it("answers 410 for a deleted issue and redirects a transferred one", async () => {
    emulator.openIssue({ by: "alice", title: "spam" });
    emulator.openIssue({ by: "alice", title: "wrong place" });
    emulator.deleteIssue({ by: "alice", issue: 1 });
    emulator.addRepository("other");
    const moved = emulator.transferIssue({ by: "alice", issue: 2, toRepo: "other" });
    await expect(gh.rest.issues.get({ ...o, issue_number: 1 })).rejects.toMatchObject({
      status: 410,
    });
    const followed = await gh.rest.issues.get({ ...o, issue_number: 2 });
    expect(followed.data).toMatchObject({
      title: "wrong place",
      number: moved.number,
      repository_url: `${emulator.apiUrl}/repos/acme/other`,
    });
    expect(emulator.webhooks.events.map((e) => e.action).slice(-2)).toEqual([
      "deleted",
      "transferred",
    ]);
  });
});

describe("sub-issues", () => {
  it("takes the child's id, not its number", async () => {
    const parent = emulator.openIssue({ by: "alice", title: "post-mortem" });
    const child = emulator.openIssue({ by: "alice", title: "CAPA" });
    await expect(
      gh.rest.issues.addSubIssue({
        ...o,
        issue_number: parent.number as number,
        sub_issue_id: child.number as number,
      }),
    ).rejects.toMatchObject({ status: 422 });
    const { status, data } = await gh.rest.issues.addSubIssue({
      ...o,
      issue_number: parent.number as number,
      sub_issue_id: child.id as number,
    });
    expect(status).toBe(201);
    expect(data.number).toBe(child.number);
    expect(data.parent_issue_url).toBe(`${emulator.apiUrl}/repos/acme/service/issues/1`);
    expect(emulator.issue(1).sub_issues_summary).toEqual({
      total: 1,
      completed: 0,
      percent_completed: 0,
    });
    emulator.closeIssue({ by: "alice", issue: 2 });
    expect(emulator.issue(1).sub_issues_summary).toEqual({
      total: 1,
      completed: 1,
      percent_completed: 100,
    });
    const parentOf = await gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}/parent", {
      ...o,
      issue_number: 2,
    });
    expect((parentOf.data as { number: number }).number).toBe(1);
    const events = emulator.webhooks.events
      .filter((e) => e.event === "sub_issues")
      .map((e) => e.action);
    expect(events).toEqual(["sub_issue_added", "parent_issue_added"]);
  });

  it("needs replace_parent to move a child, and reorders by id", async () => {
    for (const title of ["p1", "p2", "c1", "c2"]) emulator.openIssue({ by: "alice", title });
    const id = (n: number) => emulator.issue(n).id as number;
    await gh.rest.issues.addSubIssue({ ...o, issue_number: 1, sub_issue_id: id(3) });
    await gh.rest.issues.addSubIssue({ ...o, issue_number: 1, sub_issue_id: id(4) });
    await expect(
      gh.rest.issues.addSubIssue({ ...o, issue_number: 2, sub_issue_id: id(3) }),
    ).rejects.toMatchObject({ status: 422 });
    await gh.rest.issues.reprioritizeSubIssue({
      ...o,
      issue_number: 1,
      sub_issue_id: id(4),
      before_id: id(3),
    });
    expect(
      (await gh.rest.issues.listSubIssues({ ...o, issue_number: 1 })).data.map((i) => i.number),
    ).toEqual([4, 3]);
    await gh.rest.issues.addSubIssue({
      ...o,
      issue_number: 2,
      sub_issue_id: id(3),
      replace_parent: true,
    });
    expect(
      (await gh.rest.issues.listSubIssues({ ...o, issue_number: 1 })).data.map((i) => i.number),
    ).toEqual([4]);
    await gh.rest.issues.removeSubIssue({ ...o, issue_number: 1, sub_issue_id: id(4) });
    await expect(
      gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}/parent", {
        ...o,
        issue_number: 4,
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("allows at most 100 sub-issues per parent, closed ones included", async () => {
    const parent = emulator.openIssue({ by: "alice", title: "parent" });
    for (let i = 0; i < 100; i++) {
      const child = emulator.openIssue({ by: "alice", title: `child ${i}` });
      emulator.addSubIssue({
        by: "alice",
        parent: parent.number as number,
        child: child.number as number,
      });
      if (i % 2) emulator.closeIssue({ by: "alice", issue: child.number as number });
    }
    const extra = emulator.openIssue({ by: "alice", title: "one too many" });
    await expect(
      gh.rest.issues.addSubIssue({ ...o, issue_number: 1, sub_issue_id: extra.id as number }),
    ).rejects.toMatchObject({ status: 422 });
    expect(emulator.issue(1).sub_issues_summary).toEqual({
      total: 100,
      completed: 50,
      percent_completed: 50,
    });
  });
});
