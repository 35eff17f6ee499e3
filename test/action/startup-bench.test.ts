// scripts/bench/action-startup.ts measures; this only checks that it runs and what it reports
// besides times (no timing is asserted: the machine decides those).
import { statSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { benchActionStartup } from "../../scripts/bench/action-startup.js";
import { useFixedClock } from "../support/clock.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("benchActionStartup", () => {
  it("runs the Action on an ignored event and bare Node, and reports sizes and requests", async () => {
    const clock = useFixedClock("2026-11-27T13:00:00Z");
    const result = await benchActionStartup(1, clock);
    expect(result.requests).toEqual([]);
    expect(result.entryBytes).toBe(statSync(new URL("../../dist/index.js", import.meta.url)).size);
    expect(result.totalBytes).toBeGreaterThan(result.entryBytes);
    expect(result.actionMs).toBeGreaterThan(0);
    expect(result.bareMs).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(result.actionMs / result.bareMs);
  });
});
