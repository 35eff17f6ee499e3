import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config.js";
import type { ApprovalEvidence } from "../../../src/core/approvals/judge.js";
import { judgeApprovals } from "../../../src/core/approvals/judge.js";
import type { ApprovalComment } from "../../../src/core/approvals/ledger.js";
import { replayApprovals } from "../../../src/core/approvals/ledger.js";
import type { People } from "../../../src/core/approvals/people.js";
import type { Section9 } from "./fixtures.js";
import {
  COMPLETE,
  NOW,
  PEOPLE,
  command,
  config,
  formatDay,
  people,
  postmortemBody,
} from "./fixtures.js";

const approvedBoth = () => [command("/approve tl", "tina"), command("/approve product", "paul")];

function judge(
  values: Section9,
  comments: ApprovalComment[] = approvedBoth(),
  options: { people?: People; config?: typeof config; evidence?: ApprovalEvidence } = {},
) {
  return judgeApprovals({
    body: postmortemBody(values),
    evidence: options.evidence ?? { kind: "comments", comments },
    people: options.people ?? PEOPLE,
    config: options.config ?? config,
    formatDay,
    now: NOW,
  });
}

const messages = (verdict: ReturnType<typeof judge>) =>
  verdict.findings.map((finding) => `${finding.field}: ${finding.message}`);

