// The Action's chat inputs (action/notify.ts): every value masked before use, a bad line named by
// its number only.
import { describe, expect, it } from "vitest";
import { notifyEndpoints } from "../../action/notify.js";
import { availability } from "../../src/core/notify/endpoints.js";
import type { ActionInputs } from "../../action/inputs.js";

function context(urls: string, secrets: string) {
  const lines: string[] = [];
  const log = {
    debug: () => {},
    info: (m: string) => lines.push(`info: ${m}`),
    warn: (m: string) => lines.push(`warn: ${m}`),
    error: (m: string) => lines.push(`error: ${m}`),
  };
  const inputs = { "notify-urls": urls, "notify-secrets": secrets } as ActionInputs;
  return { lines, context: { inputs, log } };
}

describe("the Action's notify inputs", () => {
  it("masks every value and reads `name=value` lines", () => {
    const masked: string[] = [];
    const { context: c, lines } = context(
      "sre=https://hooks.slack.com/services/T/B/X\naudit=https://audit.example/h",
      "audit=hush",
    );
    const endpoints = notifyEndpoints(c, (value) => masked.push(value));
    expect(masked).toEqual([
      "https://hooks.slack.com/services/T/B/X",
      "sre=https://hooks.slack.com/services/T/B/X",
      "https://audit.example/h",
      "audit=https://audit.example/h",
      "hush",
      "audit=hush",
    ]);
    expect(availability("audit", "webhook", endpoints("audit"), "acme")).toEqual({
      ok: true,
      url: "https://audit.example/h",
      secret: "hush",
    });
    expect(lines).toEqual([]);
  });

  it("a line that does not read is one warning by number, its text masked and never echoed", () => {
    const masked: string[] = [];
    const { context: c, lines } = context("https://hooks.slack.com/services/T/B/X", "");
    const endpoints = notifyEndpoints(c, (value) => masked.push(value));
    expect(masked).toContain("https://hooks.slack.com/services/T/B/X");
    expect(lines).toEqual([
      "warn: Line 1 of the `notify-urls` input is not `name=value` (a receiver's name under `notify.receivers`, then its value).",
    ]);
    expect(endpoints("sre").url).toBeUndefined();
  });
});
