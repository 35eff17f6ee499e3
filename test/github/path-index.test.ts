// The path index's reader (src/github/path-index.ts): found by label and creator, comments paged,
// trusted ones only, newest per post-mortem, through the configuration cache (no request while
// fresh, 304s after).
import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import type { IndexEntry } from "../../src/core/culprits/path-index.js";
import { encodeEntry, INDEX_LABEL } from "../../src/core/culprits/path-index.js";
import { formatMarker } from "../../src/core/markers.js";
import type { Writers } from "../../src/core/trust/writers.js";
import { ConfigCache } from "../../src/github/config-cache.js";
import { readPathIndex } from "../../src/github/path-index.js";
import { paginate, useFakeGitHub } from "../support/github-api.js";

const BOT = "postmortem-bot[bot]";
const WRITERS: Writers = { app: BOT, action: { login: "github-actions[bot]", parts: new Set() } };
const REPOSITORY = { owner: "acme", repo: "web", defaultBranch: "main" };
const AT = "2026-11-02T10:00:00Z";

function octokit() {
  return new Octokit({
    auth: "ghs_test",
    request: { retries: 0 },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

function entry(postmortem: number): IndexEntry {
  return {
    postmortem,
    title: `Incident ${postmortem}`,
    severity: "P2",
    private: false,
    openedAt: "2026-11-01T00:00:00Z",
    culprits: [{ pr: postmortem + 100, paths: [`src/${postmortem}.ts`], morePaths: 0 }],
    openCapa: [],
  };
}

function comment(id: number, body: string, login = BOT) {
  return {
    id,
    body,
    user: { login, type: login.endsWith("[bot]") ? "Bot" : "User" },
    created_at: AT,
    updated_at: AT,
  };
}

const marker = (postmortem: number) => formatMarker("path-index", encodeEntry(entry(postmortem)));

describe("readPathIndex", () => {
  const api = useFakeGitHub();

  function serveIssues(issues: { number: number; login: string }[]) {
    api.expect("GET /repos/acme/web/issues", {
      query: {
        labels: INDEX_LABEL,
        state: "all",
        creator: BOT,
        sort: "created",
        direction: "asc",
        per_page: "10",
      },
      reply: [
        200,
        issues.map((issue) => ({
          number: issue.number,
          user: { login: issue.login, type: issue.login.endsWith("[bot]") ? "Bot" : "User" },
        })),
      ],
    });
  }

  it("pages the comments, keeps the decodable trusted ones, then costs nothing while fresh", async () => {
    serveIssues([{ number: 90, login: BOT }]);
    const comments = [
      ...Array.from({ length: 140 }, (_, i) =>
        comment(1000 + i, `Post-mortem #${i + 1}\n\n${marker(i + 1)}`),
      ),
      comment(2000, "no marker at all"),
      comment(2001, '<!-- postmortem-bot:path-index {"v":1,"data":"bm90IGd6aXA="} -->'),
      comment(2002, marker(500), "mallory"),
    ];
    api.expect("GET /repos/acme/web/issues/90/comments", {
      times: 2,
      reply: (request) => paginate(request, comments),
    });
    let now = 0;
    const cache = new ConfigCache({ maxAgeMs: 60_000, now: () => now });
    const entries = await readPathIndex(octokit(), REPOSITORY, WRITERS, BOT, cache);
    expect(entries.map((e) => e.postmortem)).toEqual(Array.from({ length: 140 }, (_, i) => i + 1));
    expect(api.requests.map((r) => [r.path, r.query?.page])).toEqual([
      ["/repos/acme/web/issues", undefined],
      ["/repos/acme/web/issues/90/comments", undefined],
      ["/repos/acme/web/issues/90/comments", "2"],
    ]);
    // Fresh: no request at all.
    now = 59_000;
    expect(await readPathIndex(octokit(), REPOSITORY, WRITERS, BOT, cache)).toEqual(entries);
    expect(api.requests).toHaveLength(3);
  });

  it("revalidates with If-None-Match after CONFIG_MAX_AGE and keeps the cached answer on 304", async () => {
    api.expect("GET /repos/acme/web/issues", {
      replies: [
        [200, [{ number: 90, user: { login: BOT, type: "Bot" } }], { etag: '"i1"' }],
        [304],
      ],
    });
    api.expect("GET /repos/acme/web/issues/90/comments", {
      replies: [[200, [comment(1, marker(7))], { etag: '"c1"' }], [304]],
    });
    let now = 0;
    const cache = new ConfigCache({ maxAgeMs: 60_000, now: () => now });
    await readPathIndex(octokit(), REPOSITORY, WRITERS, BOT, cache);
    now = 61_000;
    const again = await readPathIndex(octokit(), REPOSITORY, WRITERS, BOT, cache);
    expect(again.map((e) => e.postmortem)).toEqual([7]);
    const conditional = api.log.slice(2).map((entry) => entry.headers["if-none-match"]);
    expect(conditional).toEqual(['"i1"', '"c1"']);
  });

  it("reads nothing more when the labelled issue was not opened by the product", async () => {
    serveIssues([{ number: 91, login: "mallory" }]);
    expect(await readPathIndex(octokit(), REPOSITORY, WRITERS, BOT)).toEqual([]);
    expect(api.requests).toHaveLength(1);
  });
});
