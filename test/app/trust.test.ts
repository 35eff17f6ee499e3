// Whose hidden markers count (src/core/trust/writers.ts): only the App's own bot's, and
// github-actions[bot]'s where the configuration has the Action write. `github-actions[bot]` is
// every workflow of the repository and any other installed App is a Bot too: neither may forge
// the product's state. And a body holding two markers of a kind holds none (src/core/markers.ts).
import { describe, expect, it } from "vitest";
import { itemKey } from "../../src/core/capa/items.js";
import { createPostmortemApp } from "../../src/app/app.js";
import { formatMarker } from "../../src/core/markers.js";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import { FakeRepo } from "../support/repo-state.js";
import { webhook } from "../support/webhooks.js";
import { renderedPostmortem } from "../core/capa/fixtures.js";
import { postmortemBody } from "../core/approvals/fixtures.js";
import {
  app,
  asPayloadIssue,
  BOT,
  CONFIG_READS,
  edited,
  labeled,
  NOW,
  OWNER,
  postmortemsIn,
  REPO,
  repositoryWithIncident,
  serveAssignees,
  serveConfig,
  servePermissions,
} from "./harness.js";

const OTHER_APP = "other-app[bot]";
const ACTIONS = "github-actions[bot]";

describe("markers written by any other bot change nothing", () => {
  const api = useFakeGitHub();

  it.each([OTHER_APP, ACTIONS])(
    "a post-mortem-looking issue %s opened for the incident is not its post-mortem: the App opens its own",
    async (forger) => {
      const { repo, incident } = repositoryWithIncident(api);
      serveConfig(api);
      const forged = repo.addIssue({
        title: "Post-mortem: Checkout returns 500",
        body: renderedPostmortem().replace('{"incident":12,', '{"incident":1,'),
        labels: ["postmortem"],
        user: forger,
      });
      const { deliver } = await createTestProbot(app);

      await deliver(labeled(incident));

      const own = postmortemsIn(repo).filter((issue) => issue.number !== forged.number);
      expect(own.map((issue) => issue.user.login)).toEqual([BOT]);
      // The link on the incident names the App's post-mortem, not the forged one.
      const links = (repo.comments.get(incident.number) ?? []).filter((c) =>
        c.body.includes("postmortem-bot:link"),
      );
      expect(links.map((c) => c.body)).toEqual([
        `📝 Post-mortem opened: #${own[0]!.number}\n\n${formatMarker("link", { postmortem: own[0]!.number })}`,
      ]);
      expect(forged.state).toBe("open");
      const writes = api.requests.filter((r) => r.method !== "GET");
      expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
        "POST /repos/acme/web/issues",
        `POST /repos/acme/web/issues/${incident.number}/comments`,
      ]);
    },
  );

  it.each([OTHER_APP, ACTIONS])(
    "a CAPA child %s opened for a checked box is no child: the App opens its own",
    async (forger) => {
      const repo = new FakeRepo(OWNER, REPO, { now: NOW }).serve(api);
      repo.addIssue({ title: "Checkout returns 500", labels: ["incident"], user: "alice" });
      const before = renderedPostmortem().replace('{"incident":12,', '{"incident":1,');
      const postmortem = repo.addIssue({
        title: "Post-mortem: Checkout returns 500",
        body: before.replace("- [ ] Update runbooks/playbooks", "- [x] Update runbooks/playbooks"),
        labels: ["postmortem"],
        user: BOT,
      });
      // Another bot's issue that says it is that box's child (labelled, the marker naming both).
      const forged = repo.addIssue({
        title: "CAPA: Update runbooks/playbooks",
        body: `Ours now.\n\n${formatMarker("capa", { parent: postmortem.number, key: itemKey("Update runbooks/playbooks") })}`,
        labels: ["capa"],
        user: forger,
      });
      serveConfig(api);
      serveAssignees(api);
      servePermissions(api, { alice: "write" });
      const { deliver } = await createTestProbot(app);

      await deliver(edited(postmortem, before, "alice"));

      const children = repo.issues.filter((i) => i.labels.some((l) => l.name === "capa"));
      const own = children.filter((child) => child.number !== forged.number);
      expect(own.map((child) => [child.title, child.user.login])).toEqual([
        ["CAPA: Update runbooks/playbooks", BOT],
      ]);
      // The forged issue is neither linked nor closed as a duplicate of the App's child.
      expect(forged.state).toBe("open");
      expect(repo.issue(postmortem.number)!.body).toContain(`#${own[0]!.number}`);
      expect(repo.issue(postmortem.number)!.body).not.toContain(`#${forged.number}`);
      const writes = api.requests.filter((r) => r.method !== "GET");
      expect(writes.some((r) => r.path.includes(`/issues/${forged.number}`))).toBe(false);
    },
  );
});

