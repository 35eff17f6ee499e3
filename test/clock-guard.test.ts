// The guard of CI's moved-clock runs (.ci/run): proves that the clock really is moved for this
// process and for the processes tests spawn, so that a test reading the real date fails there.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Set by .ci/run for its moved-clock runs: the UTC day the clock was moved to. */
const movedTo = process.env.POSTMORTEM_CLOCK_RUN;

describe.skipIf(movedTo === undefined)(`the moved clock (${movedTo ?? "not moved"})`, () => {
  it("reaches this process", () => {
    expect(new Date().toISOString().slice(0, 10)).toBe(movedTo);
  });

  it("reaches a spawned node process, with the machine's time zone", () => {
    const child = spawnSync(
      process.execPath,
      [
        "-e",
        "console.log(new Date().toISOString(), Intl.DateTimeFormat().resolvedOptions().timeZone)",
      ],
      { encoding: "utf8" },
    );
    const [iso = "", zone] = child.stdout.trim().split(" ");
    expect(iso.slice(0, 10)).toBe(movedTo);
    expect(zone).toBe(process.env.TZ ?? "UTC");
  });
});
