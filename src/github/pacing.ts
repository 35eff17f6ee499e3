import Bottleneck from "bottleneck/light.js";

/**
 * GitHub asks integrators to space their writes (a second apart, three before a request that
 * notifies people); Octokit's throttling plugin does it, and the App and the Action keep that pace
 * against GitHub. The emulator is no GitHub: `WRITE_PACING=off` lets the offline demo and the
 * end-to-end tests skip the wait, and is refused unless the API is on this machine (loopback), so
 * no deployment can turn GitHub's pacing off by a stray variable.
 */
export type WritePacing =
  { kind: "paced" } | { kind: "unpaced" } | { kind: "refused"; problem: string };

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function writePacing(setting: string | undefined, apiUrl: string): WritePacing {
  const value = (setting ?? "").trim().toLowerCase();
  if (value === "" || value === "on") return { kind: "paced" };
  if (value !== "off") {
    return { kind: "refused", problem: `WRITE_PACING is "${setting}": write on or off.` };
  }
  const host = URL.canParse(apiUrl) ? new URL(apiUrl).hostname : "";
  if (!LOOPBACK.has(host)) {
    return {
      kind: "refused",
      problem: `WRITE_PACING=off is only for an emulator on this machine; the API is ${apiUrl}.`,
    };
  }
  return { kind: "unpaced" };
}

/**
 * Limiters for the throttling plugin's `write` and `notifications` groups that keep writes one at
 * a time (their order matters) without the wait between them. Everything else (search, retries on
 * rate limits) stays as the plugin does it.
 */
export function unpacedWriteLimiters(): {
  write: Bottleneck.Group;
  notifications: Bottleneck.Group;
} {
  return {
    write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
    notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
  };
}
