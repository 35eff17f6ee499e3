import { ProbotOctokit } from "probot";
import { throttlePolicy } from "./throttle-policy.js";

interface OctokitOptions {
  throttle?: { id?: string; enabled?: boolean } & Record<string, unknown>;
  auth?: { installationId?: number | string } & Record<string, unknown>;
  [option: string]: unknown;
}

/**
 * Our bounded rate-limit policy over the `throttle` options Probot passes to every instance (with
 * REDIS_URL these carry the Redis connection the replicas share), and the installation as the
 * limiter's key. Probot keys only `app.auth(id)` clients by installation; the clients it builds
 * for webhook handlers would all share one "no-id" limiter: one pace for every installation, and
 * another than the same installation's timers use.
 */
export function withThrottlePolicy(
  options: OctokitOptions,
  limiters: Record<string, unknown> = {},
): OctokitOptions {
  const installationId = options.auth?.installationId;
  const keyed =
    options.throttle?.id === undefined && installationId !== undefined
      ? { id: String(installationId) }
      : {};
  return {
    ...options,
    throttle: { ...options.throttle, ...keyed, ...limiters, ...throttlePolicy },
  };
}

/**
 * Probot's Octokit with `withThrottlePolicy` in place of the server default (which never retries
 * secondary limits). Options are merged in a function so the policy wins over what Probot passes.
 */
export const PostmortemOctokit: typeof ProbotOctokit = postmortemOctokit();

/** As `PostmortemOctokit`, with the write limiters given (src/github/pacing.ts). */
export function postmortemOctokit(limiters: Record<string, unknown> = {}): typeof ProbotOctokit {
  return ProbotOctokit.defaults((options: Record<string, unknown>) =>
    withThrottlePolicy(options as OctokitOptions, limiters),
  );
}
