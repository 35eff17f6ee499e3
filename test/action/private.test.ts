// The Action (`flows.runIn: action`) and private post-mortems: the real bundle, run as the runner
// runs it, against the emulator. It writes to `private.repository` only with the App token it is
// given for it (`private-repository-token`); the workflow's GITHUB_TOKEN never does.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { startChatReceiver } from "../../emulator/chat-receiver.js";

const ACTIONS_BOT = "github-actions[bot]";
const APP_BOT = "postmortem-bot[bot]";

let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T13:00:00Z");
  emulator = createGitHubEmulator({ users: [{ login: "alice", role: "write" }] });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
  emulator.addRepository("service-security", { private: true });
  emulator.setFile(
    ".github/postmortem.yml",
    // The App whose token the Action is given for the private repository (its post-mortems there).
    "flows:\n  runIn: action\nidentity:\n  app: postmortem-bot\nprivate:\n  repository: acme/service-security\n  when:\n    labels: [security]\n",
  );
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

function declareSecurityIncident() {
  const number = emulator.openIssue({
    by: "alice",
    title: "Token leak in checkout logs",
    body: "Session tokens were written to the checkout service's logs.",
    labels: ["security"],
  }).number as number;
  emulator.addLabel({ by: "alice", issue: number, label: "incident" });
  const event = emulator.webhooks.events.filter((e) => e.event === "issues").at(-1)!;
  return { number, event: { eventName: "issues", payload: event.payload } };
}

function run(event: { eventName: string; payload: unknown }, env: Record<string, string> = {}) {
  return runActionBundle({
    ...event,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: "acme/service",
    nodeArgs: clock.nodeArgs,
    env: { ...clock.env, ...env },
  });
}

const issuesIn = (repo: string) =>
  emulator.issues({ state: "all", repo }) as unknown as Array<{ number: number; body: string }>;

describe("the Action and private post-mortems", () => {
  it("tells chat by the private repository's routes, claimed there with the App's token, naming no title", async () => {
    const receiver = await startChatReceiver();
    try {
      emulator.setFile(
        ".github/postmortem.yml",
        "notify:\n  receivers:\n    sre: { kind: slack }\n  routes:\n    - to: [sre]\n",
        { repo: "service-security" },
      );
      const { event } = declareSecurityIncident();
      const result = await run(event, {
        "INPUT_PRIVATE-REPOSITORY-TOKEN": emulator.tokenFor(APP_BOT),
        "INPUT_NOTIFY-URLS": `sre=${receiver.url("slack")}`,
      });
      expect(result.exitCode).toBe(0);
      const [pm] = issuesIn("service-security");
      const claims = emulator
        .commentsOn(pm!.number, "service-security")
        .filter((c) => c.body.includes("postmortem-bot:notify"));
      expect(claims.map((c) => [c.user.login, c.body.split("\n")[0]])).toEqual([
        [APP_BOT, "📣 Sent to chat: post-mortem opened → `sre`"],
      ]);
      expect(receiver.delivered("slack")).toHaveLength(1);
      expect(receiver.received[0]!.body).toContain("a private post-mortem");
      expect(receiver.received[0]!.body).not.toContain("Token leak");

      // The same event again: nothing more.
      await run(event, {
        "INPUT_PRIVATE-REPOSITORY-TOKEN": emulator.tokenFor(APP_BOT),
        "INPUT_NOTIFY-URLS": `sre=${receiver.url("slack")}`,
      });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  }, 60_000);

  it("with an App token for the private repository: opened there, one neutral comment here", async () => {
    const { number, event } = declareSecurityIncident();
    const env = { "INPUT_PRIVATE-REPOSITORY-TOKEN": emulator.tokenFor(APP_BOT) };

    const first = await run(event, env);
    expect(first.exitCode).toBe(0);
    const opened = issuesIn("service-security");
    expect(opened).toHaveLength(1);
    expect(opened[0]!.body).toContain(
      `<!-- postmortem-bot:postmortem {"source":{"repository":"acme/service","incident":${number}},"gate":2} -->`,
    );
    expect(issuesIn("service").map((issue) => issue.number)).toEqual([number]);
    const comments = emulator.commentsOn(number);
    expect(comments.map((comment) => [comment.user.login, comment.body])).toEqual([
      [
        ACTIONS_BOT,
        `🔒 The post-mortem of this incident is kept privately, with the people who follow it up.\n\n<!-- postmortem-bot:private {"incident":${number}} -->`,
      ],
    ]);
    // The private side was written with the App token, never with the workflow's token.
    const writesThere = emulator.requests.filter(
      (r) => r.method !== "GET" && r.path.startsWith("/repos/acme/service-security/"),
    );
    expect(new Set(writesThere.map((r) => r.actor))).toEqual(new Set([APP_BOT]));

    const again = await run(event, env);
    expect(again.exitCode).toBe(0);
    expect(issuesIn("service-security")).toHaveLength(1);
    expect(emulator.commentsOn(number)).toHaveLength(1);
  }, 60_000);

  it("without one: one comment says what to fix, nothing is opened anywhere", async () => {
    const { number, event } = declareSecurityIncident();

    const first = await run(event);
    expect(first.exitCode).toBe(0);
    expect(issuesIn("service-security")).toEqual([]);
    expect(issuesIn("service").map((issue) => issue.number)).toEqual([number]);
    const comments = emulator.commentsOn(number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(
      "This workflow's token cannot write to the repository named in `private.repository` (`.github/postmortem.yml`). Give the Action a GitHub App token for it as the `private-repository-token` input",
    );
    expect(comments[0]!.body).not.toMatch(/service-security/);
    // No request reached the private repository.
    expect(
      emulator.requests.filter((r) => r.path.startsWith("/repos/acme/service-security")),
    ).toEqual([]);

    await run(event);
    expect(emulator.commentsOn(number)).toHaveLength(1);
  }, 60_000);
});