describe("judging section 9", () => {
  it("approves a complete section whose approvers commented /approve themselves", () => {
    const verdict = judge(COMPLETE);
    expect(verdict).toEqual({
      approved: true,
      findings: [],
      missing: [],
      approvals: [
        { role: "techLead", field: "Approved By (Tech Lead)", login: "tina", date: "2026-11-27" },
        {
          role: "product",
          field: "Approved By (Product/Business)",
          login: "paul",
          date: "2026-11-27",
        },
      ],
    });
  });

  it("lists every empty required field, with its line", () => {
    const verdict = judge({}, []);
    expect(verdict.approved).toBe(false);
    expect(verdict.missing).toEqual([
      "Approved By (Tech Lead)",
      "Approved By (Product/Business)",
      "Date of Final Review",
      "Communication Sent to Team (Yes/No)",
    ]);
    expect(verdict.findings[0]).toEqual({
      field: "Approved By (Tech Lead)",
      message: "empty: an allowed approver comments `/approve tech-lead`",
      line: 12,
    });
  });

  it("does not count a name typed into the body without that person's /approve comment", () => {
    const verdict = judge(COMPLETE, [command("/approve product", "paul")]);
    expect(messages(verdict)).toEqual([
      "Approved By (Tech Lead): @tina is named, but has no unedited `/approve tech-lead` comment of their own on this issue (a name typed into the text does not count)",
    ]);
  });

  it("does not count an /approve comment written by someone else than the person named", () => {
    const verdict = judge(COMPLETE, [
      command("/approve tl", "mia"),
      command("/approve product", "paul"),
    ]);
    expect(verdict.missing).toEqual(["Approved By (Tech Lead)"]);
  });

  it("does not count an /approve comment that was edited after it was posted", () => {
    const edited = command("/approve tl", "tina", { at: "2026-11-27T14:00:00Z", edited: true });
    const verdict = judge(COMPLETE, [edited, command("/approve product", "paul")]);
    expect(verdict.missing).toEqual(["Approved By (Tech Lead)"]);
  });

  it("counts an /approve comment the gate reacted to: only an edit voids it, not a later update", () => {
    // The gate's 👍 (or any reaction) is no edit: the gateway reports `edited: false` for it, and
    // the ledger looks at nothing else (no timestamps), so the approval stands.
    const reacted = command("/approve tl", "tina", { id: 7, edited: false });
    const ledger = replayApprovals([reacted, command("/approve product", "paul")], config, PEOPLE);
    expect(ledger.outcomes.get(7)).toEqual({
      kind: "approved",
      roles: ["techLead"],
      already: false,
    });
    expect(ledger.approvals.get("techLead")).toMatchObject({ login: "tina", commentId: 7 });
    expect(judge(COMPLETE, [reacted, command("/approve product", "paul")]).approved).toBe(true);
  });

  it("an edited command is reported as edited and changes nothing, whoever edited it", () => {
    const ledger = replayApprovals(
      [command("/approve tl", "tina", { id: 8, edited: true })],
      config,
      PEOPLE,
    );
    expect(ledger.outcomes.get(8)).toEqual({ kind: "edited" });
    expect(ledger.approvals.size).toBe(0);
  });

  it("a deleted /approve comment (absent from the list) withdraws the approval", () => {
    expect(judge(COMPLETE, [command("/approve product", "paul")]).missing).toEqual([
      "Approved By (Tech Lead)",
    ]);
  });

  it("/unapprove withdraws one's own approval", () => {
    const comments = [
      ...approvedBoth(),
      command("/unapprove", "tina", { at: "2026-11-27T14:10:00Z" }),
    ];
    expect(judge(COMPLETE, comments).missing).toEqual(["Approved By (Tech Lead)"]);
  });

  it("counts only people allowed now", () => {
    const verdict = judge(COMPLETE, approvedBoth(), {
      people: people({ tina: "read", paul: "write" }),
    });
    expect(messages(verdict)).toEqual([
      "Approved By (Tech Lead): @tina may not approve as “Approved By (Tech Lead)”: it needs write permission to this repository and @tina has read",
    ]);
  });

  it("one person cannot fill both roles", () => {
    const comments = [command("/approve tl", "tina"), command("/approve product", "tina")];
    const verdict = judge({ ...COMPLETE, product: "@tina (2026-11-27)" }, comments);
    expect(messages(verdict)).toEqual([
      "Approved By (Product/Business): @tina already fills another role, and one person cannot fill two",
    ]);
  });

  it("with distinctApprovers off, one person may fill both roles", () => {
    const relaxed = { ...config, distinctApprovers: false };
    const comments = [command("/approve tl", "tina"), command("/approve product", "tina")];
    const verdict = judge({ ...COMPLETE, product: "@tina (2026-11-27)" }, comments, {
      config: relaxed,
    });
    expect(verdict.approved).toBe(true);
  });

  it("rejects placeholders, a date that does not exist, a future date, and anything but Yes/No", () => {
    expect(messages(judge({ ...COMPLETE, date: "2026-02-30", communication: "Yes/No" }))).toEqual([
      "Date of Final Review: `2026-02-30` is not a real date (write YYYY-MM-DD)",
      "Communication Sent to Team (Yes/No): empty: write Yes or No",
    ]);
    expect(messages(judge({ ...COMPLETE, date: "2027-01-01", communication: "Maybe" }))).toEqual([
      "Date of Final Review: `2027-01-01` is in the future",
      "Communication Sent to Team (Yes/No): `Maybe` is neither Yes nor No",
    ]);
    expect(messages(judge({ ...COMPLETE, ticket: "TBD", techLead: "<name>" }))).toEqual([
      "Approved By (Tech Lead): empty: an allowed approver comments `/approve tech-lead`",
      "Related JIRA/Incident Ticket: empty: link the JIRA or incident ticket",
    ]);
    expect(judge({ ...COMPLETE, communication: "no" }).approved).toBe(true);
  });

  it("a value that names no user is explained", () => {
    expect(messages(judge({ ...COMPLETE, techLead: "Tina Turner" }))).toEqual([
      "Approved By (Tech Lead): `Tina Turner` names no GitHub user (write `@login`, or comment `/approve tech-lead`)",
    ]);
  });

  it("a body without section 9 is one clear finding naming every required field", () => {
    const verdict = judgeApprovals({
      body: "# Post-mortem\n\nSomeone deleted everything.\n",
      evidence: { kind: "comments", comments: approvedBoth() },
      people: PEOPLE,
      config,
      formatDay,
      now: NOW,
    });
    expect(verdict.approved).toBe(false);
    expect(verdict.missing).toHaveLength(5);
    expect(messages(verdict)).toEqual([
      "9. Approvals & Final Notes: the section `## 9. Approvals & Final Notes` is missing, so none of “Approved By (Tech Lead)”, “Approved By (Product/Business)”, “Date of Final Review”, “Related JIRA/Incident Ticket”, “Communication Sent to Team (Yes/No)” can be read",
    ]);
  });

  it("finds section 9 by title when it was renumbered, and names a deleted field line", () => {
    const body = postmortemBody(COMPLETE)
      .replace("## 9. Approvals", "### Approvals")
      .replace(/- \*\*Date of Final Review:\*\*.*\n/, "");
    const verdict = judgeApprovals({
      body,
      evidence: { kind: "comments", comments: approvedBoth() },
      people: PEOPLE,
      config,
      formatDay,
      now: NOW,
    });
    expect(messages(verdict)).toEqual([
      "Date of Final Review: the line `- **Date of Final Review:**` is missing from section 9",
    ]);
  });

  it("only the required fields are judged", () => {
    const parsed = parseConfig({ approvals: { required: ["techLead", "ticket"] } });
    if (!parsed.ok) throw new Error(parsed.problems.join());
    const verdict = judge({ techLead: COMPLETE.techLead }, approvedBoth(), {
      config: parsed.config.approvals,
    });
    expect(verdict.approved).toBe(true);
  });

  it("roles limited to users and teams admit exactly those", () => {
    const parsed = parseConfig({
      approvals: {
        roles: {
          techLead: { field: "Approved By (Tech Lead)", aliases: ["tl"], teams: ["sre-leads"] },
          product: {
            field: "Approved By (Product/Business)",
            aliases: ["product"],
            users: ["@paul"],
          },
        },
      },
    });
    if (!parsed.ok) throw new Error(parsed.problems.join());
    const teamPeople = people({ tina: { permission: "read", teams: ["sre-leads"] }, paul: "read" });
    expect(
      judge(COMPLETE, approvedBoth(), { config: parsed.config.approvals, people: teamPeople })
        .approved,
    ).toBe(true);
    const outsider = people({ tina: "admin", paul: "read" });
    expect(
      messages(
        judge(COMPLETE, approvedBoth(), { config: parsed.config.approvals, people: outsider }),
      ),
    ).toEqual([
      "Approved By (Tech Lead): @tina may not approve as “Approved By (Tech Lead)”: only members of the team `sre-leads` may fill it",
    ]);
  });

  it("for files, a name counts only if that person approved the pull request", () => {
    const evidence: ApprovalEvidence = { kind: "reviews", approvedBy: ["paul"] };
    expect(messages(judge(COMPLETE, [], { evidence }))).toEqual([
      "Approved By (Tech Lead): @tina is named, but has not approved this pull request's head commit in a review",
    ]);
  });
});

describe("approvals configuration", () => {
  it("rejects a required key that is neither a role nor a field, and aliases two roles share", () => {
    expect(parseConfig({ approvals: { required: ["cto"] } })).toEqual({
      ok: false,
      problems: [
        "approvals.required[0]: `cto` is neither a role (techLead, product) nor one of finalReviewDate, ticket, communicationSent",
      ],
    });
    const clash = parseConfig({
      approvals: {
        roles: {
          a: { field: "A", aliases: ["lead"] },
          b: { field: "B", aliases: ["Lead"] },
        },
        required: ["a"],
      },
    });
    expect(clash).toEqual({
      ok: false,
      problems: ["approvals.roles.b.aliases: the alias `lead` also names the role `a`"],
    });
  });

  it("rejects unknown keys and bad permissions", () => {
    const result = parseConfig({
      approvals: { forceClosePermission: "write", extra: 1 },
      gate: { enforce: true },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([
        'approvals.forceClosePermission: Invalid option: expected one of "maintain"|"admin"',
        "approvals: unknown key `extra`",
        "gate: unknown key `enforce`",
      ]);
    }
  });
});
