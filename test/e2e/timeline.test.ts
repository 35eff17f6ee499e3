// End to end, the Timeline of Events: `/timeline` and the incident's close reach the post-mortem
// through the real App server, with signed deliveries from the emulator.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { formatDateTime } from "../../src/core/time.js";
import { formatSpan, parseDateTime } from "../../src/core/timeline/datetime.js";
import type { Stack } from "./stack.js";
import {
  appWrites,
  botComments,
  lastSeq,
  loopbackOnly,
  openIncident,
  postmortemsFor,
  startStack,
} from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe("Timeline of Events (e2e)", () => {
  it("/timeline adds a row and a 👍 (a reader gets a reply); closing the incident fills End and Duration", async () => {
    stack = await startStack();
    const { emulator } = stack;
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    const [postmortem] = postmortemsFor(emulator, incident);
    const number = postmortem!.number;
    const body = () => emulator.issue(number).body as string;

    const command = emulator.comment({
      by: "alice",
      issue: incident,
      body: "/timeline 13:20 Deployment 4411 started",
    });
    emulator.comment({ by: "rita", issue: incident, body: "/timeline 13:25 Not allowed" });
    await emulator.waitForIdle();

    expect(body()).toContain("\n| 2026-11-27 13:20 UTC | Deployment 4411 started |\n");
    expect(body()).not.toContain("Not allowed");
    const reactions = emulator
      .commentsOn(incident)
      .find((comment) => comment.id === (command as { id: number }).id)?.reactions;
    expect((reactions as Record<string, unknown> | undefined)?.["+1"]).toBe(1);
    const replies = botComments(emulator, incident).filter((comment) =>
      comment.body.startsWith("@rita, `/timeline` needs triage access"),
    );
    expect(replies).toHaveLength(1);

    const mark = lastSeq(emulator);
    emulator.closeIssue({ by: "alice", issue: incident, reason: "completed" });
    await emulator.waitForIdle();

    const closed = emulator.issue(incident);
    const end = formatDateTime(closed.closed_at as string, "UTC");
    const reported = formatDateTime(closed.created_at as string, "UTC");
    const duration = formatSpan(parseDateTime(reported, "UTC")!, parseDateTime(end, "UTC")!);
    expect(body()).toContain(`- **Date & Time (End):** ${end}  \n`);
    expect(body()).toContain(`- **Duration:** ${duration}  \n`);
    expect(body()).toContain(`| ${end} | Incident closed by @alice |`);
    expect(appWrites(emulator, mark)).toEqual([`PATCH /repos/acme/service/issues/${number}`]);
  }, 60_000);
});
