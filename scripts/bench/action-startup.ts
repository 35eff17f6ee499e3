/**
 * What the Action costs on an event it ignores (issue #9): every issues/issue_comment event of a
 * repository starts the workflow, and most are ordinary comments on ordinary issues. Measures, in
 * one run and interleaved, the wall time of `node dist/index.js` on such an event (an ordinary
 * comment on an issue without labels) against a running emulator, and of bare `node -e 0`, both
 * with this process's Node (process.execPath, Node 24 under npm and npx).
 *
 * Alone: `npx tsx scripts/bench/action-startup.ts [rounds]` prints a table.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGitHubEmulator } from "../../emulator/index.js";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const ENTRY = join(DIST, "index.js");
const ACTIONS_BOT = "github-actions[bot]";

export interface ActionStartup {
  /** Median wall time of `node dist/index.js` on the ignored event, start to exit. */
  actionMs: number;
  /** Median wall time of `node -e 0`, measured alternately with the Action. */
  bareMs: number;
  /** actionMs / bareMs (the goal: at most 2.5). */
  ratio: number;
  /** Size of dist/index.js, the only file loaded for this event. */
  entryBytes: number;
  /** Size of every file in dist/ (the Action's parts and chunks, and the CLI). */
  totalBytes: number;
  /** Every request the emulator saw during all the Action's runs (`GET /path 404`); none expected. */
  requests: string[];
}

/** For tests: node arguments and environment for the Action's process (a fixed clock). */
export interface ActionStartupOptions {
  nodeArgs?: string[];
  env?: Record<string, string>;
}

export async function benchActionStartup(
  rounds: number,
  options: ActionStartupOptions = {},
): Promise<ActionStartup> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds: ${rounds}`);
  const emulator = createGitHubEmulator({ users: [{ login: "dave", role: "write" }] });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
  const dir = mkdtempSync(join(tmpdir(), "postmortem-bench-"));
  try {
    const issue = emulator.openIssue({ by: "dave", title: "Typo in the docs" });
    emulator.comment({ by: "dave", issue: issue.number as number, body: "Fixed, thanks." });
    const event = emulator.webhooks.events.at(-1)!;
    const eventPath = join(dir, "event.json");
    writeFileSync(eventPath, JSON.stringify(event.payload));
    writeFileSync(join(dir, "output"), "");
    writeFileSync(join(dir, "summary.md"), "");
    // What the runner gives the step (see scripts/action-runner.ts).
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: event.event,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: `${emulator.owner}/${emulator.repoName}`,
      GITHUB_API_URL: emulator.apiUrl,
      GITHUB_OUTPUT: join(dir, "output"),
      GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
      "INPUT_GITHUB-TOKEN": emulator.tokenFor(ACTIONS_BOT),
      "INPUT_FAIL-ON-BLOCK": "true",
    };
    const action = () =>
      timed([...(options.nodeArgs ?? []), ENTRY], { ...env, ...options.env }, dir);
    const bare = () => timed(["-e", "0"], env, dir);

    // Bare Node makes no requests: whatever the emulator sees from here on is the Action's.
    const since = emulator.requests.at(-1)?.seq ?? 0;
    const first = await action();
    if (first.code !== 0 || !first.stdout.includes("is not a post-mortem")) {
      throw new Error(`the Action did not ignore the event (exit ${first.code}):\n${first.stdout}`);
    }
    await bare();
    const actionTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternating, so that a busy moment of the machine hits both alike.
      bareTimes.push((await bare()).ms);
      actionTimes.push((await action()).ms);
    }
    const requests = emulator.requests
      .filter((r) => r.seq > since)
      .map((r) => `${r.method} ${r.path} ${r.status}`);
    const actionMs = median(actionTimes);
    const bareMs = median(bareTimes);
    return {
      actionMs,
      bareMs,
      ratio: actionMs / bareMs,
      entryBytes: statSync(ENTRY).size,
      totalBytes: readdirSync(DIST).reduce((sum, file) => sum + statSync(join(DIST, file)).size, 0),
      requests,
    };
  } finally {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
}

/** One process, from spawn to exit; asynchronous, so the emulator in this process can answer. */
function timed(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: performance.now() - start, code, stdout }));
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Number(process.argv[2] ?? 20);
  const result = await benchActionStartup(rounds);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`Action start-up on an ignored event (${rounds} rounds, Node ${process.version})`);
  console.table({
    "node dist/index.js": { "median ms": Number(result.actionMs.toFixed(1)) },
    "node -e 0": { "median ms": Number(result.bareMs.toFixed(1)) },
  });
  console.log(`ratio          ${result.ratio.toFixed(2)}× (goal ≤ 2.5×)`);
  console.log(`dist/index.js  ${kb(result.entryBytes)}`);
  console.log(`dist/ in all   ${kb(result.totalBytes)}`);
  console.log(
    `requests       ${result.requests.length === 0 ? "none" : result.requests.join(", ")}`,
  );
}
