// What the path index (src/core/culprits/path-index.ts) relies on: a locked issue takes comments
// from writers and the App only; a comment's updated_at equals its created_at until an edit moves
// it; the issue listing filters by a bot creator and by labels.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
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
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

async function commentAs(login: string, issue: number, body: string) {
  const response = await fetch(`${emulator.apiUrl}/repos/acme/service/issues/${issue}/comments`, {
    method: "POST",
    headers: {
      authorization: `token ${emulator.tokenFor(login)}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ body }),
  });
  return { status: response.status, body: (await response.json()) as { message?: string } };
}

describe("PUT/DELETE /repos/{owner}/{repo}/issues/{issue_number}/lock", () => {
  it("locks with a reason; then only writers and the App comment; unlocking lets everyone in again", async () => {
    const { data: index } = await gh.rest.issues.create({ ...o, title: "path index" });
    await gh.rest.issues.update({ ...o, issue_number: index.number, state: "closed" });
    await gh.rest.issues.lock({ ...o, issue_number: index.number, lock_reason: "resolved" });
    const { data: locked } = await gh.rest.issues.get({ ...o, issue_number: index.number });
    expect(locked).toMatchObject({ locked: true, active_lock_reason: "resolved", state: "closed" });

    const refused = await commentAs("tina", index.number, "triage says hi");
    expect(refused).toMatchObject({
      status: 403,
      body: { message: "Unable to create comment because issue is locked." },
    });
    expect((await commentAs("rita", index.number, "reader")).status).toBe(403);
    expect(() => emulator.comment({ by: "nora", issue: index.number, body: "outsider" })).toThrow(
      "locked",
    );
    expect((await commentAs("bob", index.number, "a writer")).status).toBe(201);
    const { data: byApp } = await gh.rest.issues.createComment({
      ...o,
      issue_number: index.number,
      body: "entry",
    });
    expect(byApp.user?.login).toBe("postmortem-bot[bot]");
    expect(emulator.commentsOn(index.number).map((c) => c.user.login)).toEqual([
      "bob",
      "postmortem-bot[bot]",
    ]);

    // Locking twice changes nothing; a person below write cannot lock or unlock.
    await gh.rest.issues.lock({ ...o, issue_number: index.number });
    expect(emulator.issue(index.number)).toMatchObject({ active_lock_reason: "resolved" });
    const asTina = await fetch(
      `${emulator.apiUrl}/repos/acme/service/issues/${index.number}/lock`,
      {
        method: "DELETE",
        headers: { authorization: `token ${emulator.tokenFor("tina")}` },
      },
    );
    expect(asTina.status).toBe(403);
    await expect(
      gh.rest.issues.lock({ ...o, issue_number: index.number, lock_reason: "bored" as "spam" }),
    ).rejects.toMatchObject({ status: 422 });

    await gh.rest.issues.unlock({ ...o, issue_number: index.number });
    expect(emulator.issue(index.number)).toMatchObject({ locked: false, active_lock_reason: null });
    expect((await commentAs("tina", index.number, "now I can")).status).toBe(201);

    const { data: events } = await gh.rest.issues.listEvents({ ...o, issue_number: index.number });
    expect(events.map((e) => e.event)).toEqual(["closed", "locked", "unlocked"]);
    const validator = WebhookValidator.shared();
    const lockEvents = emulator.webhooks.events.filter((e) => /locked$/.test(e.action ?? ""));
    expect(lockEvents.map((e) => e.action)).toEqual(["locked", "unlocked"]);
    for (const e of lockEvents)
      expect(validator.validate(e.event, e.action, e.payload).errors).toEqual([]);
    expect(lockEvents[0]?.payload).toMatchObject({
      issue: { locked: true, active_lock_reason: "resolved" },
    });
    expect(invalidResponses(emulator.requests.filter((r) => r.status < 300))).toEqual([]);
    expect(invalidRequests(emulator.requests)).toEqual([]);
  });
});

describe("issue comments' updated_at", () => {
  it("equals created_at at creation and moves on every edit, even within the same second", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-01T10:00:00.100Z") });
    const { data: created } = await gh.rest.issues.createComment({
      ...o,
      issue_number: emulator.openIssue({ by: "alice", title: "PM" }).number as number,
      body: "entry",
    });
    expect(created.updated_at).toBe(created.created_at);
    expect(created.created_at).toBe("2026-03-01T10:00:00Z");

    // Same second: an edit still moves it.
    const { data: edited } = await gh.rest.issues.updateComment({
      ...o,
      comment_id: created.id,
      body: "entry (edited)",
    });
    expect(edited.created_at).toBe("2026-03-01T10:00:00Z");
    expect(edited.updated_at).toBe("2026-03-01T10:00:01Z");
    const again = emulator.editComment({ by: "tina", commentId: created.id, body: "again" });
    expect(again.updated_at).toBe("2026-03-01T10:00:02Z");
    vi.setSystemTime(new Date("2026-03-01T11:00:00Z"));
    const later = emulator.editComment({ by: "tina", commentId: created.id, body: "later" });
    expect(later.updated_at).toBe("2026-03-01T11:00:00Z");
    expect((await gh.rest.issues.getComment({ ...o, comment_id: created.id })).data).toMatchObject({
      created_at: "2026-03-01T10:00:00Z",
      updated_at: "2026-03-01T11:00:00Z",
    });
  });
});

describe("ETags on listings", () => {
  it("an issue's comments answer 304 to If-None-Match until one is added, edited or deleted", async () => {
    const issue = emulator.openIssue({ by: "alice", title: "index" }).number as number;
    emulator.comment({ by: "alice", issue, body: "entry 1" });
    const url = `${emulator.apiUrl}/repos/acme/service/issues/${issue}/comments?per_page=100`;
    const token = emulator.tokenFor("bob");
    const get = (etag?: string) =>
      fetch(url, {
        headers: { authorization: `token ${token}`, ...(etag ? { "if-none-match": etag } : {}) },
      });
    const first = await get();
    const etag = first.headers.get("etag") ?? "";
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect((await get(etag)).status).toBe(304);
    const c = emulator.comment({ by: "alice", issue, body: "entry 2" });
    const second = await get(etag);
    expect(second.status).toBe(200);
    const etag2 = second.headers.get("etag") ?? "";
    expect(etag2).not.toBe(etag);
    expect((await get(etag2)).status).toBe(304);
    emulator.editComment({ by: "alice", commentId: c.id, body: "entry 2, edited" });
    expect((await get(etag2)).status).toBe(200);
  });
});

describe("GET /repos/{owner}/{repo}/issues filters", () => {
  it("by a bot creator (slug[bot]) and by labels, with state=all", async () => {
    const { data: index } = await gh.rest.issues.create({
      ...o,
      title: "postmortem-bot: path index (do not edit)",
      labels: ["postmortem-bot:path-index"],
    });
    await gh.rest.issues.update({ ...o, issue_number: index.number, state: "closed" });
    const forged = emulator.openIssue({
      by: "tina",
      title: "postmortem-bot: path index (do not edit)",
      labels: ["postmortem-bot:path-index"],
    });
    const plain = (await gh.rest.issues.create({ ...o, title: "other" })).data;
    const numbers = async (params: Record<string, string>) =>
      (await gh.rest.issues.listForRepo({ ...o, ...params })).data.map((i) => i.number);

    expect(
      await numbers({
        labels: "postmortem-bot:path-index",
        state: "all",
        creator: "postmortem-bot[bot]",
      }),
    ).toEqual([index.number]);
    expect(await numbers({ creator: "postmortem-bot[bot]", state: "all" })).toEqual([
      plain.number,
      index.number,
    ]);
    expect(await numbers({ labels: "postmortem-bot:path-index", state: "all" })).toEqual([
      forged.number,
      index.number,
    ]);
    expect(await numbers({ labels: "postmortem-bot:path-index" })).toEqual([forged.number]);
    expect(await numbers({ creator: "tina", state: "all" })).toEqual([forged.number]);
    expect(await numbers({ creator: "github-actions[bot]", state: "all" })).toEqual([]);
  });
});

describe("scripts acting as the App's bot (seeding state the App wrote, as the bench does)", () => {
  it("an issue and comments scripted `by` the bot read over REST as the App's own: Bot, via the App, never edited", async () => {
    const bot = emulator.state.bot.login;
    const index = emulator.openIssue({
      by: bot,
      title: "postmortem-bot: path index (do not edit)",
      labels: ["postmortem-bot:path-index"],
    }).number as number;
    emulator.closeIssue({ by: bot, issue: index });
    emulator.lockIssue({ by: bot, issue: index });
    // The bot writes on its locked issue, as the App does.
    emulator.comment({ by: bot, issue: index, body: "Post-mortem #1: culprits #10, 1 path." });

    const { data: issues } = await gh.rest.issues.listForRepo({
      ...o,
      labels: "postmortem-bot:path-index",
      state: "all",
      creator: bot,
    });
    expect(issues.map((i) => [i.number, i.user?.login, i.user?.type, i.state, i.locked])).toEqual([
      [index, "postmortem-bot[bot]", "Bot", "closed", true],
    ]);
    const { data: comments } = await gh.rest.issues.listComments({ ...o, issue_number: index });
    expect(
      comments.map((c) => [
        c.user?.login,
        c.user?.type,
        c.performed_via_github_app?.slug,
        c.created_at === c.updated_at,
      ]),
    ).toEqual([["postmortem-bot[bot]", "Bot", "postmortem-bot", true]]);
    expect(invalidResponses(emulator.requests)).toEqual([]);
  });
});
