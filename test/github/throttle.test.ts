import { describe, expect, it } from "vitest";
import { PostmortemOctokit } from "../../src/github/octokit.js";
import { MAX_SECONDARY_RETRIES, shouldRetry } from "../../src/github/throttle-policy.js";
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
