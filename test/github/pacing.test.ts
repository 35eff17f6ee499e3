import { describe, expect, it } from "vitest";
import { withThrottlePolicy } from "../../src/github/octokit.js";
import { unpacedWriteLimiters, writePacing } from "../../src/github/pacing.js";
import { throttlePolicy } from "../../src/github/throttle-policy.js";
import { tokenOctokit } from "../../src/github/token-octokit.js";

describe("WRITE_PACING", () => {
  it("paces writes unless told off, and is off only for an API on this machine", () => {
    expect(writePacing(undefined, "https://api.github.com")).toEqual({ kind: "paced" });
    expect(writePacing("on", "http://127.0.0.1:4000/api/v3")).toEqual({ kind: "paced" });
    expect(writePacing("off", "http://127.0.0.1:4000/api/v3")).toEqual({ kind: "unpaced" });
    expect(writePacing(" OFF ", "http://localhost:4000")).toEqual({ kind: "unpaced" });
    expect(writePacing("off", "http://[::1]:4000")).toEqual({ kind: "unpaced" });
    expect(writePacing("off", "https://api.github.com")).toEqual({
      kind: "refused",
      problem:
        "WRITE_PACING=off is only for an emulator on this machine; the API is https://api.github.com.",
    });
    // A host that merely starts like loopback is no loopback.
    expect(writePacing("off", "http://127.0.0.1.example.com/api/v3").kind).toBe("refused");
    expect(writePacing("fast", "http://127.0.0.1:4000")).toEqual({
      kind: "refused",
      problem: 'WRITE_PACING is "fast": write on or off.',
    });
  });

  it("the Action's Octokit refuses WRITE_PACING=off against GitHub", () => {
    expect(() =>
      tokenOctokit({
        token: "t",
        baseUrl: "https://api.github.com",
        userAgent: "test",
        writePacing: "off",
        warn: () => {},
      }),
    ).toThrow("WRITE_PACING=off is only for an emulator on this machine");
  });

  it("unpaced, the server's Octokit options carry the limiters beside the rate-limit policy", () => {
    const limiters = unpacedWriteLimiters();
    const options = withThrottlePolicy(
      { auth: { installationId: 7 }, throttle: { enabled: true } },
      limiters,
    );
    expect(options.throttle).toEqual({
      enabled: true,
      id: "7",
      write: limiters.write,
      notifications: limiters.notifications,
      ...throttlePolicy,
    });
    // Paced (the default), the plugin's own limiters stay in place.
    expect(withThrottlePolicy({ throttle: {} }).throttle).not.toHaveProperty("write");
  });
});
