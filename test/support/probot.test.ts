import type { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "./github-api.js";
import { createTestProbot, TestOctokit } from "./probot.js";
import { FakeRepo } from "./repo-state.js";
import { webhook } from "./webhooks.js";

/** A tiny app: thanks the author of every new issue. */
const thankYouApp = (app: Probot) => {
  app.on("issues.opened", async (context) => {
    const login = context.payload.issue.user?.login ?? "ghost";
    await context.octokit.rest.issues.createComment(context.issue({ body: `Thanks @${login}!` }));
  });
};

describe("createTestProbot", () => {
  const api = useFakeGitHub();

  it("runs an app against the fake API, authenticating as the installation", async () => {
    api.expect("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      body: { body: "Thanks @bob!" },
      reply: [201, { id: 1 }],
    });
    const { receive } = await createTestProbot(thankYouApp);
    const event = webhook("issues.opened")
      .repo("acme", "web")
      .issue({ number: 3, user: "bob" })
      .installation(99);

    await receive("issues.opened", event.payload);

    expect(api.requests).toEqual([
      { method: "POST", path: "/repos/acme/web/issues/3/comments", body: { body: "Thanks @bob!" } },
    ]);
    expect(api.allRequests[0]).toEqual({
      method: "POST",
      path: "/app/installations/99/access_tokens",
    });
    expect(api.log[0]?.headers.authorization).toMatch(/^bearer ey/);
    expect(api.log[1]?.headers.authorization).toBe("token ghs_fake_installation_token_99");
  });

  it("surfaces handler errors from receive, and does not retry", async () => {
    api.expect("POST /repos/acme/web/issues/1/comments", {
      reply: [502, { message: "Bad Gateway" }],
    });
    const { deliver } = await createTestProbot(thankYouApp);
    await expect(
      deliver(webhook("issues.opened").repo("acme", "web").installation(1)),
    ).rejects.toThrow(/Bad Gateway/);
    expect(api.requests).toHaveLength(1);
  });

  it("rejects payloads that do not match @octokit/openapi-webhooks", async () => {
    const { receive } = await createTestProbot(thankYouApp);
    const payload = webhook("issues.opened")
      .installation(1)
      .edit((p) => {
        (p.issue as { number: unknown }).number = "3";
      }).payload;
    await expect(receive("issues.opened", payload)).rejects.toThrow(
      /receive\("issues.opened"\): the payload does not match[\s\S]*issues.opened\/issue\/number must be integer/,
    );
    expect(api.requests).toEqual([]);
  });

  it("keeps logs in memory", async () => {
    const { probot, logs } = await createTestProbot((app) => app.log.info({ x: 1 }, "loaded"));
    expect(probot).toBeDefined();
    expect(logs).toContainEqual({ level: "info", msg: "loaded", data: { name: "probot", x: 1 } });
  });

  it("does not throttle writes (TestOctokit)", async () => {
    new FakeRepo("acme", "web").serve(api);
    const app = (probot: Probot) =>
      probot.on("issues.opened", async (context) => {
        for (let i = 0; i < 3; i++)
          await context.octokit.rest.issues.create(context.repo({ title: `#${i}` }));
      });
    const { deliver } = await createTestProbot(app, { Octokit: TestOctokit });
    const started = Date.now();
    await deliver(webhook("issues.opened").repo("acme", "web").installation(1));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(api.requests.map((r) => r.body)).toEqual([
      { title: "#0" },
      { title: "#1" },
      { title: "#2" },
    ]);
  });
});
