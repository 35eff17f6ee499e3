// `policy.<severity>.approvalsRequired` in the Action's close gate: the fields a post-mortem needs
// follow its checked severity box.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import { postmortemBody } from "../core/approvals/fixtures.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";

const ACTIONS_BOT = "github-actions[bot]";
let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T13:00:00Z");
  emulator = createGitHubEmulator({ users: [{ login: "dave", role: "write" }] });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
  emulator.setFile(
    ".github/postmortem.yml",
    "policy:\n  P4:\n    approvalsRequired: [ticket, communicationSent]\n",
  );
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

/** A post-mortem with a ticket and the communication sent, but no approver: closed by dave. */
async function closeWithSeverity(box: string) {
  const body = postmortemBody({ communication: "Yes" }).replace("- [ ] P1", `- [x] ${box}`);
  const number = emulator.openIssue({
    by: "postmortem-bot[bot]",
    title: "Post-mortem: Checkout returns 500",
    body,
    labels: ["postmortem"],
  }).number as number;
  emulator.closeIssue({ by: "dave", issue: number });
  const closed = emulator.webhooks.events
    .filter((e) => e.event === "issues" && e.action === "closed")
    .at(-1)!;
  const result = await runActionBundle({
    eventName: "issues",
    payload: closed.payload,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    ...clock,
  });
  return { number, result };
}

describe("approvals required by severity policy (the Action's close gate)", () => {
  it("a P4 needs only the fields its policy names: the close stands", async () => {
    const { number, result } = await closeWithSeverity("P4");
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ approved: "true", missing: "[]" });
    expect(result.summary).toContain("- [x] **Related JIRA/Incident Ticket**");
    expect(result.summary).toContain("- [x] **Communication Sent to Team (Yes/No)**");
    expect(result.summary).not.toContain("Approved By (Tech Lead)");
    expect(emulator.issue(number).state).toBe("closed");
  });

  it("the same post-mortem marked P1 needs all five (approvals.required): reopened", async () => {
    const { number, result } = await closeWithSeverity("P1");
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.outputs.missing!)).toEqual([
      "Approved By (Tech Lead)",
      "Approved By (Product/Business)",
      "Date of Final Review",
    ]);
    expect(emulator.issue(number).state).toBe("open");
  });
});
