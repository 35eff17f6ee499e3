// The Action's `mode: report`, run as the runner runs it against the emulator: the report as the
// job summary and the `report` output, and with `report-issue: true` one pinned issue, updated in
// place, however many runs there are and even when two run at once.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { mermaidBlocks, parseMermaid } from "../support/mermaid.js";
import { actionBody, postmortemBody, seedIssue } from "../support/report-seed.js";
import { loopbackOnly } from "../e2e/stack.js";
import { withEvidence } from "../../src/core/evidence/model.js";

const ACTIONS_BOT = "github-actions[bot]";
const MARKER = '<!-- postmortem-bot:report {"kind":"reliability"} -->';
let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeAll(() => loopbackOnly());
beforeEach(async () => {
  clock = useFixedClock("2026-11-29T12:00:00Z");
  emulator = createGitHubEmulator({ users: [{ login: "carol", role: "write" }] });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  // The App's post-mortems count for the Action where the configuration names the App.
  emulator.setFile(".github/postmortem.yml", "identity:\n  app: postmortem-bot\n");
  await emulator.start();
  const bot = emulator.state.bot.login;
  const incident = seedIssue(emulator, {
    by: "carol",
    title: "Checkout returns 500",
    labels: ["incident", "P1"],
    createdAt: "2026-09-10T08:00:00Z",
    closed: { at: "2026-09-10T12:00:00Z", reason: "completed" },
  });
  const postmortem = seedIssue(emulator, {
    by: bot,
    title: "Post-mortem: Checkout returns 500",
    body: postmortemBody(incident),
    labels: ["postmortem"],
    createdAt: "2026-09-10T13:00:00Z",
  });
  seedIssue(emulator, {
    by: bot,
    title: "CAPA: Add a canary",
    body: actionBody(postmortem, "canary", "@carol", "2026-10-01"),
    labels: ["capa"],
    assignees: ["carol"],
    createdAt: "2026-09-11T09:00:00Z",
  });
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

function reportRun(reportIssue = false) {
  return runActionBundle({
    eventName: "workflow_dispatch",
    payload: { inputs: { mode: "report" } },
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    ...clock,
    env: { ...clock.env, "INPUT_REPORT-ISSUE": String(reportIssue) },
  });
}

const reportIssues = (state: "open" | "closed") =>
  emulator
    .issues({ label: "postmortem-report", state })
    .map((issue) => issue as { number: number; body: string; state_reason: string | null });

describe("the Action's report mode", () => {
  it("writes the report as the job summary and as JSON output; writes nothing to GitHub", async () => {
    const run = await reportRun();
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain(
      "## Reliability report: acme/service\n\n2026-08-01 – 2026-10-31 (UTC); computed 2026-11-29 12:0",
    );
    expect(run.summary).toContain("| 2026-09 | 1 | 0 | 0 | 0 | 0 | 1 |\n");
    expect(run.summary).toContain("| Incident opened → closed | 4 h | 4 h | 1 |\n");
    expect(run.summary).toContain(
      "| CAPA: Add a canary (#3) | `@carol` | 2026-10-01 | 59 | #2 |\n",
    );
    expect(await Promise.all(mermaidBlocks(run.summary).map(parseMermaid))).toEqual([
      "xychart",
      "pie",
      "pie",
    ]);
    expect(JSON.parse(run.outputs.report!)).toMatchObject({
      repository: "acme/service",
      incidents: { total: 1, bySeverity: { P1: 1 } },
      actions: { opened: 1, open: 1, overdue: 1 },
    });
    expect(emulator.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(reportIssues("open")).toEqual([]);
  });

  it("with an evidence policy: counts a child closed without its evidence as open, and the fix times and evidence by kind, from the same listings", async () => {
    emulator.setFile(
      ".github/postmortem.yml",
      "identity:\n  app: postmortem-bot\npolicy:\n  P1:\n    capaEvidence: merged\n",
    );
    const bot = emulator.state.bot.login;
    // Closed as completed without a fix (P1 asks for one): open work, overdue since 1 October.
    seedIssue(emulator, {
      by: bot,
      title: "CAPA: Alert on 5xx",
      body: actionBody(2, "alert", "@carol", "2026-10-01"),
      labels: ["capa", "capa:no-evidence"],
      createdAt: "2026-09-11T09:00:00Z",
      closed: { at: "2026-09-20T09:00:00Z", reason: "completed" },
    });
    // Fixed by #41, merged 30 h after it opened: done, on time.
    seedIssue(emulator, {
      by: bot,
      title: "CAPA: Retry the payment call",
      body: withEvidence(
        actionBody(2, "retry", "@carol", "2026-10-01"),
        {
          merged: [
            {
              pr: 41,
              url: "https://github.com/acme/service/pull/41",
              at: "2026-09-12T15:00:00Z",
              sha: "a".repeat(40),
            },
          ],
        },
        "UTC",
      ),
      labels: ["capa"],
      createdAt: "2026-09-11T09:00:00Z",
      closed: { at: "2026-09-12T16:00:00Z", reason: "completed" },
    });
    const run = await reportRun();
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain(
      "| Opened in the period | Done | Won't do | Still open | Overdue now | Done on time |\n|--:|--:|--:|--:|--:|--:|\n| 3 | 1 | 0 | 2 | 2 | 100 % (1 of 1) |\n\n" +
        "Still open counts 1 closed as completed without the evidence their severity's policy asks for (`capaEvidence`).\n",
    );
    expect(run.summary).toContain("| Action opened → fix merged | 30 h | 30 h | 1 |\n");
    expect(run.summary).toContain("| Action opened → fix shipped | — | — | 0 |\n");
    expect(run.summary).toContain("| 2 | 0 (0 %) | 1 (50 %) | 0 (0 %) | 1 (50 %) |\n");
    expect(JSON.parse(run.outputs.report!)).toMatchObject({
      actions: { opened: 3, done: 1, open: 2, overdue: 2, closedWithoutEvidence: 1 },
      evidence: {
        timeToMerge: { count: 1, medianHours: 30, p90Hours: 30 },
        timeToShip: { count: 0, medianHours: null, p90Hours: null },
        closedAsCompleted: 2,
        byKind: { shipped: 0, merged: 1, manual: 0, none: 1 },
        percentByKind: { shipped: 0, merged: 50, manual: 0, none: 50 },
      },
    });
    // The same listings as without a policy: the configuration, incidents, post-mortems, actions.
    expect(
      emulator.requests.map(
        (r) => `${r.method} ${r.path}${r.query.labels ? ` ${r.query.labels}` : ""}`,
      ),
    ).toEqual([
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml",
      "GET /repos/acme/service/issues incident",
      "GET /repos/acme/service/issues postmortem",
      "GET /repos/acme/service/issues capa",
    ]);
  });

  it("with report-issue: two runs at once leave one pinned issue; the next run updates it in place", async () => {
    const runs = await Promise.all([reportRun(true), reportRun(true)]);
    expect(runs.map((run) => run.exitCode)).toEqual([0, 0]);
    const [kept, ...others] = reportIssues("open");
    expect(others).toEqual([]);
    expect(kept!.body).toContain("## Reliability report: acme/service\n");
    expect(kept!.body.trimEnd().endsWith(MARKER)).toBe(true);
    expect(runs.map((run) => run.outputs["report-issue"])).toEqual([
      String(kept!.number),
      String(kept!.number),
    ]);
    expect(emulator.state.issue(emulator.mainRepo, kept!.number).pinned).toBe(true);
    // A run that lost the race closed its own issue as a duplicate of the kept one.
    for (const duplicate of reportIssues("closed")) {
      expect(duplicate.state_reason).toBe("duplicate");
      expect(duplicate.body).toContain(`> **Duplicate of #${kept!.number}.**`);
    }

    emulator.closeIssue({ by: "carol", issue: 3, reason: "completed" });
    const before = emulator.requests.at(-1)?.seq ?? 0;
    const next = await reportRun(true);
    expect(next.exitCode).toBe(0);
    expect(reportIssues("open").map((issue) => issue.number)).toEqual([kept!.number]);
    expect(reportIssues("open")[0]!.body).toContain("\nNo open corrective actions.\n");
    const writes = emulator.requests
      .filter((r) => r.seq > before && r.method !== "GET")
      .map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual([`PATCH /repos/acme/service/issues/${kept!.number}`, "POST /graphql"]);
  });

  it("a repository with three pinned issues: the report issue is kept, the job warns", async () => {
    for (let i = 0; i < 3; i++) {
      const { number } = emulator.openIssue({ by: "carol", title: `Pinned ${i}` }) as {
        number: number;
      };
      emulator.state.issue(emulator.mainRepo, number).pinned = true;
    }
    const run = await reportRun(true);
    expect(run.exitCode).toBe(0);
    const [kept] = reportIssues("open");
    expect(run.stdout).toContain(
      `::warning::Issue #${kept!.number} could not be pinned: Repository already has 3 pinned issues`,
    );
  });

  it("a period asked for in the inputs; a day that is no day fails the job, naming the input", async () => {
    const run = await runActionBundle({
      eventName: "schedule",
      payload: { schedule: "0 6 1 * *" },
      apiUrl: emulator.apiUrl,
      token: emulator.tokenFor(ACTIONS_BOT),
      repository: `${emulator.owner}/${emulator.repoName}`,
      mode: "report",
      ...clock,
      env: { ...clock.env, "INPUT_REPORT-SINCE": "2026-09-01", "INPUT_REPORT-UNTIL": "2026-09-30" },
    });
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain("\n2026-09-01 – 2026-09-30 (UTC); computed 2026-11-29 12:0");
    const bad = await runActionBundle({
      eventName: "workflow_dispatch",
      payload: { inputs: { mode: "report" } },
      apiUrl: emulator.apiUrl,
      token: emulator.tokenFor(ACTIONS_BOT),
      repository: `${emulator.owner}/${emulator.repoName}`,
      ...clock,
      env: { ...clock.env, "INPUT_REPORT-SINCE": "September" },
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain(
      '::error::the `report-since` input is "September": write a day as YYYY-MM-DD',
    );
  });

  it("a broken configuration fails the job with the reason and writes nothing", async () => {
    emulator.setFile(".github/postmortem.yml", "timezone: Mars/Olympus\n");
    const run = await reportRun(true);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("timezone: not an IANA time zone");
    expect(emulator.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
