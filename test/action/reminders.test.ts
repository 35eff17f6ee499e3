// The Action's `mode: reminders` (auto on `schedule`), run as the runner runs it against the
// emulator: overdue corrective actions are reminded once per interval, and shown Overdue.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { renderedPostmortem } from "../core/capa/fixtures.js";
import { OVERDUE_ACTION as ACTION, openPostmortemWithChild } from "../support/overdue-fixture.js";

const ACTIONS_BOT = "github-actions[bot]";
const APP_BOT = "postmortem-bot[bot]";
let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  // A week after the action was due.
  clock = useFixedClock("2026-11-27T09:00:00Z");
  emulator = createGitHubEmulator({ users: [{ login: "carol", role: "write" }] });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  emulator.addUser(APP_BOT, "write", { type: "Bot" });
  // The App's post-mortems and children count for the Action where the configuration names it.
  emulator.setFile(".github/postmortem.yml", "identity:\n  app: postmortem-bot\n");
  await emulator.start();
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

function postmortemWithChild(due: string) {
  return openPostmortemWithChild(emulator, APP_BOT, due);
}

function scheduled() {
  return runActionBundle({
    eventName: "schedule",
    payload: { schedule: "0 9 * * *" },
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    ...clock,
  });
}

const reminders = (child: number) =>
  emulator.commentsOn(child).filter((c) => c.user.login === ACTIONS_BOT);

