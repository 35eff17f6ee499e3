// The full Action (dist/run.js): loaded by the entry (action/main.ts) once a run may have work,
// with Octokit, zod, the markdown parser and @actions/core. It runs one mode of the registry.
import * as core from "@actions/core";
import type { EntryHandover } from "./context.js";
import { createRunContext } from "./context.js";
import type { ModeChoice } from "./mode.js";
import { findMode } from "./modes/index.js";

/**
 * Runs the chosen mode as the runner expects: outputs, job summary and failure through
 * @actions/core; whatever throws fails the job with its message.
 */
export async function runMode(
  choice: ModeChoice,
  handover: EntryHandover = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  try {
    const mode = findMode(choice);
    if ("problem" in mode) return core.setFailed(mode.problem);
    await mode.run(createRunContext(env, handover));
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
