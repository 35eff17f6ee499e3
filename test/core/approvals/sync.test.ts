import { describe, expect, it } from "vitest";
import { planApprovalCommand } from "../../../src/core/approvals/commands.js";
import { planCloseGate } from "../../../src/core/approvals/gate.js";
import { judgeApprovals } from "../../../src/core/approvals/judge.js";
import type { ApprovalComment } from "../../../src/core/approvals/ledger.js";
import { syncApprovalSection } from "../../../src/core/approvals/sync.js";
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
  postmortemBody,
  postmortemIssue,
} from "./fixtures.js";
import { actionWriters } from "../../support/writers.js";

const TINA = command("/approve tl", "tina", { id: 1, at: "2026-11-26T10:00:00Z" });
const PAUL = command("/approve product", "paul", { id: 2, at: "2026-11-27T09:00:00Z" });

function sync(values: Section9, comments: ApprovalComment[]) {
  return syncApprovalSection({
    issue: postmortemIssue(postmortemBody(values), { state: "open", stateReason: null }),
    comments,
    people: PEOPLE,
    config,
    formatDay,
  });
}

describe("section 9 derived from the whole comment history", () => {
  it("writes every valid approval, not only the newest command's, and the review date", () => {
    expect(sync({}, [TINA, PAUL]).body).toBe(
      postmortemBody({
        techLead: "@tina (2026-11-26)",
        product: "@paul (2026-11-27)",
        date: "2026-11-27",
      }),
    );
  });

  it("a command whose own run never happened is written by the run of the next command", () => {
    // tina's run was cancelled: the body shows nobody. paul's run writes both.
    const plan = planApprovalCommand({
      issue: postmortemIssue(postmortemBody({}), { state: "open", stateReason: null }),
      commentId: PAUL.id,
      comments: [TINA, PAUL],
      people: PEOPLE,
      config,
      formatDay,
      writers: actionWriters,
    });
    expect(plan.steps).toEqual([
      {
        kind: "setIssueBody",
        issueNumber: 20,
        body: postmortemBody({
          techLead: "@tina (2026-11-26)",
          product: "@paul (2026-11-27)",
          date: "2026-11-27",
        }),
      },
    ]);
    // Only paul's own command is acknowledged by paul's run.
    expect(plan.acknowledge).toEqual([{ kind: "addReaction", commentId: PAUL.id, content: "+1" }]);
  });

  it("a racing writer's overwrite is repaired from the comments; a body showing all is left", () => {
    // The writer for tina's command landed last, on a body read before paul's approval was written.
    const overwritten = { techLead: "@tina (2026-11-26)" };
    expect(sync(overwritten, [TINA, PAUL]).body).toBe(
      postmortemBody({ ...overwritten, product: "@paul (2026-11-27)", date: "2026-11-27" }),
    );
    const converged = {
      techLead: "@tina (2026-11-26)",
      product: "@paul (2026-11-27)",
      date: "2026-11-27",
    };
    expect(sync(converged, [TINA, PAUL]).body).toBe(postmortemBody(converged));
  });

  it("a field already naming its holder is left as people wrote it", () => {
    const values = { techLead: "@Tina, approved in the review meeting" };
    expect(sync(values, [TINA]).body).toBe(postmortemBody(values));
  });

  it("/unapprove empties the field naming the person; a name no command put there is left to the judge", () => {
    const withdraw = command("/unapprove", "tina", { id: 3, at: "2026-11-27T10:00:00Z" });
    expect(sync({ techLead: "@tina (2026-11-26)" }, [TINA, withdraw]).body).toBe(
      postmortemBody({}),
    );
    expect(sync({ techLead: "@mallory" }, []).body).toBe(postmortemBody({ techLead: "@mallory" }));
    // tina withdrew; paul is named by hand: not hers to clear, and paul never approved.
    expect(sync({ techLead: "@paul" }, [TINA, withdraw]).body).toBe(
      postmortemBody({ techLead: "@paul" }),
    );
  });

  it("edited commands, bots' commands and people without access write nothing", () => {
    const comments = [
      command("/approve tl", "tina", { id: 4, edited: true }),
      command("/approve tl", bot.login, { id: 5, type: "Bot" }),
      command("/approve product", "rita", { id: 6 }),
    ];
    expect(sync({}, comments).body).toBe(postmortemBody({}));
  });

  it("a held role whose field line is missing is reported as unwritable", () => {
    const body = postmortemBody({}).replace("- **Approved By (Tech Lead):**  \n", "");
    const result = syncApprovalSection({
      issue: postmortemIssue(body),
      comments: [TINA, PAUL],
      people: PEOPLE,
      config,
      formatDay,
    });
    expect(result.unwritable).toEqual(["techLead"]);
    // The rest is still written; the review date follows the comments, which hold both roles.
    expect(result.body).toBe(
      postmortemBody({ product: "@paul (2026-11-27)", date: "2026-11-27" }).replace(
        "- **Approved By (Tech Lead):**  \n",
        "",
      ),
    );
  });
});

