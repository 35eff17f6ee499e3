import { describe, expect, it } from "vitest";
import type { JudgedClose } from "../../../src/core/approvals/notices.js";
import { closeNotices, missingApprovers } from "../../../src/core/approvals/notices.js";
import type { Verdict } from "../../../src/core/approvals/judge.js";
import { judgeApprovals } from "../../../src/core/approvals/judge.js";
import { defaultConfig, parseConfig } from "../../../src/core/config.js";
import { noticeSubject } from "../../../src/core/notify/subject.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";
import {
  COMPLETE,
  NOW,
  PEOPLE,
  command,
  config,
  formatDay,
  postmortemBody,
  postmortemIssue,
} from "./fixtures.js";

const CLOSED_AT = "2026-11-27T14:30:00Z";
const url = (number: number) => `https://github.com/acme/web/issues/${number}`;

function verdictOf(body: string, comments = [] as ReturnType<typeof command>[]): Verdict {
  return judgeApprovals({
    body,
    evidence: { kind: "comments", comments },
    people: PEOPLE,
    config,
    formatDay,
    now: NOW,
  });
}

function judged(
  issue: IssueSnapshot,
  decision: JudgedClose["decision"],
  verdict: Verdict,
  closeEvent = true,
): JudgedClose {
  return { issue, decision, verdict, approvals: config, closeEvent };
}

const closedIssue = (body: string, overrides: Partial<IssueSnapshot> = {}) =>
  postmortemIssue(body, { closedAt: CLOSED_AT, assignees: ["pat"], ...overrides });

describe("missingApprovers", () => {
  it("names the person section 9 names for a missing role, else the role's users, never a filled role", () => {
    const parsed = parseConfig({
      approvals: {
        roles: {
          techLead: { field: "Approved By (Tech Lead)", users: ["lena"] },
          product: { field: "Approved By (Product/Business)", users: ["pia", "Lena"] },
        },
      },
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const approvals = parsed.config.approvals;
    // tina is named for Tech Lead without her /approve; Product names nobody: its users.
    const body = postmortemBody({ techLead: "@tina" });
    const verdict = { missing: ["Approved By (Tech Lead)", "Approved By (Product/Business)"] };
    expect(missingApprovers({ body, assignees: ["pat"] }, verdict, approvals)).toEqual([
      "tina",
      "pia",
      "Lena",
    ]);
    // Only the date is missing: no approver role, so the assignees must act.
    expect(
      missingApprovers(
        { body, assignees: ["pat", "PAT"] },
        { missing: ["Date of Final Review"] },
        approvals,
      ),
    ).toEqual(["pat"]);
  });
});

describe("close notices", () => {
  it("close-blocked: keyed by the close's moment, the approvers missing, what is missing", () => {
    const body = postmortemBody({ techLead: "@tina" });
    const issue = closedIssue(body);
    const verdict = verdictOf(body);
    const subject = noticeSubject(issue, defaultConfig, url);
    expect(closeNotices(judged(issue, "blocked", verdict), subject)).toEqual([
      {
        event: "close-blocked",
        key: `close-blocked:#20:${CLOSED_AT}`,
        issueNumber: 20,
        postmortem: 20,
        severity: undefined,
        title: "Post-mortem: Checkout returns 500",
        url: "https://github.com/acme/web/issues/20",
        // tina is named for Tech Lead; Product names nobody and lists no users: the default
        // roles have none, so only tina.
        people: ["tina"],
        detail:
          "reopened, approvals missing: “Approved By (Tech Lead)”, “Approved By (Product/Business)”, “Date of Final Review”, “Communication Sent to Team (Yes/No)”",
      },
    ]);
  });

  it("close-blocked with no approver known names the assignees; none once the close is reopened (a redelivery)", () => {
    const body = postmortemBody();
    const verdict = verdictOf(body);
    const issue = closedIssue(body);
    const [notice] = closeNotices(
      judged(issue, "blocked", verdict),
      noticeSubject(issue, defaultConfig, url),
    );
    expect(notice!.people).toEqual(["pat"]);
    const reopened = { ...issue, state: "open" as const, closedAt: null };
    expect(
      closeNotices(
        judged(reopened, "blocked", verdict),
        noticeSubject(reopened, defaultConfig, url),
      ),
    ).toEqual([]);
  });

  it("approved: once, when a gate:2 close is first recorded, or on an older post-mortem's own close", () => {
    const complete = postmortemBody(COMPLETE);
    const comments = [command("/approve tl", "tina"), command("/approve product", "paul")];
    const verdict = verdictOf(complete, comments);
    expect(verdict.approved).toBe(true);
    const gated = complete.replace('{"incident":12}', '{"incident":12,"gate":2}');
    const issue = closedIssue(gated);
    const subject = noticeSubject(issue, defaultConfig, url);
    const expected = {
      event: "approved",
      key: "approved:#20",
      issueNumber: 20,
      postmortem: 20,
      severity: undefined,
      title: "Post-mortem: Checkout returns 500",
      url: "https://github.com/acme/web/issues/20",
      people: ["pat"],
      detail: "closed with complete approvals (@tina, @paul)",
    };
    // Judged by an /approve's run (not the close event): still the first judging of this close.
    expect(closeNotices(judged(issue, "accepted", verdict, false), subject)).toEqual([expected]);
    // Already recorded: a later run (or a redelivery) produces nothing.
    const recorded = closedIssue(gated.replace('"gate":2}', `"gate":2,"closed":"${CLOSED_AT}"}`));
    expect(closeNotices(judged(recorded, "accepted", verdict), subject)).toEqual([]);
    // Before "gate":2: the close's own delivery only.
    const older = closedIssue(complete);
    expect(closeNotices(judged(older, "accepted", verdict, true), subject)).toEqual([expected]);
    expect(closeNotices(judged(older, "accepted", verdict, false), subject)).toEqual([]);
  });

  it("nothing for a forced close, a duplicate, or a close reopened since", () => {
    const body = postmortemBody();
    const verdict = verdictOf(body);
    const issue = closedIssue(body);
    const subject = noticeSubject(issue, defaultConfig, url);
    for (const decision of ["forced", "duplicate", "reopened"] as const) {
      expect(closeNotices(judged(issue, decision, verdict), subject)).toEqual([]);
    }
  });

  it("a private post-mortem's notice carries no title, and the severity it was judged by", () => {
    const body = postmortemBody()
      .replace('{"incident":12}', '{"source":{"repository":"acme/web","incident":12}}')
      .replace("- [ ] P1", "- [x] P1");
    const issue = closedIssue(body, { title: "Post-mortem: the secret breach" });
    const [notice] = closeNotices(
      judged(issue, "blocked", verdictOf(body)),
      noticeSubject(issue, defaultConfig, url),
    );
    expect(notice).toMatchObject({ private: true, title: "", severity: "P1" });
    expect(JSON.stringify(notice)).not.toContain("secret");
  });
});
