// End to end, several replicas sharing one Redis (issue #11): with REDIS_URL, Octokit's throttling
// limiters live in Redis (Bottleneck clustering), so two replicas writing at once keep the pace of
// one, and the results are still exactly once. Needs `redis-server` (`.ci/run` installs it).
import { Redis } from "ioredis";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GitHubEmulator, RequestLogEntry } from "../../emulator/index.js";
import { createGitHubEmulator } from "../../emulator/index.js";
import { generateAppCredentials, startAppProcess } from "../../emulator/app-process.js";
import { hasRedisServer, startRedisServer } from "../support/redis.js";
import type { RedisServer } from "../support/redis.js";
import { LOGGING, RUNBOOKS, VALIDATION, bodyOf, check, childrenOf, pipe } from "./capa-helpers.js";
import type { Stack } from "./stack.js";
import {
  botComments,
  lastSeq,
  loopbackOnly,
  openIncident,
  postmortemsFor,
  startStack,
} from "./stack.js";

/**
 * @octokit/plugin-throttling spaces the writes that notify people (creating issues, comments,
 * sub-issue links) 3 s apart per installation; every other write 1 s apart.
 */
const NOTIFYING_PACE_MS = 3000;
const NOTIFYING_ROUTES = new Set([
  "/repos/{owner}/{repo}/issues",
  "/repos/{owner}/{repo}/issues/{issue_number}/comments",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
]);
/**
 * The limiter spaces the moments the replicas send; the emulator sees arrivals, each a little
 * later by a varying amount (a loaded machine delays one request more than the next).
 */
const ARRIVAL_JITTER_MS = 1000;
const ACTIONS = [VALIDATION, RUNBOOKS, LOGGING];

const redisInstalled = hasRedisServer();
if (!redisInstalled) {
  console.warn(
    "Skipping the Redis replicas test: redis-server is not installed. Install it (Debian/Ubuntu: " +
      "apt-get install redis-server) or run `bash .ci/run`, which installs it, to run this test.",
  );
}

let redis: RedisServer | undefined;
let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  await redis?.stop();
  redis = undefined;
});

function notifyingWrites(emulator: GitHubEmulator, afterSeq: number): RequestLogEntry[] {
  return emulator
    .appRequests()
    .filter((r) => r.seq > afterSeq && r.method === "POST" && NOTIFYING_ROUTES.has(r.route ?? ""))
    .sort((a, b) => a.arrivedMs - b.arrivedMs);
}

/**
 * Until `done` holds, then until nothing more happens: no request for 4 s (while writes are queued
 * they are at most 3 s apart). Waits on the outcome, not on a quiet spell alone, which a loaded
 * machine can cause mid-flow.
 */
async function settleWhen(emulator: GitHubEmulator, what: string, done: () => boolean) {
  const deadline = performance.now() + 150_000;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`not within 150 s: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await emulator.waitForIdle({ timeoutMs: 60_000, quietMs: 4_000 });
}

/** Every checked box of the post-mortem has its child written back into the body. */
function allLinked(emulator: GitHubEmulator, postmortem: number): boolean {
  const lines = bodyOf(emulator, postmortem).split("\n");
  return ACTIONS.every((action) => lines.some((l) => l.startsWith(`- [x] ${action} → #`)));
}

