// What commands cost when outsiders post them (issue #18, finding 4): a post-mortem with 300
// `/approve` comments by 300 people without access to the repository, then the bundled Action's
// run of one more such command, of a collaborator's `/approve`, and of a close, as the runner runs
// them against the emulator. Every figure is an exact list of requests (the Action's token's).
//
// The 300 comments are seeded without runs, as the documented workflow leaves them: its `if:` skips
// comments whose author has no association with the repository, so no runner starts for them.
// The run measured first is the one such a comment gets where the workflow has no such `if:`.
//
// Alone: `npx tsx scripts/bench/commands.ts` prints the three lists.
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import type { ActionRun } from "../action-runner.js";
import { runActionBundle } from "../action-runner.js";

const BOT = "postmortem-bot[bot]";
const RUNNER = "github-actions[bot]";

export interface CommandRunFigure {
  run: string;
  /** `METHOD /path` of every request the run made, in order. */
  requests: string[];
  exitCode: number | null;
}

export interface CommandFigures {
  outsiders: number;
  /** The run of one more outsider's `/approve`, then a collaborator's, then a close. */
  runs: CommandRunFigure[];
}

/** Section 9 as the template writes it, empty. */
export function benchPostmortemBody(): string {
  const line = (name: string) => `- **${name}:**  \n`;
  return [
    "# Post-Mortem Report & Corrective Action Checklist\n\n## 1. Incident Summary\n- **Incident ID:** #12  \n\n",
    "## 9. Approvals & Final Notes\n",
    line("Approved By (Tech Lead)"),
    line("Approved By (Product/Business)"),
    line("Date of Final Review"),
    "- **Related JIRA/Incident Ticket:** #12  \n",
    line("Communication Sent to Team (Yes/No)"),
    '\n<!-- postmortem-bot:postmortem {"incident":12} -->\n',
  ].join("");
}

/**
 * Runs the scenario against a fresh emulator. `nodeArgs`/`env` reach the Action's process (tests
 * preload a fixed clock).
 */
export async function benchCommands(
  outsiders = 300,
  options: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<CommandFigures> {
  const emulator = createGitHubEmulator({ users: [{ login: "tina", role: "write" }] });
  emulator.addUser(BOT, "write", { type: "Bot" });
  emulator.addUser(RUNNER, "write", { type: "Bot" });
  await emulator.start();
  try {
    const postmortem = emulator.openIssue({
      by: BOT,
      title: "Post-mortem: Checkout returns 500",
      body: benchPostmortemBody(),
      labels: ["postmortem"],
    }).number as number;
    for (let index = 1; index <= outsiders; index++) {
      emulator.addUser(`outsider-${index}`, "none");
      emulator.comment({ by: `outsider-${index}`, issue: postmortem, body: "/approve" });
    }
    const runs: CommandRunFigure[] = [];
    const measure = async (run: string, act: () => void) => {
      act();
      const since = emulator.requests.at(-1)?.seq ?? 0;
      const result = await runAction(emulator, options);
      runs.push({ run, requests: requestsSince(emulator, since), exitCode: result.exitCode });
    };

    emulator.addUser("outsider-0", "none");
    await measure(`/approve by an outsider, after ${outsiders} by outsiders`, () =>
      emulator.comment({ by: "outsider-0", issue: postmortem, body: "/approve" }),
    );
    await measure("/approve tl by a collaborator, after them", () =>
      emulator.comment({ by: "tina", issue: postmortem, body: "/approve tl" }),
    );
    await measure("close of the post-mortem, after them", () =>
      emulator.closeIssue({ by: "tina", issue: postmortem }),
    );
    return { outsiders, runs };
  } finally {
    await emulator.stop();
  }
}

function runAction(
  emulator: GitHubEmulator,
  options: { nodeArgs?: string[]; env?: Record<string, string> },
): Promise<ActionRun> {
  const event = emulator.webhooks.events.at(-1)!;
  return runActionBundle({
    eventName: event.event,
    payload: event.payload,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(RUNNER),
    repository: `${emulator.owner}/${emulator.repoName}`,
    ...options,
  });
}

function requestsSince(emulator: GitHubEmulator, since: number): string[] {
  return emulator.requests
    .filter((r) => r.seq > since && r.actor === RUNNER)
    .map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchCommands(Number(process.argv[2] ?? 300));
  for (const run of figures.runs) {
    console.log(`${run.run}: ${run.requests.length} requests (exit ${run.exitCode})`);
    for (const request of run.requests) console.log(`  ${request}`);
  }
}
