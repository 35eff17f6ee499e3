import { ProbotOctokit } from "probot";
import { throttlePolicy } from "./throttle-policy.js";

/**
 * Probot's Octokit with our bounded rate-limit policy in place of the server default (which never
 * retries secondary limits). Options are merged in a function so the policy wins over the
 * `throttle` object Probot passes to every instance.
 */
export const PostmortemOctokit: typeof ProbotOctokit = ProbotOctokit.defaults(
  (options: Record<string, unknown>) => ({
    ...options,
    throttle: { ...(options.throttle as object), ...throttlePolicy },
  }),
);
