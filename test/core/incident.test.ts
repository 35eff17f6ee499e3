import { describe, expect, it } from "vitest";
import { builtInTemplate } from "../../src/handlers/built-in-template.js";
import { defaultConfig } from "../../src/core/config.js";
import type { IncidentEvent } from "../../src/core/incident/events.js";
import { mightBeTrigger } from "../../src/core/incident/events.js";
import type { IncidentState } from "../../src/core/incident/plan.js";
import {
  acknowledgeCommand,
  canonicalPostmortem,
  linkCommentBody,
  planIncident,
} from "../../src/core/incident/plan.js";
import { renderPostmortem } from "../../src/core/incident/content.js";
import {
  bot,
  comment,
  commandEvent,
  incidentIssue,
  labeledEvent,
  postmortemIssue,
  repository,
} from "./fixtures.js";
import { appWriters } from "../support/writers.js";

const template = { name: "templates/postmortem.md.hbs", source: builtInTemplate() };

function plan(event: IncidentEvent, state: Partial<IncidentState> = {}) {
  return planIncident({
    event,
    config: defaultConfig,
    repository,
    writers: appWriters,
    state: {
      incident: incidentIssue(),
      postmortems: [],
      incidentComments: [],
      requesterMayOpen: true,
      template,
      ...state,
    },
  });
}

