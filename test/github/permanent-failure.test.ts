import { describe, expect, it } from "vitest";
import { isPermanentFailure } from "../../src/github/gateway.js";

function httpError(status: number, message: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(message), { status, response: { headers, data: { message } } });
}

describe("isPermanentFailure", () => {
  it("is true when GitHub refused the request itself", () => {
    expect(
      isPermanentFailure(httpError(403, "Unable to create comment because issue is locked.")),
    ).toBe(true);
    expect(isPermanentFailure(httpError(422, "Validation Failed"))).toBe(true);
    expect(isPermanentFailure(httpError(404, "Not Found"))).toBe(true);
  });

  it("is false for rate limits, server errors and lost answers", () => {
    expect(
      isPermanentFailure(
        httpError(403, "You have exceeded a secondary rate limit", { "retry-after": "60" }),
      ),
    ).toBe(false);
    expect(
      isPermanentFailure(
        httpError(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0" }),
      ),
    ).toBe(false);
    expect(isPermanentFailure(httpError(502, "Bad Gateway"))).toBe(false);
    expect(isPermanentFailure(new Error("socket hang up"))).toBe(false);
  });
});
