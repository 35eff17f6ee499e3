import { describe, expect, it } from "vitest";
import { builtInTemplate } from "../../../src/handlers/built-in-template.js";
import type { Config } from "../../../src/core/config.js";
import { parseConfig } from "../../../src/core/config.js";
import { inlineText } from "../../../src/core/markdown-text.js";
import { findMarker } from "../../../src/core/markers.js";
import { renderPostmortem } from "../../../src/core/incident/content.js";
import { readTimelineCommand, instantOf } from "../../../src/core/timeline/command.js";
import { formatSpan, parseDateTime } from "../../../src/core/timeline/datetime.js";
import { entryFor } from "../../../src/core/timeline/events.js";
import type { TimelineEntry } from "../../../src/core/timeline/events.js";
import { planTimeline } from "../../../src/core/timeline/plan.js";
import { incidentIssue, labeledEvent, repository } from "../fixtures.js";

function configIn(timezone = "UTC"): Config {
  const result = parseConfig({ timezone });
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.config;
}

/** The built-in post-mortem of incident #12 (opened 13:05 UTC, labeled 13:07 UTC). */
function postmortemBody(config: Config): string {
  const incident = incidentIssue();
  const content = renderPostmortem(incident, labeledEvent(incident), config, repository, {
    name: "built-in",
    source: builtInTemplate(),
  });
  if (!content.ok) throw new Error(content.problem);
  return content.body;
}

function plan(body: string, config: Config, entries: TimelineEntry[], closedAt?: string) {
  const steps = planTimeline({
    body,
    postmortemNumber: 13,
    entries,
    ...(closedAt === undefined ? {} : { closedAt }),
    config,
  });
  if (steps.length === 0) return undefined;
  expect(steps).toHaveLength(1);
  const step = steps[0]!;
  if (step.kind !== "updateIssueBody") throw new Error(step.kind);
  expect(step.issueNumber).toBe(13);
  return step.body;
}

/** The rows of the Timeline of Events table, as written. */
function timelineRows(body: string): string[] {
  const section = body.slice(body.indexOf("## 4. Timeline of Events"), body.indexOf("## 5."));
  return section.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| Time"));
}

function field(body: string, name: string): string {
  return new RegExp(`^- \\*\\*${name.replace(/[()&/]/g, "\\$&")}:\\*\\*(.*)$`, "m").exec(body)![1]!;
}

const at = (iso: string, text: string): TimelineEntry => ({ at: iso, text });

