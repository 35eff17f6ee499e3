// End to end, cost: the exact requests the real App server makes per flow, against the request
// budgets of issue #9. Counts are deterministic; timings are printed by `npm run bench`, not here.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import type { Stack } from "./stack.js";
import { lastSeq, loopbackOnly, openIncident, postmortemsFor, startStack } from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** The App's requests after `since`, as "METHOD /path" (token requests are not the App's). */
function requestsSince(emulator: GitHubEmulator, since: number): string[] {
  return emulator
    .appRequests()
    .filter((r) => r.seq > since)
    .map((r) => `${r.method} ${r.path}${r.status === 304 ? " → 304" : ""}`);
}

/**
 * Opens `count` earlier post-mortems (with their label) without sending webhooks, and lets ten
 * minutes pass on the emulator's clock, so they are older than what comes next.
 */
function seedEarlierPostmortems(s: Stack, count: number): void {
  s.emulator.setWebhookUrl(undefined);
  for (let i = 0; i < count; i++) {
    s.emulator.openIssue({
      by: s.emulator.state.bot.login,
      title: `Post-mortem: old incident ${i}`,
      body: `Earlier.\n\n<!-- postmortem-bot:postmortem {"incident":${100_000 + i}} -->\n`,
      labels: ["postmortem"],
    });
  }
  s.emulator.setWebhookUrl(s.replicas.map((r) => r.webhookUrl));
  vi.setSystemTime(Date.now() + 10 * 60_000);
}

const REPO = "/repos/acme/service";
const CONFIG_READS = [
  `GET ${REPO}/contents/.github%2Fpostmortem.yml`,
  "GET /repos/acme/.github/contents/.github%2Fpostmortem.yml",
];

/**
 * Incident → post-mortem with the configuration known: 9 requests, 6 of them one after another
 * (the three state reads are made at once). The author labeled her own incident on a public
 * repository, so whether she may declare it is read first: an issue form's labels arrive as the
 * author's whatever her access (`incidents.openedBy`).
 */
function leanIncidentFlow(incident: number): string[][] {
  return [
    [`GET ${REPO}/collaborators/alice/permission`],
    [
      `GET ${REPO}/issues/${incident}`,
      `GET ${REPO}/issues`,
      `GET ${REPO}/issues/${incident}/comments`,
    ],
    // Changes before the incident (#20): no `env:` label, so no deployments; the pull requests
    // merged before Start, one listing, read before the first write.
    [`GET ${REPO}/pulls`],
    [`POST ${REPO}/labels`],
    [`POST ${REPO}/issues`],
    // Only what the create changed is read again: another replica may have raced it.
    [`GET ${REPO}/issues`],
    [`POST ${REPO}/issues/${incident}/comments`],
    // And what the comment changed, to see a racing replica's link comment.
    [`GET ${REPO}/issues/${incident}/comments`],
  ];
}

/** Requests in steps: within a step (requests made at once) the order is free. */
function expectSteps(requests: string[], steps: string[][]): void {
  let at = 0;
  for (const step of steps) {
    expect(requests.slice(at, at + step.length).sort()).toEqual([...step].sort());
    at += step.length;
  }
  expect(requests.slice(at)).toEqual([]);
}

describe("request budgets (issue #9)", () => {
  it("an event that concerns no post-mortem costs no request once the configuration is known", async () => {
    stack = await startStack();
    const { emulator } = stack;
    const issue = emulator.openIssue({ by: "alice", title: "Docs typo", body: "A typo." });
    emulator.addLabel({ by: "alice", issue: issue.number as number, label: "bug" });
    await emulator.waitForIdle();
    // The first labeled event read the configuration (no file: repository, then org .github).
    expect(requestsSince(emulator, 0)).toEqual([
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml",
      "GET /repos/acme/.github/contents/.github%2Fpostmortem.yml",
    ]);

    const before = lastSeq(emulator);
    emulator.addLabel({ by: "alice", issue: issue.number as number, label: "docs" });
    emulator.comment({ by: "alice", issue: issue.number as number, body: "Fixed in #12" });
    emulator.assign({ by: "alice", issue: issue.number as number, assignees: ["bob"] });
    emulator.closeIssue({ by: "alice", issue: issue.number as number });
    await emulator.waitForIdle();
    expect(emulator.deliveries.length).toBeGreaterThanOrEqual(6);
    expect(requestsSince(emulator, before)).toEqual([]);
  });

  it("incident → post-mortem takes 10 requests, 7 in sequence, and the same with 600 earlier post-mortems", async () => {
    stack = await startStack();
    const { emulator } = stack;
    const first = openIncident(stack);
    await emulator.waitForIdle();
    expect(postmortemsFor(emulator, first)).toHaveLength(1);
    // Cold: the configuration is read first (no file: the repository, then the org's .github).
    expectSteps(requestsSince(emulator, 0), [CONFIG_READS, ...leanIncidentFlow(first)]);

    seedEarlierPostmortems(stack, 600);
    const before = lastSeq(emulator);
    const second = openIncident(stack);
    await emulator.waitForIdle();
    expect(postmortemsFor(emulator, second)).toHaveLength(1);
    // Warm: the same 10, whatever the history (the listing holds only what changed since the
    // incident was opened; the label exists, which its one POST learns from a 422).
    expectSteps(requestsSince(emulator, before), leanIncidentFlow(second));
    const listings = emulator
      .appRequests()
      .filter((r) => r.seq > before && r.method === "GET" && r.path === `${REPO}/issues`);
    expect(listings.map((r) => [r.query.since, r.query.page ?? "1"])).toEqual([
      [expect.any(String), "1"],
      [expect.any(String), "1"],
    ]);
  }, 60_000);
});
