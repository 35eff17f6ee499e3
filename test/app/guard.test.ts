// A post-mortem stays one: its label or marker removed by someone below
// approvals.forceClosePermission (default maintain) is put back, with one comment.
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import { webhook } from "../support/webhooks.js";
import { FakeRepo } from "../support/repo-state.js";
import type { FakeIssue } from "../support/repo-state.js";
import { makeUser } from "../support/webhooks.js";
import { app, asPayloadIssue, BOT, CONFIG_READS, edited, NOW, serveConfig } from "./harness.js";

/** An edit of a closed post-mortem (the payload says when it was closed). */
function editedClosed(issue: FakeIssue, from: string, sender: string) {
  return edited(issue, from, sender).issue({
    state: "closed",
    state_reason: "completed",
    closed_at: issue.closed_at!,
  });
}

const MARKER = '<!-- postmortem-bot:postmortem {"incident":1} -->';
const BODY = `# Post-Mortem Report\n\n## 6. Corrective and Preventive Actions (CAPA)\n- [ ] Add a check\n\n## 9. Approvals & Final Notes\n- **Approved By (Tech Lead):**\n\n${MARKER}\n`;
const LABEL_COMMENT =
  "🔒 @tina removed the `postmortem` label, so it was put back: this issue stays a post-mortem, and its close gate, reminders and release gate go on. Only someone with maintain permission or more can change that.\n\n" +
  '<!-- postmortem-bot:guard {"issue":2,"what":"label"} -->';

function unlabeled(issue: FakeIssue, label: string, sender: string) {
  return webhook("issues.unlabeled")
    .repo("acme", "web")
    .issue(asPayloadIssue(issue))
    .label(label)
    .sender(sender)
    .installation(1);
}

