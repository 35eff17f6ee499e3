// Issue #20's "Done when" through the bundled Action (`flows.runIn: action`) against the
// emulator: a post-mortem opened after deployments lists what each shipped; `/culprit` links a
// pull request both ways; a later pull request (a reader's, a fork's) touching its files gets one
// check run per head commit, never two; a second incident's overlapping culprit is linked to the
// first. Each run gets the event GitHub would start the workflow with, with the documented
// workflow's token permissions; the Action's own writes start no run, so only what a person does
// is run. Runs `dist/`: rebuild it first (`npm run build:action`).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { postmortemsFor } from "../e2e/stack.js";

const ACTIONS_BOT = "github-actions[bot]";
const CHECK = "postmortem-bot / implicated code";
const INDEX_LABEL = "postmortem-bot:path-index";
const RUN_IN_ACTION = "flows:\n  runIn: action\n";
/** The documented workflow's `permissions:` (README), as the runner scopes GITHUB_TOKEN. */
const WORKFLOW_PERMISSIONS = {
  issues: "write",
  contents: "read",
  pull_requests: "read",
  deployments: "read",
  checks: "write",
};

let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  // The incidents open at this moment: the look-back (24 h) starts 2026-11-26 13:00 UTC.
  clock = useFixedClock("2026-11-27T13:00:00Z");
  emulator = createGitHubEmulator({
    users: [
      { login: "alice", role: "maintain" },
      { login: "carol", role: "write" },
      { login: "tom", role: "triage" },
      { login: "dave", role: "read" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
  emulator.setFile(".github/postmortem.yml", RUN_IN_ACTION);
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

const lastSeq = () => emulator.requests.at(-1)?.seq ?? 0;

/** Runs the bundle as the runner does for this event; returns the run and where the log stood. */
async function run(event: { eventName: string; payload: unknown }) {
  const since = lastSeq();
  const result = await runActionBundle({
    ...event,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT, { permissions: WORKFLOW_PERMISSIONS }),
    repository: `${emulator.owner}/${emulator.repoName}`,
    nodeArgs: clock.nodeArgs,
    env: clock.env,
  });
  expect(result.exitCode, result.stdout).toBe(0);
  return { ...result, since };
}

/** Runs the Action for the latest `pull_request` event of this action, as `pull_request_target`. */
const runTarget = (action: string) =>
  run(emulator.lastEvent("pull_request", action, { as: "pull_request_target" }));

/** The Action's requests since `since`, as "METHOD /path". */
function actionRequests(since: number) {
  return emulator.requests
    .filter((r) => r.seq > since && r.actor === ACTIONS_BOT)
    .map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
}

/**
 * The Action's requests since `since` that are no GET and no GraphQL (which only reads here), with
 * GitHub's answer: a reaction that is there already is answered 200, and nothing is created.
 */
function actionPosts(since: number) {
  return emulator.requests
    .filter(
      (r) =>
        r.seq > since && r.actor === ACTIONS_BOT && r.method !== "GET" && r.path !== "/graphql",
    )
    .map((r) => `${r.method} ${decodeURIComponent(r.path)} ${r.status}`);
}

/** The Action's writes since `since` (GraphQL only reads here). */
const actionWrites = (since: number) =>
  actionRequests(since).filter((r) => !r.startsWith("GET ") && r !== "POST /graphql");

const bodyOf = (issue: number) => emulator.issue(issue).body as string;

const actionComments = (issue: number) =>
  emulator.commentsOn(issue).filter((c) => c.user.login === ACTIONS_BOT);

const changesBlock = (body: string) =>
  body.slice(
    body.indexOf("<!-- postmortem-bot:changes:start -->"),
    body.indexOf("<!-- postmortem-bot:changes:end -->"),
  );

/** The pull requests a deployment's part of the block lists, in order. */
const listed = (text: string) => [...text.matchAll(/^ {2}- #(\d+) /gm)].map((m) => Number(m[1]));

/** The block's deployments, newest first, each with its heading line and what it lists. */
function deployments(body: string) {
  return changesBlock(body)
    .split(/^- \*\*/m)
    .slice(1)
    .map((part) => ({ heading: part.split("\n")[0]!, pulls: listed(part) }));
}

/** carol's pull request changing `paths`, merged by alice at `at`; its number. */
function merged(title: string, paths: string[], at: string) {
  const number = emulator.openPullRequest({
    by: "carol",
    title,
    files: paths.map((path) => ({ path })),
    at,
  }).number as number;
  emulator.mergePullRequest({ by: "alice", number, at });
  return number;
}

/** A deployment of the default branch's head to production at `at`, then its status. */
function deploy(at: string, state: "success" | "failure" = "success") {
  const deployment = emulator.createDeployment({
    by: "alice",
    sha: emulator.branchSha({}),
    ref: "main",
    environment: "production",
    at,
  });
  emulator.setDeploymentStatus({ by: "alice", deployment: deployment.id, state, at });
  return deployment;
}

/**
 * alice opens an incident with its labels: GitHub sends `issues` opened, then one labeled per
 * label, each starting a run. The first run opens the post-mortem; the others write nothing.
 */
async function incidentPostmortem(title: string) {
  const incident = emulator.openIssue({
    by: "alice",
    title,
    body: "Payments fail.",
    labels: ["incident", "P2", "env:production"],
  }).number as number;
  const events = emulator.webhooks.events.filter(
    (e) =>
      e.event === "issues" &&
      (e.payload as { issue: { number: number } }).issue.number === incident,
  );
  expect(events.map((e) => e.action)).toEqual(["opened", "labeled", "labeled", "labeled"]);
  const first = await run({ eventName: "issues", payload: structuredClone(events[0]!.payload) });
  const writes = actionWrites(first.since);
  const requests = actionRequests(first.since);
  for (const event of events.slice(1)) {
    const again = await run({ eventName: "issues", payload: structuredClone(event.payload) });
    expect(actionWrites(again.since)).toEqual([]);
  }
  const postmortems = postmortemsFor(emulator, incident, "open");
  expect(postmortems).toHaveLength(1);
  return {
    incident,
    postmortem: postmortems[0]!.number,
    writes,
    requests,
  };
}

/** The check runs named CHECK on a commit. */
const checkRuns = (sha: string) => emulator.checkRunsOn(sha).filter((r) => r.name === CHECK);

const headOf = (event: { payload: Record<string, unknown> }) =>
  (event.payload.pull_request as { head: { sha: string } }).head.sha;

describe("changes before the incident, culprits and the culprit check through the Action", () => {
  it("lists what each deployment shipped, links a culprit both ways, warns the next pull requests once per head commit, links a repeat", async () => {
    // #1 shipped by a deployment before the window (the base of the next one's compare), #2 by
    // one inside it, #3 by the newest; a failed deployment after them changes nothing.
    const first = merged("Retry card charges", ["src/pay/charge.ts"], "2026-11-25T20:00:00Z");
    deploy("2026-11-25T21:00:00Z");
    const second = merged(
      "Refund in the background",
      ["src/pay/refund.ts"],
      "2026-11-26T15:00:00Z",
    );
    deploy("2026-11-26T16:00:00Z");
    const third = merged(
      "Round <b>totals</b> | cents",
      ["src/cart/total.ts", "src/pay/charge.ts"],
      "2026-11-27T08:00:00Z",
    );
    deploy("2026-11-27T09:00:00Z");
    deploy("2026-11-27T10:00:00Z", "failure");

    // 1. The post-mortem's block: per deployment, newest first, what it shipped.
    const opened = await incidentPostmortem("Card payments fail");
    const { postmortem } = opened;
    const shipped = deployments(bodyOf(postmortem));
    expect(shipped).toHaveLength(2);
    expect(shipped[0]!.heading).toMatch(
      /^2026-11-27 09:00 UTC\*\*: `main` at `[0-9a-f]{7}` by @alice/,
    );
    expect(shipped[0]!.pulls).toEqual([third]);
    expect(shipped[1]!.heading).toMatch(/^2026-11-26 16:00 UTC\*\*/);
    expect(shipped[1]!.pulls).toEqual([second]);
    expect(changesBlock(bodyOf(postmortem))).not.toContain(`#${first} `);
    expect(changesBlock(bodyOf(postmortem))).not.toContain("<b>");
    expect(bodyOf(postmortem)).toContain("Deployed `main` to `production` by @alice");
    // What the block cost: one GraphQL read of the deployments (with their latest status), one
    // compare per pair of deployments, one listing of the closed pull requests.
    expect(
      opened.requests.filter((r) => /^(POST \/graphql|GET \S+\/(compare\/\S+|pulls))$/.test(r)),
    ).toEqual([
      "POST /graphql",
      expect.stringMatching(/^GET \/repos\/acme\/service\/compare\//),
      expect.stringMatching(/^GET \/repos\/acme\/service\/compare\//),
      "GET /repos/acme/service/pulls",
    ]);
    expect(opened.writes).toEqual([
      "POST /repos/acme/service/labels",
      "POST /repos/acme/service/issues",
      `POST /repos/acme/service/issues/${opened.incident}/comments`,
    ]);

    // 6. A triager's /changes 48h: the block read again over two days, and the deployment it
    // finds gets its Timeline row (the timeline's rules); nothing else is touched.
    const before = bodyOf(postmortem);
    emulator.comment({ by: "tom", issue: postmortem, body: "/changes 48h" });
    const changes = emulator.lastEvent("issue_comment", "created");
    const changed = await run(changes);
    const after = bodyOf(postmortem);
    const rest = (body: string) =>
      body.replace(changesBlock(body), "").replace(/<!-- postmortem-bot:timeline .* -->/, "");
    const oldest = "| 2026-11-25 21:00 UTC | Deployed `main` to `production` by @alice |\n";
    expect(rest(after)).toBe(
      rest(before).replace(
        "| 2026-11-26 16:00 UTC | Deployed",
        `${oldest}| 2026-11-26 16:00 UTC | Deployed`,
      ),
    );
    const reread = deployments(after);
    expect(reread.map((d) => d.heading.slice(0, 20))).toEqual([
      "2026-11-27 09:00 UTC",
      "2026-11-26 16:00 UTC",
      "2026-11-25 21:00 UTC",
    ]);
    // The oldest has no earlier deployment to compare with: the pull requests merged in the
    // window up to it.
    expect(reread.map((d) => d.pulls)).toEqual([[third], [second], [first]]);
    expect(changesBlock(after)).toContain(
      "between 2026-11-25 13:00 UTC and 2026-11-27 13:00 UTC (Start)",
    );
    expect(actionWrites(changed.since)).toEqual([
      `PATCH /repos/acme/service/issues/${postmortem}`,
      `POST /repos/acme/service/issues/comments/${(changes.payload.comment as { id: number }).id}/reactions`,
    ]);

    // 2. /culprit #3 by alice (maintain): the Root Cause Analysis line, one comment on the pull
    // request by github-actions[bot], the index issue (closed, locked) with one comment.
    emulator.comment({ by: "alice", issue: postmortem, body: `/culprit #${third}` });
    const culprit = emulator.lastEvent("issue_comment", "created");
    const blamed = await run(culprit);
    expect(bodyOf(postmortem)).toMatch(
      new RegExp(
        `- \\*\\*Contributing change:\\*\\* #${third} .* by @carol \\(merged 2026-11-27\\)`,
      ),
    );
    const onPull = actionComments(third);
    expect(onPull).toHaveLength(1);
    expect(onPull[0]!.body).toContain(`contributing cause of post-mortem #${postmortem}`);
    const index = emulator.issues({ state: "all", label: INDEX_LABEL });
    expect(index).toHaveLength(1);
    const indexIssue = index[0]!.number as number;
    expect(index[0]).toMatchObject({ state: "closed", locked: true, user: { login: ACTIONS_BOT } });
    expect(actionComments(indexIssue)).toHaveLength(1);
    expect(emulator.commentsOn(indexIssue)).toHaveLength(1);
    const commandId = (culprit.payload.comment as { id: number }).id;
    expect(actionWrites(blamed.since)).toEqual([
      `POST /repos/acme/service/issues/${third}/comments`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
      "POST /repos/acme/service/issues",
      `PATCH /repos/acme/service/issues/${indexIssue}`,
      `PUT /repos/acme/service/issues/${indexIssue}/lock`,
      `POST /repos/acme/service/issues/${indexIssue}/comments`,
      `POST /repos/acme/service/issues/comments/${commandId}/reactions`,
    ]);
    // The same event again (a re-run): nothing written; the command's +1 is asked for again and
    // GitHub answers that it is there (200, not 201).
    const rerun = await run(culprit);
    expect(actionPosts(rerun.since)).toEqual([
      `POST /repos/acme/service/issues/comments/${commandId}/reactions 200`,
    ]);
    expect(actionComments(third)).toHaveLength(1);
    expect(emulator.commentsOn(indexIssue)).toHaveLength(1);

    // 3. dave (read access) opens a pull request touching charge.ts; nora one from her fork.
    const later = emulator.openPullRequest({
      by: "dave",
      title: "Charge in cents",
      files: [{ path: "src/pay/charge.ts" }, { path: "docs/pay.md" }],
    }).number as number;
    const daveOpened = emulator.lastEvent("pull_request", "opened");
    const daveHead = headOf(daveOpened);
    const warned = await runTarget("opened");
    // The configuration, the index (its issue and comments: a run starts cold), the files page,
    // the check run found by name on the head commit, and the one write.
    const firstRequests = actionRequests(warned.since);
    expect(firstRequests).toEqual([
      "GET /repos/acme/service/contents/.github/postmortem.yml",
      "GET /repos/acme/service/issues",
      `GET /repos/acme/service/issues/${indexIssue}/comments`,
      `GET /repos/acme/service/pulls/${later}/files`,
      `GET /repos/acme/service/commits/${daveHead}/check-runs`,
      "POST /repos/acme/service/check-runs",
    ]);
    const runs = checkRuns(daveHead);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.app.slug).toBe("github-actions");
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(runs[0]!.output.summary).toContain(`#${postmortem}`);
    expect(runs[0]!.output.summary).toContain("src/pay/charge.ts");
    expect(runs[0]!.output.summary).not.toContain("docs/pay.md");
    // The same event again: still one run on that commit, and no write.
    const again = await runTarget("opened");
    expect(actionRequests(again.since)).toEqual(firstRequests.slice(0, -1));
    expect(checkRuns(daveHead)).toHaveLength(1);
    // A push: one run on the new head commit, the old one untouched.
    emulator.pushToPullRequest({ number: later, files: [{ path: "src/pay/charge.ts" }] });
    const pushedHead = headOf(emulator.lastEvent("pull_request", "synchronize"));
    expect(pushedHead).not.toBe(daveHead);
    const pushed = await runTarget("synchronize");
    expect(actionWrites(pushed.since)).toEqual(["POST /repos/acme/service/check-runs"]);
    expect(checkRuns(pushedHead)).toHaveLength(1);
    expect(checkRuns(pushedHead)[0]).toMatchObject({
      conclusion: "neutral",
      app: { slug: "github-actions" },
    });
    expect(checkRuns(daveHead)).toHaveLength(1);

    const fork = emulator.openPullRequest({
      by: "nora",
      title: "Drive-by <img src=x> in charge",
      fork: true,
      files: [{ path: "src/pay/charge.ts" }],
    }).number as number;
    const forkHead = headOf(emulator.lastEvent("pull_request", "opened"));
    const forkRun = await runTarget("opened");
    expect(actionWrites(forkRun.since)).toEqual(["POST /repos/acme/service/check-runs"]);
    expect(checkRuns(forkHead)).toHaveLength(1);
    expect(checkRuns(forkHead)[0]).toMatchObject({
      conclusion: "neutral",
      app: { slug: "github-actions" },
    });
    expect(actionWrites((await runTarget("opened")).since)).toEqual([]);
    expect(checkRuns(forkHead)).toHaveLength(1);
    expect(fork).toBeGreaterThan(later);

    // 5. A second incident: its culprit (dave's pull request, merged) touches charge.ts again.
    emulator.mergePullRequest({ by: "alice", number: later });
    const merge = await run(
      emulator.lastEvent("pull_request", "closed", { as: "pull_request_target" }),
    );
    // No CAPA child to credit, and a merge is no culprit check: nothing written.
    expect(actionWrites(merge.since)).toEqual([]);
    const { postmortem: repeat } = await incidentPostmortem("Card payments fail again");
    emulator.comment({ by: "alice", issue: repeat, body: `/culprit #${later}` });
    const repeatCommand = emulator.lastEvent("issue_comment", "created");
    const repeated = await run(repeatCommand);
    const repeatId = (repeatCommand.payload.comment as { id: number }).id;
    // The comment on the pull request, the new post-mortem, the first one's link, the index entry.
    expect(actionWrites(repeated.since)).toEqual([
      `POST /repos/acme/service/issues/${later}/comments`,
      `PATCH /repos/acme/service/issues/${repeat}`,
      `PATCH /repos/acme/service/issues/${postmortem}`,
      `POST /repos/acme/service/issues/${indexIssue}/comments`,
      `POST /repos/acme/service/issues/comments/${repeatId}/reactions`,
    ]);
    expect(actionComments(later)).toHaveLength(1);
    expect(actionComments(later)[0]!.body).toContain(
      `contributing cause of post-mortem #${repeat}`,
    );
    const relatedLines = (issue: number) =>
      bodyOf(issue)
        .split("\n")
        .filter((line) => line.includes("Possibly related"));
    expect(relatedLines(repeat)).toHaveLength(1);
    expect(relatedLines(repeat)[0]).toContain(`#${postmortem}`);
    expect(relatedLines(postmortem)).toHaveLength(1);
    expect(relatedLines(postmortem)[0]).toContain(`#${repeat}`);
    // Once: the same event again links nothing more.
    const relinked = await run(repeatCommand);
    expect(actionPosts(relinked.since)).toEqual([
      `POST /repos/acme/service/issues/comments/${repeatId}/reactions 200`,
    ]);
    expect(relatedLines(repeat)).toHaveLength(1);
    expect(relatedLines(postmortem)).toHaveLength(1);
    expect(
      emulator.commentsOn(indexIssue).filter((c) => c.user.login === ACTIONS_BOT),
    ).toHaveLength(2);
  }, 300_000);

  it("with policy.P2.culpritCheck: blocking, a clean pull request gets success and an implicated one failure", async () => {
    const culprit = merged("Cache sessions", ["src/auth/session.ts"], "2026-11-27T08:00:00Z");
    const { postmortem } = await incidentPostmortem("Logins fail");
    emulator.comment({ by: "alice", issue: postmortem, body: `/culprit #${culprit}` });
    await run(emulator.lastEvent("issue_comment", "created"));
    expect(actionComments(culprit)).toHaveLength(1);

    // Neutral by default: a clean pull request costs the files page and gets no check run.
    const quiet = emulator.openPullRequest({
      by: "dave",
      title: "Docs",
      files: [{ path: "docs/auth.md" }],
    }).number as number;
    const quietHead = headOf(emulator.lastEvent("pull_request", "opened"));
    const nothing = await runTarget("opened");
    expect(actionRequests(nothing.since).filter((r) => !r.includes("/issues"))).toEqual([
      "GET /repos/acme/service/contents/.github/postmortem.yml",
      `GET /repos/acme/service/pulls/${quiet}/files`,
    ]);
    expect(checkRuns(quietHead)).toEqual([]);

    emulator.setFile(
      ".github/postmortem.yml",
      `${RUN_IN_ACTION}policy:\n  P2:\n    culpritCheck: blocking\n`,
    );
    const clean = emulator.openPullRequest({
      by: "dave",
      title: "Docs again",
      files: [{ path: "docs/auth.md" }],
    }).number as number;
    const cleanHead = headOf(emulator.lastEvent("pull_request", "opened"));
    const passed = await runTarget("opened");
    expect(actionWrites(passed.since)).toEqual(["POST /repos/acme/service/check-runs"]);
    expect(checkRuns(cleanHead)).toHaveLength(1);
    expect(checkRuns(cleanHead)[0]).toMatchObject({
      status: "completed",
      conclusion: "success",
      app: { slug: "github-actions" },
    });

    const implicated = emulator.openPullRequest({
      by: "nora",
      fork: true,
      title: "Longer sessions",
      files: [{ path: "src/auth/session.ts" }],
    }).number as number;
    const implicatedHead = headOf(emulator.lastEvent("pull_request", "opened"));
    const failed = await runTarget("opened");
    expect(actionWrites(failed.since)).toEqual(["POST /repos/acme/service/check-runs"]);
    expect(checkRuns(implicatedHead)).toHaveLength(1);
    expect(checkRuns(implicatedHead)[0]).toMatchObject({
      status: "completed",
      conclusion: "failure",
      app: { slug: "github-actions" },
    });
    expect(checkRuns(implicatedHead)[0]!.output.summary).toContain(`#${postmortem}`);
    expect(checkRuns(implicatedHead)[0]!.output.summary).toContain("src/auth/session.ts");
    // Run again: still one run each, nothing written.
    expect(actionWrites((await runTarget("opened")).since)).toEqual([]);
    expect(checkRuns(implicatedHead)).toHaveLength(1);
    expect(clean).toBeLessThan(implicated);
  }, 300_000);
});
