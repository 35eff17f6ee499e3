// The flow list is where the App's registration and the Action's dispatch come from; these pin what
// each front door derives from it.
import { describe, expect, it } from "vitest";
import { deliveriesOf, flowsOf, readsEventsNamed } from "../../src/handlers/flows.js";

describe("the flow list", () => {
  it("names the flows each front door runs, in the order one delivery runs them", () => {
    expect(flowsOf("app").map((flow) => flow.name)).toEqual([
      "guard",
      "incident",
      "severity",
      // Before the CAPA flow, which shows a closed child's row with the evidence it recorded.
      "evidence",
      "capa",
      "adoption",
      "timeline",
      // `/changes` on a post-mortem: both front doors, as the incident flow that opened it.
      "changes",
      // The warning on the next pull request: one check run per head commit.
      "culprit-check",
      // `/culprit` on a post-mortem, before the gate judges it.
      "culprit",
      "approval-gate",
    ]);
    // The timeline follows every change of an incident: a workflow run each would be too dear.
    expect(flowsOf("action").map((flow) => flow.name)).toEqual([
      "guard",
      "incident",
      "severity",
      "evidence",
      "capa",
      "adoption",
      "changes",
      "culprit-check",
      "culprit",
      "approval-gate",
    ]);
  });

  it("registers each webhook event once, so that no delivery runs a flow twice", () => {
    // The gate reads every issue_comment action, which covers the `/postmortem` and `/timeline`
    // readers' issue_comment.created: Probot would call a handler registered for both twice.
    expect(deliveriesOf("app")).toEqual([
      "issues",
      "pull_request.closed",
      "deployment_status",
      "sub_issues",
      "pull_request.opened",
      "pull_request.synchronize",
      "pull_request.reopened",
      "issue_comment",
    ]);
    expect(readsEventsNamed("app", "pull_request")).toBe(true);
    // The Action is started by its workflow's triggers (docs/action.md), not by these.
    expect(readsEventsNamed("action", "pull_request")).toBe(true);
    expect(deliveriesOf("action")).toEqual([
      "issues",
      "pull_request.closed",
      "deployment_status",
      "sub_issues",
      "pull_request.opened",
      "pull_request.synchronize",
      "pull_request.reopened",
      "issue_comment",
    ]);
    expect(readsEventsNamed("app", "issue_comment")).toBe(true);
    expect(readsEventsNamed("app", "push")).toBe(false);
    expect(readsEventsNamed("app", "issue")).toBe(false);
  });
});
