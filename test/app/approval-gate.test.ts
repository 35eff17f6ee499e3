import { describe, expect, it } from "vitest";
import { formatMarker } from "../../src/core/markers.js";
import { LAST_EDITED_QUERY } from "../../src/github/approval-gateway.js";
import type { FakeGitHub } from "../support/github-api.js";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import type { FakeIssue } from "../support/repo-state.js";
import { FakeRepo } from "../support/repo-state.js";
import { makeUser, webhook } from "../support/webhooks.js";
import { COMPLETE, postmortemBody } from "../core/approvals/fixtures.js";
import { app, CONFIG_READS, NOW, OWNER, REPO, asPayloadIssue, serveConfig } from "./harness.js";

// Only the repository file exists, so the org `.github` repository is not read.
const ENFORCE = "gate:\n  enforceInApp: true\n";
const GATE_MARKER = formatMarker("gate", { issue: 1 });

function setUp(
  api: FakeGitHub,
  options: { config?: string; labels?: string[]; body?: string } = {},
) {
  const repo = new FakeRepo(OWNER, REPO, { now: NOW }).serve(api);
  const postmortem = repo.addIssue({
    title: "Post-mortem: Checkout returns 500",
    body: options.body ?? postmortemBody(),
    labels: options.labels ?? ["postmortem"],
    state: "closed",
  });
  serveConfig(api, { repo: options.config ?? ENFORCE });
  return { repo, postmortem };
}

function permissions(api: FakeGitHub, roles: Record<string, string>) {
  api.expect(`GET /repos/${OWNER}/${REPO}/collaborators/{username}/permission`, {
    persist: true,
    reply: (request) => {
      const role = roles[String(request.params.username)] ?? "read";
      return [
        200,
        { permission: role === "maintain" ? "write" : role, role_name: role, user: null },
      ];
    },
  });
}

function closed(issue: FakeIssue, sender = "dave") {
  return webhook("issues.closed")
    .repo(OWNER, REPO)
    .issue({ ...asPayloadIssue(issue), state: "closed", state_reason: "completed" })
    .sender(sender)
    .installation(1);
}

function commented(issue: FakeIssue, comment: { id: number; body: string }, user: string) {
  return webhook("issue_comment.created")
    .repo(OWNER, REPO)
    .issue(asPayloadIssue(issue))
    .comment({ ...comment, user })
    .sender(user)
    .installation(1);
}

const READ_STATE = [
  { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/1` },
  { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/1/comments`, query: { per_page: "100" } },
];
/** The one GraphQL read of whether the command comments were edited. */
const editHistory = (...comments: { node_id: string }[]) => ({
  method: "POST",
  path: "/graphql",
  body: { query: LAST_EDITED_QUERY, variables: { ids: comments.map((c) => c.node_id) } },
});
const permissionRead = (login: string) => ({
  method: "GET",
  path: `/repos/${OWNER}/${REPO}/collaborators/${login}/permission`,
});

