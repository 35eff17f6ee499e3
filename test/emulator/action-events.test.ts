// The bundled Action run as the runner runs it on `pull_request_target`, with the payload the
// emulator sent for a pull request from a fork: whatever the Action reads is served, 2xx and as
// GitHub's description says.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import { invalidResponses, startEmulator } from "./helpers.js";

const ACTIONS_BOT = "github-actions[bot]";
let emulator: GitHubEmulator;

beforeEach(async () => {
  emulator = await startEmulator();
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
});
afterEach(() => emulator.stop());

describe("runActionBundle with an emulator-made pull_request_target event", () => {
  it("runs the Action on a fork's pull request opened and pushed to", async () => {
    const pr = emulator.openPullRequest({
      by: "nora",
      title: "Drive-by",
      fork: true,
      files: [{ path: "src/db.ts" }],
    }).number as number;
    emulator.pushToPullRequest({ number: pr, files: [{ path: "src/pool.ts" }] });
    for (const action of ["opened", "synchronize"]) {
      const event = emulator.lastEvent("pull_request", action, { as: "pull_request_target" });
      expect(event.payload).toMatchObject({ action, number: pr });
      const since = emulator.requests.length;
      const run = await runActionBundle({
        ...event,
        apiUrl: emulator.apiUrl,
        // A fork's pull_request_target run gets the base repository's token, as the workflow says.
        token: emulator.tokenFor(ACTIONS_BOT, {
          permissions: {
            checks: "write",
            contents: "read",
            pull_requests: "read",
            issues: "write",
          },
        }),
        repository: "acme/service",
      });
      expect(run.exitCode, run.stdout).toBe(0);
      const made = emulator.requests.slice(since);
      expect(made.every((r) => r.actor === ACTIONS_BOT)).toBe(true);
      expect(made.filter((r) => r.status >= 500)).toEqual([]);
      expect(invalidResponses(made.filter((r) => r.status < 300))).toEqual([]);
    }
  });
});
