// End to end, the reliability report from the CLI (`postmortem-bot report`) against the emulator:
// the token, --repo, the period in the configured zone, JSON and markdown, the exact requests, and
// the request count at volume (500 post-mortems, 3,000 actions) with GITHUB_TOKEN's budget in mind.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runReportCli } from "../../src/entry/cli.js";
import { mermaidBlocks, parseMermaid } from "../support/mermaid.js";
import { actionBody, postmortemBody, seedIssue, seedVolume } from "../support/report-seed.js";
import { loopbackOnly } from "./stack.js";

const NOW = new Date("2026-11-29T12:00:00Z");
let emulator: GitHubEmulator;
let bot: string;

beforeAll(() => loopbackOnly());
beforeEach(async () => {
  emulator = createGitHubEmulator({ users: [{ login: "carol", role: "write" }] });
  await emulator.start();
  bot = emulator.state.bot.login;
});
afterEach(async () => {
  await emulator.stop();
});

async function report(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReportCli(args, {
    cwd: process.cwd(),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: NOW,
    env: { GITHUB_API_URL: emulator.apiUrl, GITHUB_TOKEN: emulator.tokenFor("carol"), ...env },
  });
  return { code, out: out.join("\n"), err };
}

/** The requests sent with carol's token, as `METHOD /path?query`. */
function carolsRequests(): string[] {
  return emulator.requests
    .filter((r) => r.actor === "carol")
    .map((r) => {
      const query = new URLSearchParams(r.query).toString();
      return `${r.method} ${r.path}${query ? `?${query}` : ""}`;
    });
}

/** A few issues a person can check by hand (Berlin: UTC+2 until 25 October, then UTC+1). */
function seedSmallRepository(): void {
  // The report counts the App's post-mortems: the CLI knows the App by `identity.app`.
  emulator.setFile(
    ".github/postmortem.yml",
    "identity:\n  app: postmortem-bot\ntimezone: Europe/Berlin\n",
  );
  // 1 September 01:30 in Berlin; resolved in 10 h; its post-mortem's box raises the label's P3 to
  // P2, and it was approved 24 h after the incident closed.
  const first = seedIssue(emulator, {
    by: "carol",
    title: "Checkout returns 500",
    labels: ["incident", "P3"],
    createdAt: "2026-08-31T23:30:00Z",
    closed: { at: "2026-09-01T09:30:00Z", reason: "completed" },
  });
  const firstPostmortem = seedIssue(emulator, {
    by: bot,
    title: "Post-mortem: Checkout returns 500",
    body: postmortemBody(first, "P2"),
    labels: ["postmortem"],
    createdAt: "2026-09-01T10:00:00Z",
    closed: { at: "2026-09-02T09:30:00Z", reason: "completed" },
  });
  // sev3, resolved in 30 h, post-mortem still under review.
  const second = seedIssue(emulator, {
    by: "carol",
    title: "Search is slow",
    labels: ["incident", "sev3"],
    createdAt: "2026-10-10T08:00:00Z",
    closed: { at: "2026-10-11T14:00:00Z", reason: "completed" },
  });
  seedIssue(emulator, {
    by: bot,
    title: "Post-mortem: Search is slow",
    body: postmortemBody(second),
    labels: ["postmortem"],
    createdAt: "2026-10-11T15:00:00Z",
  });
  // 1 November 00:30 in Berlin: after the period.
  seedIssue(emulator, {
    by: "carol",
    title: "Login loops",
    labels: ["incident"],
    createdAt: "2026-10-31T23:30:00Z",
  });
  const action = (title: string, due: string, owner: string, createdAt: string) => ({
    by: bot,
    title,
    body: actionBody(firstPostmortem, title, owner, due),
    labels: ["capa"],
    createdAt,
  });
  // Closed at 23:30 on its due day in Berlin: on time.
  seedIssue(emulator, {
    ...action("CAPA: Add a canary", "2026-09-15", "@carol", "2026-09-02T10:00:00Z"),
    assignees: ["carol"],
    closed: { at: "2026-09-15T21:30:00Z", reason: "completed" },
  });
  seedIssue(emulator, {
    ...action("CAPA: Page on 5xx", "2026-09-30", "@carol", "2026-09-02T10:01:00Z"),
    closed: { at: "2026-09-03T10:00:00Z", reason: "not_planned" },
  });
  // Open, due 1 November: 28 days overdue on 29 November; owned by a team.
  seedIssue(
    emulator,
    action("CAPA: Load test checkout", "2026-11-01", "@acme/sre", "2026-09-02T10:02:00Z"),
  );
}