describe("a post-mortem's label and marker are put back", () => {
  const api = useFakeGitHub();
  const permission = (login: string, permission: string, times = 1) =>
    api.expect(`GET /repos/acme/web/collaborators/${login}/permission`, {
      times,
      reply: [200, { permission, role_name: permission, user: null }],
    });

  function repositoryWithPostmortem() {
    const repo = new FakeRepo("acme", "web", { now: NOW }).serve(api);
    repo.addIssue({ title: "Checkout returns 500", labels: ["incident"], user: "alice" });
    const postmortem = repo.addIssue({
      title: "Post-mortem: Checkout returns 500",
      body: BODY,
      labels: ["postmortem"],
      user: BOT,
    });
    return { repo, postmortem };
  }

  it("a triager's label removal is undone with one comment; a second removal gets no second comment", async () => {
    const { repo, postmortem } = repositoryWithPostmortem();
    serveConfig(api);
    permission("tina", "triage", 2);
    const { deliver } = await createTestProbot(app);

    repo.issue(2)!.labels = [];
    await deliver(unlabeled(postmortem, "postmortem", "tina"));
    repo.issue(2)!.labels = [];
    await deliver(unlabeled(postmortem, "postmortem", "tina"));

    expect(repo.issue(2)!.labels.map((label) => label.name)).toEqual(["postmortem"]);
    const pass = [
      { method: "GET", path: "/repos/acme/web/collaborators/tina/permission" },
      { method: "GET", path: "/repos/acme/web/issues/2" },
      { method: "GET", path: "/repos/acme/web/issues/2/comments", query: { per_page: "100" } },
    ];
    const putBack = {
      method: "POST",
      path: "/repos/acme/web/issues/2/labels",
      body: { labels: ["postmortem"] },
    };
    expect(api.requests).toEqual([
      ...CONFIG_READS,
      ...pass,
      putBack,
      { method: "POST", path: "/repos/acme/web/issues/2/comments", body: { body: LABEL_COMMENT } },
      ...pass.slice(1),
      ...pass,
      putBack,
      ...pass.slice(1),
    ]);
  });

  it("a maintainer's removal stands: one permission read, nothing written", async () => {
    const { repo, postmortem } = repositoryWithPostmortem();
    serveConfig(api);
    permission("mia", "maintain");
    const { deliver } = await createTestProbot(app);

    repo.issue(2)!.labels = [];
    await deliver(unlabeled(postmortem, "postmortem", "mia"));

    expect(repo.issue(2)!.labels).toEqual([]);
    expect(api.requests).toEqual([
      ...CONFIG_READS,
      { method: "GET", path: "/repos/acme/web/collaborators/mia/permission" },
    ]);
  });

  it("a writer's edit that drops or alters the marker gets it back, the rest of the edit kept", async () => {
    const { repo, postmortem } = repositoryWithPostmortem();
    serveConfig(api);
    permission("dave", "write");
    const { deliver } = await createTestProbot(app);

    const theirs = BODY.replace(
      MARKER,
      '<!-- postmortem-bot:postmortem {"incident":99} -->',
    ).replace("- **Approved By (Tech Lead):**", "- **Approved By (Tech Lead):** @dave");
    repo.issue(2)!.body = theirs;
    await deliver(edited(postmortem, BODY, "dave"));

    const restored = BODY.replace(
      "- **Approved By (Tech Lead):**",
      "- **Approved By (Tech Lead):** @dave",
    );
    expect(repo.issue(2)!.body).toBe(restored);
    const writes = api.requests.filter((request) => request.method !== "GET");
    expect(writes).toEqual([
      { method: "PATCH", path: "/repos/acme/web/issues/2", body: { body: restored } },
      {
        method: "POST",
        path: "/repos/acme/web/issues/2/comments",
        body: {
          body:
            "🔒 @dave removed or changed the post-mortem's hidden marker, so it was put back: this issue stays a post-mortem, and its close gate, reminders and release gate go on. Only someone with maintain permission or more can change that.\n\n" +
            '<!-- postmortem-bot:guard {"issue":2,"what":"marker"} -->',
        },
      },
    ]);
  });

  it('dropping only "gate":2 from the marker (which lets later runs judge a close) is put back too', async () => {
    const { repo, postmortem } = repositoryWithPostmortem();
    const gated = BODY.replace(
      MARKER,
      '<!-- postmortem-bot:postmortem {"incident":1,"gate":2} -->',
    );
    repo.issue(2)!.body = gated;
    serveConfig(api);
    permission("dave", "write");
    const { deliver } = await createTestProbot(app);

    repo.issue(2)!.body = BODY;
    await deliver(edited({ ...postmortem, body: BODY }, gated, "dave"));

    expect(repo.issue(2)!.body).toBe(gated);
  });

  it("the App's own edits and other labels cost nothing", async () => {
    const { repo, postmortem } = repositoryWithPostmortem();
    serveConfig(api);
    const { deliver } = await createTestProbot(app);
    await deliver(unlabeled(postmortem, "bug", "tina"));
    const before = api.requests.length;

    await deliver(edited(postmortem, BODY.replace("Report", "Rapport"), BOT));
    await deliver(unlabeled(repo.issue(1)!, "postmortem", "tina"));

    // The config read for the first: `bug` is no post-mortem label once the configuration is known.
    expect(api.requests.slice(0, before)).toEqual(CONFIG_READS);
    expect(api.requests.slice(before)).toEqual([]);
  });

  describe("a close recorded in the marker (the enforcing front door's write)", () => {
    const GATED = BODY.replace(
      MARKER,
      '<!-- postmortem-bot:postmortem {"incident":1,"gate":2} -->',
    );
    const record = (closedAt: string) =>
      GATED.replace('{"incident":1,"gate":2}', `{"incident":1,"gate":2,"closed":"${closedAt}"}`);

    function closedPostmortem(labels: string[]) {
      const repo = new FakeRepo("acme", "web", { now: NOW }).serve(api);
      repo.addIssue({ title: "Checkout returns 500", labels: ["incident"], user: "alice" });
      const postmortem = repo.addIssue({
        title: "Post-mortem: Checkout returns 500",
        body: GATED,
        labels,
        user: BOT,
        state: "closed",
      });
      return { repo, postmortem, closedAt: postmortem.closed_at! };
    }

    it("stands when the close gate lets the close stand (here a maintainer's force-close label)", async () => {
      const { repo, postmortem, closedAt } = closedPostmortem([
        "postmortem",
        "postmortem:force-close",
      ]);
      serveConfig(api);
      permission("github-actions[bot]", "write");
      permission("mia", "maintain");
      api.expect("GET /repos/acme/web/issues/2/events", {
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

      repo.issue(2)!.body = record(closedAt);
      await deliver(
        editedClosed({ ...postmortem, body: record(closedAt) }, GATED, "github-actions[bot]"),
      );

      expect(repo.issue(2)!.body).toBe(record(closedAt));
      expect(api.requests.filter((request) => request.method !== "GET")).toEqual([]);
      // The guard's reads (the CAPA flow then reads the edited post-mortem as for any edit).
      expect(api.requests.slice(0, 7)).toEqual([
        ...CONFIG_READS,
        { method: "GET", path: "/repos/acme/web/collaborators/github-actions%5Bbot%5D/permission" },
        { method: "GET", path: "/repos/acme/web/issues/2" },
        { method: "GET", path: "/repos/acme/web/issues/2/comments", query: { per_page: "100" } },
        { method: "GET", path: "/repos/acme/web/issues/2/events", query: { per_page: "100" } },
        { method: "GET", path: "/repos/acme/web/collaborators/mia/permission" },
      ]);
    });

    it("a writer's record of a close the gate would not let stand is put back", async () => {
      const { repo, postmortem, closedAt } = closedPostmortem(["postmortem"]);
      serveConfig(api);
      permission("dave", "write");
      const { deliver } = await createTestProbot(app);

      repo.issue(2)!.body = record(closedAt);
      await deliver(editedClosed({ ...postmortem, body: record(closedAt) }, GATED, "dave"));

      expect(repo.issue(2)!.body).toBe(GATED);
      expect(api.requests.filter((request) => request.method !== "GET")).toEqual([
        { method: "PATCH", path: "/repos/acme/web/issues/2", body: { body: GATED } },
        {
          method: "POST",
          path: "/repos/acme/web/issues/2/comments",
          body: {
            body:
              "🔒 @dave removed or changed the post-mortem's hidden marker, so it was put back: this issue stays a post-mortem, and its close gate, reminders and release gate go on. Only someone with maintain permission or more can change that.\n\n" +
              '<!-- postmortem-bot:guard {"issue":2,"what":"marker"} -->',
          },
        },
      ]);
    });

    it("the App's own marker edits are no guard event: no request", async () => {
      const { repo, postmortem, closedAt } = closedPostmortem(["postmortem"]);
      serveConfig(api);
      const { deliver } = await createTestProbot(app);
      await deliver(unlabeled(postmortem, "bug", "tina"));
      const before = api.requests.length;

      repo.issue(2)!.body = record(closedAt);
      await deliver(editedClosed({ ...postmortem, body: record(closedAt) }, GATED, BOT));
      await deliver(editedClosed({ ...postmortem, body: GATED }, record(closedAt), BOT));

      expect(api.requests.slice(before)).toEqual([]);
    });
  });
});
