// Demo steps for the approval gate (#5): the real Action bundle, run as the Actions runner runs it,
// against the emulator the demo already started. Used by scripts/demo.ts after the App's steps.
import type { GitHubEmulator } from "../emulator/index.js";
import { runActionBundle } from "./action-runner.js";

const ACTIONS_BOT = "github-actions[bot]";

export interface ApprovalDemoContext {
  emulator: GitHubEmulator;
  /** The post-mortem to close: one the App opened earlier in the demo. */
  postmortem: number;
  heading: (text: string) => void;
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Runs the Action for the latest `event.action` the emulator emitted, like a workflow would. */
async function runFor(emulator: GitHubEmulator, event: string, action: string) {
  const emitted = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .at(-1);
  assert(emitted, `no ${event}.${action} event to run the Action for`);
  const result = await runActionBundle({
    eventName: event,
    payload: emitted.payload,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
  });
  console.log(
    `  Action on ${event}.${action}: exit ${String(result.exitCode)}, outputs ${JSON.stringify(result.outputs)}`,
  );
  return result;
}

function gateComment(emulator: GitHubEmulator, issue: number): string | undefined {
  return emulator
    .commentsOn(issue)
    .filter((c) => c.user.login === ACTIONS_BOT && c.body.includes("postmortem-bot:gate"))
    .at(-1)?.body;
}

/**
 * A close without approvals is reopened and fails the job; with approvals it stands and passes.
 * Returns the gate's comment as it read after the blocked close (the demo's snapshot shows it).
 */
export async function runApprovalDemo({
  emulator,
  postmortem,
  heading,
}: ApprovalDemoContext): Promise<{ blockedComment: string | undefined }> {
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  emulator.setPermission("rita", "read");

  heading(`Approval gate: post-mortem #${postmortem} closed without approvals`);
  emulator.closeIssue({ by: "bob", issue: postmortem });
  const blocked = await runFor(emulator, "issues", "closed");
  assert(blocked.exitCode === 1, "a close without approvals must fail the job");
  assert(emulator.issue(postmortem).state === "open", "a close without approvals must be reopened");
  const blockedComment = gateComment(emulator, postmortem);
  console.log(`\n${blockedComment ?? "(no gate comment)"}`);

  heading("Approvers comment /approve; someone without write access tries too");
  emulator.comment({ by: "rita", issue: postmortem, body: "/approve product" });
  await runFor(emulator, "issue_comment", "created");
  emulator.comment({ by: "alice", issue: postmortem, body: "/approve tl" });
  await runFor(emulator, "issue_comment", "created");
  emulator.comment({ by: "bob", issue: postmortem, body: "/approve product" });
  await runFor(emulator, "issue_comment", "created");
  for (const c of emulator.commentsOn(postmortem).slice(-4)) {
    console.log(`  ${c.user.login}: ${c.body.split("\n")[0]}`);
  }
  const body = String(emulator.issue(postmortem).body);
  console.log(`\n${body.slice(body.indexOf("## 9."), body.indexOf("## 10.")).trim()}`);

  heading("The rest is filled in and the post-mortem closed again");
  emulator.editBody({
    by: "alice",
    issue: postmortem,
    body: body
      .replace(
        "- **Communication Sent to Team (Yes/No):**",
        "- **Communication Sent to Team (Yes/No):** Yes",
      )
      // The App prefills the ticket with the incident; a post-mortem opened by hand may lack it.
      .replace(/(- \*\*Related JIRA\/Incident Ticket:\*\*) *\n/, "$1 OPS-1234  \n"),
  });
  emulator.closeIssue({ by: "alice", issue: postmortem });
  const accepted = await runFor(emulator, "issues", "closed");
  assert(
    accepted.exitCode === 0,
    `a complete post-mortem must pass, got exit ${String(accepted.exitCode)}`,
  );
  assert(emulator.issue(postmortem).state === "closed", "a complete post-mortem must stay closed");
  console.log(`\n${accepted.summary.trim()}`);
  console.log(`\n${gateComment(emulator, postmortem) ?? ""}`);
  return { blockedComment };
}

/**
 * `npx tsx scripts/demo-approvals.ts`: the approval gate alone (no App needed): a post-mortem as
 * the App would open it, then the blocked and the accepted close.
 */
async function standalone(): Promise<void> {
  const { createGitHubEmulator } = await import("../emulator/index.js");
  const { readFileSync } = await import("node:fs");
  const emulator = createGitHubEmulator({
    users: [
      { login: "alice", role: "maintain" },
      { login: "bob", role: "write" },
    ],
  });
  await emulator.start();
  try {
    const template = readFileSync(
      new URL("../templates/postmortem.md.hbs", import.meta.url),
      "utf8",
    );
    const issue = emulator.openIssue({
      by: "postmortem-bot[bot]",
      title: "Post-mortem: Checkout API returns 500s",
      body: template
        .replace(/\{\{#if [^}]*\}\}[^{]*\{\{else\}\}([^{]*)\{\{\/if\}\}/g, "$1")
        .replace(/\{\{[^}]*\}\}/g, ""),
      labels: ["postmortem"],
    });
    await runApprovalDemo({
      emulator,
      postmortem: issue.number as number,
      heading: (text) => console.log(`\n━━ ${text} ${"━".repeat(Math.max(3, 70 - text.length))}`),
    });
    console.log("\n✓ approval gate demo passed");
  } finally {
    await emulator.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await standalone();

/**
 * Two scheduled runs of the Action (`mode: auto` → reminders), as a `schedule:` workflow runs
 * them: the first reminds the owner of the overdue child, the second finds it done.
 */
export async function runReminderDemo(emulator: GitHubEmulator, child: number) {
  if (!emulator.state.user(ACTIONS_BOT)) emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  const results = [];
  for (let run = 0; run < 2; run++) {
    results.push(
      await runActionBundle({
        eventName: "schedule",
        payload: { schedule: "0 8 * * 1-5" },
        apiUrl: emulator.apiUrl,
        token: emulator.tokenFor(ACTIONS_BOT),
        repository: `${emulator.owner}/${emulator.repoName}`,
      }),
    );
  }
  const reminders = emulator
    .commentsOn(child)
    .filter((c) => c.user.login === ACTIONS_BOT && c.body.includes("postmortem-bot:reminder"))
    .map((c) => c.body);
  return { results, reminders };
}
