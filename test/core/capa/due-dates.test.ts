import { describe, expect, it } from "vitest";
import { planCapa } from "../../../src/core/capa/plan.js";
import { parseConfig } from "../../../src/core/config.js";
import type { Config } from "../../../src/core/config.js";
import { addDays, todayIn } from "../../../src/core/time.js";
import { state, withLine } from "./fixtures.js";

const VALIDATION = "- [ ] Add automated validation checks (CI/CD gates)";

function configIn(timezone: string): Config {
  const result = parseConfig({ timezone });
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.config;
}

/** The `Due:` line of the child that checking the validation box (no date written) would open. */
function defaultDue(config: Config, now: Date, severityBox?: string): string | undefined {
  let body = withLine(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)");
  if (severityBox) body = body.replace(`- [ ] ${severityBox}`, `- [x] ${severityBox}`);
  const steps = planCapa(config, state({ body, today: todayIn(now, config.timezone) }));
  const create = steps.find((step) => step.kind === "createIssue");
  return create && "body" in create ? /^Due: (.*)$/m.exec(create.body)?.[1] : undefined;
}

describe("today is the calendar day in the configured time zone, not the machine's", () => {
  it.each([
    // 23:30 in Berlin (CET, UTC+1) on the 27th is already the 28th at UTC+14.
    ["2026-11-27T22:30:00Z", "Europe/Berlin", "2026-11-27"],
    ["2026-11-27T22:30:00Z", "Pacific/Kiritimati", "2026-11-28"],
    ["2026-11-27T22:30:00Z", "UTC", "2026-11-27"],
    // Just after midnight in Berlin, still the evening before in UTC.
    ["2026-11-27T23:30:00Z", "Europe/Berlin", "2026-11-28"],
    ["2026-11-27T23:30:00Z", "UTC", "2026-11-27"],
    ["2026-11-27T23:30:00Z", "America/Los_Angeles", "2026-11-27"],
    // 2027-03-28: Berlin moves from UTC+1 to UTC+2 at 01:00 UTC.
    ["2027-03-27T22:59:00Z", "Europe/Berlin", "2027-03-27"],
    ["2027-03-27T23:00:00Z", "Europe/Berlin", "2027-03-28"],
    ["2027-03-28T21:59:00Z", "Europe/Berlin", "2027-03-28"],
    ["2027-03-28T22:00:00Z", "Europe/Berlin", "2027-03-29"],
    // 2027-10-31: back to UTC+1 at 01:00 UTC.
    ["2027-10-30T21:59:00Z", "Europe/Berlin", "2027-10-30"],
    ["2027-10-30T22:00:00Z", "Europe/Berlin", "2027-10-31"],
    ["2027-10-31T22:59:00Z", "Europe/Berlin", "2027-10-31"],
    ["2027-10-31T23:00:00Z", "Europe/Berlin", "2027-11-01"],
  ])("at %s in %s it is %s", (now, zone, day) => {
    expect(todayIn(new Date(now), zone)).toBe(day);
  });
});

describe("adding days counts calendar days", () => {
  it.each([
    ["2027-01-31", 30, "2027-03-02"], // across a 28-day February
    ["2028-01-31", 30, "2028-03-01"], // across a 29-day February
    ["2028-02-29", 1, "2028-03-01"],
    ["2028-02-29", 365, "2029-02-28"],
    ["2028-02-28", 1, "2028-02-29"],
    ["2100-02-28", 1, "2100-03-01"], // not a leap year
    ["2000-02-28", 1, "2000-02-29"], // a leap year
    ["2026-12-31", 1, "2027-01-01"],
    ["2027-03-27", 1, "2027-03-28"], // the day Berlin loses an hour is still one day
    ["2027-03-20", 14, "2027-04-03"],
    ["2027-10-30", 2, "2027-11-01"],
    ["2026-11-27", 0, "2026-11-27"],
  ])("%s + %i days = %s", (day, days, expected) => {
    expect(addDays(day, days)).toBe(expected);
  });
});

describe("a CAPA child's default due date", () => {
  it("is counted from today in the configured zone: 23:30 in Berlin is still the 27th there", () => {
    const lateEvening = new Date("2026-11-27T22:30:00Z");
    expect(defaultDue(configIn("Europe/Berlin"), lateEvening)).toBe("2026-12-27");
    expect(defaultDue(configIn("Pacific/Kiritimati"), lateEvening)).toBe("2026-12-28");
  });

  it("crosses February from the last day of January (P1: 14 days, default: 30)", () => {
    const config = configIn("Europe/Berlin");
    const jan31 = new Date("2027-01-31T10:00:00Z");
    expect(defaultDue(config, jan31)).toBe("2027-03-02");
    expect(defaultDue(config, jan31, "P1 - Critical Outage")).toBe("2027-02-14");
    expect(defaultDue(config, new Date("2028-01-31T10:00:00Z"))).toBe("2028-03-01");
  });

  it("from a leap day", () => {
    expect(defaultDue(configIn("UTC"), new Date("2028-02-29T12:00:00Z"))).toBe("2028-03-30");
  });

  it("on the days Berlin changes its offset, just after local midnight", () => {
    const config = configIn("Europe/Berlin");
    // 00:30 CET on 2027-03-28, the night the clocks go forward.
    expect(defaultDue(config, new Date("2027-03-27T23:30:00Z"))).toBe("2027-04-27");
    // 00:30 CEST on 2027-10-31, the night they go back.
    expect(defaultDue(config, new Date("2027-10-30T22:30:00Z"))).toBe("2027-11-30");
  });

  it("a date typed in the past is kept as written (it is simply overdue), never shifted", () => {
    const body = withLine(
      VALIDATION,
      "- [x] Add automated validation checks (CI/CD gates) @carol due 2020-02-29",
    );
    const steps = planCapa(
      configIn("Pacific/Kiritimati"),
      state({ body, today: "2027-01-31", assignable: new Map([["carol", true]]) }),
    );
    const create = steps.find((step) => step.kind === "createIssue");
    expect(create && "body" in create ? create.body : "").toContain("Due: 2020-02-29\n");
  });
});

describe("due days by severity policy", () => {
  it("policy.<severity>.capaDueDays wins over capa.dueDays; other severities keep capa.dueDays", () => {
    const parsed = parseConfig({
      capa: { dueDays: { P1: 14, P2: 30, P3: 60, P4: 90, default: 45 } },
      policy: { P1: { capaDueDays: 3 } },
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const now = new Date("2026-11-27T10:00:00Z");
    expect(defaultDue(parsed.config, now, "P1 - Critical Outage")).toBe("2026-11-30");
    expect(defaultDue(parsed.config, now, "P2 - High Impact Degradation")).toBe("2026-12-27");
    expect(defaultDue(parsed.config, now)).toBe("2027-01-11");
  });
});
