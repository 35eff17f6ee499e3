// End to end through the real server: on a public repository an incident is declared by someone
// with triage access or more. An outsider's form (its labels arrive as the author's) opens no
// post-mortem until a maintainer confirms it.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "./stack.js";
import { loopbackOnly, postmortemsFor, startStack } from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("who may declare an incident", () => {
  it("an outsider's P1 waits, said once; a maintainer's re-label confirms it", async () => {
    stack = await startStack();
    const { emulator } = stack;
    // rita has read access only: what anyone has on a public repository.
    const incident = emulator.openIssue({
      by: "rita",
      title: "Everything is down",
      body: "Checkout fails.",
      labels: ["incident", "P1"],
    }).number as number;
    await emulator.waitForIdle();

    expect(postmortemsFor(emulator, incident)).toEqual([]);
    const labelsOf = () =>
      (emulator.issue(incident) as { labels: { name: string }[] }).labels.map((l) => l.name);
    expect(labelsOf()).toEqual(["incident", "P1", "unconfirmed"]);
    const held = emulator
      .commentsOn(incident)
      .filter((comment) => comment.body.includes("postmortem-bot:held"));
    expect(held).toHaveLength(1);
    expect(held[0]!.body).toContain("@rita declared it");

    emulator.removeLabel({ by: "alice", issue: incident, label: "incident" });
    emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
    await emulator.waitForIdle();

    expect(postmortemsFor(emulator, incident, "open")).toHaveLength(1);
    expect(labelsOf()).toEqual(["P1", "incident"]);
    expect(
      emulator.commentsOn(incident).filter((c) => c.body.includes("postmortem-bot:held")),
    ).toHaveLength(1);
  }, 90_000);
});
