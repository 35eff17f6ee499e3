// End to end, reminders from the App's own timer (REMINDER_INTERVAL): the real server walks its
// installations and reminds an overdue owner once, with two replicas sweeping at the same time.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { OVERDUE_ACTION as ACTION, openPostmortemWithChild } from "../support/overdue-fixture.js";
import type { Stack } from "./stack.js";
import { loopbackOnly, startStack } from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("reminders from the App's timer", () => {
  it("two replicas sweeping every second remind an overdue owner once and show Overdue", async () => {
    // The stack's clock starts on 2026-11-27: an action due on the 20th is a week late.
    stack = await startStack({ replicas: 2, env: { REMINDER_INTERVAL: "1s" } });
    const { emulator } = stack;
    emulator.setPermission("carol", "write");
    const bot = emulator.state.bot.login;
    const { postmortem, child } = openPostmortemWithChild(emulator, bot, "2026-11-20");

    const reminders = () =>
      emulator
        .commentsOn(child)
        .filter((c) => c.user.login === bot && c.body.includes("postmortem-bot:reminder"));
    const deadline = Date.now() + 20_000;
    while (
      !(emulator.issue(postmortem).body as string).includes("| Overdue |") &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    // Several more sweeps by both replicas.
    await new Promise((r) => setTimeout(r, 3_000));
    await emulator.waitForIdle();

    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]!.body).toMatch(
      /^⏰ @carol: this corrective action was due on \*\*2026-11-20\*\* and is still open \(7 days overdue\)\. It comes from post-mortem #1\./,
    );
    const shown = emulator.issue(postmortem).body as string;
    expect(shown).toContain(`| ${ACTION} (#2) | @carol | 2026-11-20 | Overdue |\n`);
    expect(shown).toContain(`- [x] ${ACTION} → #2 · @carol · due 2026-11-20 · Overdue\n`);
  }, 60_000);

  it("a child closed without the evidence its policy asks is reminded as open work, saying what is missing", async () => {
    stack = await startStack({ env: { REMINDER_INTERVAL: "1s" } });
    const { emulator } = stack;
    emulator.setPermission("carol", "write");
    const policy = ["P1", "P2", "P3", "P4", "default"]
      .map((key) => `  ${key}:\n    capaEvidence: merged\n`)
      .join("");
    emulator.setFile(".github/postmortem.yml", `policy:\n${policy}`);
    const bot = emulator.state.bot.login;
    const { child } = openPostmortemWithChild(emulator, bot, "2026-11-20");
    emulator.closeIssue({ by: "carol", issue: child, reason: "completed" });
    emulator.addLabel({ by: bot, issue: child, label: "capa:no-evidence" });

    const reminders = () =>
      emulator
        .commentsOn(child)
        .filter((c) => c.user.login === bot && c.body.includes("postmortem-bot:reminder"));
    const deadline = Date.now() + 20_000;
    while (reminders().length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    // More sweeps: still one reminder in the interval.
    await new Promise((r) => setTimeout(r, 2_000));
    await emulator.waitForIdle();
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]!.body.split("\n\n<!--")[0]).toBe(
      "⏰ @carol: this corrective action was due on **2026-11-20** and still counts as open: closed without a merged fix, the evidence its severity's policy asks for (7 days overdue). It comes from post-mortem #1.\n\n" +
        "Link the pull request that fixes it (`Fixes #2` in its description, or the issue's Development sidebar) and see it merged and deployed as asked, or ask a maintainer to record other evidence with `/evidence <link or text>`.",
    );
    // Found by the sweeps' listing of the closed children carrying capa:no-evidence.
    expect(
      emulator.requests.some(
        (r) => r.query.labels === "capa:no-evidence" && r.query.state === "closed",
      ),
    ).toBe(true);
  }, 60_000);
});
