import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { throttlePolicy } from "./throttle-policy.js";

const TokenOctokit = Octokit.plugin(throttling, retry);
export type TokenOctokitInstance = InstanceType<typeof TokenOctokit>;

/**
 * An Octokit for a token (the CLI's `GITHUB_TOKEN` or `--token`): the App's pacing and bounded
 * rate-limit policy, and a count of the requests it sent.
 */
export function tokenOctokit(options: {
  token: string;
  baseUrl: string;
  userAgent: string;
  warn: (message: string) => void;
}): { octokit: TokenOctokitInstance; requests: () => number } {
  const octokit = new TokenOctokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    throttle: {
      onRateLimit: (after, request, kit) =>
        throttlePolicy.onRateLimit(after, request as never, kit),
      onSecondaryRateLimit: (after, request, kit) =>
        throttlePolicy.onSecondaryRateLimit(after, request as never, kit),
    },
    log: { debug: () => {}, info: () => {}, warn: options.warn, error: () => {} },
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
