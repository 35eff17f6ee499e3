import { describe, expect, it } from "vitest";
import { PostmortemOctokit, withThrottlePolicy } from "../../src/github/octokit.js";
import {
  MAX_SECONDARY_RETRIES,
  shouldRetry,
  throttlePolicy,
} from "../../src/github/throttle-policy.js";
import { useFakeGitHub } from "../support/github-api.js";

const SECONDARY_LIMIT = {
  status: 403,
  headers: { "retry-after": "1", "x-ratelimit-remaining": "4000" },
  body: {
    message:
      "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
  },
};

function octokit() {
  return new PostmortemOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false } });
}

describe("the bounded rate-limit policy", () => {
  it("retries a few times, and not when GitHub asks to wait too long", () => {
    expect(shouldRetry(1, 0, MAX_SECONDARY_RETRIES)).toBe(true);
    expect(shouldRetry(60, 2, MAX_SECONDARY_RETRIES)).toBe(true);
    expect(shouldRetry(1, 3, MAX_SECONDARY_RETRIES)).toBe(false);
    expect(shouldRetry(121, 0, MAX_SECONDARY_RETRIES)).toBe(false);
  });

  describe("in the Octokit the server uses (Probot's own default would not retry)", () => {
    const api = useFakeGitHub();

    it("waits for retry-after and retries a secondary rate limit", async () => {
      api.expect("GET /repos/acme/web/issues/1", {
        replies: [SECONDARY_LIMIT, [200, { number: 1 }]],
      });

      const response = await octokit().request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        owner: "acme",
        repo: "web",
        issue_number: 1,
      });

      expect(response.data).toEqual({ number: 1 });
      expect(api.requests).toEqual([
        { method: "GET", path: "/repos/acme/web/issues/1" },
        { method: "GET", path: "/repos/acme/web/issues/1" },
      ]);
    });

    it("gives up after three retries", async () => {
      api.expect("GET /repos/acme/web/issues/1", { replies: Array(4).fill(SECONDARY_LIMIT) });

      await expect(
        octokit().request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
          owner: "acme",
          repo: "web",
          issue_number: 1,
        }),
      ).rejects.toMatchObject({ status: 403 });
      expect(api.requests).toHaveLength(4);
    });
  });
});

describe("the throttle options of the server's Octokit", () => {
  // What Probot passes with REDIS_URL: the shared Bottleneck and its Redis connection.
  const shared = { enabled: true, Bottleneck: "Bottleneck", connection: "redis connection" };

  it("keys a webhook handler's client by its installation, keeping Probot's shared limiter", () => {
    const options = withThrottlePolicy({
      throttle: shared,
      auth: { installationId: 99, token: "ghs_test" },
    });

    expect(options.throttle).toEqual({ ...shared, id: "99", ...throttlePolicy });
    expect(options.auth).toEqual({ installationId: 99, token: "ghs_test" });
  });

  it("keeps the key Probot gave (app.auth(id)) and leaves the App's own client unkeyed", () => {
    expect(
      withThrottlePolicy({ throttle: { ...shared, id: "7" }, auth: { installationId: 7 } })
        .throttle,
    ).toEqual({ ...shared, id: "7", ...throttlePolicy });
    expect(withThrottlePolicy({ throttle: shared, auth: { appId: 1 } }).throttle).toEqual({
      ...shared,
      ...throttlePolicy,
    });
  });
});
