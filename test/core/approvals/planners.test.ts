import { describe, expect, it } from "vitest";
import { planApprovalCommand, planCommandRefusal } from "../../../src/core/approvals/commands.js";
import { planCloseGate } from "../../../src/core/approvals/gate.js";
import { judgeApprovals } from "../../../src/core/approvals/judge.js";
import type { ApprovalComment } from "../../../src/core/approvals/ledger.js";
import { parseApprovalCommand } from "../../../src/core/approvals/ledger.js";
import { formatMarker } from "../../../src/core/markers.js";
import type { Section9 } from "./fixtures.js";
import {
  COMPLETE,
  NOW,
  PEOPLE,
  bot,
  command,
  config,
  formatDay,
  people,
  postmortemBody,
  postmortemIssue,
} from "./fixtures.js";
import { actionWriters } from "../../support/writers.js";

function planCommand(values: Section9, comments: ApprovalComment[], commentId: number) {
  return planApprovalCommand({
    issue: postmortemIssue(postmortemBody(values), { state: "open", stateReason: null }),
    commentId,
    comments,
    people: PEOPLE,
    config,
    formatDay,
    writers: actionWriters,
  });
}

describe("/approve and /unapprove", () => {
  it("parses the command alone on the first line, with an optional alias in any case", () => {
    expect(parseApprovalCommand("/approve")).toEqual({ verb: "approve", alias: undefined });
    expect(parseApprovalCommand("  /APPROVE  Tech   Lead \nthanks")).toEqual({
      verb: "approve",
      alias: "tech lead",
    });
    expect(parseApprovalCommand("/unapprove tl")).toEqual({ verb: "unapprove", alias: "tl" });
    expect(parseApprovalCommand("I /approve")).toBeUndefined();
    expect(parseApprovalCommand("/approved")).toBeUndefined();
  });

  it("an allowed person's /approve writes @login (date) into the field and is acknowledged", () => {
    const approve = command("/approve tl", "tina", { id: 1 });
    const plan = planCommand({}, [approve], 1);
    expect(plan.steps).toEqual([
      {
        kind: "setIssueBody",
        issueNumber: 20,
        body: postmortemBody({ techLead: "@tina (2026-11-27)" }),
      },
    ]);
    expect(plan.acknowledge).toEqual([{ kind: "addReaction", commentId: 1, content: "+1" }]);
  });

  it("converges: once the field shows the approval, only the acknowledgement is left", () => {
    const approve = command("/approve tl", "tina", { id: 1 });
    const plan = planCommand({ techLead: "@tina (2026-11-27)" }, [approve], 1);
    expect(plan.steps).toEqual([]);
    expect(plan.acknowledge).toHaveLength(1);
  });

  it("overwrites a name someone typed into the field", () => {
    const approve = command("/approve tl", "tina", { id: 1 });
    const plan = planCommand({ techLead: "@mallory" }, [approve], 1);
    expect(plan.steps[0]).toMatchObject({
      body: postmortemBody({ techLead: "@tina (2026-11-27)" }),
    });
  });

  it("with no alias, fills the first empty role the person may fill", () => {
    const first = command("/approve tl", "tina", { id: 1 });
    const second = command("/approve", "paul", { id: 2, at: "2026-11-27T14:05:00Z" });
    const plan = planCommand({ techLead: "@tina (2026-11-27)" }, [first, second], 2);
    expect(plan.steps[0]).toMatchObject({
      // paul's was the last required approval, so the review date is set too.
      body: postmortemBody({
        techLead: "@tina (2026-11-27)",
        product: "@paul (2026-11-27)",
        date: "2026-11-27",
      }),
    });
  });

  it("sets Date of Final Review when this was the last required approval and the date is empty", () => {
    const first = command("/approve tl", "tina", { id: 1, at: "2026-11-26T10:00:00Z" });
    const last = command("/approve business", "paul", { id: 2, at: "2026-11-27T09:00:00Z" });
    const plan = planCommand({ techLead: "@tina (2026-11-26)" }, [first, last], 2);
    expect(plan.steps[0]).toMatchObject({
      body: postmortemBody({
        techLead: "@tina (2026-11-26)",
        product: "@paul (2026-11-27)",
        date: "2026-11-27",
      }),
    });
    // Not when a date is already there.
    const dated = planCommand(
      { techLead: "@tina (2026-11-26)", date: "2026-11-20" },
      [first, last],
      2,
    );
    expect(dated.steps[0]).toMatchObject({
      body: postmortemBody({
        techLead: "@tina (2026-11-26)",
        product: "@paul (2026-11-27)",
        date: "2026-11-20",
      }),
    });
  });

  it("refuses someone not allowed with one reply naming them and why, and writes nothing", () => {
    const approve = command("/approve tl", "rita", { id: 7 });
    const plan = planCommand({}, [approve], 7);
    expect(plan.steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body: `@rita may not approve as “Approved By (Tech Lead)”: it needs write permission to this repository and @rita has read. Nothing was written.\n\n${formatMarker("approve-refusal", { comment: 7, login: "rita" })}`,
      },
    ]);
    expect(plan.acknowledge).toEqual([]);
    // Redelivered: the reply is found by its marker and not repeated.
    const reply: ApprovalComment = command(
      plan.steps[0]!.kind === "createComment" ? plan.steps[0]!.body : "",
      bot.login,
      {
        id: 8,
        type: "Bot",
      },
    );
    expect(planCommand({}, [approve, reply], 7).steps).toEqual([]);
  });

  it("replies once per person: a later refused command of theirs gets no second reply", () => {
    const first = command("/approve tl", "rita", { id: 7 });
    const reply = command(
      `no\n\n${formatMarker("approve-refusal", { comment: 7, login: "Rita" })}`,
      bot.login,
      { id: 8, type: "Bot" },
    );
    const second = command("/approve product", "rita", { id: 9 });
    expect(planCommand({}, [first, reply, second], 9).steps).toEqual([]);
    // Another person's reply is not theirs, and a marker a person typed is no reply at all.
    const typed = command(
      `${formatMarker("approve-refusal", { comment: 9, login: "rita" })}`,
      "rita",
    );
    const paulsReply = command(
      `no\n\n${formatMarker("approve-refusal", { comment: 5, login: "paul" })}`,
      bot.login,
      { id: 6, type: "Bot" },
    );
    expect(planCommand({}, [first, paulsReply, typed, second], 9).steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body: `@rita may not approve as “Approved By (Product/Business)”: it needs write permission to this repository and @rita has read. Nothing was written.\n\n${formatMarker("approve-refusal", { comment: 9, login: "rita" })}`,
      },
    ]);
  });

  it("refuses the command of someone who may fill no role from it alone, once per person", () => {
    const outsider = command("/approve", "olga", { id: 30 });
    const input = {
      issueNumber: 20,
      commentId: 30,
      comments: [outsider],
      people: people({ olga: "none" }),
      config,
      writers: actionWriters,
    };
    expect(planCommandRefusal(input)).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body: `@olga may not fill any approver role (“Approved By (Tech Lead)”: it needs write permission to this repository and @olga has none; “Approved By (Product/Business)”: it needs write permission to this repository and @olga has none). Nothing was written.\n\n${formatMarker("approve-refusal", { comment: 30, login: "olga" })}`,
      },
    ]);
    const reply = command(
      `no\n\n${formatMarker("approve-refusal", { comment: 30, login: "olga" })}`,
      bot.login,
      { id: 31, type: "Bot" },
    );
    const again = command("/unapprove", "olga", { id: 32 });
    expect(
      planCommandRefusal({ ...input, commentId: 32, comments: [outsider, reply, again] }),
    ).toEqual([]);
    // Two racing runs each replied: the later copy goes. A deleted command gets no reply.
    const copy = { ...reply, id: 33 };
    expect(
      planCommandRefusal({ ...input, commentId: 32, comments: [outsider, reply, again, copy] }),
    ).toEqual([{ kind: "deleteComment", commentId: 33 }]);
    expect(planCommandRefusal({ ...input, commentId: 99 })).toEqual([]);
  });

  it("refuses an unknown alias, a role someone else holds, and a second role for the same person", () => {
    const reason = (comments: ApprovalComment[], id: number) => {
      const outcome = planCommand({}, comments, id).outcome;
      return outcome?.kind === "refused" ? outcome.reason : outcome?.kind;
    };
    expect(reason([command("/approve cto", "tina", { id: 1 })], 1)).toBe(
      "`cto` names no approver role (use `tech lead`, `product`)",
    );
    expect(
      reason(
        [
          command("/approve tl", "tina", { id: 1 }),
          command("/approve tl", "mia", { id: 2, at: "2026-11-27T14:01:00Z" }),
        ],
        2,
      ),
    ).toBe(
      "“Approved By (Tech Lead)” is already approved by @tina (they can withdraw with `/unapprove`)",
    );
    expect(
      reason(
        [
          command("/approve tl", "tina", { id: 1 }),
          command("/approve product", "tina", { id: 2, at: "2026-11-27T14:01:00Z" }),
        ],
        2,
      ),
    ).toBe(
      "@tina already approved as “Approved By (Tech Lead)”, and one person cannot fill two roles",
    );
  });

  it("ignores an edited command comment", () => {
    const edited = command("/approve tl", "tina", { id: 1, edited: true });
    expect(planCommand({}, [edited], 1)).toEqual({
      steps: [],
      acknowledge: [],
      outcome: { kind: "edited" },
    });
  });

  it("/unapprove empties the field that names the person", () => {
    const approve = command("/approve tl", "tina", { id: 1 });
    const withdraw = command("/unapprove", "tina", { id: 2, at: "2026-11-27T14:10:00Z" });
    const plan = planCommand({ techLead: "@tina (2026-11-27)" }, [approve, withdraw], 2);
    expect(plan.steps).toEqual([
      { kind: "setIssueBody", issueNumber: 20, body: postmortemBody({}) },
    ]);
  });

  it("says so when the field line to write is missing, instead of editing", () => {
    const approve = command("/approve tl", "tina", { id: 1 });
    const plan = planApprovalCommand({
      issue: postmortemIssue("# Post-mortem\n\nno section 9\n"),
      commentId: 1,
      comments: [approve],
      people: PEOPLE,
      config,
      formatDay,
      writers: actionWriters,
    });
    expect(plan.steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body: `@tina, your command was accepted, but \`- **Approved By (Tech Lead):**\` is missing from the post-mortem (section 9 is missing), so it could not be written. Add the line back; the approval counts once it shows your name.\n\n${formatMarker("approve-refusal", { comment: 1 })}`,
      },
    ]);
  });
});

