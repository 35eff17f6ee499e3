// End to end, resilience: duplicate and concurrent deliveries, App replicas, lost answers, rate limits.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "./stack.js";
import { botComments, loopbackOnly, openIncident, postmortemsFor, startStack } from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("post-mortem under delivery and API faults (e2e)", () => {
  it.each(["same-id", "new-id"] as const)(
    "the same event delivered twice concurrently (%s) still gives one post-mortem",
    async (duplicate) => {
      stack = await startStack({ delivery: { duplicate, concurrency: 4 } });
      const incident = openIncident(stack);
      await stack.emulator.waitForIdle();
      // Every event (the human's labels and the App's own) was delivered twice.
      const labeledEvents = stack.emulator.webhooks.events.filter((e) => e.action === "labeled");
      const labeledDeliveries = stack.emulator.deliveries.filter((d) => d.action === "labeled");
      expect(labeledDeliveries).toHaveLength(2 * labeledEvents.length);
      expect(labeledDeliveries.every((d) => d.status === 200)).toBe(true);
      expect(postmortemsFor(stack.emulator, incident)).toHaveLength(1);
      expect(botComments(stack.emulator, incident)).toHaveLength(1);
    },
  );

  it("two App replicas receiving the same event at once still give one post-mortem", async () => {
    stack = await startStack({ replicas: 2, delivery: { duplicate: "new-id", concurrency: 2 } });
    const incident = openIncident(stack);
    await stack.emulator.waitForIdle({ timeoutMs: 25_000 });
    const targets = new Set(stack.emulator.deliveries.map((d) => d.target));
    expect(targets.size).toBe(2);
    // Replicas may both create one; the App converges by closing all but one as duplicates.
    expect(postmortemsFor(stack.emulator, incident, "open")).toHaveLength(1);
    const extra = postmortemsFor(stack.emulator, incident).filter((i) => i.state !== "open");
    for (const dup of extra)
      expect(stack.emulator.issue(dup.number).state_reason).toBe("duplicate");
    expect(botComments(stack.emulator, incident)).toHaveLength(1);
  });

  it.each(["502", "drop"] as const)(
    "an answer lost after the issue was created (%s) still leaves exactly one open post-mortem",
    async (loseAnswer) => {
      stack = await startStack();
      const { emulator } = stack;
      const fault = emulator.injectFault({
        method: "POST",
        path: "/repos/{owner}/{repo}/issues",
        loseAnswer,
      });
      const incident = openIncident(stack);
      await emulator.waitForIdle({ timeoutMs: 25_000 });
      expect(fault.hits).toBe(1);
      expect(postmortemsFor(emulator, incident, "open")).toHaveLength(1);
      expect(botComments(emulator, incident)).toHaveLength(1);
    },
  );

  it("a secondary rate limit on the comment is waited out and the comment is made once", async () => {
    stack = await startStack();
    const { emulator } = stack;
    const fault = emulator.faults.secondaryRateLimit({
      method: "POST",
      path: "/repos/{owner}/{repo}/issues/{n}/comments",
      retryAfterSeconds: 1,
    });
    const incident = openIncident(stack);
    await emulator.waitForIdle({ timeoutMs: 25_000 });
    expect(fault.hits).toBe(1);
    expect(postmortemsFor(emulator, incident)).toHaveLength(1);
    expect(botComments(emulator, incident)).toHaveLength(1);
  });
});
