import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config.js";
import type { Config } from "../../../src/core/config.js";
import { formatMarker } from "../../../src/core/markers.js";
import { overdueChild, planOverdueReminder } from "../../../src/core/reminders/overdue.js";
import { overdueChildren, showsOverdueAsOpen } from "../../../src/core/reminders/sweep.js";
import { bot, comment } from "../fixtures.js";
import { child, config, postmortem, renderedPostmortem, withLine } from "../capa/fixtures.js";
import { appWriters } from "../../support/writers.js";

const NOW = new Date("2026-12-20T09:00:00Z");
const TODAY = "2026-12-20";
const DAY = 86_400_000;

function configWith(reminders: object): Config {
  const result = parseConfig({ reminders });
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.config;
}

const late = (overrides: Parameters<typeof child>[2] = {}) =>
  overdueChild(child(31, "k31", { due: "2026-12-15", ...overrides }), 20, TODAY)!;

const reminderAt = (id: number, at: Date) =>
  comment(
    id,
    `⏰ reminder\n\n${formatMarker("reminder", { kind: "overdue", at: at.toISOString() })}`,
    bot,
  );

describe("which children are overdue", () => {
  it("open and past the date on the child's Due: line, in days", () => {
    expect(late()).toMatchObject({ postmortem: 20, due: "2026-12-15", daysOverdue: 5 });
  });

  it("not when closed, due today or later, moved to the future, or without a real date", () => {
    const at = (overrides: Parameters<typeof child>[2]) =>
      overdueChild(child(31, "k31", overrides), 20, TODAY);
    expect(at({ due: "2026-12-15", state: "closed", stateReason: "completed" })).toBeUndefined();
    expect(at({ due: TODAY })).toBeUndefined();
    expect(at({ due: "2027-01-10" })).toBeUndefined();
    expect(at({ due: "next week" })).toBeUndefined();
    expect(at({ due: "2026-02-30" })).toBeUndefined();
  });
});

describe("one reminder per child per interval", () => {
  it("mentions the owners, names the date and the post-mortem, and carries its moment", () => {
    expect(
      planOverdueReminder({ overdue: late(), comments: [], config, now: NOW, writers: appWriters }),
    ).toEqual([
      {
        kind: "createComment",
        issueNumber: 31,
        body:
          "⏰ @carol: this corrective action was due on **2026-12-15** and is still open (5 days overdue). It comes from post-mortem #20.\n\n" +
          "Close it when it is done (as not planned if it will not be done), or change its `Due:` line if the date has moved.\n\n" +
          '<!-- postmortem-bot:reminder {"kind":"overdue","at":"2026-12-20T09:00:00.000Z"} -->',
      },
    ]);
  });

  it("nothing while the last reminder is younger than `reminders.every` days; again after", () => {
    const comments = [reminderAt(900, new Date(NOW.getTime() - 6 * DAY))];
    expect(
      planOverdueReminder({ overdue: late(), comments, config, now: NOW, writers: appWriters }),
    ).toEqual([]);
    const later = new Date(NOW.getTime() + DAY);
    expect(
      planOverdueReminder({
        overdue: late(),
        comments,
        config,
        now: later,
        writers: appWriters,
      }).map((s) => s.kind),
    ).toEqual(["createComment"]);
    const daily = configWith({ every: 1 });
    expect(
      planOverdueReminder({
        overdue: late(),
        comments,
        config: daily,
        now: NOW,
        writers: appWriters,
      }).map((s) => s.kind),
    ).toEqual(["createComment"]);
  });

  it("two writers that raced: the later reminder of the interval is deleted, nothing new posted", () => {
    const comments = [reminderAt(900, NOW), reminderAt(901, new Date(NOW.getTime() + 2000))];
    expect(
      planOverdueReminder({ overdue: late(), comments, config, now: NOW, writers: appWriters }),
    ).toEqual([{ kind: "deleteComment", commentId: 901 }]);
  });

  it("a reminder-looking comment by a person counts for nothing", () => {
    const forged = comment(900, reminderAt(900, NOW).body, { login: "mallory", type: "User" });
    expect(
      planOverdueReminder({
        overdue: late(),
        comments: [forged],
        config,
        now: NOW,
        writers: appWriters,
      }).map((s) => s.kind),
    ).toEqual(["createComment"]);
  });

  it("owners from the Owner line when nobody is assigned, never a team nor anyone written inert; a repository's own text", () => {
    const unassigned = late({ assignees: [], owner: "@dana, `@acme/sre`, `@outsider`" });
    const custom = configWith({ messages: { overdue: "{{owners}} → #{{postmortem}} ({{due}})" } });
    const [step] = planOverdueReminder({
      overdue: unassigned,
      comments: [],
      config: custom,
      now: NOW,
      writers: appWriters,
    });
    expect(step?.kind === "createComment" ? step.body.split("\n")[0] : "").toBe(
      "@dana → #20 (2026-12-15)",
    );
  });

  it("a message that is no valid Handlebars is a configuration problem", () => {
    expect(parseConfig({ reminders: { messages: { overdue: "{{#if}}" } } })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^reminders\.messages\.overdue: not a valid Handlebars/)],
    });
  });
});

describe("a sweep's work, from the listing of open children", () => {
  const VALIDATION = "- [ ] Add automated validation checks (CI/CD gates)";
  const shown = (status: string) =>
    withLine(
      "|---------------------------------------------|---------------|------------|----------|\n",
      `|---------------------------------------------|---------------|------------|----------|\n| Add automated validation checks (CI/CD gates) (#31) | @carol | 2026-12-15 | ${status} |\n`,
      withLine(
        VALIDATION,
        "- [x] Add automated validation checks (CI/CD gates) → #31 · @carol · due 2026-12-15",
        renderedPostmortem(),
      ),
    );

  it("the App's open children past their date, with their post-mortem", () => {
    const byPerson = child(32, "k32", { author: { login: "alice", type: "User" } });
    const notYet = child(33, "k33", { due: "2027-01-31" });
    expect(
      overdueChildren([child(31, "k31"), byPerson, notYet], TODAY, appWriters).map((entry) => [
        entry.child.number,
        entry.postmortem,
      ]),
    ).toEqual([[31, 20]]);
  });

  it("a post-mortem needs an update while a row of an overdue child still says Open", () => {
    const overdue = overdueChildren([child(31, "k31")], TODAY, appWriters);
    expect(showsOverdueAsOpen(postmortem(shown("Open")), overdue)).toBe(true);
    expect(showsOverdueAsOpen(postmortem(shown("Overdue")), overdue)).toBe(false);
    // A person's post-mortem the bot adopted has bot children too; the CAPA handler checks the
    // adoption before it writes anything.
    const byPerson = postmortem(shown("Open"), { author: { login: "alice", type: "User" } });
    expect(showsOverdueAsOpen(byPerson, overdue)).toBe(true);
    const withoutMarker = postmortem(
      shown("Open").replace(/<!-- postmortem-bot:postmortem .*? -->/, ""),
    );
    expect(showsOverdueAsOpen(withoutMarker, overdue)).toBe(false);
  });
});
