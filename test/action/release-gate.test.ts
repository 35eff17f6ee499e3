// The Action's `mode: release-gate`, run as the runner runs it against the emulator, on a
// repository with realistic volume: hundreds of incidents, post-mortems and corrective actions,
// so every listing spans several pages.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import { itemKey } from "../../src/core/capa/items.js";
import { childBody } from "../../src/core/capa/render.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { renderedPostmortem } from "../core/capa/fixtures.js";
import type { Evidence } from "../../src/core/evidence/index.js";
import { withEvidence } from "../../src/core/evidence/model.js";

const ACTIONS_BOT = "github-actions[bot]";
const APP_BOT = "postmortem-bot[bot]";
const WAIVER = "postmortem:waive-release-gate";
const SEVERITIES = ["P1", "P2", "P3", "P4"] as const;
/**
 * 230 incidents, each with its post-mortem and two corrective actions (690 issues); every other
 * post-mortem is closed with its actions, so the gate lists 115 open post-mortems (2 pages), 230
 * open actions (3 pages) and 230 incidents (3 pages).
 */
const VOLUME = 230;

let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T09:00:00Z");
  emulator = createGitHubEmulator({
    users: [
      { login: "carol", role: "write" },
      { login: "mia", role: "maintain" },
      { login: "wes", role: "write" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  emulator.addUser(APP_BOT, "write", { type: "Bot" });
  await emulator.start();
  // P4 actions never hold a release back.
  // The App's post-mortems count for the Action where the configuration names the App.
  emulator.setFile(
    ".github/postmortem.yml",
    "identity:\n  app: postmortem-bot\npolicy:\n  P4:\n    releaseGate: false\n",
  );
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

interface Seeded {
  incident: number;
  postmortem: number;
  children: number[];
}

/** An incident with its severity label, its post-mortem (as the App writes it) and its actions. */
/**
 * How a closed post-mortem's close stands: `recorded`, judged by the close gate, which let it
 * stand and recorded it in the marker (what every approved close of this version leaves);
 * `unjudged`, closed while no run of the gate judged it (its run cancelled); `pre-upgrade`, opened
 * before "gate":2.
 */
type Close = "recorded" | "unjudged" | "pre-upgrade";

function seedIncident(
  index: number,
  options: { severity?: string; due?: string[]; closed?: boolean; close?: Close } = {},
): Seeded {
  const severity = options.severity ?? SEVERITIES[index % 4]!;
  const incident = emulator.openIssue({
    by: "carol",
    title: `Incident ${index}`,
    labels: ["incident", severity],
  }).number as number;
  const postmortem = emulator.openIssue({
    by: APP_BOT,
    title: `Post-mortem: Incident ${index}`,
    body: renderedPostmortem().replace('{"incident":12,', `{"incident":${incident},`),
    labels: ["postmortem"],
    assignees: ["carol"],
  }).number as number;
  const children = (options.due ?? ["2026-12-20", "2027-01-15"]).map((due, item) => {
    const title = `Action ${item} of incident ${index}`;
    const child = emulator.openIssue({
      by: APP_BOT,
      title: `CAPA: ${title}`,
      body: childBody({
        parent: postmortem,
        incident,
        key: itemKey(title),
        title,
        category: "Technical Fixes",
        assignees: ["carol"],
        ownerText: "@carol",
        unassignable: [],
        due,
      }),
      labels: ["capa"],
      assignees: ["carol"],
    }).number as number;
    if (options.closed) emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
    return child;
  });
  if (options.closed) {
    emulator.closeIssue({ by: "carol", issue: incident, reason: "completed" });
    emulator.closeIssue({ by: "carol", issue: postmortem, reason: "completed" });
    const body = String(emulator.issue(postmortem).body);
    const marker = `{"incident":${incident},"gate":2}`;
    const close = options.close ?? "recorded";
    if (close === "recorded") {
      const closedAt = String(emulator.issue(postmortem).closed_at);
      const recorded = `{"incident":${incident},"gate":2,"closed":"${closedAt}"}`;
      emulator.editBody({ by: APP_BOT, issue: postmortem, body: body.replace(marker, recorded) });
    } else if (close === "pre-upgrade") {
      const before = `{"incident":${incident}}`;
      emulator.editBody({ by: APP_BOT, issue: postmortem, body: body.replace(marker, before) });
    }
  }
  return { incident, postmortem, children };
}

function seedVolume(): void {
  for (let index = 0; index < VOLUME; index++) seedIncident(index, { closed: index % 2 === 1 });
}

function gate() {
  return runActionBundle({
    eventName: "pull_request",
    payload: {
      action: "synchronize",
      pull_request: { number: 7, head: { sha: "abc" } },
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
    ...clock,
  });
}

const issueUrl = (n: number) =>
  `https://github.com/${emulator.owner}/${emulator.repoName}/issues/${n}`;

describe("mode: release-gate", () => {
  it(
    "passes a repository with hundreds of post-mortems and no overdue action, in few paged requests",
    { timeout: 120_000 },
    async () => {
      seedVolume();
      const before = emulator.requests.length;
      const result = await gate();

      expect(result.exitCode).toBe(0);
      expect(result.summary).toContain(
        `✅ **Release allowed**: no post-mortem under the release gate has an overdue corrective action, a late review or an unapproved close (${VOLUME / 2} checked).`,
      );
      expect(result.outputs.blocking).toBe("[]");
      const requests = emulator.requests.slice(before);
      expect(requests.every((r) => r.method === "GET" && r.actor === ACTIONS_BOT)).toBe(true);
      expect(requests.some((r) => r.path.includes("/search/"))).toBe(false);
      const listings = requests.filter((r) => r.route === "/repos/{owner}/{repo}/issues");
      expect(
        listings.map((r) => [r.query.labels, r.query.state, r.query.per_page, r.query.page]),
      ).toEqual([
        ["postmortem", "all", "100", undefined],
        ["postmortem", "all", "100", "2"],
        ["postmortem", "all", "100", "3"],
        ["capa", "open", "100", undefined],
        ["capa", "open", "100", "2"],
        ["capa", "open", "100", "3"],
        ["incident", "all", "100", undefined],
        ["incident", "all", "100", "2"],
        ["incident", "all", "100", "3"],
      ]);
      // Besides the nine listings: one read of the configuration. 10 requests for 690 issues; the
      // 115 closed post-mortems cost only their listing (their marker records an approved close).
      expect(requests.filter((r) => !listings.includes(r)).map((r) => r.route)).toEqual([
        "/repos/{owner}/{repo}/contents/{path}",
      ]);
    },
  );

  it(
    "fails on overdue actions and a late review, lists each with links and annotations; a maintainer's waiver counts, a writer's does not",
    { timeout: 120_000 },
    async () => {
      seedVolume();
      const overdueP1 = seedIncident(900, { severity: "P1", due: ["2026-11-20", "2026-12-20"] });
      const waivedByMaintainer = seedIncident(901, { severity: "P2", due: ["2026-11-10"] });
      const waivedByWriter = seedIncident(902, { severity: "P1", due: ["2026-11-26"] });
      const exemptP4 = seedIncident(903, { severity: "P4", due: ["2026-10-01"] });
      emulator.addLabel({ by: "mia", issue: waivedByMaintainer.postmortem, label: WAIVER });
      emulator.addLabel({ by: "wes", issue: waivedByWriter.postmortem, label: WAIVER });
      // A P1 incident closed nine days ago (review due after three) whose post-mortem is unapproved.
      vi.setSystemTime(new Date("2026-11-18T10:00:00Z"));
      const lateReview = seedIncident(904, { severity: "P1", due: [] });
      emulator.closeIssue({ by: "carol", issue: lateReview.incident });
      vi.setSystemTime(new Date("2026-11-27T09:00:00Z"));

      const before = emulator.requests.length;
      const result = await gate();

      expect(result.exitCode).toBe(1);
      const blocking = [overdueP1.postmortem, waivedByWriter.postmortem, lateReview.postmortem];
      expect(JSON.parse(result.outputs.blocking!)).toEqual(blocking);
      const summary = result.summary;
      expect(summary).toContain(
        `🚫 **Release blocked**: 3 post-mortems have overdue corrective actions, a late review or an unapproved close (${VOLUME / 2 + 5} checked).`,
      );
      expect(summary).toContain(
        `| [#${overdueP1.postmortem}](${issueUrl(overdueP1.postmortem)}) Post-mortem: Incident 900 | P1 | [#${overdueP1.children[0]}](${issueUrl(overdueP1.children[0]!)}) CAPA: Action 0 of incident 900: open, due 2026-11-20, 7 days overdue |`,
      );
      expect(summary).toContain(
        `| [#${waivedByWriter.postmortem}](${issueUrl(waivedByWriter.postmortem)}) Post-mortem: Incident 902 | P1 | [#${waivedByWriter.children[0]}](${issueUrl(waivedByWriter.children[0]!)}) CAPA: Action 0 of incident 902: open, due 2026-11-26, 1 day overdue<br>the \`${WAIVER}\` label was ignored: @wes added it with write permission; it counts only from someone with maintain or more |`,
      );
      expect(summary).toContain(
        `| [#${lateReview.postmortem}](${issueUrl(lateReview.postmortem)}) Post-mortem: Incident 904 | P1 | review not approved, due 2026-11-21 |`,
      );
      expect(summary).toContain(
        `### Waived\n\n| Post-mortem | Severity | Why |\n|---|---|---|\n| [#${waivedByMaintainer.postmortem}](${issueUrl(waivedByMaintainer.postmortem)}) Post-mortem: Incident 901 | P2 | [#${waivedByMaintainer.children[0]}](${issueUrl(waivedByMaintainer.children[0]!)}) CAPA: Action 0 of incident 901: open, due 2026-11-10, 17 days overdue<br>waived by @mia (maintain) with \`${WAIVER}\` |`,
      );
      expect(summary).toContain(
        `Not gated by policy (\`releaseGate: false\`): [#${exemptP4.postmortem}](${issueUrl(exemptP4.postmortem)}) (P4).`,
      );

      const annotations = result.stdout
        .split("\n")
        .filter((line) => /^::(error|notice)/.test(line));
      expect(annotations).toEqual([
        `::error title=Release blocked by post-mortem #${overdueP1.postmortem} (P1)::${issueUrl(overdueP1.postmortem)}: #${overdueP1.children[0]} CAPA: Action 0 of incident 900 (${issueUrl(overdueP1.children[0]!)}): open, due 2026-11-20, 7 days overdue`,
        `::error title=Release blocked by post-mortem #${waivedByWriter.postmortem} (P1)::${issueUrl(waivedByWriter.postmortem)}: #${waivedByWriter.children[0]} CAPA: Action 0 of incident 902 (${issueUrl(waivedByWriter.children[0]!)}): open, due 2026-11-26, 1 day overdue. the \`${WAIVER}\` label was ignored: @wes added it with write permission; it counts only from someone with maintain or more`,
        `::error title=Release blocked by post-mortem #${lateReview.postmortem} (P1)::${issueUrl(lateReview.postmortem)}: review not approved, due 2026-11-21`,
        `::notice title=Post-mortem #${waivedByMaintainer.postmortem} waived by @mia::${issueUrl(waivedByMaintainer.postmortem)}: #${waivedByMaintainer.children[0]} CAPA: Action 0 of incident 901 (${issueUrl(waivedByMaintainer.children[0]!)}): open, due 2026-11-10, 17 days overdue`,
        "::error::Release blocked by 3 post-mortem(s): " + blocking.map((n) => `#${n}`).join(", "),
      ]);

      // Reads only; per-issue reads only for the late review and the two waivers.
      const requests = emulator.requests.slice(before);
      expect(requests.filter((r) => r.method !== "GET" && r.route !== "/graphql")).toEqual([]);
      const perIssue = requests
        .filter((r) => r.route !== "/repos/{owner}/{repo}/issues" && !r.route?.includes("contents"))
        .map((r) => `${r.method} ${r.path.replace(/^\/api\/v3/, "")}`);
      const repo = `/repos/${emulator.owner}/${emulator.repoName}`;
      expect(perIssue).toEqual([
        `GET ${repo}/issues/${lateReview.postmortem}`,
        `GET ${repo}/issues/${lateReview.postmortem}/comments`,
        `GET ${repo}/issues/${waivedByMaintainer.postmortem}/events`,
        `GET ${repo}/collaborators/mia/permission`,
        `GET ${repo}/issues/${waivedByWriter.postmortem}/events`,
        `GET ${repo}/collaborators/wes/permission`,
      ]);
    },
  );
});

describe("mode: release-gate, closed post-mortems", () => {
  it(
    'a "gate":2 post-mortem closed without its approvals (its close never judged) blocks; an approved close and a pre-upgrade close do not, and cost only their listing',
    { timeout: 120_000 },
    async () => {
      const approved = seedIncident(0, { severity: "P1", due: [], closed: true });
      const preUpgrade = seedIncident(1, {
        severity: "P1",
        due: [],
        closed: true,
        close: "pre-upgrade",
      });
      vi.setSystemTime(new Date("2026-11-20T10:00:00Z"));
      const unapproved = seedIncident(2, {
        severity: "P1",
        due: [],
        closed: true,
        close: "unjudged",
      });
      const exemptP4 = seedIncident(3, {
        severity: "P4",
        due: [],
        closed: true,
        close: "unjudged",
      });
      vi.setSystemTime(new Date("2026-11-27T09:00:00Z"));
      const open = seedIncident(4, { severity: "P2" });

      const before = emulator.requests.length;
      const result = await gate();

      expect(result.exitCode).toBe(1);
      expect(JSON.parse(result.outputs.blocking!)).toEqual([unapproved.postmortem]);
      expect(result.summary).toContain(
        `🚫 **Release blocked**: 1 post-mortem has overdue corrective actions, a late review or an unapproved close (3 checked).`,
      );
      const reason =
        "closed on 2026-11-20 without complete approvals (the close gate did not let it stand)";
      expect(result.summary).toContain(
        `| [#${unapproved.postmortem}](${issueUrl(unapproved.postmortem)}) Post-mortem: Incident 2 | P1 | ${reason} |`,
      );
      expect(result.summary).toContain(
        `Not gated by policy (\`releaseGate: false\`): [#${exemptP4.postmortem}](${issueUrl(exemptP4.postmortem)}) (P4).`,
      );
      for (const quiet of [approved, preUpgrade, open]) {
        expect(result.summary).not.toContain(`[#${quiet.postmortem}]`);
      }
      expect(result.stdout).toContain(
        `::error title=Release blocked by post-mortem #${unapproved.postmortem} (P1)::${issueUrl(unapproved.postmortem)}: ${reason}`,
      );

      // Reads only: the listings, then the two unjudged closes judged as the close gate judges.
      const requests = emulator.requests.slice(before);
      expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
      const repo = `/repos/${emulator.owner}/${emulator.repoName}`;
      expect(
        requests
          .filter((r) => !r.route?.includes("contents"))
          .map(
            (r) =>
              `${r.method} ${r.path.replace(/^\/api\/v3/, "")}${r.query.labels ? ` ${r.query.labels} ${r.query.state}` : ""}`,
          ),
      ).toEqual([
        `GET ${repo}/issues postmortem all`,
        `GET ${repo}/issues capa open`,
        `GET ${repo}/issues/${unapproved.postmortem}`,
        `GET ${repo}/issues/${unapproved.postmortem}/comments`,
        `GET ${repo}/issues/${exemptP4.postmortem}`,
        `GET ${repo}/issues/${exemptP4.postmortem}/comments`,
        `GET ${repo}/issues incident all`,
      ]);
    },
  );
});

describe("mode: release-gate, evidence", () => {
  const fix = (pr: number) => ({
    merged: [
      {
        pr,
        url: `https://github.com/acme/service/pull/${pr}`,
        at: "2026-11-19T12:00:00Z",
        sha: "a".repeat(40),
      },
    ],
  });
  /** Close the child as completed; record its evidence and labels as the App leaves them. */
  function closeChild(child: number, evidence: Evidence, label?: string) {
    emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
    const body = String(emulator.issue(child).body);
    emulator.editBody({ by: APP_BOT, issue: child, body: withEvidence(body, evidence, "UTC") });
    if (label) emulator.addLabel({ by: APP_BOT, issue: child, label });
  }

  it(
    "a child closed without the evidence its severity asks blocks like an open one, says what is missing, and costs one listing per evidence label",
    { timeout: 120_000 },
    async () => {
      emulator.setFile(
        ".github/postmortem.yml",
        [
          "identity:\n  app: postmortem-bot",
          "evidence:\n  environment: production",
          "policy:",
          "  P1:\n    capaEvidence: merged",
          "  P2:\n    capaEvidence: shipped",
          "  P4:\n    releaseGate: false",
          "",
        ].join("\n"),
      );
      const noFix = seedIncident(0, { severity: "P1", due: ["2026-11-20"] });
      closeChild(noFix.children[0]!, {}, "capa:no-evidence");
      const unshipped = seedIncident(1, { severity: "P2", due: ["2026-11-20"] });
      closeChild(unshipped.children[0]!, fix(41), "capa:awaiting-ship");
      // Merged meets P1's policy: not listed, does not block.
      const mergedP1 = seedIncident(2, { severity: "P1", due: ["2026-11-20"] });
      closeChild(mergedP1.children[0]!, fix(42));
      // P3 asks nothing: a no-evidence label left on its child (by anyone) changes nothing.
      const stale = seedIncident(3, { severity: "P3", due: ["2026-11-20"] });
      closeChild(stale.children[0]!, {}, "capa:no-evidence");
      // Not yet due: closed without evidence, but nothing is overdue.
      const notDue = seedIncident(4, { severity: "P1", due: ["2026-12-20"] });
      closeChild(notDue.children[0]!, {}, "capa:no-evidence");
      // A closed post-mortem (its close recorded) whose child was closed without its evidence.
      const closedPm = seedIncident(5, { severity: "P1", due: ["2026-11-20"], closed: true });
      emulator.addLabel({ by: APP_BOT, issue: closedPm.children[0]!, label: "capa:no-evidence" });

      const before = emulator.requests.length;
      const result = await gate();

      expect(result.exitCode).toBe(1);
      const blocking = [noFix.postmortem, unshipped.postmortem, closedPm.postmortem];
      expect(JSON.parse(result.outputs.blocking!)).toEqual(blocking);
      const row = (seeded: Seeded, index: number, severity: string, why: string) =>
        `| [#${seeded.postmortem}](${issueUrl(seeded.postmortem)}) Post-mortem: Incident ${index} | ${severity} | [#${seeded.children[0]}](${issueUrl(seeded.children[0]!)}) CAPA: Action 0 of incident ${index}: ${why}, due 2026-11-20, 7 days overdue |`;
      expect(result.summary).toContain(row(noFix, 0, "P1", "closed without a merged fix"));
      expect(result.summary).toContain(
        row(unshipped, 1, "P2", "merged, not yet shipped to production"),
      );
      expect(result.summary).toContain(row(closedPm, 5, "P1", "closed without a merged fix"));
      for (const quiet of [mergedP1, stale, notDue]) {
        expect(result.summary).not.toContain(`[#${quiet.postmortem}]`);
      }
      expect(result.stdout).toContain(
        `::error title=Release blocked by post-mortem #${unshipped.postmortem} (P2)::${issueUrl(unshipped.postmortem)}: #${unshipped.children[0]} CAPA: Action 0 of incident 1 (${issueUrl(unshipped.children[0]!)}): merged, not yet shipped to production, due 2026-11-20, 7 days overdue`,
      );

      // Reads only: one listing of each evidence label (closed children), no per-child read; the
      // severities come from the post-mortems and incidents the gate lists anyway.
      const requests = emulator.requests.slice(before);
      expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
      const repo = `/repos/${emulator.owner}/${emulator.repoName}`;
      expect(
        requests.map(
          (r) =>
            `${r.method} ${r.path.replace(/^\/api\/v3/, "")}${r.query.labels ? ` ${r.query.labels} ${r.query.state}` : ""}`,
        ),
      ).toEqual([
        `GET ${repo}/contents/.github%2Fpostmortem.yml`,
        `GET ${repo}/issues postmortem all`,
        `GET ${repo}/issues capa open`,
        `GET ${repo}/issues capa:no-evidence closed`,
        `GET ${repo}/issues capa:awaiting-ship closed`,
        `GET ${repo}/issues incident all`,
      ]);
    },
  );
});

describe("postmortem-bot release-gate (the CLI)", () => {
  const bin = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
  function cli(args: string[], env: Record<string, string>) {
    const child = spawn(process.execPath, [...clock.nodeArgs, bin, "release-gate", ...args], {
      env: { PATH: process.env.PATH, ...clock.env, GITHUB_API_URL: emulator.apiUrl, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on("close", (code) => resolve({ code, stdout, stderr })),
    );
  }

  it("prints the same summary and exits 1 while blocked, 0 once the action is closed", async () => {
    const quiet = seedIncident(0, { severity: "P2" });
    const blocked = seedIncident(1, { severity: "P1", due: ["2026-11-20"] });
    const repo = `${emulator.owner}/${emulator.repoName}`;

    const first = await cli(["--repo", repo], { GITHUB_TOKEN: emulator.tokenFor("carol") });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(
      `| [#${blocked.postmortem}](${issueUrl(blocked.postmortem)}) Post-mortem: Incident 1 | P1 | [#${blocked.children[0]}](${issueUrl(blocked.children[0]!)}) CAPA: Action 0 of incident 1: open, due 2026-11-20, 7 days overdue |`,
    );
    expect(first.stdout).not.toContain(`#${quiet.postmortem}]`);

    emulator.closeIssue({ by: "carol", issue: blocked.children[0]!, reason: "completed" });
    const second = await cli([`--repo=${repo}`, "--token", emulator.tokenFor("carol")], {});
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("✅ **Release allowed**");
  });

  it("without a token or repository: the usage, exit 2, no request", async () => {
    const before = emulator.requests.length;
    const result = await cli(["--repo", "acme"], { GITHUB_TOKEN: "x" });
    expect(result).toMatchObject({
      code: 2,
      stderr:
        "usage: postmortem-bot release-gate --repo owner/name [--token T] (or GITHUB_TOKEN)\n",
    });
    expect(emulator.requests.length).toBe(before);
  });
});
