import type { Probot } from "probot";
import type { Logger } from "../core/logger.js";

/** A logger for the App's own runs (timers), tagged with what they do. */
export function featureLogger(app: Probot, feature: string): Logger {
  return {
    info: (message) => app.log.info({ feature }, message),
    warn: (message) => app.log.warn({ feature }, message),
    error: (message) => app.log.error({ feature }, message),
  };
}

/**
 * Runs `sweep` every `intervalMs` (and once at once, when `atStart`), never two at a time.
 * Returns a function that stops the timer.
 */
export function every(
  intervalMs: number,
  sweep: () => Promise<void>,
  options: { atStart?: boolean; log: Logger },
): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await sweep();
    } catch (error) {
      options.log.error(`sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  if (options.atStart) setImmediate(() => void run());
  return () => clearInterval(timer);
}