describe.skipIf(!redisInstalled)("several replicas sharing one Redis (REDIS_URL)", () => {
  it("two replicas checking boxes on two post-mortems at once keep one pace and open each child once", async () => {
    redis = await startRedisServer();
    // The real moment the stack's clock starts at STACK_START (it is started right after this).
    const clockSince = Date.now();
    stack = await startStack({
      replicas: 2,
      // Both edits are delivered at once, each to its own replica (deliveries go round-robin).
      delivery: { concurrency: 2 },
      // One clock for both replicas, as synchronised hosts have: Bottleneck's shared limiter
      // compares the times its clients send to Redis.
      env: {
        REDIS_URL: redis.url,
        POSTMORTEM_TEST_CLOCK_SINCE: String(clockSince),
        // The pace the replicas share is what this is about.
        WRITE_PACING: "on",
      },
    });
    const { emulator } = stack;
    const incidents = [openIncident(stack), openIncident(stack)];
    await settleWhen(emulator, "a post-mortem linked from each incident", () =>
      incidents.every(
        (incident) =>
          postmortemsFor(emulator, incident, "open").length > 0 &&
          botComments(emulator, incident).length > 0,
      ),
    );
    const postmortems = incidents.map((incident) => {
      const found = postmortemsFor(emulator, incident, "open");
      expect(found).toHaveLength(1);
      return found[0]!.number;
    });
    for (const issue of postmortems) emulator.assign({ by: "alice", issue, assignees: ["bob"] });
    await emulator.waitForIdle({ timeoutMs: 60_000, quietMs: 4_000 });

    const mark = { seq: lastSeq(emulator), event: emulator.webhooks.events.length };
    const checkAll = pipe(...ACTIONS.map((action) => check(action)));
    for (const issue of postmortems)
      emulator.editBody({ by: "alice", issue, body: checkAll(bodyOf(emulator, issue)) });
    await settleWhen(emulator, "every box linked to its child", () =>
      postmortems.every((postmortem) => allLinked(emulator, postmortem)),
    );

    // Each edit went to its own replica.
    const edits = emulator.webhooks.events.slice(mark.event, mark.event + 2);
    expect(edits.map((e) => [e.event, e.action])).toEqual([
      ["issues", "edited"],
      ["issues", "edited"],
    ]);
    const targets = edits.map(
      (e) => emulator.deliveries.find((d) => d.deliveryId === e.deliveryId)?.target,
    );
    expect(targets.every((t) => t !== undefined)).toBe(true);
    expect(new Set(targets).size).toBe(2);

    // Exactly once: one child per box, each linked to its post-mortem; no comment twice.
    for (const postmortem of postmortems) {
      const children = childrenOf(emulator, postmortem);
      expect(children.map((c) => c.title).sort()).toEqual(
        ACTIONS.map((action) => `CAPA: ${action}`).sort(),
      );
      for (const child of children) {
        expect(child.state).toBe("open");
        expect(child.parent_issue_url).toMatch(new RegExp(`/issues/${postmortem}$`));
      }
    }
    for (const issue of [...incidents, ...postmortems]) {
      const bodies = botComments(emulator, issue).map((c) => c.body);
      expect(new Set(bodies).size).toBe(bodies.length);
    }

    // Both replicas wrote, each with its own token, at the same time.
    const writes = notifyingWrites(emulator, mark.seq);
    const byReplica = new Map<number | undefined, RequestLogEntry[]>();
    for (const w of writes) byReplica.set(w.token, [...(byReplica.get(w.token) ?? []), w]);
    expect(byReplica.size).toBe(2);
    const windows = [...byReplica.values()].map((w) => ({
      first: w[0]!.arrivedMs,
      last: w.at(-1)!.arrivedMs,
      count: w.length,
    }));
    expect(Math.max(...windows.map((w) => w.first))).toBeLessThan(
      Math.min(...windows.map((w) => w.last)),
    );

    // One pace: consecutive content-creating writes, whichever replica sent them, are 3 s apart.
    const gaps = writes.slice(1).map((w, i) => w.arrivedMs - writes[i]!.arrivedMs);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(NOTIFYING_PACE_MS - ARRIVAL_JITTER_MS);
    // So the whole took as long as one replica writing everything, not as long as the busier of
    // two replicas that each keep their own pace.
    const span = writes.at(-1)!.arrivedMs - writes[0]!.arrivedMs;
    const sharedPaceMs = (writes.length - 1) * NOTIFYING_PACE_MS;
    const independentPaceMs = (Math.max(...windows.map((w) => w.count)) - 1) * NOTIFYING_PACE_MS;
    expect(sharedPaceMs).toBeGreaterThan(independentPaceMs + NOTIFYING_PACE_MS);
    expect(span).toBeGreaterThanOrEqual(sharedPaceMs - ARRIVAL_JITTER_MS);
    console.info(
      `[replicas-redis] ${writes.length} content-creating writes by 2 replicas over ${Math.round(span)} ms ` +
        `(one shared pace: ≥ ${sharedPaceMs} ms; independent paces: ≥ ${independentPaceMs} ms); ` +
        `gaps ${Math.round(Math.min(...gaps))}–${Math.round(Math.max(...gaps))} ms`,
    );

    // The limiters the replicas shared are in Redis, keyed by the installation.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys("b_octokit-notifications-*_settings");
      expect(keys).toEqual([`b_octokit-notifications-${emulator.state.installationId}_settings`]);
    } finally {
      client.disconnect();
    }
  }, 240_000);
});

describe("REDIS_URL", () => {
  it("the server refuses to start with a value that is no Redis URL, and says why", async () => {
    const credentials = generateAppCredentials();
    const emulator = createGitHubEmulator({ webhookSecret: credentials.secret });
    await emulator.start();
    try {
      await expect(
        startAppProcess({
          emulator,
          appId: 4242,
          ...credentials,
          env: { REDIS_URL: "localhost:6379" },
        }),
      ).rejects.toThrow(
        'REDIS_URL is "localhost:6379": write a URL such as redis://redis:6379 or rediss://….',
      );
      expect(emulator.requests).toEqual([]);
    } finally {
      await emulator.stop();
    }
  });
});
