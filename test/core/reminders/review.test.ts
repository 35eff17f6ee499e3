import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config.js";
import type { Config } from "../../../src/core/config.js";
import { formatMarker } from "../../../src/core/markers.js";
import { planReviewReminder, reviewDeadline } from "../../../src/core/reminders/review.js";
import type { IssueSnapshot } from "../../../src/core/snapshots.js";
import { bot, comment, incidentIssue } from "../fixtures.js";
import { config, postmortem, renderedPostmortem } from "../capa/fixtures.js";
import { appWriters } from "../../support/writers.js";

const CLOSED_AT = "2026-11-20T16:00:00Z";
const closedIncident = (labels = ["incident"]): IssueSnapshot => ({
  ...incidentIssue(),
  labels,
  state: "closed",
  stateReason: "completed",
  closedAt: CLOSED_AT,
  assignees: ["bob"],
});

function configWith(raw: object): Config {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.config;
}

describe("when a review is late", () => {
  it("reviewAfterDays after the incident closed, by the checked severity box, else its label", () => {
    const p1 = renderedPostmortem().replace(
      "- [ ] P1 - Critical Outage",
      "- [x] P1 - Critical Outage",
    );
    expect(reviewDeadline(postmortem(p1), closedIncident(), config)?.toISOString()).toBe(
      "2026-11-23T16:00:00.000Z",
    );
    expect(
      reviewDeadline(
        postmortem(renderedPostmortem()),
        closedIncident(["sev3"]),
        config,
      )?.toISOString(),
    ).toBe("2026-11-30T16:00:00.000Z");
    expect(
      reviewDeadline(postmortem(renderedPostmortem()), closedIncident(), config)?.toISOString(),
    ).toBe("2026-11-27T16:00:00.000Z");
  });

  it("never for P4 (0 days), an open incident, or a closed post-mortem", () => {
    expect(
      reviewDeadline(postmortem(renderedPostmortem()), closedIncident(["P4"]), config),
    ).toBeUndefined();
    expect(
      reviewDeadline(
        postmortem(renderedPostmortem()),
        { ...closedIncident(), state: "open" },
        config,
      ),
    ).toBeUndefined();
    expect(
      reviewDeadline(
        postmortem(renderedPostmortem(), { state: "closed" }),
        closedIncident(),
        config,
      ),
    ).toBeUndefined();
  });
});

describe("the review reminder", () => {
  const now = new Date("2026-11-28T09:00:00Z");
  const withApprovers = configWith({
    approvals: {
      roles: {
        techLead: { field: "Approved By (Tech Lead)", users: ["tina"], teams: ["sre"] },
        product: { field: "Approved By (Product/Business)", users: ["paul"] },
      },
    },
  });

  it("mentions the assignees and the people listed for the missing roles (never a team), naming the fields", () => {
    const steps = planReviewReminder({
      postmortem: postmortem(renderedPostmortem()),
      incident: closedIncident(),
      missing: ["Approved By (Tech Lead)", "Date of Final Review"],
      comments: [],
      config: withApprovers,
      now,
      writers: appWriters,
    });
    expect(steps).toEqual([
      {
        kind: "createComment",
        issueNumber: 20,
        body:
          "⏰ @pat, @tina: this post-mortem's incident was closed on 2026-11-20, and its review is still not complete. Missing: “Approved By (Tech Lead)”, “Date of Final Review”.\n\n" +
          "Approvers comment `/approve <role>` here; fill in the other fields in section 9.\n\n" +
          '<!-- postmortem-bot:reminder {"kind":"review","at":"2026-11-28T09:00:00.000Z"} -->',
      },
    ]);
  });

  it("the incident's assignees when the post-mortem has none; nothing when complete or reminded lately", () => {
    const unassigned = postmortem(renderedPostmortem(), { assignees: [] });
    const [step] = planReviewReminder({
      postmortem: unassigned,
      incident: closedIncident(),
      missing: ["Communication Sent to Team (Yes/No)"],
      comments: [],
      config,
      now,
      writers: appWriters,
    });
    expect(step?.kind === "createComment" && step.body.startsWith("⏰ @bob: ")).toBe(true);
    expect(
      planReviewReminder({
        postmortem: unassigned,
        incident: closedIncident(),
        missing: [],
        comments: [],
        config,
        now,
        writers: appWriters,
      }),
    ).toEqual([]);
    const lately = comment(
      900,
      `⏰ earlier\n\n${formatMarker("reminder", { kind: "review", at: "2026-11-25T09:00:00Z" })}`,
      bot,
    );
    expect(
      planReviewReminder({
        postmortem: unassigned,
        incident: closedIncident(),
        missing: ["Date of Final Review"],
        comments: [lately],
        config,
        now,
        writers: appWriters,
      }),
    ).toEqual([]);
  });
});
