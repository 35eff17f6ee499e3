// End to end through the real server: the post-mortem label, removed by someone below
// approvals.forceClosePermission, is put back with one comment; a maintainer's removal stands.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "./stack.js";
import { loopbackOnly, openIncident, postmortemsFor, startStack } from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("a post-mortem stays one", () => {
  it("a writer's label removal is undone, said once; a maintainer's stands", async () => {
    stack = await startStack();
    const { emulator } = stack;
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    const [postmortem] = postmortemsFor(emulator, incident);
    const number = postmortem!.number;
    const labels = () =>
      (emulator.issue(number) as { labels: { name: string }[] }).labels.map((l) => l.name);
    const guardComments = () =>
      emulator.commentsOn(number).filter((c) => c.body.includes("postmortem-bot:guard"));

    emulator.removeLabel({ by: "bob", issue: number, label: "postmortem" });
    await emulator.waitForIdle();
    expect(labels()).toEqual(["postmortem"]);
    expect(guardComments()).toHaveLength(1);
    expect(guardComments()[0]!.body).toContain("@bob removed the `postmortem` label");

    emulator.removeLabel({ by: "bob", issue: number, label: "postmortem" });
    await emulator.waitForIdle();
    expect(labels()).toEqual(["postmortem"]);
    expect(guardComments()).toHaveLength(1);

    emulator.removeLabel({ by: "alice", issue: number, label: "postmortem" });
    await emulator.waitForIdle();
    expect(labels()).toEqual([]);
    expect(guardComments()).toHaveLength(1);
  }, 90_000);
});
