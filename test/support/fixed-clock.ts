// Test-only preload (`node --import`) for the processes the tests spawn (the App server, the Action
// bundle): starts this process's clock at POSTMORTEM_TEST_CLOCK (an ISO time) and lets it tick, so
// what they compute from "now" is known to the test. Only `Date` moves; timers keep real time.
const start = process.env.POSTMORTEM_TEST_CLOCK;

if (start !== undefined) {
  const RealDate = Date;
  const offset = RealDate.parse(start) - RealDate.now();
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
