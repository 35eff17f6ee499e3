// End to end, a deploy in the middle of a burst: GitHub does not redeliver a delivery that was
// answered, so work the stopped process accepted and did not finish is found by the new process's
// start-up reconcile sweep, and nothing is done twice.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "./stack.js";
import { loopbackOnly, openIncident, postmortemsFor, startStack } from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("no accepted work lost on a restart", () => {
  it("eight incidents labeled at once, the server restarted midway: eight post-mortems, one each", async () => {
    stack = await startStack({
      // All deliveries at once, as GitHub sends them; a short grace so the stop leaves work behind.
      delivery: { concurrency: 20 },
      // GitHub's pace keeps the burst going long enough to restart in its midst.
      env: { RECONCILE_INTERVAL: "10m", SHUTDOWN_GRACE: "1s", WRITE_PACING: "on" },
    });
    const { emulator } = stack;
    const incidents = Array.from({ length: 8 }, () => openIncident(stack!));
    const opened = () => incidents.filter((n) => postmortemsFor(emulator, n).length > 0).length;

    // GitHub's pace (3 s between creations) makes the burst take half a minute: restart early.
    const deadline = Date.now() + 40_000;
    while (opened() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(opened()).toBeGreaterThanOrEqual(2);
    expect(opened()).toBeLessThan(8);
    const stopped = stack.app;
    await stack.restart();
    expect(stopped.logs.some((line) => line.includes("left to the next reconcile sweep"))).toBe(
      true,
    );

    // The new process's start-up sweep finds the rest (search, then consistent re-reads).
    const settled = Date.now() + 90_000;
    while (opened() < 8 && Date.now() < settled) await new Promise((r) => setTimeout(r, 250));
    await emulator.waitForIdle({ timeoutMs: 30_000, quietMs: 4_000 });
    for (const incident of incidents) {
      const open = postmortemsFor(emulator, incident, "open");
      expect(open, `incident #${incident}`).toHaveLength(1);
      expect(postmortemsFor(emulator, incident)).toHaveLength(1);
    }
    expect(stack.app.logs.some((line) => line.includes("reconciled acme/service"))).toBe(true);
  }, 180_000);
});
