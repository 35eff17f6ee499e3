import { describe, expect, it } from "vitest";
import { builtInTemplate } from "../../../src/handlers/built-in-template.js";
import { parseConfig } from "../../../src/core/config.js";
import type { Config } from "../../../src/core/config.js";
import { renderPostmortem } from "../../../src/core/incident/content.js";
import { planTimelineRecovery, timelineOverwrote } from "../../../src/core/timeline/lost-edit.js";
import { planTimeline } from "../../../src/core/timeline/plan.js";
import { comment, incidentIssue, labeledEvent, repository } from "../fixtures.js";
import { appWriters } from "../../support/writers.js";

const config = parseConfig({}) as { ok: true; config: Config };
const ROW = "| 2026-11-27 13:20 UTC | Deployment started |";

function base(): string {
  const incident = incidentIssue();
  const content = renderPostmortem(incident, labeledEvent(incident), config.config, repository, {
    name: "built-in",
    source: builtInTemplate(),
  });
  if (!content.ok) throw new Error(content.problem);
  return content.body;
}

function timelineWrite(body: string): string {
  const [step] = planTimeline({
    body,
    postmortemNumber: 13,
    entries: [{ at: "2026-11-27T13:20:00Z", text: "Deployment started" }],
    config: config.config,
  });
  if (step?.kind !== "updateIssueBody") throw new Error("no write");
  return step.body;
}

describe("a timeline write that overwrote an edit", () => {
  const read = base();
  const written = timelineWrite(read);
  const personVersion = read.replace("- What worked well?", "- What worked well? Paging.");

  it("is no loss when the body was as read", () => {
    expect(timelineOverwrote(read, written)).toBe(false);
  });

  it("is a loss when a person saved in between, and the edit is restored with the App's row", () => {
    expect(timelineOverwrote(personVersion, written)).toBe(true);
    const [step] = planTimelineRecovery({
      issueNumber: 13,
      before: personVersion,
      written,
      current: written,
      comments: [],
      writers: appWriters,
      zone: "UTC",
    });
    if (step?.kind !== "updateIssueBody") throw new Error("no restore");
    expect(step.body).toContain("- What worked well? Paging.");
    expect(step.body).toContain(`${ROW}\n`);
    // The restore coming back as the App's own edit is not a loss: no loop.
    expect(timelineOverwrote(written, step.body)).toBe(false);
  });

  it("is not judged on a later write that left the timeline marker as it was (CAPA's)", () => {
    const capa = written.replace(
      "- [ ] Update runbooks/playbooks",
      "- [x] Update runbooks/playbooks → #4",
    );
    expect(timelineOverwrote(written, capa)).toBe(false);
  });

  it("goes into one comment when the post-mortem was edited again since", () => {
    const edit = {
      issueNumber: 13,
      before: personVersion,
      written,
      current: written.replace("- What didn’t work?", "- What didn’t work? Alerts."),
      comments: [],
      writers: appWriters,
      zone: "UTC",
    };
    const [step] = planTimelineRecovery(edit);
    if (step?.kind !== "createComment") throw new Error("no comment");
    expect(step.body).toContain("- What worked well? Paging.");
    expect(planTimelineRecovery({ ...edit, comments: [comment(1, step.body)] })).toEqual([]);
  });
});
