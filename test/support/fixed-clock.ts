// Test-only preload (`node --import`) for the processes the tests spawn (the App server, the Action
// bundle): starts this process's clock at POSTMORTEM_TEST_CLOCK (an ISO time) and lets it tick, so
// what they compute from "now" is known to the test. Only `Date` moves; timers keep real time.
// With POSTMORTEM_TEST_CLOCK_SINCE (the real epoch ms at which the clock read that time), processes
// started at different moments share one clock, as synchronised hosts do (Redis-shared rate limits
// compare the replicas' clocks).
const start = process.env.POSTMORTEM_TEST_CLOCK;
const since = process.env.POSTMORTEM_TEST_CLOCK_SINCE;

if (start !== undefined) {
  const RealDate = Date;
  const offset = RealDate.parse(start) - (since === undefined ? RealDate.now() : Number(since));
  if (Number.isNaN(offset)) throw new Error(`POSTMORTEM_TEST_CLOCK is no date: ${start}`);

  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...(args as [string]));
    }

    static override now(): number {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}
