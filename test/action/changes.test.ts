// `/changes` through the bundled Action (`flows.runIn: action`) against the emulator: the
// post-mortem the Action opened gets its block read again for a triager; a reader is refused once.
// Runs `dist/`: rebuild it first (`npm run build:action`).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { postmortemsFor } from "../e2e/stack.js";

const ACTIONS_BOT = "github-actions[bot]";

let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T13:00:00Z");
  emulator = createGitHubEmulator({
    users: [
      { login: "alice", role: "maintain" },
      { login: "carol", role: "write" },
      { login: "rita", role: "read" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
  emulator.setFile(".github/postmortem.yml", "flows:\n  runIn: action\n");
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

function lastEvent(event: string, action: string) {
  const found = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .at(-1);
  if (!found) throw new Error(`no ${event}.${action} event`);
  return { eventName: event, payload: found.payload };
}

async function run(event: { eventName: string; payload: unknown }) {
  const since = emulator.requests.at(-1)?.seq ?? 0;
  const result = await runActionBundle({
    ...event,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    nodeArgs: clock.nodeArgs,
    env: clock.env,
  });
  expect(result.exitCode, result.stdout).toBe(0);
  return { ...result, since };
}

const block = (body: string) =>
  body.slice(
    body.indexOf("<!-- postmortem-bot:changes:start -->"),
    body.indexOf("<!-- postmortem-bot:changes:end -->"),
  );

describe("/changes through the Action (flows.runIn: action)", () => {
  it("a triager's /changes replaces the block with the pull request merged since; a reader is refused once", async () => {
    const incident = emulator.openIssue({
      by: "alice",
      title: "Checkout API returns 500s",
      body: "About 30% of checkout requests fail.",
    }).number as number;
    emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
    await run(lastEvent("issues", "labeled"));
    const postmortem = postmortemsFor(emulator, incident, "open")[0]!.number;
    const opened = emulator.issue(postmortem).body as string;
    expect(block(opened)).toContain("No pull request was merged into the default branch between");

    const pull = emulator.openPullRequest({ by: "carol", title: "Retry `@outsider` | payments" });
    emulator.mergePullRequest({
      by: "alice",
      number: pull.number as number,
      at: "2026-11-27T12:10:00Z",
    });
    emulator.comment({ by: "alice", issue: postmortem, body: "/changes 2d" });
    const changed = await run(lastEvent("issue_comment", "created"));

    const body = emulator.issue(postmortem).body as string;
    expect(block(body)).toContain(
      `- #${pull.number as number} ` +
        "Retry \\``@outsider`\\` \\| payments (`@carol`, merged 2026-11-27 12:10 UTC)",
    );
    expect(block(body)).toContain("between 2026-11-25 13:00 UTC and 2026-11-27 13:00 UTC (Start)");
    // Outside the block nothing changed.
    expect(body.replace(block(body), "")).toBe(opened.replace(block(opened), ""));
    const writes = emulator.requests
      .filter((r) => r.seq > changed.since && r.method !== "GET" && r.path !== "/graphql")
      .map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
    expect(writes).toEqual([
      `PATCH /repos/acme/service/issues/${postmortem}`,
      expect.stringMatching(/^POST \/repos\/acme\/service\/issues\/comments\/\d+\/reactions$/),
    ]);

    emulator.comment({ by: "rita", issue: postmortem, body: "/changes" });
    await run(lastEvent("issue_comment", "created"));
    emulator.comment({ by: "rita", issue: postmortem, body: "/changes 1h" });
    await run(lastEvent("issue_comment", "created"));
    const replies = emulator
      .commentsOn(postmortem)
      .filter((c) => c.user.login === ACTIONS_BOT && c.body.includes("changes-reply"));
    expect(replies.map((c) => c.body.split("\n")[0])).toEqual([
      "@rita, `/changes` needs triage access or more to this repository, so the changes were not read again.",
    ]);
    expect(emulator.issue(postmortem).body).toBe(body);
  }, 120_000);
});
