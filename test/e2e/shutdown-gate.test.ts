// End to end, a deploy while the App's close gate is writing: the gate runs in the flow list like
// every flow, so a SIGTERM waits for its writes (the in-flight set) instead of cutting it off with
// a closed, unapproved post-mortem left behind.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { postmortemBody } from "../core/approvals/fixtures.js";
import type { Stack } from "./stack.js";
import { loopbackOnly, startStack } from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a SIGTERM while the App's gate writes", () => {
  it("waits for the reopen it has started, then exits; nothing is left to the sweep", async () => {
    stack = await startStack({ env: { SHUTDOWN_GRACE: "20s" } });
    const { emulator } = stack;
    emulator.setFile(".github/postmortem.yml", "gate:\n  enforceInApp: true\n");
    const postmortem = emulator.openIssue({
      by: "bob",
      title: "Post-mortem: Checkout returns 500",
      body: postmortemBody(),
      labels: ["postmortem"],
    }).number as number;
    // A person's post-mortem, labeled: the App adopts it first. Let that settle.
    await emulator.waitForIdle({ timeoutMs: 30_000, quietMs: 1_000 });

    // The gate's reopen is held back until the process has been told to stop.
    let release = () => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    const reopen = emulator.injectFault({
      method: "PATCH",
      path: `/repos/{owner}/{repo}/issues/${postmortem}`,
      hold,
    });
    emulator.closeIssue({ by: "bob", issue: postmortem });
    await until("the gate's reopen", () => reopen.hits > 0);

    const app = stack.app;
    const stopped = app.stop();
    await until("the SIGTERM line", () => app.logs.some((line) => line.includes("SIGTERM")));
    expect(app.logs.filter((line) => line.includes("SIGTERM"))).toEqual([
      "SIGTERM: no new deliveries; finishing 1 in hand",
    ]);
    release();
    await stopped;

    expect(emulator.issue(postmortem).state).toBe("open");
    const gateComments = emulator
      .commentsOn(postmortem)
      .filter((comment) => comment.body.includes("This post-mortem was reopened"));
    expect(gateComments).toHaveLength(1);
    expect(app.logs.some((line) => line.includes("left to the next reconcile sweep"))).toBe(false);
  }, 120_000);
});
