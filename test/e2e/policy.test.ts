// End to end: the severity policy in the real App server against the GitHub emulator. An incident
// whose severity says `off` gets nothing; a P1 label added later opens the post-mortem P1 requires.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "./stack.js";
import { appWrites, botComments, loopbackOnly, postmortemsFor, startStack } from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("severity policy (e2e)", () => {
  it("P4 (off) opens nothing on the label; a P1 label added later opens one post-mortem", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setFile(
      ".github/postmortem.yml",
      "policy:\n  P4:\n    postmortem: off\n  P3:\n    postmortem: on-request\n",
    );
    const incident = emulator.openIssue({
      by: "alice",
      title: "Search is slow for some users",
      body: "p99 above 2 s since noon.",
      labels: ["P4"],
    }).number as number;
    emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
    await emulator.waitForIdle();

    expect(postmortemsFor(emulator, incident)).toEqual([]);
    expect(appWrites(emulator)).toEqual([]);

    emulator.addLabel({ by: "bob", issue: incident, label: "P1" });
    await emulator.waitForIdle();

    const postmortems = postmortemsFor(emulator, incident);
    expect(postmortems).toHaveLength(1);
    expect(postmortems[0]?.body).toContain("- [x] P1 - Critical Outage");
    expect(botComments(emulator, incident)).toHaveLength(1);
    const [label, create, link, ...timeline] = appWrites(emulator);
    expect([label, create, link]).toEqual([
      "POST /repos/acme/service/labels",
      "POST /repos/acme/service/issues",
      `POST /repos/acme/service/issues/${incident}/comments`,
    ]);
    // Then only the Timeline of the new post-mortem grows (the labels are part of its history).
    expect(new Set(timeline)).toEqual(
      new Set([`PATCH /repos/acme/service/issues/${postmortems[0]!.number}`]),
    );
    expect(emulator.deliveries.every((delivery) => delivery.status === 200)).toBe(true);
  });
});
