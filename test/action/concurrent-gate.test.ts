// The approval gate with several Action runs at once, as happens without the README's
// `concurrency:` group (or when the group cancels a pending run): the runs are the real bundle,
// started together against one emulator. The emulator holds the racing writes back until every
// run has sent its own, so each run read before any of them wrote: the race happens every time.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { findMarker } from "../../src/core/markers.js";
import { postmortemBody } from "../core/approvals/fixtures.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";

const ACTIONS_BOT = "github-actions[bot]";
const TODAY = "2026-11-27";
const ISSUE_PATH = "/repos/{owner}/{repo}/issues/{issue_number}";
const COMMENTS_PATH = "/repos/{owner}/{repo}/issues/{issue_number}/comments";
let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock(`${TODAY}T13:00:00Z`);
  emulator = createGitHubEmulator({
    users: [
      { login: "tina", role: "write" },
      { login: "paul", role: "write" },
      { login: "dave", role: "write" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

function openPostmortem(): number {
  return emulator.openIssue({
    by: "postmortem-bot[bot]",
    title: "Post-mortem: Checkout returns 500",
    body: postmortemBody(),
    labels: ["postmortem"],
  }).number as number;
}

function lastEvent(event: string, action: string) {
  const found = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .at(-1);
  if (!found) throw new Error(`no ${event}.${action} event`);
  return { eventName: event, payload: found.payload };
}

function run(event: { eventName: string; payload: unknown }) {
  return runActionBundle({
    ...event,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    ...clock,
  });
}

const gateComments = (issue: number) =>
  emulator
    .commentsOn(issue)
    .filter((c) => c.user.login === ACTIONS_BOT && findMarker(c.body, "gate")?.issue === issue);
const thumbsUp = (commentId: number) =>
  emulator.state
    .comment(emulator.mainRepo, commentId)
    .reactions.map((r) => `${r.user.login} ${r.content}`);
/** The Action's requests since `since`, as `METHOD path`. */
const actionRequests = (since: number) =>
  emulator.requests
    .filter((r) => r.seq > since && r.actor === ACTIONS_BOT)
    .map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
const lastSeq = () => emulator.requests.at(-1)?.seq ?? 0;

/** Polls (never a fixed sleep) until `done` holds; fails the test if it never does. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 20) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("waited a minute for something that never happened");
}

/**
 * Holds the next `count` requests matching `spec` until all of them have arrived, then lets them
 * go together.
 */
function holdTogether(spec: { method: string; path: string }, count: number): Promise<void> {
  let release!: () => void;
  const fault = emulator.injectFault({
    ...spec,
    times: count,
    hold: new Promise<void>((resolve) => (release = resolve)),
  });
  return until(() => fault.hits === count).then(release);
}

describe("the approval gate under concurrent Action runs", () => {
  it("three runs of one close event leave one gate comment, one reopen and the same outcome", async () => {
    const number = openPostmortem();
    emulator.closeIssue({ by: "dave", issue: number });
    const close = lastEvent("issues", "closed");
    // Every run finds no gate comment and creates one: three copies land together.
    const released = holdTogether({ method: "POST", path: COMMENTS_PATH }, 3);

    const runs = await Promise.all([run(close), run(close), run(close)]);
    await released;

    expect(runs.map((r) => r.exitCode)).toEqual([1, 1, 1]);
    for (const result of runs) {
      expect(result.outputs.approved).toBe("false");
      expect(result.summary).toContain("🚫 **Close blocked**");
    }
    const kept = gateComments(number);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.body).toContain("This post-mortem was reopened");
    expect(emulator.issue(number).state).toBe("open");
    const reopenings = emulator.webhooks.events.filter(
      (e) => e.event === "issues" && e.action === "reopened",
    );
    expect(reopenings).toHaveLength(1);
    // The two later copies were deleted (each by one run or more: a second delete finds a 404).
    const created = emulator.requests
      .filter((r) => r.method === "POST" && r.route === COMMENTS_PATH && r.status === 201)
      .map((r) => (r.response as { id: number }).id)
      .sort((a, b) => a - b);
    expect(created).toHaveLength(3);
    expect(kept[0]!.id).toBe(created[0]);
    const deleted = emulator.requests
      .filter((r) => r.method === "DELETE" && r.status === 204)
      .map((r) => Number(r.path.split("/").at(-1)))
      .sort((a, b) => a - b);
    expect(deleted).toEqual(created.slice(1));
  });

  it("two /approve comments by two people, handled by two runs at once, both end in section 9", async () => {
    const number = openPostmortem();
    emulator.comment({ by: "tina", issue: number, body: "/approve tl" });
    const tinaEvent = lastEvent("issue_comment", "created");
    emulator.comment({ by: "paul", issue: number, body: "/approve product" });
    const paulEvent = lastEvent("issue_comment", "created");
    // The first body write is held until the other run has written, checked and finished: then
    // it lands on top, from a body read before either wrote.
    let release!: () => void;
    emulator.injectFault({
      method: "PATCH",
      path: ISSUE_PATH,
      hold: new Promise<void>((resolve) => (release = resolve)),
    });
    const started = [run(tinaEvent), run(paulEvent)];
    await Promise.race(started);
    release();
    const runs = await Promise.all(started);

    expect(runs.map((r) => r.exitCode)).toEqual([0, 0]);
    expect(emulator.issue(number).body).toBe(
      postmortemBody({ techLead: `@tina (${TODAY})`, product: `@paul (${TODAY})`, date: TODAY }),
    );
    const [tina, paul] = emulator.commentsOn(number);
    expect(thumbsUp(tina!.id)).toEqual([`${ACTIONS_BOT} +1`]);
    expect(thumbsUp(paul!.id)).toEqual([`${ACTIONS_BOT} +1`]);
  });

  it("a run that read before the second /approve and wrote last repairs what it overwrote", async () => {
    const number = openPostmortem();
    emulator.comment({ by: "tina", issue: number, body: "/approve tl" });
    const tinaEvent = lastEvent("issue_comment", "created");
    // tina's run writes a body that names only her; it is held until paul's run is done.
    let release!: () => void;
    const held = emulator.injectFault({
      method: "PATCH",
      path: ISSUE_PATH,
      hold: new Promise<void>((resolve) => (release = resolve)),
    });
    const since = lastSeq();
    const tinaRun = run(tinaEvent);
    await until(() => held.hits === 1);
    emulator.comment({ by: "paul", issue: number, body: "/approve product" });
    const paulRun = await run(lastEvent("issue_comment", "created"));
    release();

    const runs = [await tinaRun, paulRun];

    expect(runs.map((r) => r.exitCode)).toEqual([0, 0]);
    expect(emulator.issue(number).body).toBe(
      postmortemBody({ techLead: `@tina (${TODAY})`, product: `@paul (${TODAY})`, date: TODAY }),
    );
    // paul's run wrote both; tina's stale write then dropped paul; her run's re-read repaired it.
    const bodyWrites = emulator.requests.filter(
      (r) => r.seq > since && r.method === "PATCH" && r.route === ISSUE_PATH,
    );
    expect(bodyWrites.map((r) => (r.body as { body: string }).body)).toEqual([
      postmortemBody({ techLead: `@tina (${TODAY})`, product: `@paul (${TODAY})`, date: TODAY }),
      postmortemBody({ techLead: `@tina (${TODAY})` }),
      postmortemBody({ techLead: `@tina (${TODAY})`, product: `@paul (${TODAY})`, date: TODAY }),
    ]);
  });

  it("/approve comments whose runs were cancelled are honoured by the next run, here a close", async () => {
    const number = openPostmortem();
    // Both runs were cancelled by the concurrency group: the comments exist, nothing ran.
    emulator.comment({ by: "tina", issue: number, body: "/approve tl" });
    emulator.comment({ by: "paul", issue: number, body: "/approve product" });
    emulator.editBody({
      by: "dave",
      issue: number,
      body: postmortemBody({ communication: "Yes" }),
    });
    emulator.closeIssue({ by: "dave", issue: number, reason: "completed" });
    const since = lastSeq();

    const result = await run(lastEvent("issues", "closed"));

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ approved: "true", missing: "[]" });
    expect(result.summary).toContain("✅ **Closed with complete approvals**");
    expect(emulator.issue(number).state).toBe("closed");
    expect(emulator.issue(number).body).toBe(
      postmortemBody({
        techLead: `@tina (${TODAY})`,
        product: `@paul (${TODAY})`,
        date: TODAY,
        communication: "Yes",
      }),
    );
    expect(gateComments(number)).toEqual([]);
    // One body write, then the verifying read; no comment, no reopen.
    expect(
      actionRequests(since).filter((r) => !r.startsWith("GET ") && !r.startsWith("POST /graphql")),
    ).toEqual([`PATCH /repos/acme/service/issues/${number}`]);
  });

  it("a late run of an old close never undoes a newer, valid close", async () => {
    const number = openPostmortem();
    emulator.closeIssue({ by: "dave", issue: number });
    // Its run is still pending while the approvals come in and the post-mortem is closed again.
    const oldClose = lastEvent("issues", "closed");
    emulator.reopenIssue({ by: "dave", issue: number });
    emulator.comment({ by: "tina", issue: number, body: "/approve tl" });
    emulator.comment({ by: "paul", issue: number, body: "/approve product" });
    emulator.editBody({
      by: "dave",
      issue: number,
      body: postmortemBody({ communication: "Yes" }),
    });
    emulator.closeIssue({ by: "dave", issue: number, reason: "completed" });
    const newClose = lastEvent("issues", "closed");

    const runs = await Promise.all([run(oldClose), run(newClose)]);

    expect(runs.map((r) => [r.exitCode, r.outputs.approved])).toEqual([
      [0, "true"],
      [0, "true"],
    ]);
    expect(emulator.issue(number).state).toBe("closed");
    expect(gateComments(number)).toEqual([]);
    // dave's reopening only: the old close's run reopened nothing.
    expect(
      emulator.webhooks.events.filter((e) => e.event === "issues" && e.action === "reopened"),
    ).toHaveLength(1);
  });

  it("a single run costs no more than before: a blocked close in 8 requests, an /approve in 11", async () => {
    const number = openPostmortem();
    emulator.closeIssue({ by: "dave", issue: number });
    let since = lastSeq();
    await run(lastEvent("issues", "closed"));
    const config = [
      "GET /repos/acme/service/contents/.github/postmortem.yml",
      "GET /repos/acme/.github/contents/.github/postmortem.yml",
    ];
    const read = [
      `GET /repos/acme/service/issues/${number}`,
      `GET /repos/acme/service/issues/${number}/comments`,
    ];
    // Read, comment and reopen, read again to verify (and to find a racing run's copy).
    expect(actionRequests(since)).toEqual([
      ...config,
      ...read,
      `POST /repos/acme/service/issues/${number}/comments`,
      `PATCH /repos/acme/service/issues/${number}`,
      ...read,
    ]);

    const approve = emulator.comment({ by: "tina", issue: number, body: "/approve tl" });
    since = lastSeq();
    await run(lastEvent("issue_comment", "created"));
    expect(actionRequests(since)).toEqual([
      ...config,
      // The commenter first: someone who may fill no role would stop the run here.
      "GET /repos/acme/service/collaborators/tina/permission",
      ...read,
      "POST /graphql",
      `PATCH /repos/acme/service/issues/${number}`,
      ...read,
      "POST /graphql",
      `POST /repos/acme/service/issues/comments/${approve.id}/reactions`,
    ]);
  });
});