describe("copies left by racing runs", () => {
  const gateMarker = formatMarker("gate", { issue: 20 });
  const gateCopy = (id: number, text = "blocked") =>
    command(`${text}\n\n${gateMarker}`, bot.login, { id, type: "Bot" });

  function close(values: Section9, comments: ApprovalComment[], state: "open" | "closed") {
    const body = postmortemBody(values);
    return planCloseGate({
      issue: postmortemIssue(body, state === "open" ? { state, stateReason: null } : {}),
      verdict: judgeApprovals({
        body,
        evidence: { kind: "comments", comments },
        people: PEOPLE,
        config,
        formatDay,
        now: NOW,
      }),
      comments,
      config,
      forceClose: undefined,
      writers: actionWriters,
    });
  }

  it("keeps the oldest gate comment, updates it, and deletes the others", () => {
    const plan = close({}, [gateCopy(905), gateCopy(903), gateCopy(904)], "closed");
    expect(plan.decision).toBe("blocked");
    expect(plan.steps).toEqual([
      { kind: "updateComment", commentId: 903, body: expect.stringContaining(gateMarker) },
      { kind: "deleteComment", commentId: 904 },
      { kind: "deleteComment", commentId: 905 },
      { kind: "reopenIssue", issueNumber: 20 },
    ]);
  });

  it("an open post-mortem is not reopened again; complete and open, nothing claims it closed", () => {
    const incomplete = close({}, [], "open");
    expect(incomplete.decision).toBe("blocked");
    expect(incomplete.steps.map((step) => step.kind)).toEqual(["createComment"]);
    const approvals = [TINA, PAUL];
    const complete = { ...COMPLETE, techLead: "@tina (2026-11-26)" };
    expect(close(complete, [...approvals, gateCopy(900)], "open")).toEqual({
      decision: "reopened",
      steps: [],
    });
    // Closed again with complete approvals, by then: the old block comment says so.
    expect(close(complete, [...approvals, gateCopy(900)], "closed")).toMatchObject({
      decision: "accepted",
      steps: [{ kind: "updateComment", commentId: 900 }],
    });
  });

  it("a refused command keeps its first reply; a racing run's second reply is deleted", () => {
    const refused = command("/approve tl", "rita", { id: 7 });
    const replyText = (id: number) =>
      command(`no\n\n${formatMarker("approve-refusal", { comment: 7 })}`, bot.login, {
        id,
        type: "Bot",
      });
    const plan = (comments: ApprovalComment[]) =>
      planApprovalCommand({
        issue: postmortemIssue(postmortemBody({})),
        commentId: 7,
        comments,
        people: PEOPLE,
        config,
        formatDay,
        writers: actionWriters,
      }).steps;
    expect(plan([refused, replyText(11), replyText(10)])).toEqual([
      { kind: "deleteComment", commentId: 11 },
    ]);
    expect(plan([refused, replyText(10)])).toEqual([]);
  });
});
