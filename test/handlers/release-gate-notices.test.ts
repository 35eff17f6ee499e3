// The Action's `mode: release-gate` tells chat about a blocked release once per commit: run
// in-process against the emulator, with the notifier `runDeps` gives (N1's) replaced by a recorder.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunContext } from "../../action/context.js";
import type * as Gateway from "../../action/gateway.js";
import { ACTION_INPUTS } from "../../action/inputs.js";
import { runReleaseGate } from "../../action/modes/release-gate.js";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { itemKey } from "../../src/core/capa/items.js";
import { childBody } from "../../src/core/capa/render.js";
import type { Notice } from "../../src/core/notify/notice.js";
import { tokenOctokit } from "../../src/github/token-octokit.js";
import { loopbackOnly } from "../e2e/stack.js";
import { useFixedClock } from "../support/clock.js";
import { renderedPostmortem } from "../core/capa/fixtures.js";

const told = vi.hoisted(() => [] as Notice[][]);
vi.mock("../../action/gateway.js", async (importOriginal) => {
  const original = await importOriginal<typeof Gateway>();
  return {
    ...original,
    runDeps: async (context: RunContext) => ({
      ...(await original.runDeps(context)),
      notify: (_config: unknown, notices: readonly Notice[]) => {
        told.push([...notices]);
        return Promise.resolve();
      },
    }),
  };
});

const ACTIONS_BOT = "github-actions[bot]";
const APP_BOT = "postmortem-bot[bot]";
const SHA = "c0ffee0000000000000000000000000000000001";
let emulator: GitHubEmulator;

beforeAll(() => loopbackOnly());
beforeEach(async () => {
  told.length = 0;
  useFixedClock("2026-11-27T09:00:00Z");
  emulator = createGitHubEmulator({ users: [{ login: "carol", role: "write" }] });
  emulator.addUser("dana", "write");
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  emulator.addUser(APP_BOT, "write", { type: "Bot" });
  emulator.setFile(".github/postmortem.yml", "identity:\n  app: postmortem-bot\n");
  await emulator.start();
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

/** An incident of `severity` with its post-mortem and one corrective action due on `due`. */
function seed(severity: string, due: string, assignee: string): number {
  const incident = emulator.openIssue({
    by: "carol",
    title: `Incident ${severity}`,
    labels: ["incident", severity],
  }).number as number;
  const postmortem = emulator.openIssue({
    by: APP_BOT,
    title: `Post-mortem: Incident ${severity}`,
    body: renderedPostmortem().replace('{"incident":12,', `{"incident":${incident},`),
    labels: ["postmortem"],
    assignees: [assignee],
  }).number as number;
  const title = `Action of ${severity}`;
  emulator.openIssue({
    by: APP_BOT,
    title: `CAPA: ${title}`,
    body: childBody({
      parent: postmortem,
      incident,
      key: itemKey(title),
      title,
      category: "Technical Fixes",
      assignees: [assignee],
      ownerText: `@${assignee}`,
      unassignable: [],
      due,
    }),
    labels: ["capa"],
    assignees: [assignee],
  });
  return postmortem;
}

/** The mode's run context on a pull request whose head is `SHA`, recording what it reports. */
function pullRequestRun() {
  const failures: string[] = [];
  const { octokit, requests } = tokenOctokit({
    token: emulator.tokenFor(ACTIONS_BOT),
    baseUrl: emulator.apiUrl,
    userAgent: "postmortem-bot-test",
    writePacing: "off",
    warn: () => {},
  });
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const context: RunContext = {
    env: { GITHUB_SERVER_URL: "https://github.example", GITHUB_SHA: "f".repeat(40) },
    event: {
      name: "pull_request",
      payload: { pull_request: { number: 77, head: { sha: SHA } } },
    },
    repository: { owner: emulator.owner, repo: emulator.repoName, defaultBranch: "main" },
    inputs: ACTION_INPUTS.parse(
      Object.fromEntries(Object.keys(ACTION_INPUTS.shape).map((name) => [name, ""])),
    ),
    octokit,
    requests,
    log: quiet,
    entryConfig: undefined,
    setOutput: () => {},
    writeSummary: () => Promise.resolve(),
    annotate: () => {},
    fail: (problem) => void failures.push(problem),
  };
  return { context, failures };
}

describe("the release gate's notice", () => {
  it("a blocked pull request: one notice keyed by its head commit, on the lowest blocking post-mortem", async () => {
    const p3 = seed("P3", "2026-11-20", "dana");
    const p1 = seed("P1", "2026-11-10", "carol");
    const run = pullRequestRun();

    const before = emulator.requests.at(-1)?.seq ?? 0;
    await runReleaseGate(run.context);

    expect(run.failures).toEqual([`Release blocked by 2 post-mortem(s): #${p3}, #${p1}`]);
    expect(told).toEqual([
      [
        {
          event: "release-gate-blocking",
          key: `release-gate-blocking:${SHA}`,
          issueNumber: p3,
          postmortem: p3,
          severity: "P1",
          title: "Post-mortem: Incident P3",
          url: `https://github.example/acme/service/issues/${p3}`,
          people: ["dana", "carol"],
          detail: `2 post-mortems block the release of c0ffee0: #${p3}, #${p1}`,
        },
      ],
    ]);
    // The gate only reads; the notice costs it nothing (the notifier's claim is its own).
    expect(
      emulator.requests.filter((request) => request.seq > before && request.method !== "GET"),
    ).toEqual([]);

    // A rerun of the same commit: the same key, which the notifier claims once.
    await runReleaseGate(pullRequestRun().context);
    expect(told.map((notices) => notices[0]!.key)).toEqual([
      `release-gate-blocking:${SHA}`,
      `release-gate-blocking:${SHA}`,
    ]);
  });

  it("a release that passes tells nothing", async () => {
    seed("P2", "2026-12-20", "carol");
    const run = pullRequestRun();
    await runReleaseGate(run.context);
    expect(run.failures).toEqual([]);
    expect(told).toEqual([]);
  });
});
