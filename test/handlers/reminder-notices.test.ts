// The reminder sweep's notices (capa-overdue, review-late), with a recording `deps.notify`, run
// in-process as the Action's `mode: reminders` runs it, against the emulator: the exact notices,
// once per occurrence (not per reminder), and the sweep's requests unchanged by the notifier.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import type { Notice } from "../../src/core/notify/notice.js";
import { ApprovalGateway } from "../../src/github/approval-gateway.js";
import { tokenOctokit } from "../../src/github/token-octokit.js";
import type { HandlerDeps } from "../../src/handlers/deps.js";
import { sweepReminders } from "../../src/handlers/reminder-handler.js";
import { loopbackOnly } from "../e2e/stack.js";
import { useFixedClock } from "../support/clock.js";
import { openPostmortemWithChild } from "../support/overdue-fixture.js";
import { renderedPostmortem } from "../core/capa/fixtures.js";

const ACTIONS_BOT = "github-actions[bot]";
const APP_BOT = "postmortem-bot[bot]";
const DAY = 86_400_000;
/** Every event to one receiver. */
const NOTIFY = "notify:\n  receivers:\n    sre: { kind: slack }\n  routes:\n    - to: [sre]\n";
let emulator: GitHubEmulator;

beforeAll(() => loopbackOnly());
beforeEach(async () => {
  // A week after the action was due.
  useFixedClock("2026-11-27T09:00:00Z");
  emulator = createGitHubEmulator({ users: [{ login: "carol", role: "write" }] });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  emulator.addUser(APP_BOT, "write", { type: "Bot" });
  emulator.setFile(".github/postmortem.yml", `identity:\n  app: postmortem-bot\n${NOTIFY}`);
  await emulator.start();
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

/** The Action's deps for a scheduled run, `at` a moment; `told` records what the notifier gets. */
function actionDeps(at: () => Date, told?: Notice[][]): HandlerDeps {
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const { octokit } = tokenOctokit({
    token: emulator.tokenFor(ACTIONS_BOT),
    baseUrl: emulator.apiUrl,
    userAgent: "postmortem-bot-test",
    writePacing: "off",
    warn: () => {},
  });
  return {
    gateway: new ApprovalGateway(octokit, {
      owner: emulator.owner,
      repo: emulator.repoName,
      defaultBranch: "main",
    }),
    clock: at,
    log: quiet,
    frontDoor: "action",
    serverUrl: "https://github.example",
    ...(told
      ? {
          notify: (_config, notices) => {
            told.push([...notices]);
            return Promise.resolve();
          },
        }
      : {}),
  };
}

const sent = (after: number) =>
  emulator.requests
    .filter((request) => request.seq > after && request.actor === ACTIONS_BOT)
    .map(
      (request) =>
        `${request.method} ${request.path}${request.query.labels ? ` ${request.query.labels} ${request.query.state}` : ""}`,
    );

/**
 * One sweep finding child #2 of post-mortem #1 overdue: the configuration, the open children, the
 * CAPA flow showing Overdue in the post-mortem, the reminder and its re-read, the late reviews
 * (the incident, #9, is read: it is open, so no review is late).
 */
const SWEEP = [
  "GET /repos/acme/service/contents/.github%2Fpostmortem.yml",
  "GET /repos/acme/service/issues capa open",
  "GET /repos/acme/service/issues/1",
  "GET /repos/acme/service/contents/.github%2Fpostmortem.yml",
  "GET /repos/acme/service/issues/1",
  "GET /repos/acme/service/issues capa all",
  "GET /repos/acme/service/issues/1/comments",
  "PATCH /repos/acme/service/issues/1",
  "GET /repos/acme/service/issues/1",
  "GET /repos/acme/service/issues capa all",
  "GET /repos/acme/service/issues/1/comments",
  "GET /repos/acme/service/issues/2/comments",
  "POST /repos/acme/service/issues/2/comments",
  "GET /repos/acme/service/issues/2/comments",
  "GET /repos/acme/service/issues postmortem open",
  "GET /repos/acme/service/issues/9",
];

describe("the reminder sweep's notices", () => {
  it("capa-overdue: with the first reminder of a due date, not with the next reminders", async () => {
    const { child } = openPostmortemWithChild(emulator, APP_BOT, "2026-11-20");
    const told: Notice[][] = [];
    const now = Date.now();

    const before = emulator.requests.at(-1)?.seq ?? 0;
    await sweepReminders(actionDeps(() => new Date(now), told));

    expect(told).toEqual([
      [
        {
          event: "capa-overdue",
          key: `capa-overdue:#${child}:2026-11-20`,
          issueNumber: child,
          postmortem: 1,
          severity: undefined,
          title: "CAPA: Add automated validation checks (CI/CD gates)",
          url: `https://github.example/acme/service/issues/${child}`,
          people: ["carol"],
          detail: `corrective action #${child} of post-mortem #1 was due on 2026-11-20 (7 days overdue)`,
        },
      ],
    ]);
    // The sweep's own requests: nothing read for the notice (the post-mortem was read already).
    expect(sent(before)).toEqual(SWEEP);

    // The same day again: no reminder, nothing told.
    await sweepReminders(actionDeps(() => new Date(now + 3_600_000), told));
    // The next reminder, a week later: still the same due date, nothing told.
    await sweepReminders(actionDeps(() => new Date(now + 7 * DAY), told));
    const reminders = emulator
      .commentsOn(child)
      .filter((comment) => comment.body.includes("postmortem-bot:reminder"));
    expect(reminders).toHaveLength(2);
    expect(told).toHaveLength(1);

    // The date moved to 2026-12-06, and passed: with the next reminder, a new occurrence.
    const body = emulator.issue(child).body as string;
    emulator.editBody({
      by: "carol",
      issue: child,
      body: body.replace("Due: 2026-11-20", "Due: 2026-12-06"),
    });
    await sweepReminders(actionDeps(() => new Date(now + 14 * DAY), told));
    expect(told.slice(1)).toEqual([
      [
        expect.objectContaining({
          key: `capa-overdue:#${child}:2026-12-06`,
          detail: `corrective action #${child} of post-mortem #1 was due on 2026-12-06 (5 days overdue)`,
        }),
      ],
    ]);
  });

  it("review-late: with the first review reminder after the deadline, keyed by the incident's close", async () => {
    emulator.addUser("dana", "write");
    const incident = emulator.openIssue({
      by: "carol",
      title: "Checkout returns 500",
      body: "Checkout fails.",
      labels: ["incident"],
      assignees: ["carol"],
    }).number as number;
    emulator.closeIssue({ by: "carol", issue: incident, reason: "completed" });
    const closedAt = emulator.issue(incident).closed_at as string;
    const postmortem = emulator.openIssue({
      by: APP_BOT,
      title: "Post-mortem: Checkout returns 500",
      body: renderedPostmortem().replace('{"incident":12,', `{"incident":${incident},`),
      labels: ["postmortem"],
      assignees: ["dana"],
    }).number as number;
    const told: Notice[][] = [];
    const now = Date.now();

    // The default review comes 7 days after the incident closed: 8 days on, it is late.
    await sweepReminders(actionDeps(() => new Date(now + 8 * DAY), told));
    await sweepReminders(actionDeps(() => new Date(now + 9 * DAY), told));

    expect(told).toEqual([
      [
        {
          event: "review-late",
          key: `review-late:#${postmortem}:${closedAt}`,
          issueNumber: postmortem,
          postmortem,
          severity: undefined,
          title: "Post-mortem: Checkout returns 500",
          url: `https://github.example/acme/service/issues/${postmortem}`,
          // No approver named, none listed: the post-mortem's assignees.
          people: ["dana"],
          detail:
            "review late: the incident closed on 2026-11-27; missing: “Approved By (Tech Lead)”, “Approved By (Product/Business)”, “Date of Final Review”, “Communication Sent to Team (Yes/No)”",
        },
      ],
    ]);
  });

  it("a child closed without its evidence: its post-mortem is read for the notice only where a route sends capa-overdue", async () => {
    const policy = ["P1", "P2", "P3", "P4", "default"]
      .map((key) => `  ${key}:\n    capaEvidence: merged\n`)
      .join("");
    const { child } = openPostmortemWithChild(emulator, APP_BOT, "2026-11-20");
    emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
    emulator.addLabel({ by: APP_BOT, issue: child, label: "capa:no-evidence" });
    const told: Notice[][] = [];
    const now = Date.now();

    // Routes for the other events only: nothing read, nothing told.
    emulator.setFile(
      ".github/postmortem.yml",
      `identity:\n  app: postmortem-bot\npolicy:\n${policy}notify:\n  receivers:\n    sre: { kind: slack }\n  routes:\n    - events: [opened, review-late]\n      to: [sre]\n`,
    );
    let before = emulator.requests.at(-1)?.seq ?? 0;
    await sweepReminders(actionDeps(() => new Date(now), told));
    expect(told).toEqual([]);
    expect(sent(before)).not.toContain("GET /repos/acme/service/issues/1");

    // A route for it, and the date moved to the 30th: a week on, the next reminder is that date's
    // first, so the post-mortem is read once (its severity and privacy) and the notice told.
    emulator.setFile(
      ".github/postmortem.yml",
      `identity:\n  app: postmortem-bot\npolicy:\n${policy}${NOTIFY}`,
    );
    const body = emulator.issue(child).body as string;
    emulator.editBody({
      by: "carol",
      issue: child,
      body: body.replace("Due: 2026-11-20", "Due: 2026-11-30"),
    });
    before = emulator.requests.at(-1)?.seq ?? 0;
    await sweepReminders(actionDeps(() => new Date(now + 7 * DAY), told));
    expect(
      sent(before).filter((request) => request === "GET /repos/acme/service/issues/1"),
    ).toHaveLength(1);
    expect(told).toEqual([
      [
        expect.objectContaining({
          key: `capa-overdue:#${child}:2026-11-30`,
          detail: `corrective action #${child} of post-mortem #1 was due on 2026-11-30 (4 days overdue, closed without a merged fix)`,
        }),
      ],
    ]);
  });

  it("the same sweep without a notifier sends the same requests", async () => {
    openPostmortemWithChild(emulator, APP_BOT, "2026-11-20");
    const now = Date.now();
    const before = emulator.requests.at(-1)?.seq ?? 0;
    await sweepReminders(actionDeps(() => new Date(now)));
    expect(sent(before)).toEqual(SWEEP);
  });
});