describe("the App's approval gate (gate.enforceInApp: true)", () => {
  const api = useFakeGitHub();

  it("reopens a post-mortem closed without approvals, with one comment saying what is missing", async () => {
    const { repo, postmortem } = setUp(api);
    const { deliver } = await createTestProbot(app);

    await deliver(closed(postmortem));

    const comments = repo.comments.get(1) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("🚫 **This post-mortem was reopened");
    expect(comments[0]!.body).toContain("- **Approved By (Tech Lead):** empty");
    expect(comments[0]!.body.endsWith(GATE_MARKER)).toBe(true);
    expect(api.requests).toEqual([
      CONFIG_READS[0],
      ...READ_STATE,
      {
        method: "POST",
        path: `/repos/${OWNER}/${REPO}/issues/1/comments`,
        body: { body: comments[0]!.body },
      },
      { method: "PATCH", path: `/repos/${OWNER}/${REPO}/issues/1`, body: { state: "open" } },
      ...READ_STATE,
    ]);
    expect(repo.issue(1)!.state).toBe("open");
  });

  it("a redelivery writes nothing more; a later close updates the same comment", async () => {
    const { repo, postmortem } = setUp(api);
    const { deliver } = await createTestProbot(app);
    const event = closed(postmortem);
    await deliver(event, "delivery-1");
    const before = api.requests.length;

    await deliver(event, "delivery-1");
    expect(api.requests.slice(before).filter((request) => request.method !== "GET")).toEqual([]);

    // Someone fills the date by hand and closes again: the one comment is updated in place.
    postmortem.body = postmortemBody({ date: "2026-11-27" });
    postmortem.state = "closed";
    await deliver(closed(postmortem));
    expect(repo.comments.get(1)).toHaveLength(1);
    expect(repo.comments.get(1)![0]!.body).not.toContain("Date of Final Review");
    expect(repo.issue(1)!.state).toBe("open");
  });

  it("/approve by an allowed person fills the field and reacts; by anyone else it is refused once", async () => {
    const { repo, postmortem } = setUp(api);
    postmortem.state = "open";
    permissions(api, { tina: "write", rita: "read" });
    api.expect(`POST /repos/${OWNER}/${REPO}/issues/comments/{comment_id}/reactions`, {
      body: { content: "+1" },
      reply: [201, { id: 1, content: "+1", user: makeUser("postmortem-bot[bot]") }],
    });
    const { deliver } = await createTestProbot(app);
    const approve = repo.addComment(1, { body: "/approve tl", user: "tina" });

    await deliver(commented(postmortem, approve, "tina"));

    expect(repo.issue(1)!.body).toBe(postmortemBody({ techLead: "@tina (2026-11-27)" }));
    expect(api.requests).toEqual([
      CONFIG_READS[0],
      // The commenter first: someone who may fill no role stops the run here.
      permissionRead("tina"),
      ...READ_STATE,
      editHistory(approve),
      {
        method: "PATCH",
        path: `/repos/${OWNER}/${REPO}/issues/1`,
        body: { body: postmortemBody({ techLead: "@tina (2026-11-27)" }) },
      },
      ...READ_STATE,
      editHistory(approve),
      {
        method: "POST",
        path: `/repos/${OWNER}/${REPO}/issues/comments/${approve.id}/reactions`,
        body: { content: "+1" },
      },
    ]);

    const before = api.requests.length;
    const refused = repo.addComment(1, { body: "/approve product", user: "rita" });
    await deliver(commented(postmortem, refused, "rita"));
    await deliver(commented(postmortem, refused, "rita"));
    const replies = repo.comments.get(1)!.filter((comment) => comment.user.login.endsWith("[bot]"));
    const reply = `@rita may not approve as “Approved By (Product/Business)”: it needs write permission to this repository and @rita has read. Nothing was written.\n\n${formatMarker("approve-refusal", { comment: refused.id, login: "rita" })}`;
    expect(replies.map((comment) => comment.body)).toEqual([reply]);
    // rita may fill no role: her permission, then the comments (for an earlier reply to her), only.
    const refusal = [permissionRead("rita"), READ_STATE[1]];
    expect(api.requests.slice(before)).toEqual([
      ...refusal,
      { method: "POST", path: `/repos/${OWNER}/${REPO}/issues/1/comments`, body: { body: reply } },
      ...refusal,
    ]);
  });

  it("a close after outsiders' /approve comments reads neither their access nor their edit history", async () => {
    const { repo, postmortem } = setUp(api);
    // The fake's comments carry author_association NONE: people without a role in the repository.
    for (const login of ["olga", "oscar", "otis"]) {
      repo.addComment(1, { body: "/approve", user: login });
    }
    const { deliver } = await createTestProbot(app);

    await deliver(closed(postmortem));

    const gate = repo.comments.get(1)!.at(-1)!;
    expect(gate.body).toContain("🚫 **This post-mortem was reopened");
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
  });

  it("team-based roles: a token that cannot read teams is a clear error, not a silent refusal", async () => {
    const config = `${ENFORCE}approvals:\n  roles:\n    techLead:\n      field: Approved By (Tech Lead)\n      aliases: [tl]\n      teams: [sre-leads]\n  required: [techLead]\n`;
    const { repo, postmortem } = setUp(api, { config });
    postmortem.state = "open";
    permissions(api, { tina: "write" });
    api.expect("GET /orgs/acme/teams/sre-leads/memberships/tina", {
      reply: [403, { message: "Resource not accessible by integration", status: "403" }],
    });
    const { deliver } = await createTestProbot(app);
    const approve = repo.addComment(1, { body: "/approve tl", user: "tina" });

    await expect(deliver(commented(postmortem, approve, "tina"))).rejects.toThrow(
      'Cannot read the membership of @tina in the team acme/sre-leads: the token lacks organization Members read (a role lists `teams`: give this App "Organization permissions → Members: read"',
    );
    expect(
      api.requests.filter((request) => request.method !== "GET" && request.path !== "/graphql"),
    ).toEqual([]);
  });

  it("an /approve comment GitHub updated without an edit (a reaction) counts; an edited one does not", async () => {
    const { repo, postmortem } = setUp(api, { body: postmortemBody(COMPLETE) });
    permissions(api, { tina: "write", paul: "write" });
    const tina = repo.addComment(1, { body: "/approve tl", user: "tina" });
    const paul = repo.addComment(1, { body: "/approve product", user: "paul" });
    // Whatever GitHub moves `updated_at` for, only `lastEditedAt` says "edited".
    tina.updated_at = "2026-11-27T13:30:00Z";
    const { deliver } = await createTestProbot(app);

    await deliver(closed(postmortem));

    expect(repo.issue(1)!.state).toBe("closed");
    expect(api.requests).toContainEqual(editHistory(tina, paul));

    // An admin edits paul's comment: it no longer proves anything, so the next close is refused.
    repo.lastEditedAt.set(paul.id, "2026-11-27T13:40:00Z");
    await deliver(closed(postmortem));

    expect(repo.issue(1)!.state).toBe("open");
    expect(repo.comments.get(1)!.at(-1)!.body).toContain("Approved By (Product/Business)");
  });

  it('records an approved close of a "gate":2 post-mortem in its marker, once (the release gate reads it)', async () => {
    const gated = postmortemBody(COMPLETE).replace('{"incident":12}', '{"incident":12,"gate":2}');
    const { repo, postmortem } = setUp(api, { body: gated });
    permissions(api, { tina: "write", paul: "write" });
    const tina = repo.addComment(1, { body: "/approve tl", user: "tina" });
    const paul = repo.addComment(1, { body: "/approve product", user: "paul" });
    const closedAt = repo.issue(1)!.closed_at!;
    const { deliver } = await createTestProbot(app);

    await deliver(closed(postmortem), "delivery-1");
    await deliver(closed(postmortem), "delivery-1");

    const recorded = gated.replace(
      '{"incident":12,"gate":2}',
      `{"incident":12,"gate":2,"closed":"${closedAt}"}`,
    );
    expect(repo.issue(1)!).toMatchObject({ state: "closed", body: recorded });
    const judging = [...READ_STATE, editHistory(tina, paul)];
    const people = [permissionRead("tina"), permissionRead("paul")];
    expect(api.requests).toEqual([
      CONFIG_READS[0],
      ...judging,
      ...people,
      { method: "PATCH", path: `/repos/${OWNER}/${REPO}/issues/1`, body: { body: recorded } },
      ...judging, // the verifying read (the people were looked up once)
      // The redelivery: judged again, already recorded, nothing written.
      ...judging,
      ...people,
    ]);
  });

  it("lets a close stand when a maintainer added the force-close label, and records it", async () => {
    const { repo, postmortem } = setUp(api, { labels: ["postmortem", "postmortem:force-close"] });
    permissions(api, { mia: "maintain" });
    api.expect(`GET /repos/${OWNER}/${REPO}/issues/1/events`, {
      persist: true,
      reply: [
        200,
        [
          {
            id: 1,
            event: "labeled",
            actor: makeUser("mia"),
            label: { name: "postmortem:force-close", color: "b60205" },
            created_at: "2026-11-27T13:05:00Z",
          },
        ],
      ],
    });
    const { deliver } = await createTestProbot(app);

    await deliver(closed(postmortem));

    expect(repo.issue(1)!.state).toBe("closed");
    expect(repo.comments.get(1)!.map((comment) => comment.body.split("\n")[0])).toEqual([
      "⚠️ **Closed without complete approvals.** @mia (maintain) added the `postmortem:force-close` label, which lets the close stand. Still missing:",
    ]);
  });

  it("does nothing but read the config where the App does not enforce (the default)", async () => {
    const { postmortem } = setUp(api, { config: "" });
    const { deliver } = await createTestProbot(app);

    await deliver(closed(postmortem));

    expect(api.requests.filter((request) => !request.path.includes("/contents/"))).toEqual([]);
  });
});
