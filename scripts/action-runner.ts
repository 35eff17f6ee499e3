// Runs the committed Action bundle the way the Actions runner does: `node dist/index.js` with the
// event in GITHUB_EVENT_PATH, INPUT_* variables, and files for outputs and the job summary.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BUNDLE = fileURLToPath(new URL("../dist/index.js", import.meta.url));

export interface ActionRun {
  exitCode: number | null;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
}

export async function runActionBundle(options: {
  eventName: string;
  payload: unknown;
  apiUrl: string;
  token: string;
  repository: string;
  failOnBlock?: string;
  /** The `mode` input (unset: the runner passes action.yml's default, `auto`). */
  mode?: string;
  /** Arguments for node before the bundle (tests preload a fixed clock with `--import`). */
  nodeArgs?: string[];
  /** More environment variables for the process. */
  env?: Record<string, string>;
  /** The entry to run instead of dist/index.js (tests run a copy of dist/ with parts missing). */
  bundle?: string;
}): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), "postmortem-action-"));
  const eventPath = join(dir, "event.json");
  const outputPath = join(dir, "output");
  const summaryPath = join(dir, "summary.md");
  writeFileSync(eventPath, JSON.stringify(options.payload));
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: options.repository,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    "INPUT_GITHUB-TOKEN": options.token,
    "INPUT_FAIL-ON-BLOCK": options.failOnBlock ?? "true",
    INPUT_MODE: options.mode ?? "auto",
    // The emulator is no GitHub: the Action's writes go unpaced unless `env` says otherwise.
    WRITE_PACING: "off",
    ...passedThrough(process.env),
    ...options.env,
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bundle ?? BUNDLE], {
    env,
    cwd: dir,
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    exitCode,
    outputs: parseOutputs(readFileSync(outputPath, "utf8")),
    summary: readFileSync(summaryPath, "utf8"),
    stdout,
  };
}

/**
 * The machine's time zone and a moved clock (libfaketime, as CI's clock runs use) reach the
 * Action as they reach any process on the runner.
 */
function passedThrough(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && /^(TZ|LD_PRELOAD|FAKETIME.*)$/.test(name)) kept[name] = value;
  }
  return kept;
}

/** `name<<DELIMITER\nvalue\nDELIMITER` blocks, as @actions/core writes GITHUB_OUTPUT. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[match[1]!] = match[3]!;
  }
  return outputs;
}
