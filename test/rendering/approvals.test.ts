import { appWriters } from "../support/writers.js";
import { describe, expect, it } from "vitest";
import { planApprovalCommand, planCommandRefusal } from "../../src/core/approvals/commands.js";
import { approvalSummary, planCloseGate } from "../../src/core/approvals/gate.js";
import { judgeApprovals } from "../../src/core/approvals/judge.js";
import type { ApprovalComment } from "../../src/core/approvals/ledger.js";
import type { ApprovalPlan } from "../../src/core/approvals/plan.js";
import {
  COMPLETE,
  NOW,
  PEOPLE,
  command,
  config,
  formatDay,
  postmortemBody,
  postmortemIssue,
} from "../core/approvals/fixtures.js";
import type { Section9 } from "../core/approvals/fixtures.js";
import { expectReadable } from "./expect.js";

/** Values people typed into section 9 that name nobody, or name a team. */
const HOSTILE_VALUES: Section9 = {
  techLead: "@acme/everyone | `x` *_[]<>~ a\\b",
  product: "&#64;outsider or <b>them</b>",
  date: "2026-02-30 | `soon` or later",
  communication: "Maybe | @outsider `x` later",
};
const SHOWN = [
  "@acme/everyone | `x` *_[]<>~ a\\b",
  "&#64;outsider or <b>them</b>",
  "2026-02-30 | `soon` or later",
  "Maybe | @outsider `x`",
];

const texts = (steps: ApprovalPlan) =>
  steps.flatMap((step) =>
    step.kind === "createComment" || step.kind === "updateComment" ? [step.body] : [],
  );

function verdictOf(values: Section9, comments: ApprovalComment[]) {
  const body = postmortemBody(values);
  return {
    body,
    verdict: judgeApprovals({
      body,
      evidence: { kind: "comments", comments },
      people: PEOPLE,
      config,
      formatDay,
      now: NOW,
    }),
  };
}

describe("approval messages as GitHub renders them", () => {
  it("the gate comment that reopens shows what people typed exactly and mentions nobody", () => {
    const { body, verdict } = verdictOf(HOSTILE_VALUES, []);
    const plan = planCloseGate({
      writers: appWriters,
      issue: postmortemIssue(body),
      verdict,
      comments: [],
      config,
      forceClose: undefined,
    });
    expect(plan.decision).toBe("blocked");
    const [comment] = texts(plan.steps);
    expectReadable(comment!, { shows: SHOWN });
  });

  it("the forced and ignored force-close comments name only who added the label", () => {
    const { body, verdict } = verdictOf(HOSTILE_VALUES, []);
    const issue = postmortemIssue(body);
    const forced = planCloseGate({
      writers: appWriters,
      issue,
      verdict,
      comments: [],
      config,
      forceClose: { addedBy: "mia", permission: "maintain" },
    });
    expect(forced.decision).toBe("forced");
    expectReadable(texts(forced.steps)[0]!, { shows: SHOWN, mentions: ["@mia"] });
    const ignored = planCloseGate({
      writers: appWriters,
      issue,
      verdict,
      comments: [],
      config,
      forceClose: { addedBy: "rita", permission: "read" },
    });
    expectReadable(texts(ignored.steps)[0]!, { shows: SHOWN, mentions: ["@rita"] });
  });

  it("the force-close label is named exactly, however odd", () => {
    const label = "force`@outsider`close | *x*";
    const odd = { ...config, forceCloseLabel: label };
    const { body, verdict } = verdictOf(HOSTILE_VALUES, []);
    const issue = postmortemIssue(body);
    for (const forceClose of [
      { addedBy: "mia", permission: "maintain" as const },
      { addedBy: "rita", permission: "read" as const },
      { addedBy: undefined, permission: "none" as const },
    ]) {
      const plan = planCloseGate({
        issue,
        verdict,
        comments: [],
        config: odd,
        forceClose,
        writers: appWriters,
      });
      const mentions = forceClose.addedBy ? [`@${forceClose.addedBy}`] : [];
      expectReadable(texts(plan.steps)[0]!, { shows: [label, ...SHOWN], mentions });
    }
  });

  it("the accepted comment and the job summary", () => {
    const comments = [command("/approve tl", "tina"), command("/approve product", "paul")];
    const { body, verdict } = verdictOf(COMPLETE, comments);
    const blocked = texts(
      planCloseGate({
        writers: appWriters,
        issue: postmortemIssue(body),
        verdict: verdictOf(HOSTILE_VALUES, []).verdict,
        comments: [],
        config,
        forceClose: undefined,
      }).steps,
    )[0]!;
    const earlier: ApprovalComment = {
      ...command(blocked, "postmortem-bot[bot]", { type: "Bot" }),
    };
    const accepted = planCloseGate({
      writers: appWriters,
      issue: postmortemIssue(body),
      verdict,
      comments: [...comments, earlier],
      config,
      forceClose: undefined,
    });
    expect(accepted.decision).toBe("accepted");
    expectReadable(texts(accepted.steps)[0]!, { mentions: ["@tina", "@paul"] });

    const hostile = verdictOf(HOSTILE_VALUES, []).verdict;
    const summary = approvalSummary(
      { number: 20, title: "x" },
      hostile,
      "Approvals are not complete.",
      [
        "Approved By (Tech Lead)",
        "Approved By (Product/Business)",
        "Date of Final Review",
        "Communication Sent to Team (Yes/No)",
      ],
    );
    expectReadable(summary, { shows: SHOWN });
  });

  it("the reply to an approval whose line is missing names the line as written", () => {
    const comments = [command("/approve tl", "tina", { id: 9 })];
    const issue = postmortemIssue("# Post-mortem\n\nno section 9\n", { state: "open" });
    const plan = planApprovalCommand({
      writers: appWriters,
      issue,
      commentId: 9,
      comments,
      people: PEOPLE,
      config,
      formatDay,
    });
    const [reply] = texts(plan.steps);
    expectReadable(reply!, { shows: ["- **Approved By (Tech Lead):**"], mentions: ["@tina"] });
  });

  it("the refusal of a command names an unknown role exactly", () => {
    const alias = "`@outsider` | *x*";
    const comments = [command(`/approve ${alias}`, "tina", { id: 7 })];
    const issue = postmortemIssue(postmortemBody({}), { state: "open" });
    const plan = planApprovalCommand({
      writers: appWriters,
      issue,
      commentId: 7,
      comments,
      people: PEOPLE,
      config,
      formatDay,
    });
    const [reply] = texts(plan.steps);
    expect(reply).toBeDefined();
    expectReadable(reply!, { shows: [alias], mentions: ["@tina"] });

    const outsider = command("/approve", "rita", { id: 8 });
    const [refusal] = texts(
      planCommandRefusal({
        writers: appWriters,
        issueNumber: 20,
        commentId: 8,
        comments: [outsider],
        people: PEOPLE,
        config,
      }),
    );
    expectReadable(refusal!, { mentions: ["@rita"] });
  });
});
