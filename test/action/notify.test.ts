// Chat notifications through the bundled Action (`flows.runIn: action`), run as the runner runs
// it, against the emulator and the local chat receiver: one message per receiver for a run, a
// re-run and two runs at once; a failing receiver changes neither the run's result nor the flow.
import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatReceiver } from "../../emulator/chat-receiver.js";
import { startChatReceiver } from "../../emulator/chat-receiver.js";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { postmortemsFor } from "../e2e/stack.js";
import { itemKey } from "../../src/core/capa/items.js";
import { childBody } from "../../src/core/capa/render.js";
import { renderedPostmortem } from "../core/capa/fixtures.js";

const ACTIONS_BOT = "github-actions[bot]";
const SECRET = "action-signing-secret";
const CONFIG = `flows:
  runIn: action
notify:
  receivers:
    sre: { kind: slack }
    ops: { kind: teams }
    audit: { kind: webhook }
  routes:
    - events: [opened]
      to: [sre, ops, audit]
`;

let emulator: GitHubEmulator;
let receiver: ChatReceiver;
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T13:00:00Z");
  emulator = createGitHubEmulator({ users: [{ login: "alice", role: "write" }] });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
  receiver = await startChatReceiver();
  emulator.setFile(".github/postmortem.yml", CONFIG);
});
afterEach(async () => {
  await emulator.stop();
  await receiver.stop();
  vi.useRealTimers();
});

function labeledIncident(): { incident: number; event: { eventName: string; payload: unknown } } {
  const incident = emulator.openIssue({
    by: "alice",
    title: "Checkout API returns 500s <!channel> @everyone",
    body: "About 30% of checkout requests fail.",
  }).number as number;
  emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
  const found = emulator.webhooks.events.filter((e) => e.action === "labeled").at(-1)!;
  return { incident, event: { eventName: found.event, payload: found.payload } };
}

function run(event: { eventName: string; payload: unknown }) {
  return runActionBundle({
    ...event,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    nodeArgs: clock.nodeArgs,
    env: {
      ...clock.env,
      "INPUT_NOTIFY-URLS": `sre=${receiver.url("slack")}\nops=${receiver.url("teams")}\naudit=${receiver.url("hook")}`,
      "INPUT_NOTIFY-SECRETS": `audit=${SECRET}`,
    },
  });
}

const claims = (issue: number) =>
  emulator
    .commentsOn(issue)
    .filter(
      (c) => c.user.login === ACTIONS_BOT && (c.body ?? "").includes("postmortem-bot:notify"),
    );

function onlyPostmortem(incident: number): number {
  const open = postmortemsFor(emulator, incident, "open");
  expect(open).toHaveLength(1);
  return open[0]!.number;
}

/** What the run printed, without the runner's mask commands (the runner consumes those). */
const printed = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => !line.startsWith("::add-mask::"))
    .join("\n");

