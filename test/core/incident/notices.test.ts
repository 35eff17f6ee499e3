import { describe, expect, it } from "vitest";
import { openedNotice } from "../../../src/core/incident/notices.js";
import { formatMarker } from "../../../src/core/markers.js";
import { incidentIssue, repository } from "../fixtures.js";

describe("the opened notice", () => {
  const postmortem = incidentIssue({
    number: 20,
    title: "Post-mortem: Checkout down",
    body: `# Post-mortem\n\n${formatMarker("postmortem", { incident: 7, severity: "P2" })}\n`,
    assignees: ["carol"],
    htmlUrl: "https://ghe.example/acme/shop/issues/20",
  });
  const incident = incidentIssue({ number: 7, assignees: ["alice", "bob"] });

  it("is keyed by the post-mortem, with its opening severity, its assignees and its page", () => {
    expect(openedNotice(postmortem, incident, repository)).toEqual({
      event: "opened",
      key: "opened:#20",
      issueNumber: 20,
      postmortem: 20,
      severity: "P2",
      title: "Post-mortem: Checkout down",
      url: "https://ghe.example/acme/shop/issues/20",
      people: ["carol"],
    });
  });

  it("names the incident's assignees when the post-mortem has none, and github.com's page without html_url", () => {
    const bare = { ...postmortem, assignees: [], htmlUrl: undefined, body: "no marker" };
    expect(openedNotice(bare, incident, repository)).toMatchObject({
      severity: undefined,
      url: "https://github.com/acme/shop/issues/20",
      people: ["alice", "bob"],
    });
  });
});