describe("planIncident", () => {
  it("opens a post-mortem, labels first, when none exists", () => {
    const expected = renderPostmortem(
      incidentIssue(),
      labeledEvent(),
      defaultConfig,
      repository,
      template,
    );
    expect(expected.ok).toBe(true);
    expect(plan(labeledEvent())).toEqual([
      {
        kind: "ensureLabel",
        name: "postmortem",
        color: "5319e7",
        description: "Post-mortem report (opened by postmortem-bot)",
      },
      {
        kind: "createIssue",
        title: "Post-mortem: Checkout returns 500",
        body: expected.ok ? expected.body : "",
        labels: ["postmortem"],
        assignees: ["bob"],
      },
    ]);
  });

  it("links an existing post-mortem once, and then has nothing to do", () => {
    expect(plan(labeledEvent(), { postmortems: [postmortemIssue(13)] })).toEqual([
      { kind: "createComment", issueNumber: 12, body: linkCommentBody(13) },
    ]);
    expect(
      plan(labeledEvent(), {
        postmortems: [postmortemIssue(13)],
        incidentComments: [comment(1, linkCommentBody(13))],
      }),
    ).toEqual([]);
  });

  it("closes a later duplicate post-mortem as a duplicate of the first", () => {
    const steps = plan(labeledEvent(), {
      postmortems: [postmortemIssue(14), postmortemIssue(13)],
      incidentComments: [comment(1, linkCommentBody(13))],
    });
    // One request, the same from every replica: the explanation goes into the body.
    expect(steps).toEqual([
      {
        kind: "closeIssue",
        issueNumber: 14,
        stateReason: "duplicate",
        body: `<!-- postmortem-bot:duplicate {"of":13} -->\n> **Duplicate of #13.** This post-mortem was opened twice at the same moment; #13 is the one to use.\n\n${postmortemIssue(14).body}`,
      },
    ]);
  });

  it("does not close a duplicate twice", () => {
    const closed = postmortemIssue(14, { state: "closed", stateReason: "duplicate" });
    expect(
      plan(labeledEvent(), {
        postmortems: [postmortemIssue(13), closed],
        incidentComments: [comment(1, linkCommentBody(13))],
      }),
    ).toEqual([]);
  });

  it("keeps the oldest link comment, repoints it, and deletes the others", () => {
    expect(
      plan(labeledEvent(), {
        postmortems: [postmortemIssue(13)],
        incidentComments: [
          comment(7, linkCommentBody(13)),
          comment(5, linkCommentBody(14)),
          comment(6, "thanks"),
        ],
      }),
    ).toEqual([
      { kind: "updateComment", commentId: 5, body: linkCommentBody(13) },
      { kind: "deleteComment", commentId: 7 },
    ]);
  });

  it("ignores link markers typed by people", () => {
    const typed = comment(3, linkCommentBody(13), { login: "mallory", type: "User" });
    expect(
      plan(labeledEvent(), { postmortems: [postmortemIssue(13)], incidentComments: [typed] }),
    ).toEqual([{ kind: "createComment", issueNumber: 12, body: linkCommentBody(13) }]);
  });

  it("does nothing when the label was removed before the delivery was handled", () => {
    expect(plan(labeledEvent(), { incident: incidentIssue({ labels: [] }) })).toEqual([]);
  });

  it("does nothing for a deleted incident, a pull request, or a post-mortem labeled as incident", () => {
    expect(plan(labeledEvent(), { incident: undefined })).toEqual([]);
    expect(plan(labeledEvent(), { incident: incidentIssue({ isPullRequest: true }) })).toEqual([]);
    expect(
      plan(labeledEvent(), { incident: incidentIssue({ labels: ["incident", "postmortem"] }) }),
    ).toEqual([]);
  });

  it("opens on /postmortem without an incident label", () => {
    const steps = plan(commandEvent(), { incident: incidentIssue({ labels: [] }) });
    expect(steps.map((step) => step.kind)).toEqual(["ensureLabel", "createIssue"]);
  });

  it("acknowledges an allowed /postmortem with a reaction, and nothing else", () => {
    expect(acknowledgeCommand(commandEvent(), true)).toEqual([
      { kind: "addReaction", commentId: 555, content: "+1" },
    ]);
    expect(acknowledgeCommand(commandEvent(), false)).toEqual([]);
    expect(acknowledgeCommand(labeledEvent(), true)).toEqual([]);
  });

  it("refuses /postmortem from someone without triage access, once", () => {
    const steps = plan(commandEvent(), { requesterMayOpen: false });
    expect(steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 12,
        body: expect.stringMatching(
          /^@carol, `\/postmortem` needs triage access or more[\s\S]*<!-- postmortem-bot:refusal \{"comment":555,"person":"carol"\} -->$/,
        ),
      },
    ]);
    const reply = steps[0]!.kind === "createComment" ? steps[0].body : "";
    expect(
      plan(commandEvent(), { requesterMayOpen: false, incidentComments: [comment(9, reply)] }),
    ).toEqual([]);
  });

  it("reports a template problem once instead of opening anything", () => {
    const broken = { problem: "The template `x.md` was not found on branch `main`." };
    const steps = plan(labeledEvent(), { template: broken });
    expect(steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 12,
        body: expect.stringContaining("The template `x.md` was not found"),
      },
    ]);
    const report = steps[0]!.kind === "createComment" ? steps[0].body : "";
    expect(
      plan(labeledEvent(), { template: broken, incidentComments: [comment(4, report, bot)] }),
    ).toEqual([]);
  });
});

describe("canonicalPostmortem", () => {
  it("is the lowest number not closed as duplicate", () => {
    const first = postmortemIssue(13, { state: "closed", stateReason: "duplicate" });
    expect(canonicalPostmortem([postmortemIssue(15), first, postmortemIssue(14)])?.number).toBe(14);
    expect(canonicalPostmortem([])).toBeUndefined();
  });
});

describe("mightBeTrigger (with a broken configuration)", () => {
  it("is true for /postmortem and for labels the broken file seems to name", () => {
    expect(mightBeTrigger(commandEvent(), [])).toBe(true);
    expect(mightBeTrigger(labeledEvent(incidentIssue(), "Outage"), ["outage"])).toBe(true);
    expect(mightBeTrigger(labeledEvent(incidentIssue(), "bug"), ["outage"])).toBe(false);
    expect(mightBeTrigger(labeledEvent(incidentIssue({ isPullRequest: true })), ["incident"])).toBe(
      false,
    );
  });
});