describe("timeline rows", () => {
  it("inserts rows in time order among the rows already there, never moving a person's row", () => {
    const config = configIn();
    let body = postmortemBody(config);
    // A person adds two rows of their own, one without a date (the day of the rows above).
    body = body.replace(
      "| 2026-11-27 13:07 UTC | Labeled incident by @dave |\n",
      "| 2026-11-27 13:07 UTC | Labeled incident by @dave |\n| 13:30 | Rollback started (person) |\n| 2026-11-27 14:00 UTC | Error rate back to normal (person) |\n",
    );
    body = plan(body, config, [at("2026-11-27T13:20:00Z", "Deployment 4411 started")])!;
    body = plan(body, config, [at("2026-11-27T13:45:00Z", "Incident closed by @erin")])!;
    body = plan(body, config, [at("2026-11-27T12:50:00Z", "Alert fired")])!;
    body = plan(body, config, [at("2026-11-27T15:00:00Z", "Status page updated")])!;

    expect(timelineRows(body)).toEqual([
      "| 2026-11-27 12:50 UTC | Alert fired |",
      "| 2026-11-27 13:05 UTC | Incident issue #12 opened by @alice |",
      "| 2026-11-27 13:07 UTC | Labeled incident by @dave |",
      "| 2026-11-27 13:20 UTC | Deployment 4411 started |",
      "| 13:30 | Rollback started (person) |",
      "| 2026-11-27 13:45 UTC | Incident closed by @erin |",
      "| 2026-11-27 14:00 UTC | Error rate back to normal (person) |",
      "| 2026-11-27 15:00 UTC | Status page updated |",
    ]);
  });

  it("adds a row once: the same entry again changes nothing, and a row a person deleted stays deleted", () => {
    const config = configIn();
    const entry = at("2026-11-27T13:20:00Z", "Deployment 4411 started");
    const once = plan(postmortemBody(config), config, [entry])!;
    expect(plan(once, config, [entry])).toBeUndefined();
    expect(findMarker(once, "timeline")?.rows).toHaveLength(1);

    const deleted = once.replace("| 2026-11-27 13:20 UTC | Deployment 4411 started |\n", "");
    expect(plan(deleted, config, [entry])).toBeUndefined();
  });

  it("keeps every byte outside the inserted row", () => {
    const config = configIn();
    const body = postmortemBody(config).replace(
      "- What worked well?",
      "- What worked well?  Pager.",
    );
    const after = plan(body, config, [at("2026-11-27T13:20:00Z", "Deployment started")])!;
    const row = "| 2026-11-27 13:20 UTC | Deployment started |\n";
    const withoutRow = after
      .replace(row, "")
      .replace(/\n<!-- postmortem-bot:timeline .*-->\n$/, "\n");
    expect(withoutRow).toBe(body);
  });

  it("writes times in the configured zone, far from UTC too", () => {
    const config = configIn("Pacific/Kiritimati"); // UTC+14: 13:05 UTC is 03:05 the next day
    const body = plan(postmortemBody(config), config, [
      at("2026-11-27T13:20:00Z", "Deployment started"),
    ])!;
    expect(timelineRows(body)).toEqual([
      "| 2026-11-28 03:05 Pacific/Kiritimati | Incident issue #12 opened by @alice |",
      "| 2026-11-28 03:07 Pacific/Kiritimati | Labeled incident by @dave |",
      "| 2026-11-28 03:20 Pacific/Kiritimati | Deployment started |",
    ]);
  });

  it("orders rows written in other zones by the instant they name", () => {
    const config = configIn("America/New_York");
    const body = postmortemBody(config).replace(
      "| 2026-11-27 08:07 America/New_York | Labeled incident by @dave |\n",
      "| 2026-11-27 08:07 America/New_York | Labeled incident by @dave |\n| 2026-11-27 14:30 UTC | Fix deployed (person) |\n",
    );
    const after = plan(body, config, [at("2026-11-27T14:00:00Z", "Rollback")])!;
    expect(timelineRows(after).slice(2)).toEqual([
      "| 2026-11-27 09:00 America/New_York | Rollback |",
      "| 2026-11-27 14:30 UTC | Fix deployed (person) |",
    ]);
  });

  it("keeps incident text inert: a | adds no cell, @org/team mentions nobody, no heading or row", () => {
    const config = configIn();
    const request = readTimelineCommand(
      "/timeline 13:20 Paged @acme/sre | DROP | ## Heading @everyone\n| fake | row |",
    );
    if (request === undefined || request === "malformed") throw new Error("not read");
    const instant = instantOf(request, incidentIssue().createdAt, config.timezone)!;
    const body = plan(postmortemBody(config), config, [at(instant, inlineText(request.text))])!;
    const row = timelineRows(body).find((line) => line.includes("Paged"))!;
    expect(row).toBe(
      "| 2026-11-27 13:20 UTC | Paged `@acme/sre` \\| DROP \\| ## Heading `@everyone` |",
    );
    // Two cells only: every | of the text is escaped.
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(2);
    expect(body).not.toContain("| fake | row |");
  });

  it("only severity and env: labels make rows", () => {
    const config = configIn();
    const event = (label: string) =>
      entryFor(
        {
          kind: "incident",
          incident: incidentIssue(),
          change: { type: "labeled", label },
          sender: { login: "dave", type: "User" },
          at: "2026-11-27T13:30:00Z",
        },
        config,
      );
    expect(event("sev1")).toEqual({ at: "2026-11-27T13:30:00Z", text: "Labeled sev1 by @dave" });
    expect(event("env:prod")?.text).toBe("Labeled env:prod by @dave");
    expect(event("bug")).toBeUndefined();
  });
});

