import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { unpacedWriteLimiters, writePacing } from "./pacing.js";
import { throttlePolicy } from "./throttle-policy.js";

const TokenOctokit = Octokit.plugin(throttling, retry);
export type TokenOctokitInstance = InstanceType<typeof TokenOctokit>;

/** Where Octokit's own messages go, by level. */
export interface OctokitLog {
  debug: (message: string) => void;
  info: (message: string) => void;
  warn: (message: string) => void;
  error: (message: string) => void;
}

export type TokenOctokitLogging =
  /** Only warnings (rate limits) reach `warn`; Octokit's errors include every expected 404. */
  | { warn: (message: string) => void }
  /** Every level where the caller says (the Action: into its log, as annotations or debug). */
  | { log: OctokitLog };

/**
 * An Octokit for a token (the CLI's `GITHUB_TOKEN` or `--token`, the Action's `github-token`):
 * the App's pacing and bounded rate-limit policy, and a count of the requests it sent. Without a
 * token it is unauthenticated.
 */
export function tokenOctokit(
  options: {
    token: string | undefined;
    baseUrl: string;
    userAgent: string;
    /** `WRITE_PACING` (src/github/pacing.ts): "off" only against an emulator on loopback. */
    writePacing?: string | undefined;
  } & TokenOctokitLogging,
): { octokit: TokenOctokitInstance; requests: () => number } {
  const ignore = () => {};
  const pacing = writePacing(options.writePacing, options.baseUrl);
  if (pacing.kind === "refused") throw new Error(pacing.problem);
  const octokit = new TokenOctokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    throttle: {
      ...(pacing.kind === "unpaced" ? unpacedWriteLimiters() : {}),
      onRateLimit: (after, request, kit) =>
        throttlePolicy.onRateLimit(after, request as never, kit),
      onSecondaryRateLimit: (after, request, kit) =>
        throttlePolicy.onSecondaryRateLimit(after, request as never, kit),
    },
    log:
      "log" in options
        ? options.log
        : { debug: ignore, info: ignore, warn: options.warn, error: ignore },
  });
  return { octokit, requests: countRequests(octokit) };
}

/** Counts every request an Octokit sends (each page of a listing, each retry). */
export function countRequests(octokit: Pick<Octokit, "hook">): () => number {
  let sent = 0;
  octokit.hook.before("request", () => {
    sent++;
  });
  return () => sent;
}