describe("reminders from the Action on schedule", () => {
  it("reminds the owner once, marks the row and line Overdue; a second run in the interval posts nothing", async () => {
    const { postmortem, child } = postmortemWithChild("2026-11-20");

    const first = await scheduled();
    expect(first.exitCode).toBe(0);
    const [reminder, ...more] = reminders(child);
    expect(more).toEqual([]);
    expect(reminder!.body.split("\n\n<!--")[0]).toBe(
      "⏰ @carol: this corrective action was due on **2026-11-20** and is still open (7 days overdue). It comes from post-mortem #1.\n\n" +
        "Close it when it is done (as not planned if it will not be done), or change its `Due:` line if the date has moved.",
    );
    // The moment the run decided, on the run's (fixed) clock.
    expect(reminder!.body).toMatch(
      /\n\n<!-- postmortem-bot:reminder \{"kind":"overdue","at":"2026-11-27T09:0\d:\d\d\.\d{3}Z"\} -->$/,
    );
    const body = emulator.issue(postmortem).body as string;
    expect(body).toContain(`| ${ACTION} (#2) | @carol | 2026-11-20 | Overdue |\n`);
    expect(body).toContain(`- [x] ${ACTION} → #2 · @carol · due 2026-11-20 · Overdue\n`);
    expect(first.summary).toContain("| reminded now | 1 |");

    const before = emulator.requests.at(-1)?.seq ?? 0;
    const second = await scheduled();
    expect(second.exitCode).toBe(0);
    expect(reminders(child)).toHaveLength(1);
    expect(
      emulator.requests.filter((r) => r.seq > before && r.method !== "GET").map((r) => r.path),
    ).toEqual([]);
    expect(second.summary).toContain("| reminded now | 0 |");
  });

  it("a child closed without the evidence its policy asks is reminded as open work, found by one listing of capa:no-evidence", async () => {
    const policy = ["P1", "P2", "P3", "P4", "default"]
      .map((key) => `  ${key}:\n    capaEvidence: merged\n`)
      .join("");
    emulator.setFile(
      ".github/postmortem.yml",
      `identity:\n  app: postmortem-bot\npolicy:\n${policy}`,
    );
    const { child } = postmortemWithChild("2026-11-20");
    emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
    emulator.addLabel({ by: APP_BOT, issue: child, label: "capa:no-evidence" });
    const before = emulator.requests.at(-1)?.seq ?? 0;

    const run = await scheduled();
    expect(run.exitCode).toBe(0);
    const [reminder, ...more] = reminders(child);
    expect(more).toEqual([]);
    expect(reminder!.body.split("\n\n<!--")[0]).toBe(
      "⏰ @carol: this corrective action was due on **2026-11-20** and still counts as open: closed without a merged fix, the evidence its severity's policy asks for (7 days overdue). It comes from post-mortem #1.\n\n" +
        "Link the pull request that fixes it (`Fixes #2` in its description, or the issue's Development sidebar) and see it merged and deployed as asked, or ask a maintainer to record other evidence with `/evidence <link or text>`.",
    );
    expect(run.summary).toContain("| overdue | 1 |");
    expect(run.summary).toContain("| reminded now | 1 |");
    const sent = emulator.requests
      .filter((r) => r.seq > before && r.actor === ACTIONS_BOT)
      .map(
        (r) =>
          `${r.method} ${r.path}${r.query.labels ? ` ${r.query.labels} ${r.query.state}` : ""}`,
      );
    // The sweep: the configuration, the open children, ONE listing of the closed children
    // carrying capa:no-evidence (every severity asks the same: no post-mortem read for it), the
    // child's comments, the reminder and the re-read; then the reviews and the reconcile sweep.
    expect(sent).toEqual([
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml",
      "GET /repos/acme/service/issues capa open",
      "GET /repos/acme/service/issues capa:no-evidence closed",
      "GET /repos/acme/service/issues/2/comments",
      "POST /repos/acme/service/issues/2/comments",
      "GET /repos/acme/service/issues/2/comments",
      "GET /repos/acme/service/issues postmortem open",
      "GET /repos/acme/service/issues/9",
      "GET /repos/acme/service/issues postmortem all",
    ]);
  });

  it("two scheduled runs at once leave one reminder", async () => {
    const { child } = postmortemWithChild("2026-11-20");
    const runs = await Promise.all([scheduled(), scheduled()]);
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0]);
    expect(reminders(child)).toHaveLength(1);
  });

  it("nothing for an action not yet due, or closed", async () => {
    const { child } = postmortemWithChild("2026-12-15");
    const result = await scheduled();
    expect(result.exitCode).toBe(0);
    expect(reminders(child)).toEqual([]);
    expect(result.summary).toContain("| overdue | 0 |");
  });

  it("a post-mortem still unapproved a week after its incident closed: its assignee is reminded once", async () => {
    // The incident was closed nine days before the run (on the emulator's clock).
    vi.setSystemTime(new Date("2026-11-18T10:00:00Z"));
    const incident = emulator.openIssue({ by: "carol", title: "Checkout returns 500" })
      .number as number;
    emulator.closeIssue({ by: "carol", issue: incident });
    vi.setSystemTime(new Date("2026-11-27T09:00:00Z"));
    const postmortem = emulator.openIssue({
      by: APP_BOT,
      title: "Post-mortem: Checkout returns 500",
      body: renderedPostmortem().replace('{"incident":12,', `{"incident":${incident},`),
      labels: ["postmortem"],
      assignees: ["carol"],
    }).number as number;

    expect((await scheduled()).exitCode).toBe(0);
    const second = await scheduled();
    expect(second.exitCode).toBe(0);

    const late = emulator
      .commentsOn(postmortem)
      .filter((c) => c.user.login === ACTIONS_BOT && c.body.includes('"kind":"review"'));
    expect(late).toHaveLength(1);
    expect(late[0]!.body.split("\n\n<!--")[0]).toBe(
      "⏰ @carol: this post-mortem's incident was closed on 2026-11-18, and its review is still not complete. " +
        "Missing: “Approved By (Tech Lead)”, “Approved By (Product/Business)”, “Date of Final Review”, “Communication Sent to Team (Yes/No)”.\n\n" +
        "Approvers comment `/approve <role>` here; fill in the other fields in section 9.",
    );
    expect(second.summary).toContain("| reviews late | 1 |");
    expect(second.summary).toContain("| reviews reminded now | 0 |");
  });

  it("judges a close whose own run was lost: a closed, unapproved post-mortem (gate:2) is reopened once", async () => {
    const incident = emulator.openIssue({ by: "carol", title: "Checkout returns 500" })
      .number as number;
    const postmortem = emulator.openIssue({
      by: APP_BOT,
      title: "Post-mortem: Checkout returns 500",
      body: renderedPostmortem().replace('{"incident":12,', `{"incident":${incident},`),
      labels: ["postmortem"],
    }).number as number;
    // Closed unapproved; the run of that close never happened.
    emulator.closeIssue({ by: "carol", issue: postmortem });

    const first = await scheduled();
    expect(first.exitCode).toBe(0);
    expect(emulator.issue(postmortem).state).toBe("open");
    expect(first.summary).toContain("| closed post-mortems judged | 1 |");
    expect(first.summary).toContain("| reopened now (approvals missing) | 1 |");
    const gate = emulator
      .commentsOn(postmortem)
      .filter((c) => c.user.login === ACTIONS_BOT && c.body.includes("postmortem-bot:gate"));
    expect(gate).toHaveLength(1);

    // Open again: the next run has no close to judge.
    const second = await scheduled();
    expect(second.summary).not.toContain("closed post-mortems judged");
    expect(
      emulator
        .commentsOn(postmortem)
        .filter((c) => c.user.login === ACTIONS_BOT && c.body.includes("postmortem-bot:gate")),
    ).toHaveLength(1);
  });

  it("a post-mortem a person wrote is reminded once the bot adopted it, and not before", async () => {
    vi.setSystemTime(new Date("2026-11-18T10:00:00Z"));
    const incident = emulator.openIssue({ by: "carol", title: "Checkout returns 500" })
      .number as number;
    emulator.closeIssue({ by: "carol", issue: incident });
    vi.setSystemTime(new Date("2026-11-27T09:00:00Z"));
    const postmortem = emulator.openIssue({
      by: "carol",
      title: "Post-mortem: Checkout returns 500",
      body: renderedPostmortem().replace('{"incident":12,', `{"incident":${incident},`),
      labels: ["postmortem"],
      assignees: ["carol"],
    }).number as number;
    const late = () =>
      emulator
        .commentsOn(postmortem)
        .filter((c) => c.user.login === ACTIONS_BOT && c.body.includes('"kind":"review"'));

    // Not adopted: a marker typed by a person proves nothing.
    expect((await scheduled()).exitCode).toBe(0);
    expect(late()).toEqual([]);

    emulator.comment({
      by: APP_BOT,
      issue: postmortem,
      body: `📎 Adopted as a post-mortem of #${incident}.\n\n<!-- postmortem-bot:adopted {"issue":${postmortem}} -->`,
    });
    const adopted = await scheduled();
    expect(adopted.exitCode).toBe(0);
    expect(late()).toHaveLength(1);
    expect(late()[0]!.body).toContain(
      "⏰ @carol: this post-mortem's incident was closed on 2026-11-18",
    );
    expect(adopted.summary).toContain("| reviews late | 1 |");
  });

  it("an unknown mode fails the job and says which modes exist", async () => {
    const result = await runActionBundle({
      eventName: "workflow_dispatch",
      payload: { inputs: { mode: "remind-me" } },
      apiUrl: emulator.apiUrl,
      token: emulator.tokenFor(ACTIONS_BOT),
      repository: `${emulator.owner}/${emulator.repoName}`,
      ...clock,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      '::error::the dispatch\'s `inputs.mode` is "remind-me": use one of auto, approvals, reminders, backfill, report, release-gate.',
    );
    expect(emulator.requests.filter((r) => r.actor === ACTIONS_BOT)).toEqual([]);
  });
});
