/**
 * `postmortem-bot release-gate --repo owner/name [--token T]`: the Action's `mode: release-gate`
 * from a terminal or any CI: the summary on stdout, exit 1 while something blocks the release.
 */
import { ApprovalGateway } from "../github/approval-gateway.js";
import { parseExtendsOwners } from "../github/config-extends.js";
import { tokenOctokit } from "../github/token-octokit.js";
import type { Logger } from "../core/logger.js";
import { checkReleaseGate } from "../handlers/release-gate-handler.js";

export interface ReleaseGateCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  now?: Date;
}

export const RELEASE_GATE_USAGE =
  "usage: postmortem-bot release-gate --repo owner/name [--token T] (or GITHUB_TOKEN)";

/** Returns the exit code: 0 passed, 1 blocked, 2 usage, configuration or GitHub error. */
export async function runReleaseGateCli(
  args: readonly string[],
  io: ReleaseGateCliIo,
): Promise<number> {
  const options = readOptions(args);
  const token = options.token ?? io.env.GITHUB_TOKEN;
  const [owner, repo, ...rest] = (options.repo ?? "").split("/");
  if (!owner || !repo || rest.length > 0 || !token || options.unknown) {
    io.err(options.unknown ? `unknown argument ${options.unknown}` : RELEASE_GATE_USAGE);
    return 2;
  }
  const log: Logger = {
    info: () => undefined,
    warn: (message) => io.err(`warning: ${message}`),
    error: (message) => io.err(`error: ${message}`),
  };
  // The same client as `postmortem-bot report`; only warnings reach the person at the terminal
  // (the expected 404s of an absent configuration file are no news).
  const { octokit } = tokenOctokit({
    token,
    baseUrl: io.env.GITHUB_API_URL ?? "https://api.github.com",
    userAgent: "postmortem-bot-cli",
    warn: (message) => log.warn(message),
  });
  const extendsOwners = parseExtendsOwners(io.env.CONFIG_EXTENDS_OWNERS, "CONFIG_EXTENDS_OWNERS");
  if (!extendsOwners.ok) {
    io.err(extendsOwners.problem);
    return 2;
  }
  const gateway = new ApprovalGateway(
    octokit,
    { owner, repo, defaultBranch: "main" },
    log,
    undefined,
    { extendsOwners: extendsOwners.owners },
  );
  const server = (io.env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, "");
  try {
    const result = await checkReleaseGate(
      gateway,
      log,
      io.now ?? new Date(),
      (issue) => `${server}/${owner}/${repo}/issues/${issue}`,
    );
    if (!result.ok) {
      io.err(result.problem);
      return 2;
    }
    io.out(result.summary);
    return result.verdict.passed ? 0 : 1;
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return 2;
  }
}

function readOptions(args: readonly string[]) {
  const found: { repo?: string; token?: string; unknown?: string } = {};
  for (let index = 0; index < args.length; index++) {
    const [name, inline] = args[index]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? args[++index];
    if (name === "--repo") found.repo = value();
    else if (name === "--token") found.token = value();
    else found.unknown ??= args[index];
  }
  return found;
}
