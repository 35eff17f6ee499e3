import { describe, expect, it } from "vitest";
import { createPostmortemApp } from "../../src/app/app.js";
import type { FakeGitHub } from "../support/github-api.js";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import { webhook } from "../support/webhooks.js";
import {
  expectOnePostmortem,
  labeled,
  NOW,
  OWNER,
  REPO,
  repositoryWithIncident,
} from "./harness.js";

const CONFIG_URL = `/repos/${OWNER}/${REPO}/contents/.github%2Fpostmortem.yml`;

/**
 * The repository's `.github/postmortem.yml`, answered as GitHub does: with an ETag, and 304 (no
 * body) to a request whose `If-None-Match` names the current one.
 */
function serveMutableConfig(api: FakeGitHub, initial: string) {
  const file = { content: initial, version: 1 };
  api.expect(`GET /repos/${OWNER}/${REPO}/contents/{path}`, {
    persist: true,
    name: "config with ETag",
    reply: (request) => {
      if (decodeURIComponent(String(request.params.path)) !== ".github/postmortem.yml") {
        return { status: 404, body: { message: "Not Found" } };
      }
      const etag = `"v${file.version}"`;
      if (request.headers["if-none-match"] === etag) {
        return { status: 304, headers: { etag } };
      }
      const headers: Record<string, string> = {
        "content-type": "application/vnd.github.raw+json; charset=utf-8",
        etag,
      };
      return { status: 200, body: file.content, headers };
    },
  });
  return {
    change(content: string) {
      file.content = content;
      file.version++;
    },
  };
}

/** The configuration reads among the requests, with the ETag each one sent. */
function configReads(api: FakeGitHub, from = 0) {
  return api.log
    .slice(from)
    .filter((entry) => entry.path === CONFIG_URL)
    .map((entry) => ({
      ifNoneMatch: entry.headers["if-none-match"],
      status: "status" in entry.reply ? entry.reply.status : 0,
    }));
}

/** A clock the test moves by hand. */
function movableClock() {
  let now = NOW.getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

function pushOf(paths: string[], ref = "refs/heads/main") {
  return webhook("push")
    .installation(1)
    .edit((payload) => {
      payload.ref = ref;
      payload.repository.name = REPO;
      payload.repository.full_name = `${OWNER}/${REPO}`;
      payload.repository.owner!.login = OWNER;
      payload.repository.owner!.name = OWNER;
      payload.repository.default_branch = "main";
      const person = { name: "Alice", email: "alice@example.com", username: "alice" };
      payload.commits = [
        {
          id: "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
          tree_id: "f9d2a07e9488b91af2641b26b9407fe22a451433",
          distinct: true,
          message: "Change the post-mortem settings",
          timestamp: "2026-11-27T13:00:00Z",
          url: `https://github.com/${OWNER}/${REPO}/commit/0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c`,
          author: person,
          committer: person,
          added: [],
          removed: [],
          modified: paths,
        },
      ];
    });
}

describe("the configuration cache", () => {
  const api = useFakeGitHub();

  it("a changed configuration takes effect within CONFIG_MAX_AGE, revalidated with If-None-Match", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["outage"] });
    const config = serveMutableConfig(api, "incidentLabels: [incident]\n");
    const clock = movableClock();
    const app = createPostmortemApp({
      now: clock.now,
      configMaxAgeMs: 60_000,
      appSlug: "postmortem-bot",
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident, "outage"));
    expect(configReads(api)).toEqual([{ ifNoneMatch: undefined, status: 200 }]);

    // Still fresh: no request; unchanged after the window: a 304, which costs no rate limit.
    clock.advance(59_000);
    await deliver(labeled(incident, "outage"));
    clock.advance(2_000);
    await deliver(labeled(incident, "outage"));
    expect(configReads(api)).toEqual([
      { ifNoneMatch: undefined, status: 200 },
      { ifNoneMatch: '"v1"', status: 304 },
    ]);
    expect(api.requests).toHaveLength(2);

    config.change("incidentLabels: [outage]\n");
    clock.advance(30_000);
    await deliver(labeled(incident, "outage"));
    expect(api.requests).toHaveLength(2); // within the window the old configuration holds
    clock.advance(31_000);
    await deliver(labeled(incident, "outage"));
    expect(configReads(api).at(-1)).toEqual({ ifNoneMatch: '"v1"', status: 200 });
    expect(expectOnePostmortem(repo).title).toBe("Post-mortem: Checkout returns 500");
  });

  it("a push that changes .github/postmortem.yml on the default branch takes effect at once", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["outage"] });
    const config = serveMutableConfig(api, "incidentLabels: [incident]\n");
    const app = createPostmortemApp({
      now: () => NOW,
      configMaxAgeMs: 60_000,
      appSlug: "postmortem-bot",
    });
    const { deliver } = await createTestProbot(app);
    await deliver(labeled(incident, "outage"));
    config.change("incidentLabels: [outage]\n");

    // Pushes elsewhere, or of other files, leave the cache alone (and cost no request).
    await deliver(pushOf([".github/postmortem.yml"], "refs/heads/feature"));
    await deliver(pushOf(["README.md"]));
    await deliver(labeled(incident, "outage"));
    expect(configReads(api)).toHaveLength(1);

    await deliver(pushOf([".github/postmortem.yml"]));
    await deliver(labeled(incident, "outage"));
    expect(configReads(api)).toEqual([
      { ifNoneMatch: undefined, status: 200 },
      { ifNoneMatch: undefined, status: 200 },
    ]);
    expect(expectOnePostmortem(repo).title).toBe("Post-mortem: Checkout returns 500");
  });
});