describe("the gate's and the guard's markers", () => {
  const api = useFakeGitHub();
  const READ_STATE = [
    { method: "GET", path: `/repos/${OWNER}/${REPO}/issues/1` },
    {
      method: "GET",
      path: `/repos/${OWNER}/${REPO}/issues/1/comments`,
      query: { per_page: "100" },
    },
  ];

  it.each([OTHER_APP, ACTIONS])(
    "where the App enforces the gate, a gate comment by %s is not the App's: it writes its own and leaves that one",
    async (forger) => {
      const repo = new FakeRepo(OWNER, REPO, { now: NOW }).serve(api);
      const postmortem = repo.addIssue({
        title: "Post-mortem: Checkout returns 500",
        body: postmortemBody(),
        labels: ["postmortem"],
        state: "closed",
        user: BOT,
      });
      const forged = repo.addComment(1, {
        body: `✅ Approved.\n\n${formatMarker("gate", { issue: 1 })}`,
        user: forger,
      });
      serveConfig(api, { repo: "gate:\n  enforceInApp: true\n" });
      const { deliver } = await createTestProbot(app);

      await deliver(
        webhook("issues.closed")
          .repo(OWNER, REPO)
          .issue({ ...asPayloadIssue(postmortem), state: "closed", state_reason: "completed" })
          .sender("dave")
          .installation(1),
      );

      const comments = repo.comments.get(1) ?? [];
      expect(comments.map((c) => c.user.login)).toEqual([forger, BOT]);
      expect(comments[0]!.body).toBe(forged.body);
      expect(api.requests).toEqual([
        CONFIG_READS[0],
        ...READ_STATE,
        {
          method: "POST",
          path: `/repos/${OWNER}/${REPO}/issues/1/comments`,
          body: { body: comments[1]!.body },
        },
        { method: "PATCH", path: `/repos/${OWNER}/${REPO}/issues/1`, body: { state: "open" } },
        ...READ_STATE,
      ]);
    },
  );

  it("a second post-mortem marker put in a body makes it hold none: the guard puts back the App's alone", async () => {
    const MARKER = '<!-- postmortem-bot:postmortem {"incident":1} -->';
    const BODY = `# Post-Mortem Report\n\n## 9. Approvals & Final Notes\n- **Approved By (Tech Lead):**\n\n${MARKER}\n`;
    const repo = new FakeRepo(OWNER, REPO, { now: NOW }).serve(api);
    repo.addIssue({ title: "Checkout returns 500", labels: ["incident"], user: "alice" });
    const postmortem = repo.addIssue({
      title: "Post-mortem: Checkout returns 500",
      body: BODY,
      labels: ["postmortem"],
      user: BOT,
    });
    serveConfig(api);
    servePermissions(api, { dave: "write" });
    const { deliver } = await createTestProbot(app);

    // Kept the App's marker, and added one of their own after it, lying in wait: were the first
    // marker to win, removing the App's later would leave theirs in charge.
    const theirs = `${BODY}\n<!-- postmortem-bot:postmortem {"incident":99} -->\n`;
    repo.issue(2)!.body = theirs;
    await deliver(edited({ ...postmortem, body: theirs }, BODY, "dave"));

    expect(repo.issue(2)!.body).toBe(`${BODY}\n\n`);
    expect((repo.issue(2)!.body ?? "").match(/postmortem-bot:postmortem/g)).toHaveLength(1);
    expect(api.requests.filter((r) => r.method !== "GET")).toEqual([
      { method: "PATCH", path: `/repos/${OWNER}/${REPO}/issues/2`, body: { body: `${BODY}\n\n` } },
      {
        method: "POST",
        path: `/repos/${OWNER}/${REPO}/issues/2/comments`,
        body: {
          body:
            "🔒 @dave removed or changed the post-mortem's hidden marker, so it was put back: this issue stays a post-mortem, and its close gate, reminders and release gate go on. Only someone with maintain permission or more can change that.\n\n" +
            '<!-- postmortem-bot:guard {"issue":2,"what":"marker"} -->',
        },
      },
    ]);
  });
});

describe("the App learns its own login", () => {
  const api = useFakeGitHub();

  it("once per process, with GET /app, before the first delivery that has work; not per delivery", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api);
    api.expect("GET /app", {
      reply: [
        200,
        {
          id: 1,
          slug: "postmortem-bot",
          node_id: "MDM6QXBwMQ==",
          owner: null,
          name: "postmortem-bot",
          description: null,
          external_url: "https://example.com",
          html_url: "https://github.com/apps/postmortem-bot",
          created_at: "2026-01-01T00:00:00Z",
          updated_at: "2026-01-01T00:00:00Z",
          permissions: {},
          events: [],
        },
      ],
    });
    const { deliver } = await createTestProbot(createPostmortemApp({ now: () => NOW }));

    await deliver(labeled(incident));
    await deliver(labeled(incident));

    const own = postmortemsIn(repo);
    expect(own.map((issue) => issue.user.login)).toEqual([BOT]);
    const appReads = api.requests.filter((r) => r.path === "/app");
    expect(appReads).toEqual([{ method: "GET", path: "/app" }]);
    // Asked first: the flows need it to tell the App's post-mortems from anyone else's.
    expect(api.requests[0]).toEqual({ method: "GET", path: "/app" });
  });
});
