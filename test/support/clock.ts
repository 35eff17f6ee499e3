import { fileURLToPath } from "node:url";
import { vi } from "vitest";

/** The preload that gives a spawned process the same moved clock (see fixed-clock.ts). */
export const CLOCK_PRELOAD = fileURLToPath(new URL("./fixed-clock.ts", import.meta.url));

export interface SpawnClock {
  /** `--import` of the preload, for node's arguments. */
  nodeArgs: string[];
  env: { POSTMORTEM_TEST_CLOCK: string };
}

/**
 * Starts `Date` in this process at `start` and lets it tick (timers keep real time), and returns
 * what a spawned process needs to start at the same moment. Undo with `vi.useRealTimers()`.
 */
export function useFixedClock(start: string): SpawnClock {
  vi.useFakeTimers({ toFake: ["Date"], now: new Date(start), shouldAdvanceTime: true });
  return { nodeArgs: ["--import", CLOCK_PRELOAD], env: { POSTMORTEM_TEST_CLOCK: start } };
}
