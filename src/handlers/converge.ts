import { isPermanentFailure } from "../github/gateway.js";
import type { Logger } from "../core/logger.js";

/**
 * What one round of reading and planning found:
 * - `done`: nothing left to write;
 * - `write`: write these, then read again and plan the next round;
 * - `write` and `done`: write these last steps (an acknowledgement, say) and stop without reading
 *   again: nothing later depends on seeing them.
 */
export type RoundPlan<S, R> =
  | { done: R; write?: undefined }
  | { write: readonly S[]; done?: undefined }
  | { write: readonly S[]; done: R };

export interface ConvergeLoop<S extends { kind: string }, R> {
  /** What converges, for log lines and the final error: "Incident #12". */
  what: string;
  /** Enough rounds for the flow's writes, their verification and a failed write or two. */
  maxRounds: number;
  log: Logger;
  /** Reads what it needs and plans the next round's writes. */
  plan(round: number): Promise<RoundPlan<S, R>>;
  apply(step: S): Promise<void>;
  /** After a round whose writes all succeeded: what must be read again. */
  written?(steps: readonly S[]): void;
  /**
   * A failure the next round plans around (sub-issues unavailable here, say): no warning, no
   * round limit check, just the next round.
   */
  absorbs?(error: unknown): boolean;
  /** After any other failed write: the write may or may not have happened, so read everything. */
  failed?(): void;
}

/**
 * The one loop every flow runs: read, plan, apply, and read again until the plan is empty. After a
 * write fails, the next round reads what really happened (a lost answer, a redelivery or another
 * replica's work) and builds on it instead of repeating it. A failure GitHub will repeat (a locked
 * issue, a validation error) ends the loop at once.
 */
export async function converge<S extends { kind: string }, R>(
  loop: ConvergeLoop<S, R>,
): Promise<R> {
  for (let round = 1; round <= loop.maxRounds; round++) {
    const next = await loop.plan(round);
    if (next.write === undefined || next.write.length === 0) {
      if (next.done !== undefined) return next.done;
      // An empty plan without a result is a planner's bug: treat it as nothing left to do.
      throw new Error(`${loop.what}: round ${round} planned nothing and gave no result`);
    }
    loop.log.info(
      `${loop.what}, round ${round}: ${next.write.map((step) => step.kind).join(", ")}`,
    );
    try {
      for (const step of next.write) await loop.apply(step);
      if (next.done !== undefined) return next.done;
      loop.written?.(next.write);
    } catch (error) {
      if (loop.absorbs?.(error)) continue;
      if (isPermanentFailure(error)) throw error;
      loop.log.warn(`${loop.what}, round ${round} failed: ${describe(error)}`);
      if (round === loop.maxRounds) throw error;
      loop.failed?.();
    }
  }
  throw new Error(`${loop.what}: no stable state after ${loop.maxRounds} rounds`);
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
