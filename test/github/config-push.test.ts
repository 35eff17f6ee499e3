import { describe, expect, it } from "vitest";
import type { PushPayload } from "../../src/github/webhook-events.js";
import { ConfigCache, cacheKey } from "../../src/github/config-cache.js";
import { configFilesChangedBy } from "../../src/github/webhook-events.js";

function push(repo: string, paths: string[], options: { ref?: string; commits?: number } = {}) {
  const commit = { added: [], removed: [], modified: paths };
  return {
    ref: options.ref ?? "refs/heads/main",
    repository: { name: repo, owner: { login: "acme" }, default_branch: "main" },
    commits: Array.from({ length: options.commits ?? 1 }, () => commit),
  } satisfies PushPayload;
}

describe("which cached configurations a push makes stale", () => {
  it("the repository's own, when its .github/postmortem.yml changed on the default branch", () => {
    expect(configFilesChangedBy(push("web", [".github/postmortem.yml"]))).toEqual({
      owner: "acme",
      repo: "web",
    });
  });

  it("the repository's own (with its cached issue forms), when a form changed", () => {
    expect(configFilesChangedBy(push("web", [".github/ISSUE_TEMPLATE/incident.yml"]))).toEqual({
      owner: "acme",
      repo: "web",
    });
  });

  it("the repository's own (with its cached CODEOWNERS), when a CODEOWNERS file GitHub reads changed", () => {
    for (const path of [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]) {
      expect(configFilesChangedBy(push("web", [path]))).toEqual({ owner: "acme", repo: "web" });
    }
    expect(configFilesChangedBy(push("web", ["src/CODEOWNERS"]))).toBeUndefined();
  });

  it("none for other files, other branches, or no repository", () => {
    expect(configFilesChangedBy(push("web", ["README.md"]))).toBeUndefined();
    expect(
      configFilesChangedBy(push("web", [".github/postmortem.yml"], { ref: "refs/heads/dev" })),
    ).toBeUndefined();
    expect(configFilesChangedBy({ ref: "refs/heads/main" })).toBeUndefined();
  });

  it("every repository of the owner, when the org's .github repository changed a YAML file", () => {
    expect(configFilesChangedBy(push(".github", ["shared/postmortem-base.yml"]))).toEqual({
      owner: "acme",
    });
    expect(configFilesChangedBy(push(".github", ["profile/README.md"]))).toBeUndefined();
  });

  it("to be safe, when the push lists as many commits as GitHub shows (more may be hidden)", () => {
    expect(configFilesChangedBy(push("web", ["README.md"], { commits: 20 }))).toEqual({
      owner: "acme",
      repo: "web",
    });
  });
});

describe("forgetting a repository", () => {
  it("drops its configuration and its issue forms, and only those; forms are no configuration", async () => {
    const cache = new ConfigCache({ maxAgeMs: 60_000, now: () => 0 });
    // The reads below make no request: an API with nothing behind it.
    const request = Object.assign(() => Promise.reject(new Error("no request expected")), {
      endpoint: () => ({}),
      defaults: () => request,
    });
    const api = { request, paginate: request } as never;
    await cache.get(cacheKey("acme", "web"), api, () => Promise.resolve("web config"));
    await cache.get(cacheKey("acme", "web", "forms"), api, () => Promise.resolve("web forms"));
    await cache.get(cacheKey("acme", "webshop"), api, () => Promise.resolve("webshop config"));
    expect(cache.knownValues().sort()).toEqual(["web config", "webshop config"]);

    cache.forget("acme", "web");
    expect(cache.peek(cacheKey("acme", "web"))).toBeUndefined();
    expect(cache.peek(cacheKey("acme", "web", "forms"))).toBeUndefined();
    expect(cache.peek(cacheKey("acme", "webshop"))).toBe("webshop config");
  });
});
