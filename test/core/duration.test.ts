import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/core/duration.js";

describe("duration settings (CONFIG_MAX_AGE and the like)", () => {
  it.each([
    ["60s", 60_000],
    ["15m", 900_000],
    ["6h", 21_600_000],
    ["1d", 86_400_000],
    ["500ms", 500],
    ["0", 0],
    ["90", 90_000],
    [" 2M ", 120_000],
  ])("%j is %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "soon", "-5s", "5 minutes", "1h30m", "s"])("%j is refused", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
