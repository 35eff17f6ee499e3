// The approval gate's notices (close-blocked, approved), with a recording `deps.notify`: the exact
// notices, once per occurrence, alongside the exact requests, which are the App's own (a notice
// costs the flow no request; the notifier's claim is its own, src/handlers/notify.ts).
import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/core/config.js";
import type { Notice } from "../../src/core/notify/notice.js";
import { readApprovalEvent } from "../../src/github/approval-events.js";
import { ApprovalGateway } from "../../src/github/approval-gateway.js";
import { LAST_EDITED_QUERY } from "../../src/github/approval-gateway.js";
import { handleApprovalEvent } from "../../src/handlers/approval-handler.js";
import type { HandlerDeps } from "../../src/handlers/deps.js";
import { COMPLETE, postmortemBody } from "../core/approvals/fixtures.js";
import { CONFIG_READS, NOW, OWNER, REPO, asPayloadIssue, serveConfig } from "../app/harness.js";
import type { FakeGitHub } from "../support/github-api.js";
import { useFakeGitHub } from "../support/github-api.js";
import type { FakeIssue } from "../support/repo-state.js";
import { FakeRepo } from "../support/repo-state.js";
import { webhook } from "../support/webhooks.js";

const ENFORCE = "gate:\n  enforceInApp: true\n";
const URL = `https://github.com/${OWNER}/${REPO}/issues/1`;

/** The App's handler deps, with a notifier that only records what it is given. */
function recordingDeps(): { deps: HandlerDeps; told: Notice[][] } {
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const octokit = new Octokit({
    auth: "ghs_test",
    request: { retries: 0 },
    log: { ...quiet, debug: () => {} },
  });
  const told: Notice[][] = [];
  return {
    told,
    deps: {
      gateway: new ApprovalGateway(octokit, { owner: OWNER, repo: REPO, defaultBranch: "main" }),
      clock: () => NOW,
      log: quiet,
      frontDoor: "app",
      appSlug: "postmortem-bot",
      notify: (config: Config, notices) => {
        // The configuration the flow judged by, for the notifier's routes.
        expect(config.notify).toBeDefined();
        told.push([...notices]);
        return Promise.resolve();
      },
    },
  };
}

function setUp(api: FakeGitHub, body: string, config = ENFORCE) {
  const repo = new FakeRepo(OWNER, REPO, { now: NOW }).serve(api);
  const postmortem = repo.addIssue({
    title: "Post-mortem: Checkout returns 500",
    body,
    labels: ["postmortem"],
    state: "closed",
    assignees: ["pat"],
  });
  serveConfig(api, { repo: config });
  return { repo, postmortem };
}

function closedEvent(issue: FakeIssue) {
  const { payload } = webhook("issues.closed")
    .repo(OWNER, REPO)
    .issue({ ...asPayloadIssue(issue), state: "closed", state_reason: "completed" })
    .sender("dave")
    .installation(1);
  return readApprovalEvent("issues", payload as Parameters<typeof readApprovalEvent>[1])!;
}

const READ_STATE = [
  { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/1` },
  { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/1/comments`, query: { per_page: "100" } },
];

describe("the approval gate's notices", () => {
  const api = useFakeGitHub();

  it("close-blocked: one notice naming the close, after the reopen; a redelivery tells nothing", async () => {
    const { repo, postmortem } = setUp(api, postmortemBody());
    const closedAt = repo.issue(1)!.closed_at!;
    const { deps, told } = recordingDeps();
    const event = closedEvent(postmortem);

    const result = await handleApprovalEvent(event, deps);

    expect(result.decision).toBe("blocked");
    const gate = repo.comments.get(1)![0]!;
    expect(api.requests).toEqual([
      CONFIG_READS[0],
      ...READ_STATE,
      {
        method: "POST",
        path: `/repos/${OWNER}/${REPO}/issues/1/comments`,
        body: { body: gate.body },
      },
      { method: "PATCH", path: `/repos/${OWNER}/${REPO}/issues/1`, body: { state: "open" } },
      ...READ_STATE,
    ]);
    expect(told).toEqual([
      [
        {
          event: "close-blocked",
          key: `close-blocked:#1:${closedAt}`,
          issueNumber: 1,
          postmortem: 1,
          severity: undefined,
          title: "Post-mortem: Checkout returns 500",
          url: URL,
          // No approver is named and the default roles list nobody: the assignees must act.
          people: ["pat"],
          detail:
            "reopened, approvals missing: “Approved By (Tech Lead)”, “Approved By (Product/Business)”, “Date of Final Review”, “Communication Sent to Team (Yes/No)”",
        },
      ],
    ]);

    // The same delivery again: the post-mortem is open now, nothing is reopened, nothing told.
    const before = api.requests.length;
    await handleApprovalEvent(event, deps);
    expect(api.requests.slice(before).filter((request) => request.method !== "GET")).toEqual([]);
    expect(told).toHaveLength(1);
  });

  it('approved: told once, when the close of a "gate":2 post-mortem is recorded', async () => {
    const gated = postmortemBody(COMPLETE).replace('{"incident":12}', '{"incident":12,"gate":2}');
    const { repo, postmortem } = setUp(api, gated);
    api.expect(`GET /repos/${OWNER}/${REPO}/collaborators/{username}/permission`, {
      persist: true,
      reply: [200, { permission: "write", role_name: "write", user: null }],
    });
    const tina = repo.addComment(1, { body: "/approve tl", user: "tina" });
    const paul = repo.addComment(1, { body: "/approve product", user: "paul" });
    const closedAt = repo.issue(1)!.closed_at!;
    const { deps, told } = recordingDeps();
    const event = closedEvent(postmortem);

    await handleApprovalEvent(event, deps);
    await handleApprovalEvent(event, deps);

    const recorded = gated.replace(
      '{"incident":12,"gate":2}',
      `{"incident":12,"gate":2,"closed":"${closedAt}"}`,
    );
    // The requests are the App test's (test/app/approval-gate.test.ts), the notices besides.
    const judging = [
      ...READ_STATE,
      {
        method: "POST",
        path: "/graphql",
        body: { query: LAST_EDITED_QUERY, variables: { ids: [tina.node_id, paul.node_id] } },
      },
    ];
    const people = ["tina", "paul"].map((login) => ({
      method: "GET",
      path: `/repos/${OWNER}/${REPO}/collaborators/${login}/permission`,
    }));
    expect(api.requests).toEqual([
      CONFIG_READS[0],
      ...judging,
      ...people,
      { method: "PATCH", path: `/repos/${OWNER}/${REPO}/issues/1`, body: { body: recorded } },
      ...judging,
      CONFIG_READS[0],
      ...judging,
      ...people,
    ]);
    expect(told).toEqual([
      [
        {
          event: "approved",
          key: "approved:#1",
          issueNumber: 1,
          postmortem: 1,
          severity: undefined,
          title: "Post-mortem: Checkout returns 500",
          url: URL,
          people: ["pat"],
          detail: "closed with complete approvals (@tina, @paul)",
        },
      ],
    ]);
  });

  it("where the App only reports (the Action enforces), it tells nothing", async () => {
    const { postmortem } = setUp(api, postmortemBody(), "");
    const { deps, told } = recordingDeps();
    const result = await handleApprovalEvent(closedEvent(postmortem), deps);
    expect(result.decision).toBe("blocked");
    expect(told).toEqual([]);
  });
});
