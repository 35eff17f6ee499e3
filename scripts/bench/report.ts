// The reliability report's cost in requests (issue #13): a repository with 500 post-mortems and
// 3,000 actions, seeded straight into the emulator, reported by the CLI's code with a token, as
// GITHUB_TOKEN would (1,000 requests an hour per repository). The count is exact and also
// asserted in test/e2e/report.test.ts.
import { createGitHubEmulator } from "../../emulator/index.js";
import { runReportCli } from "../../src/entry/cli.js";
import { seedVolume } from "../../test/support/report-seed.js";

export interface ReportCost {
  postmortems: number;
  actions: number;
  requests: number;
  /** Wall time of the report itself (listings and computation), not the seeding. */
  ms: number;
}

export async function benchReport(
  postmortems = 500,
  actionsPerPostmortem = 6,
  /** Extra configuration, e.g. a `policy:` asking for evidence (same requests, more parsing). */
  extraConfig = "",
): Promise<ReportCost> {
  const emulator = createGitHubEmulator({ users: [{ login: "carol", role: "write" }] });
  await emulator.start();
  try {
    emulator.setFile(".github/postmortem.yml", `timezone: UTC\n${extraConfig}`);
    seedVolume(emulator, {
      incidents: postmortems,
      actionsPerPostmortem,
      start: "2026-08-01T00:00:00Z",
    });
    const started = performance.now();
    const errors: string[] = [];
    const code = await runReportCli(["--repo", `${emulator.owner}/${emulator.repoName}`], {
      cwd: process.cwd(),
      out: () => {},
      err: (line) => errors.push(line),
      now: new Date("2026-11-29T12:00:00Z"),
      env: { GITHUB_API_URL: emulator.apiUrl, GITHUB_TOKEN: emulator.tokenFor("carol") },
    });
    const ms = performance.now() - started;
    if (code !== 0) throw new Error(`the report failed: ${errors.join("; ")}`);
    return {
      postmortems,
      actions: postmortems * actionsPerPostmortem,
      requests: emulator.requests.filter((request) => request.actor === "carol").length,
      ms,
    };
  } finally {
    await emulator.stop();
  }
}