describe("postmortem-bot report", () => {
  it("JSON for the last three full months in the configured zone, from three listings", async () => {
    seedSmallRepository();
    const result = await report(["--repo", "acme/service", "--format", "json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      repository: "acme/service",
      period: { since: "2026-08-01", until: "2026-10-31", timezone: "Europe/Berlin" },
      generatedAt: "2026-11-29T12:00:00.000Z",
      incidents: {
        total: 2,
        bySeverity: { P1: 0, P2: 1, P3: 1, P4: 0, default: 0 },
        byMonth: [
          { month: "2026-08", total: 0, P1: 0, P2: 0, P3: 0, P4: 0, default: 0 },
          { month: "2026-09", total: 1, P1: 0, P2: 1, P3: 0, P4: 0, default: 0 },
          { month: "2026-10", total: 1, P1: 0, P2: 0, P3: 1, P4: 0, default: 0 },
        ],
      },
      timeToResolve: { count: 2, medianHours: 20, p90Hours: 28 },
      timeToApproval: { count: 1, medianHours: 24, p90Hours: 24 },
      actions: {
        opened: 3,
        done: 1,
        wontDo: 1,
        open: 1,
        overdue: 1,
        doneWithDueDate: 1,
        doneOnTime: 1,
        onTimePercent: 100,
        closedWithoutEvidence: 0,
      },
      evidence: {
        timeToMerge: { count: 0, medianHours: null, p90Hours: null },
        timeToShip: { count: 0, medianHours: null, p90Hours: null },
        closedAsCompleted: 1,
        byKind: { shipped: 0, merged: 0, manual: 0, none: 1 },
        percentByKind: { shipped: 0, merged: 0, manual: 0, none: 100 },
      },
      oldestOpenActions: [
        {
          number: 8,
          title: "CAPA: Load test checkout",
          postmortem: 2,
          owner: "@acme/sre",
          due: "2026-11-01",
          daysOverdue: 28,
          openedAt: "2026-09-02T10:02:00Z",
        },
      ],
    });
    expect(result.err).toEqual(["4 requests to GitHub"]);
    expect(carolsRequests()).toEqual([
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml",
      "GET /repos/acme/service/issues?labels=incident&state=all&sort=created&direction=asc&per_page=100&since=2026-07-31T00%3A00%3A00Z",
      "GET /repos/acme/service/issues?labels=postmortem&state=all&sort=created&direction=asc&per_page=100&since=2026-07-31T00%3A00%3A00Z",
      "GET /repos/acme/service/issues?labels=capa&state=all&sort=created&direction=asc&per_page=100",
    ]);
  });

  it("markdown with charts Mermaid parses, for the period asked; the token from --token", async () => {
    seedSmallRepository();
    const result = await report(
      [
        "--repo",
        "acme/service",
        "--since",
        "2026-09-01",
        "--until",
        "2026-09-30",
        "--token",
        emulator.tokenFor("carol"),
      ],
      { GITHUB_TOKEN: "" },
    );
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      "## Reliability report: acme/service\n\n2026-09-01 – 2026-09-30 (Europe/Berlin); computed 2026-11-29 12:00 UTC from the repository's issues.\n",
    );
    expect(result.out).toContain(
      "| 2026-09 | 0 | 1 | 0 | 0 | 0 | 1 |\n| **Total** | 0 | 1 | 0 | 0 | 0 | **1** |\n",
    );
    expect(result.out).toContain(
      "| CAPA: Load test checkout (#8) | `@acme/sre` | 2026-11-01 | 28 | #2 |",
    );
    const charts = mermaidBlocks(result.out);
    expect(charts).toHaveLength(3);
    expect(await Promise.all(charts.map(parseMermaid))).toEqual(["xychart", "pie", "pie"]);
  });

  it("says what is wrong, and asks GitHub nothing, without a token or a repository", async () => {
    expect(await report(["--repo", "acme/service"], { GITHUB_TOKEN: "" })).toEqual({
      code: 2,
      out: "",
      err: ["no token: pass --token or set GITHUB_TOKEN (read access to issues is enough)"],
    });
    expect((await report(["--repo", "acme"])).err[0]).toMatch(/^--repo owner\/name is required\n/);
    expect((await report(["--repo", "acme/service", "--format", "csv"])).err).toEqual([
      '--format is "csv": use markdown or json',
    ]);
    expect((await report(["--repo", "acme/service", "--since", "2026-13-01"])).code).toBe(2);
    expect(carolsRequests().filter((r) => r.includes("/issues"))).toEqual([]);
  });

  it("a broken configuration or an unknown repository: exit 2 with the reason", async () => {
    emulator.setFile(".github/postmortem.yml", "timezone: Mars/Olympus\n");
    const broken = await report(["--repo", "acme/service"]);
    expect(broken.code).toBe(2);
    expect(broken.err.join("\n")).toContain(
      "timezone: not an IANA time zone (for example UTC, Europe/Berlin, America/New_York)",
    );
    const missing = await report(["--repo", "acme/nothing-here"]);
    expect(missing.code).toBe(2);
    expect(missing.err.join("\n")).toMatch(/^GitHub answered 404: /);
  });

  it("500 post-mortems and 3,000 actions in 41 requests: one page per 100 issues", async () => {
    emulator.setFile(".github/postmortem.yml", "identity:\n  app: postmortem-bot\ntimezone: UTC\n");
    seedVolume(emulator, {
      incidents: 500,
      actionsPerPostmortem: 6,
      start: "2026-08-01T00:00:00Z",
    });
    const result = await report(["--repo", "acme/service", "--format", "json"]);
    expect(result.code).toBe(0);
    const numbers = JSON.parse(result.out);
    // By the seeding rules (test/support/report-seed.ts): 100 incidents of each severity label,
    // resolved in 1…10 hours, every other post-mortem approved a day after its incident closed.
    expect(numbers.incidents.bySeverity).toEqual({
      P1: 100,
      P2: 100,
      P3: 100,
      P4: 100,
      default: 100,
    });
    expect(numbers.timeToResolve).toEqual({ count: 500, medianHours: 5.5, p90Hours: 9.1 });
    expect(numbers.timeToApproval).toEqual({ count: 250, medianHours: 24, p90Hours: 24 });
    expect(numbers.actions).toEqual({
      opened: 3000,
      done: 1500,
      wontDo: 500,
      open: 1000,
      overdue: 500,
      doneWithDueDate: 1500,
      doneOnTime: 1000,
      onTimePercent: 67,
      closedWithoutEvidence: 0,
    });
    expect(numbers.evidence.byKind).toEqual({ shipped: 0, merged: 0, manual: 0, none: 1500 });
    expect(numbers.oldestOpenActions).toHaveLength(10);
    expect(result.err).toEqual(["41 requests to GitHub"]);
    const pages = carolsRequests().map((r) => r.replace(/\?labels=(\w+).*?(&page=\d+)?$/, " $1$2"));
    expect(pages).toEqual([
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml",
      ...["incident", "postmortem"].flatMap((label) =>
        [1, 2, 3, 4, 5].map(
          (page) => `GET /repos/acme/service/issues ${label}${page === 1 ? "" : `&page=${page}`}`,
        ),
      ),
      ...Array.from(
        { length: 30 },
        (_, index) =>
          `GET /repos/acme/service/issues capa${index === 0 ? "" : `&page=${index + 1}`}`,
      ),
    ]);
  }, 180_000);
});