describe("chat notifications through the bundled Action", () => {
  it("a run that opens a post-mortem sends one message per receiver; a re-run sends none", async () => {
    const { incident, event } = labeledIncident();
    const first = await run(event);
    expect(first.exitCode).toBe(0);
    const pm = onlyPostmortem(incident);

    expect(receiver.received.map((m) => `${m.path} ${m.status}`).sort()).toEqual([
      "/hook 200",
      "/slack 200",
      "/teams 200",
    ]);
    const slack = JSON.parse(receiver.delivered("slack")[0]!.body) as { text: string };
    expect(slack.text).toContain("&lt;!channel&gt; @everyone");
    const hook = receiver.delivered("hook")[0]!;
    expect(hook.headers["x-postmortem-signature-256"]).toBe(
      `sha256=${createHmac("sha256", SECRET).update(hook.body).digest("hex")}`,
    );
    expect(JSON.parse(hook.body)).toMatchObject({ event: "opened", key: `opened:#${pm}` });
    expect(claims(pm).map((c) => c.body)).toEqual([
      expect.stringMatching(
        /^📣 Sent to chat: post-mortem opened → `sre`, `ops`, `audit`\n\n<!-- postmortem-bot:notify .*"state":"sent"\} -->$/,
      ),
    ]);
    // Every value was masked, and none is printed otherwise.
    expect(first.stdout).toContain(`::add-mask::${SECRET}`);
    expect(printed(first.stdout)).not.toContain(SECRET);
    expect(printed(first.stdout)).not.toContain(receiver.baseUrl);

    const again = await run(event);
    expect(again.exitCode).toBe(0);
    expect(receiver.received).toHaveLength(3);
    expect(claims(pm)).toHaveLength(1);
  }, 60_000);

  it("two runs at once: one post-mortem and one message per receiver", async () => {
    const { incident, event } = labeledIncident();
    const runs = await Promise.all([run(event), run(event)]);
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0]);
    const pm = onlyPostmortem(incident);
    expect(receiver.received.map((m) => m.path).sort()).toEqual(["/hook", "/slack", "/teams"]);
    expect(claims(pm)).toHaveLength(1);
  }, 60_000);

  it("a failing receiver: the run succeeds, the post-mortem opens, the others get theirs, one note", async () => {
    receiver.fail(10, 502, "slack");
    const { incident, event } = labeledIncident();
    const result = await run(event);
    expect(result.exitCode).toBe(0);
    const pm = onlyPostmortem(incident);
    expect(receiver.received.filter((m) => m.path === "/slack").map((m) => m.status)).toEqual([
      502, 502, 502,
    ]);
    expect(receiver.delivered("teams")).toHaveLength(1);
    expect(receiver.delivered("hook")).toHaveLength(1);
    expect(claims(pm).map((c) => c.body)).toEqual([
      expect.stringContaining(
        "📣 Sent to chat: post-mortem opened → `ops`, `audit`\n\n⚠️ Not delivered to `sre` (HTTP 502 after 3 attempts).",
      ),
    ]);
    expect(result.stdout).toContain("::warning::Chat opened:#");
    expect(printed(result.stdout)).not.toContain(receiver.baseUrl);
  }, 60_000);

  it("the release gate blocking a pull request: one message for its head commit; a re-run sends none", async () => {
    const APP_BOT = "postmortem-bot[bot]";
    emulator.addUser(APP_BOT, "write", { type: "Bot" });
    emulator.setFile(
      ".github/postmortem.yml",
      "identity:\n  app: postmortem-bot\nnotify:\n  receivers:\n    audit: { kind: webhook }\n  routes:\n    - { events: [release-gate-blocking], to: [audit] }\n",
    );
    // A P1 post-mortem whose corrective action was due a week before the run: it blocks.
    const incident = emulator.openIssue({
      by: "alice",
      title: "Incident",
      labels: ["incident", "P1"],
    }).number as number;
    const postmortem = emulator.openIssue({
      by: APP_BOT,
      title: "Post-mortem: Incident <!channel>",
      body: renderedPostmortem().replace('{"incident":12,', `{"incident":${incident},`),
      labels: ["postmortem"],
      assignees: ["alice"],
    }).number as number;
    emulator.openIssue({
      by: APP_BOT,
      title: "CAPA: Add a timeout",
      body: childBody({
        parent: postmortem,
        incident,
        key: itemKey("Add a timeout"),
        title: "Add a timeout",
        category: "Technical Fixes",
        assignees: ["alice"],
        ownerText: "@alice",
        unassignable: [],
        due: "2026-11-20",
      }),
      labels: ["capa"],
      assignees: ["alice"],
    });
    const sha = "c0ffee0000000000000000000000000000000001";
    const gate = () =>
      runActionBundle({
        eventName: "pull_request",
        payload: {
          action: "synchronize",
          pull_request: { number: 7, head: { sha } },
          repository: {
            name: emulator.repoName,
            owner: { login: emulator.owner },
            default_branch: "main",
          },
        },
        mode: "release-gate",
        apiUrl: emulator.apiUrl,
        token: emulator.tokenFor(ACTIONS_BOT),
        repository: `${emulator.owner}/${emulator.repoName}`,
        nodeArgs: clock.nodeArgs,
        env: {
          ...clock.env,
          "INPUT_NOTIFY-URLS": `audit=${receiver.url("hook")}`,
          "INPUT_NOTIFY-SECRETS": `audit=${SECRET}`,
        },
      });

    const first = await gate();
    expect(first.exitCode).toBe(1);
    expect(receiver.received.map((m) => m.path)).toEqual(["/hook"]);
    const hook = receiver.received[0]!;
    expect(hook.headers["x-postmortem-signature-256"]).toBe(
      `sha256=${createHmac("sha256", SECRET).update(hook.body).digest("hex")}`,
    );
    expect(JSON.parse(hook.body)).toMatchObject({
      event: "release-gate-blocking",
      key: `release-gate-blocking:${sha}`,
      postmortem,
      severity: "P1",
    });
    expect(claims(postmortem)).toHaveLength(1);

    // The same commit again (a re-run): still blocked, nothing more told.
    const second = await gate();
    expect(second.exitCode).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(claims(postmortem)).toHaveLength(1);
  }, 60_000);
});