describe("the close gate", () => {
  const approvals = [command("/approve tl", "tina"), command("/approve product", "paul")];
  const gate = (
    values: Section9,
    comments: ApprovalComment[],
    forceClose?: Parameters<typeof planCloseGate>[0]["forceClose"],
    issueOverrides = {},
  ) => {
    const body = postmortemBody(values);
    const verdict = judgeApprovals({
      body,
      evidence: { kind: "comments", comments },
      people: PEOPLE,
      config,
      formatDay,
      now: NOW,
    });
    return planCloseGate({
      issue: postmortemIssue(body, issueOverrides),
      verdict,
      comments,
      config,
      forceClose,
      writers: actionWriters,
    });
  };

  it("reopens an incomplete post-mortem with one comment listing what is missing", () => {
    const plan = gate({ ...COMPLETE, techLead: "@tina", communication: "" }, [
      command("/approve product", "paul"),
    ]);
    expect(plan.decision).toBe("blocked");
    expect(plan.steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body:
          "🚫 **This post-mortem was reopened: its approvals are not complete.** Section 9 (Approvals & Final Notes) needs:\n\n" +
          "- **Approved By (Tech Lead):** @tina is named, but has no unedited `/approve tech-lead` comment of their own on this issue (a name typed into the text does not count)\n" +
          "- **Communication Sent to Team (Yes/No):** empty: write Yes or No\n\n" +
          "Approvers comment `/approve tech-lead` or `/approve product` on this issue; only their own comment counts, not a name typed into the text. Then close it again.\n\n" +
          formatMarker("gate", { issue: 20 }),
      },
      { kind: "reopenIssue", issueNumber: 20 },
    ]);
  });

  it("updates its one comment in place on a later attempt, and leaves it when nothing changed", () => {
    const first = gate({}, []);
    const body = first.steps[0]!.kind === "createComment" ? first.steps[0]!.body : "";
    const own = command(body, bot.login, { id: 900, type: "Bot" });
    const forged = command(formatMarker("gate", { issue: 20 }), "mallory", { id: 800 });
    expect(gate({}, [forged, own]).steps).toEqual([{ kind: "reopenIssue", issueNumber: 20 }]);
    const later = gate({ ...COMPLETE, date: "" }, [...approvals, forged, own]);
    expect(later.steps).toEqual([
      {
        kind: "updateComment",
        commentId: 900,
        body: expect.stringContaining("- **Date of Final Review:** empty"),
      },
      { kind: "reopenIssue", issueNumber: 20 },
    ]);
  });

  it("every close reason is judged, but the App's own duplicate close is not a close to gate", () => {
    expect(gate({}, [], undefined, { stateReason: "not_planned" }).decision).toBe("blocked");
    expect(gate({}, [], undefined, { stateReason: "duplicate" }).decision).toBe("blocked");
    const appDuplicate = command(formatMarker("duplicate", { of: 3 }), "postmortem-bot[bot]", {
      type: "Bot",
    });
    expect(gate({}, [appDuplicate], undefined, { stateReason: "duplicate" })).toEqual({
      decision: "duplicate",
      steps: [],
    });
  });

  it("a complete post-mortem stays closed; an earlier block comment is updated to say so", () => {
    expect(gate(COMPLETE, approvals)).toEqual({ decision: "accepted", steps: [] });
    const block = command(`blocked\n\n${formatMarker("gate", { issue: 20 })}`, bot.login, {
      id: 900,
      type: "Bot",
    });
    expect(gate(COMPLETE, [...approvals, block]).steps).toEqual([
      {
        kind: "updateComment",
        commentId: 900,
        body: `✅ **Approvals complete: this post-mortem is closed.**\n\n- **Approved By (Tech Lead):** @tina on 2026-11-27\n- **Approved By (Product/Business):** @paul on 2026-11-27\n\n${formatMarker("gate", { issue: 20 })}`,
      },
    ]);
  });

  it("the force-close label lets the close stand when a maintainer added it, and says so", () => {
    const plan = gate({}, [], { addedBy: "mia", permission: "maintain" });
    expect(plan.decision).toBe("forced");
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({
      kind: "createComment",
      body: expect.stringContaining(
        "⚠️ **Closed without complete approvals.** @mia (maintain) added the `postmortem:force-close` label",
      ),
    });
  });

  it("the force-close label added by someone with less permission is ignored, and the comment says so", () => {
    const plan = gate({}, [], { addedBy: "tina", permission: "write" });
    expect(plan.decision).toBe("blocked");
    expect(plan.steps.map((step) => step.kind)).toEqual(["createComment", "reopenIssue"]);
    expect(plan.steps[0]).toMatchObject({
      body: expect.stringContaining(
        "The `postmortem:force-close` label was ignored: @tina added it with write permission; it counts only when added by someone with maintain permission or more.",
      ),
    });
  });
});