describe("End and Duration when the incident closes", () => {
  it("fills End with the close time and Duration from Reported when Start is blank", () => {
    const config = configIn();
    const body = plan(postmortemBody(config), config, [], "2026-11-27T15:40:59Z")!;
    expect(field(body, "Date & Time (End)")).toBe(" 2026-11-27 15:40 UTC  ");
    // Reported 13:05 → 15:40.
    expect(field(body, "Duration")).toBe(" 2 h 35 min  ");
    expect(findMarker(body, "timeline")).toMatchObject({
      end: "2026-11-27 15:40 UTC",
      duration: "2 h 35 min",
    });
  });

  it("counts Duration from a Start a person wrote, in its own zone or the configured one", () => {
    const config = configIn("Europe/Berlin");
    const base = postmortemBody(config);
    const withStart = (start: string) =>
      base.replace("- **Date & Time (Start):**", `- **Date & Time (Start):** ${start}`);
    const close = "2026-11-28T14:05:00Z"; // 15:05 in Berlin
    expect(field(plan(withStart("2026-11-27 13:00"), config, [], close)!, "Duration")).toBe(
      " 1 d 2 h 5 min  ",
    );
    expect(field(plan(withStart("2026-11-28 13:00 UTC"), config, [], close)!, "Duration")).toBe(
      " 1 h 5 min  ",
    );
    expect(field(plan(withStart("2026-11-28 15:00 +03:00"), config, [], close)!, "Duration")).toBe(
      " 2 h 5 min  ",
    );
    // Not a date-time: Reported counts (14:05 Berlin on the 27th).
    expect(field(plan(withStart("early morning"), config, [], close)!, "Duration")).toBe(
      " 1 d 1 h  ",
    );
  });

  it("after a reopen and a later close updates only the values it wrote itself", () => {
    const config = configIn();
    const first = plan(postmortemBody(config), config, [], "2026-11-27T14:00:00Z")!;
    const second = plan(first, config, [], "2026-11-27T16:30:00Z")!;
    expect(field(second, "Date & Time (End)")).toBe(" 2026-11-27 16:30 UTC  ");
    expect(field(second, "Duration")).toBe(" 3 h 25 min  ");

    // A person corrected Duration: the next close moves End, not their Duration.
    const typed = second.replace("**Duration:** 3 h 25 min", "**Duration:** about 3 h");
    const third = plan(typed, config, [], "2026-11-27T18:00:00Z")!;
    expect(field(third, "Date & Time (End)")).toBe(" 2026-11-27 18:00 UTC  ");
    expect(field(third, "Duration")).toBe(" about 3 h  ");
  });

  it("keeps an End a person typed, and counts Duration to it", () => {
    const config = configIn();
    const typed = postmortemBody(config).replace(
      "- **Date & Time (End):**  ",
      "- **Date & Time (End):** 2026-11-27 14:10 UTC  ",
    );
    const body = plan(typed, config, [], "2026-11-27T16:30:00Z")!;
    expect(field(body, "Date & Time (End)")).toBe(" 2026-11-27 14:10 UTC  ");
    expect(field(body, "Duration")).toBe(" 1 h 5 min  ");
    expect(plan(body, config, [], "2026-11-27T16:30:00Z")).toBeUndefined();
  });
});

describe("/timeline and date-times", () => {
  it("reads the command with and without a date, and refuses what is not a time", () => {
    expect(readTimelineCommand("/timeline 13:20 Deployment 4411 started")).toEqual({
      hour: 13,
      minute: 20,
      text: "Deployment 4411 started",
    });
    expect(readTimelineCommand("  /Timeline 2026-11-20 9:05 Pager fired\nmore")).toEqual({
      date: { year: 2026, month: 11, day: 20 },
      hour: 9,
      minute: 5,
      text: "Pager fired",
    });
    for (const malformed of [
      "/timeline",
      "/timeline Deployment started",
      "/timeline 25:00 Too late",
      "/timeline 13:61 Odd",
      "/timeline 2026-02-30 13:00 No such day",
      "/timeline 13:20",
    ]) {
      expect(readTimelineCommand(malformed)).toBe("malformed");
    }
    expect(readTimelineCommand("/timelines 13:20 x")).toBeUndefined();
    expect(readTimelineCommand("see /timeline 13:20 x")).toBeUndefined();
  });

  it("puts a bare time on the incident's day in the configured zone", () => {
    const request = readTimelineCommand("/timeline 23:30 Late page");
    if (request === undefined || request === "malformed") throw new Error("not read");
    // Opened 2026-11-27 13:05 UTC: that is the 28th at UTC+14, still the 27th in Honolulu (UTC-10).
    expect(instantOf(request, "2026-11-27T13:05:00Z", "Pacific/Kiritimati")).toBe(
      "2026-11-28T09:30:00.000Z",
    );
    expect(instantOf(request, "2026-11-27T13:05:00Z", "Pacific/Honolulu")).toBe(
      "2026-11-28T09:30:00.000Z",
    );
    expect(instantOf(request, "2026-11-27T13:05:00Z", "UTC")).toBe("2026-11-27T23:30:00.000Z");
  });

  it("parses date-times across daylight-saving changes", () => {
    expect(parseDateTime("2027-03-28 03:30 Europe/Berlin", "UTC")).toBe("2027-03-28T01:30:00.000Z");
    expect(parseDateTime("2027-03-28 01:30", "Europe/Berlin")).toBe("2027-03-28T00:30:00.000Z");
    expect(parseDateTime("2026-11-27 13:05 UTC+5:30", "UTC")).toBe("2026-11-27T07:35:00.000Z");
    expect(parseDateTime("2026-11-27 13:05 Mars/Olympus", "UTC")).toBeUndefined();
    expect(parseDateTime("2026-13-01 10:00", "UTC")).toBeUndefined();
  });

  it("formats durations", () => {
    const from = "2026-11-27T13:00:00Z";
    expect(formatSpan(from, "2026-11-27T13:35:00Z")).toBe("35 min");
    expect(formatSpan(from, "2026-11-27T15:00:00Z")).toBe("2 h");
    expect(formatSpan(from, "2026-11-28T15:05:00Z")).toBe("1 d 2 h 5 min");
    expect(formatSpan(from, from)).toBe("0 min");
    expect(formatSpan(from, "2026-11-27T12:00:00Z")).toBeUndefined();
  });
});
