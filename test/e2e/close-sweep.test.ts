// End to end through the real server: a close whose delivery was lost (the server was down) is
// judged by the App's start-up reconcile sweep where the App enforces the gate.
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

describe("the App's sweep judges closes", () => {
  it("a gate:2 post-mortem closed while no App could hear it is reopened by the next start's sweep", async () => {
    // The first App does not sweep: its start-up sweep would race with the close below and could
    // judge it, which is not what this is about.
    stack = await startStack();
    const { emulator } = stack;
    // Not about search's lag (the sweep finds candidates by search; resilience.test.ts covers it).
    emulator.setSearchLag(0);
    emulator.setFile(".github/postmortem.yml", "gate:\n  enforceInApp: true\n");
    const postmortem = emulator.openIssue({
      by: emulator.state.bot.login,
      title: "Post-mortem: Checkout returns 500",
      body: postmortemBody().replace('{"incident":12}', '{"incident":12,"gate":2}'),
      labels: ["postmortem"],
    }).number as number;
    await emulator.waitForIdle();

    // The close's delivery goes nowhere: nothing judges it.
    emulator.setWebhookUrl("http://127.0.0.1:9/api/github/webhooks");
    emulator.closeIssue({ by: "bob", issue: postmortem });
    await emulator.waitForIdle();
    expect(emulator.issue(postmortem).state).toBe("closed");

    await stack.restart({ RECONCILE_INTERVAL: "10m" });
    const deadline = Date.now() + 60_000;
    while (emulator.issue(postmortem).state !== "open" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await emulator.waitForIdle();

    expect(emulator.issue(postmortem).state).toBe("open");
    const gate = emulator
      .commentsOn(postmortem)
      .filter((comment) => comment.body.includes("postmortem-bot:gate"));
    expect(gate).toHaveLength(1);
    // It was the sweep that reopened it (its own log line, written before the reopen; the sweep's
    // summary comes only after the rest of its work). Through the child's log pipe: wait for it.
    const counted = () =>
      stack!.app.logs.some(
        (line) =>
          line.includes('"feature":"reconcile"') &&
          line.includes(`closed of #${postmortem}, round 1: createComment, reopenIssue`),
      );
    const logged = Date.now() + 60_000;
    while (!counted() && Date.now() < logged) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const reconcileLines = stack.app.logs.filter((line) => line.includes('"feature":"reconcile"'));
    expect(counted(), `the sweep's lines:\n${reconcileLines.join("\n")}`).toBe(true);
  }, 180_000);
});
