import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config.js";
import type { Config } from "../../../src/core/config.js";
import { formatMarker } from "../../../src/core/markers.js";
import { noticeSubject } from "../../../src/core/notify/subject.js";
import { overdueNotice, reviewNotice } from "../../../src/core/reminders/notices.js";
import { overdueChild } from "../../../src/core/reminders/overdue.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";
import { bot, comment, incidentIssue } from "../fixtures.js";
import { child, config, postmortem, renderedPostmortem } from "../capa/fixtures.js";
import { appWriters } from "../../support/writers.js";

const TODAY = "2026-12-20";
const url = (number: number) => `https://github.com/acme/shop/issues/${number}`;

function configWith(raw: object): Config {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.config;
}

const reminder = (id: number, kind: "overdue" | "review", at: string, author = bot) =>
  comment(id, `⏰ reminder\n\n${formatMarker("reminder", { kind, at })}`, author);

describe("capa-overdue", () => {
  const late = overdueChild(child(31, "k31", { due: "2026-12-15" }), 20, TODAY)!;
  const subject = noticeSubject(postmortem(renderedPostmortem()), config, url);
  const input = {
    overdue: late,
    before: [],
    reminded: 1,
    subject,
    url,
    config,
    writers: appWriters,
  };

  it("with the first reminder after the due date: keyed by child and due date, the child's owners", () => {
    expect(overdueNotice(input)).toEqual({
      event: "capa-overdue",
      key: "capa-overdue:#31:2026-12-15",
      issueNumber: 31,
      postmortem: 20,
      severity: undefined,
      title: "CAPA: Add automated validation checks (CI/CD gates)",
      url: "https://github.com/acme/shop/issues/31",
      people: ["carol"],
      detail: "corrective action #31 of post-mortem #20 was due on 2026-12-15 (5 days overdue)",
    });
  });

  it("not per reminder: none when no reminder was written, or one after this due date exists", () => {
    expect(overdueNotice({ ...input, reminded: 0 })).toBeUndefined();
    expect(
      overdueNotice({ ...input, before: [reminder(1, "overdue", "2026-12-16T09:00:00Z")] }),
    ).toBeUndefined();
  });

  it("a Due: moved later: reminders of the earlier date do not count, nor anyone else's", () => {
    const before = [
      reminder(1, "overdue", "2026-12-12T09:00:00Z"),
      reminder(2, "overdue", "2026-12-18T09:00:00Z", { login: "mallory", type: "User" }),
      reminder(3, "review", "2026-12-18T09:00:00Z"),
    ];
    expect(overdueNotice({ ...input, before })?.key).toBe("capa-overdue:#31:2026-12-15");
  });

  it("the due day is read in the configured time zone", () => {
    // 23:30 UTC on the 15th is already the 16th in Tokyo: a reminder after the due day.
    const before = [reminder(1, "overdue", "2026-12-15T23:30:00Z")];
    expect(overdueNotice({ ...input, before })).toBeDefined();
    const tokyo = configWith({ timezone: "Asia/Tokyo" });
    expect(overdueNotice({ ...input, before, config: tokyo })).toBeUndefined();
  });

  it("a child closed without its evidence says so; the Owner line's people when nobody is assigned", () => {
    const closed = child(32, "k32", {
      due: "2026-12-19",
      assignees: [],
      owner: "@dana and `@outsider`",
      state: "closed",
    });
    const entry = {
      ...overdueChild({ ...closed, state: "open" }, 20, TODAY)!,
      child: closed,
      missing: "merged" as const,
    };
    expect(overdueNotice({ ...input, overdue: entry })).toMatchObject({
      people: ["dana"],
      detail:
        "corrective action #32 of post-mortem #20 was due on 2026-12-19 (1 day overdue, closed without a merged fix)",
    });
  });

  it("of a private post-mortem: no title, flagged private", () => {
    const body = renderedPostmortem().replace(
      /<!-- postmortem-bot:postmortem \{[^}]*\} -->/,
      '<!-- postmortem-bot:postmortem {"source":{"repository":"acme/shop","incident":12}} -->',
    );
    const secret = noticeSubject(postmortem(body, { title: "Post-mortem: breach" }), config, url);
    expect(secret.private).toBe(true);
    expect(overdueNotice({ ...input, subject: secret })).toMatchObject({
      private: true,
      title: "",
    });
  });
});

describe("review-late", () => {
  const CLOSED_AT = "2026-11-20T16:00:00Z";
  const incident: IssueSnapshot = {
    ...incidentIssue(),
    state: "closed",
    stateReason: "completed",
    closedAt: CLOSED_AT,
    assignees: ["bob"],
  };
  const deadline = new Date("2026-11-27T16:00:00Z");
  const pm = postmortem(renderedPostmortem());
  const input = {
    postmortem: pm,
    incident,
    deadline,
    missing: ["Approved By (Tech Lead)", "Date of Final Review"],
    approvals: configWith({
      approvals: {
        roles: { techLead: { field: "Approved By (Tech Lead)", users: ["lena"] } },
        required: ["techLead", "finalReviewDate"],
      },
    }).approvals,
    before: [],
    reminded: 1,
    subject: noticeSubject(pm, config, url, incident.labels),
    config,
    writers: appWriters,
  };

  it("with the first review reminder after the deadline: keyed by the incident's close, the approvers missing", () => {
    expect(reviewNotice(input)).toEqual({
      event: "review-late",
      key: `review-late:#20:${CLOSED_AT}`,
      issueNumber: 20,
      postmortem: 20,
      severity: undefined,
      title: "Post-mortem: Checkout returns 500",
      url: "https://github.com/acme/shop/issues/20",
      people: ["lena"],
      detail:
        "review late: the incident closed on 2026-11-20; missing: “Approved By (Tech Lead)”, “Date of Final Review”",
    });
  });

  it("none without a reminder written now or with one since the deadline; an earlier close's reminders do not count", () => {
    expect(reviewNotice({ ...input, reminded: 0 })).toBeUndefined();
    expect(
      reviewNotice({ ...input, before: [reminder(1, "review", "2026-11-27T16:00:00Z")] }),
    ).toBeUndefined();
    expect(
      reviewNotice({ ...input, before: [reminder(1, "review", "2026-11-20T09:00:00Z")] }),
    ).toBeDefined();
  });

  it("no approver missing: the post-mortem's assignees, else the incident's", () => {
    const onlyDate = { ...input, missing: ["Date of Final Review"] };
    expect(reviewNotice(onlyDate)?.people).toEqual(["pat"]);
    expect(reviewNotice({ ...onlyDate, postmortem: { ...pm, assignees: [] } })?.people).toEqual([
      "bob",
    ]);
  });
});
