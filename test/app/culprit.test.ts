// `/culprit` through the App (deliveries in-process, GitHub faked with nock): the pull requests
// checked, recorded in the post-mortem's marker with a Root Cause Analysis line, one comment on
// each, their paths in the path index (a closed, locked issue of one comment per post-mortem),
// and repeats linked as Possibly related.
import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { ApprovalGateway } from "../../src/github/approval-gateway.js";
import { handleCapaEvent } from "../../src/handlers/capa-handler.js";
import { reconcileRepository } from "../../src/handlers/reconcile-handler.js";
import { buildReport } from "../../src/handlers/report-handler.js";
import { decodeEntry, INDEX_LABEL } from "../../src/core/culprits/path-index.js";
import { findMarker, formatMarker } from "../../src/core/markers.js";
import type { FakeGitHub, IncomingRequest } from "../support/github-api.js";
import { useFakeGitHub, paginate } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import type { FakeIssue } from "../support/repo-state.js";
import { makeUser, webhook } from "../support/webhooks.js";
import { FakeRepo } from "../support/repo-state.js";
import {
  app,
  asPayloadIssue,
  NOW,
  commented,
  expectOnePostmortem,
  labeled,
  repositoryWithIncident,
  serveConfig,
} from "./harness.js";
import { childrenIn, personEdits, VALIDATION } from "./capa-harness.js";

interface FakePull {
  title: string;
  user: string;
  merged_at: string | null;
  state: "open" | "closed";
  files: string[];
}

/**
 * Pull requests (issues of the fake repository with `pull_request`), their files, and the routes
 * the index needs beyond FakeRepo's: locking an issue and deleting a comment.
 */
function servePulls(api: FakeGitHub, repo: FakeRepo, pulls: Record<number, FakePull>) {
  const byNumber = new Map<number, FakePull>();
  for (const pull of Object.values(pulls)) {
    const issue = repo.addIssue({ title: pull.title, user: pull.user });
    (issue as FakeIssue & { pull_request?: unknown }).pull_request = {
      url: `https://api.github.com/repos/acme/web/pulls/${issue.number}`,
    };
    byNumber.set(issue.number, pull);
  }
  const found = (request: IncomingRequest) => byNumber.get(Number(request.params.pull_number));
  api.expect("GET /repos/acme/web/pulls/{pull_number}", {
    persist: true,
    reply: (request) => {
      const pull = found(request);
      if (!pull) return [404, { message: "Not Found" }];
      const number = Number(request.params.pull_number);
      return [
        200,
        {
          number,
          title: pull.title,
          user: makeUser(pull.user),
          state: pull.state,
          merged_at: pull.merged_at,
          merged: pull.merged_at !== null,
          changed_files: pull.files.length,
        },
      ];
    },
  });
  api.expect("GET /repos/acme/web/pulls/{pull_number}/files", {
    persist: true,
    reply: (request) =>
      paginate(
        request,
        (found(request)?.files ?? []).map((filename) => ({
          sha: "0".repeat(40),
          filename,
          status: "modified",
          additions: 1,
          deletions: 1,
          changes: 2,
          blob_url: "https://github.com/acme/web/blob/x",
          raw_url: "https://github.com/acme/web/raw/x",
          contents_url: "https://api.github.com/repos/acme/web/contents/x",
        })),
      ),
  });
  api.expect("PUT /repos/acme/web/issues/{issue_number}/lock", {
    persist: true,
    reply: (request) => {
      const issue = repo.issue(Number(request.params.issue_number));
      if (!issue) return [404, { message: "Not Found" }];
      issue.locked = true;
      return [204];
    },
  });
  api.expect("DELETE /repos/acme/web/issues/comments/{comment_id}", {
    persist: true,
    reply: (request) => {
      const id = Number(request.params.comment_id);
      for (const [number, list] of repo.comments) {
        if (list.some((comment) => comment.id === id)) {
          repo.comments.set(
            number,
            list.filter((comment) => comment.id !== id),
          );
          return [204];
        }
      }
      return [404, { message: "Not Found" }];
    },
  });
  return [...byNumber.keys()];
}

const permission = (api: FakeGitHub, role: string, times = 1) =>
  api.expect("GET /repos/acme/web/collaborators/{username}/permission", {
    times,
    reply: [200, { permission: role === "triage" ? "read" : role, role_name: role, user: null }],
  });
const reaction = (api: FakeGitHub, comment = 7001, times = 1) =>
  api.expect(`POST /repos/acme/web/issues/comments/${comment}/reactions`, {
    times,
    body: { content: "+1" },
    reply: [201, {}],
  });

const PULLS: Record<number, FakePull> = {
  1: {
    title: "Cache the cart | @everyone <b>",
    user: "alice",
    state: "closed",
    merged_at: "2026-11-26T22:10:00Z",
    files: ["src/cart.ts", "src/cache.ts"],
  },
  2: {
    title: "Draft: rework sessions",
    user: "bob",
    state: "open",
    merged_at: null,
    files: ["src/session.ts", "src/cache.ts"],
  },
};

/** Incident #1 with its post-mortem #2, and pull requests #3 and #4. */
async function withPostmortem(api: FakeGitHub) {
  const { repo, incident } = repositoryWithIncident(api);
  serveConfig(api);
  const probot = await createTestProbot(app);
  await probot.deliver(labeled(incident));
  const postmortem = repo.issue(expectOnePostmortem(repo).number)!;
  expect(postmortem.number).toBe(2);
  const pulls = servePulls(api, repo, PULLS);
  expect(pulls).toEqual([3, 4]);
  const mark = api.requests.length;
  return { repo, incident, postmortem, requestsSince: () => api.requests.slice(mark), ...probot };
}

function indexIssue(repo: FakeRepo) {
  return repo.issues.find((issue) => issue.labels.some((label) => label.name === INDEX_LABEL));
}

function indexEntries(repo: FakeRepo, number: number) {
  return (repo.comments.get(number) ?? []).map((comment) =>
    decodeEntry(findMarker(comment.body, "path-index")),
  );
}

const writes = <R extends { method: string }>(requests: readonly R[]) =>
  requests.filter((request) => request.method !== "GET");

describe("/culprit", () => {
  const api = useFakeGitHub();

  it("records a pull request for a triager: marker, line, one comment on it, the index; a redelivery writes nothing", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    const before = repo.issue(2)!.body!;
    permission(api, "triage", 2);
    reaction(api, 7001, 2);
    const event = commented(postmortem, "/culprit #3", "carol");

    await deliver(event, "culprit-1");

    const body = repo.issue(2)!.body!;
    const line =
      "- **Contributing change:** #3 Cache the cart \\| `@everyone` \\<b\\> by @alice (merged 2026-11-26)";
    expect(body).toBe(
      before
        .replace("  - Monitoring/Alerting gaps?\n", `  - Monitoring/Alerting gaps?\n${line}\n`)
        .replace('"gate":2}', '"gate":2,"culprits":[{"pr":3,"commented":true}]}'),
    );
    const index = indexIssue(repo)!;
    expect(index).toMatchObject({
      number: 5,
      title: "postmortem-bot: path index (do not edit)",
      state: "closed",
      locked: true,
    });
    expect(index.user.login).toBe("postmortem-bot[bot]");
    const [entryComment] = repo.comments.get(5)!;
    expect(indexEntries(repo, 5)).toEqual([
      {
        postmortem: 2,
        title: postmortem.title,
        private: false,
        openedAt: new Date(postmortem.created_at).toISOString(),
        culprits: [{ pr: 3, paths: ["src/cart.ts", "src/cache.ts"], morePaths: 0 }],
        openCapa: [],
      },
    ]);
    expect(entryComment!.body).toMatch(/^Post-mortem #2: culprits #3, 2 paths\.\n\n<!-- /);
    const pullComment =
      'This pull request was recorded as a contributing cause of post-mortem #2.\n\n<!-- postmortem-bot:culprit {"postmortem":2} -->';
    expect(repo.comments.get(3)!.map((comment) => comment.body)).toEqual([pullComment]);

    expect(requestsSince()).toEqual([
      { method: "GET", path: "/repos/acme/web/issues/2" },
      { method: "GET", path: "/repos/acme/web/collaborators/carol/permission" },
      { method: "GET", path: "/repos/acme/web/pulls/3" },
      {
        method: "GET",
        path: "/repos/acme/web/issues",
        query: {
          labels: INDEX_LABEL,
          state: "all",
          creator: "postmortem-bot[bot]",
          per_page: "100",
        },
      },
      {
        method: "GET",
        path: "/repos/acme/web/issues",
        query: {
          labels: "postmortem",
          state: "all",
          sort: "created",
          direction: "asc",
          per_page: "100",
          since: "2026-05-31T13:00:00.000Z",
        },
      },
      {
        method: "GET",
        path: "/repos/acme/web/pulls/3/files",
        query: { per_page: "100", page: "1" },
      },
      {
        method: "GET",
        path: "/repos/acme/web/issues/3/comments",
        query: { per_page: "100" },
      },
      {
        method: "POST",
        path: "/repos/acme/web/issues/3/comments",
        body: { body: pullComment },
      },
      { method: "PATCH", path: "/repos/acme/web/issues/2", body: { body } },
      { method: "GET", path: "/repos/acme/web/issues/2" },
      // Another replica's copy of the comment would be deleted now.
      {
        method: "GET",
        path: "/repos/acme/web/issues/3/comments",
        query: { per_page: "100" },
      },
      {
        method: "GET",
        path: "/repos/acme/web/issues/2/sub_issues",
        query: { per_page: "100" },
      },
      {
        method: "POST",
        path: "/repos/acme/web/issues",
        body: {
          title: "postmortem-bot: path index (do not edit)",
          body: index.body,
          labels: [INDEX_LABEL],
          assignees: [],
        },
      },
      {
        method: "GET",
        path: "/repos/acme/web/issues",
        query: {
          labels: INDEX_LABEL,
          state: "all",
          creator: "postmortem-bot[bot]",
          per_page: "100",
        },
      },
      {
        method: "GET",
        path: "/repos/acme/web/issues/5/comments",
        query: { per_page: "100" },
      },
      {
        method: "PATCH",
        path: "/repos/acme/web/issues/5",
        body: { state: "closed", state_reason: "completed" },
      },
      { method: "PUT", path: "/repos/acme/web/issues/5/lock" },
      {
        method: "GET",
        path: "/repos/acme/web/issues",
        query: {
          labels: INDEX_LABEL,
          state: "all",
          creator: "postmortem-bot[bot]",
          per_page: "100",
        },
      },
      {
        method: "GET",
        path: "/repos/acme/web/issues/5/comments",
        query: { per_page: "100" },
      },
      {
        method: "POST",
        path: "/repos/acme/web/issues/5/comments",
        body: { body: entryComment!.body },
      },
      {
        method: "GET",
        path: "/repos/acme/web/issues",
        query: {
          labels: INDEX_LABEL,
          state: "all",
          creator: "postmortem-bot[bot]",
          per_page: "100",
        },
      },
      {
        method: "GET",
        path: "/repos/acme/web/issues/5/comments",
        query: { per_page: "100" },
      },
      {
        method: "POST",
        path: "/repos/acme/web/issues/comments/7001/reactions",
        body: { content: "+1" },
      },
    ]);

    const mark = api.requests.length;
    await deliver(event, "culprit-1");
    expect(writes(api.requests.slice(mark))).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/comments/7001/reactions",
        body: { content: "+1" },
      },
    ]);
    expect(repo.issue(2)!.body).toBe(body);
    expect(repo.comments.get(3)).toHaveLength(1);
    expect(repo.comments.get(5)).toHaveLength(1);
  });

  it("refuses a reader once, with one reply, and records nothing; a redelivery adds no reply", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    const before = repo.issue(2)!.body;
    permission(api, "read", 3);
    const event = commented(postmortem, "/culprit #3", "mallory");

    await deliver(event, "d-1");
    await deliver(event, "d-1");
    // Another command of the same person: still no second reply.
    await deliver(commented(postmortem, "/culprit #4", "mallory", 7002), "d-2");

    expect(repo.issue(2)!.body).toBe(before);
    expect(writes(requestsSince())).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/2/comments",
        body: {
          body: '`@mallory`, `/culprit` needs triage access or more to this repository, so nothing was recorded.\n\n<!-- postmortem-bot:culprit-reply {"comment":7001,"person":"mallory"} -->',
        },
      },
    ]);
    expect(indexIssue(repo)).toBeUndefined();
  });

  it("answers an unknown number and an issue's number once, and records nothing", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    const before = repo.issue(2)!.body;
    permission(api, "maintain", 2);
    const event = commented(postmortem, "/culprit #3 #1 #99", "carol");

    await deliver(event, "d-1");
    await deliver(event, "d-1");

    expect(repo.issue(2)!.body).toBe(before);
    expect(writes(requestsSince())).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/2/comments",
        body: {
          body: '`@carol`, #1 is an issue, not a pull request; there is no pull request #99. Nothing was recorded.\n\n<!-- postmortem-bot:culprit-reply {"comment":7001} -->',
        },
      },
    ]);
    expect(repo.comments.get(3) ?? []).toEqual([]);
    expect(indexIssue(repo)).toBeUndefined();
  });

  it("answers a malformed command once", async () => {
    const { postmortem, deliver, requestsSince } = await withPostmortem(api);
    permission(api, "triage", 2);
    const event = commented(postmortem, "/culprit the cache change", "carol");
    await deliver(event, "d-1");
    await deliver(event, "d-1");
    expect(writes(requestsSince())).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/2/comments",
        body: {
          body: '`@carol`, I could not read that `/culprit` command. Write `/culprit #41 #42` (record) or `/culprit -#41` (remove).\n\n<!-- postmortem-bot:culprit-reply {"comment":7001} -->',
        },
      },
    ]);
  });

  it("removes a culprit with -#PR: its line, its record and its index entry", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    const before = repo.issue(2)!.body!;
    permission(api, "triage", 2);
    reaction(api, 7001);
    reaction(api, 7002);
    await deliver(commented(postmortem, "/culprit #3 #4", "carol"), "d-1");
    const both = repo.issue(2)!.body!;
    expect(findMarker(both, "postmortem")?.culprits).toEqual([
      { pr: 3, commented: true },
      { pr: 4, commented: true },
    ]);
    expect(both).toContain(
      "- **Contributing change:** #4 Draft: rework sessions by @bob (not merged yet)\n",
    );
    expect(indexEntries(repo, 5).map((entry) => entry?.culprits.map((c) => c.pr))).toEqual([
      [3, 4],
    ]);

    await deliver(commented(repo.issue(2)!, "/culprit -#3", "carol", 7002), "d-2");

    const body = repo.issue(2)!.body!;
    expect(findMarker(body, "postmortem")?.culprits).toEqual([{ pr: 4, commented: true }]);
    expect(body).not.toContain("#3 Cache the cart");
    expect(body).toBe(
      both
        .replace(/- \*\*Contributing change:\*\* #3 .*\n/, "")
        .replace(
          '"culprits":[{"pr":3,"commented":true},{"pr":4,"commented":true}]',
          '"culprits":[{"pr":4,"commented":true}]',
        ),
    );
    // One comment, the new one (the old one deleted).
    expect(indexEntries(repo, 5).map((entry) => entry?.culprits.map((c) => c.pr))).toEqual([[4]]);
    expect(before).not.toContain("Contributing change");
  });

  it("handles two deliveries of one command at once exactly once", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    permission(api, "triage", 2);
    reaction(api, 7001, 2);
    const event = commented(postmortem, "/culprit #3", "carol");

    await Promise.all([deliver(event, "d-1"), deliver(event, "d-1-again")]);

    expect(repo.comments.get(3)).toHaveLength(1);
    expect(repo.comments.get(5)).toHaveLength(1);
    expect(repo.issue(2)!.body!.match(/Contributing change/g)).toHaveLength(1);
    expect(repo.issues.filter((issue) => issue.title.includes("path index"))).toHaveLength(1);
  });

  it("deletes the copy of its pull request comment that another replica wrote at the same moment", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    permission(api, "triage");
    reaction(api);
    const ids: number[] = [];
    api.expect("POST /repos/acme/web/issues/3/comments", {
      reply: (request) => {
        const body = String((request.body as { body: string }).body);
        ids.push(repo.addComment(3, { body }).id); // the other replica's
        const own = repo.addComment(3, { body });
        ids.push(own.id);
        return [201, own];
      },
    });

    await deliver(commented(postmortem, "/culprit #3", "carol"), "d-1");

    const comments = repo.comments.get(3)!;
    expect(comments).toHaveLength(1);
    // The oldest (lowest id, as GitHub numbers them) stays.
    expect(comments[0]!.id).toBe(Math.min(...ids));
    expect(api.requests.filter((request) => request.method === "DELETE")).toEqual([
      { method: "DELETE", path: `/repos/acme/web/issues/comments/${Math.max(...ids)}` },
    ]);
  });

  it("feeds the report: the most implicated paths from one read of the index", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, { repo: "identity:\n  app: postmortem-bot\n" });
    const { deliver } = await createTestProbot(app);
    await deliver(labeled(incident));
    servePulls(api, repo, PULLS);
    permission(api, "triage");
    reaction(api);
    await deliver(commented(repo.issue(2)!, "/culprit #3 #4", "carol"), "d-1");
    const gateway = sweepDeps().gateway.base;
    const mark = api.requests.length;

    const built = await buildReport(gateway, { since: "2026-11-01", until: "2026-11-30" }, NOW);

    expect(built.ok && built.report.culprits).toEqual({
      withCulprits: 1,
      repeats: [],
      implicatedPaths: [
        { path: "src/cache.ts", postmortems: 1 },
        { path: "src/cart.ts", postmortems: 1 },
        { path: "src/session.ts", postmortems: 1 },
      ],
    });
    const index = indexIssue(repo)!.number;
    expect(
      api.requests
        .slice(mark)
        .filter(
          (request) =>
            request.query?.labels === INDEX_LABEL ||
            request.path === `/repos/acme/web/issues/${index}/comments`,
        ),
    ).toHaveLength(2);
  });

  /** A second incident (#5) and its post-mortem (#6), after #2 and the pull requests. */
  async function secondPostmortem(
    repo: FakeRepo,
    deliver: (b: never, id?: string) => Promise<void>,
  ) {
    const incident = repo.addIssue({
      title: "Cart empties at random",
      body: "Carts lose items.",
      labels: ["incident"],
      user: "erin",
    });
    expect(incident.number).toBe(5);
    await deliver(labeled(incident) as never);
    const postmortem = repo.issues.find(
      (issue) => issue.number > 5 && findMarker(issue.body, "postmortem")?.incident === 5,
    )!;
    expect(postmortem.number).toBe(6);
    return postmortem;
  }

  it("links a repeat as Possibly related on both post-mortems, once", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    const second = await secondPostmortem(repo, deliver);
    permission(api, "triage", 3);
    reaction(api, 7001);
    reaction(api, 7002, 2);
    await deliver(commented(postmortem, "/culprit #3", "carol"), "d-1");
    const first = repo.issue(2)!.body!;

    const event = commented(second, "/culprit #4", "carol", 7002);
    const start = api.requests.length;
    await deliver(event, "d-2");
    // 17 requests with an index in place, and the earlier post-mortem linked back (3).
    expect(api.requests.slice(start).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /repos/acme/web/issues/6",
      "GET /repos/acme/web/collaborators/carol/permission",
      "GET /repos/acme/web/pulls/4",
      "GET /repos/acme/web/issues",
      "GET /repos/acme/web/issues/7/comments",
      "GET /repos/acme/web/issues",
      "GET /repos/acme/web/pulls/4/files",
      "GET /repos/acme/web/issues/4/comments",
      "POST /repos/acme/web/issues/4/comments",
      "PATCH /repos/acme/web/issues/6",
      "GET /repos/acme/web/issues/6",
      "GET /repos/acme/web/issues/4/comments",
      "GET /repos/acme/web/issues/2",
      "PATCH /repos/acme/web/issues/2",
      "GET /repos/acme/web/issues/2",
      "GET /repos/acme/web/issues/6/sub_issues",
      "POST /repos/acme/web/issues/7/comments",
      "GET /repos/acme/web/issues",
      "GET /repos/acme/web/issues/7/comments",
      "POST /repos/acme/web/issues/comments/7002/reactions",
    ]);

    const related = "- **Possibly related:** #2 (its culprits changed some of the same paths)";
    const body = repo.issue(6)!.body!;
    expect(body).toContain(
      `- **Contributing change:** #4 Draft: rework sessions by @bob (not merged yet)\n${related}\n`,
    );
    expect(findMarker(body, "postmortem")).toMatchObject({ related: [2] });
    expect(repo.issue(2)!.body).toBe(
      first
        .replace(
          "(merged 2026-11-26)\n",
          "(merged 2026-11-26)\n- **Possibly related:** #6 (its culprits changed some of the same paths)\n",
        )
        .replace('"commented":true}]}', '"commented":true}],"related":[6]}'),
    );

    const mark = api.requests.length;
    await deliver(event, "d-2");
    expect(writes(api.requests.slice(mark))).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/comments/7002/reactions",
        body: { content: "+1" },
      },
    ]);
  });

  it("ignores an index comment someone else wrote or edited, and rebuilds that entry on the next /culprit", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    const second = await secondPostmortem(repo, deliver);
    permission(api, "triage", 2);
    reaction(api, 7001);
    reaction(api, 7002);
    await deliver(commented(postmortem, "/culprit #3", "carol"), "d-1");
    const index = indexIssue(repo)!.number;
    const [own] = repo.comments.get(index)!;
    // A triager edits the product's comment (GitHub moves `updated_at`), and mallory adds a forged one.
    own!.body = own!.body.replace(/^Post-mortem/, "Edited: post-mortem");
    own!.updated_at = "2026-11-27T14:00:00Z";
    const forged = repo.addComment(index, { body: own!.body, user: "mallory" });

    await deliver(commented(second, "/culprit #4", "carol", 7002), "d-2");

    const comments = repo.comments.get(index)!;
    // The edited one is gone, the forged one is left (and ignored), #2's and #6's entries are new.
    expect(comments.map((comment) => comment.id)).not.toContain(own!.id);
    expect(comments.map((comment) => comment.user.login)).toEqual([
      "mallory",
      "postmortem-bot[bot]",
      "postmortem-bot[bot]",
    ]);
    expect(comments[0]!.id).toBe(forged.id);
    expect(
      comments.slice(1).map((comment) => {
        const entry = decodeEntry(findMarker(comment.body, "path-index"))!;
        return [entry.postmortem, entry.culprits.map((culprit) => [culprit.pr, culprit.paths])];
      }),
    ).toEqual([
      [2, [[3, ["src/cart.ts", "src/cache.ts"]]]],
      [6, [[4, ["src/session.ts", "src/cache.ts"]]]],
    ]);
    // Found in the rebuilt entry: the repeat.
    expect(findMarker(repo.issue(6)!.body, "postmortem")?.related).toEqual([2]);
  });

  it("the reconcile sweep rebuilds a missing entry and refreshes its open CAPA children; a second sweep writes nothing", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    permission(api, "triage");
    reaction(api);
    await deliver(commented(postmortem, "/culprit #3", "carol"), "d-1");
    const index = indexIssue(repo)!.number;
    // The entry deleted (by an admin, say) and a CAPA child opened since.
    repo.comments.set(index, []);
    const child = repo.addIssue({
      title: "Test the cart cache",
      body: formatMarker("capa", { parent: 2, key: "k" }),
      labels: ["capa"],
    });
    repo.subIssues.set(2, [child.id]);

    const counts = await reconcileRepository(sweepDeps(), new Date("2026-11-26T13:00:00Z"));

    expect(counts).toMatchObject({ pathIndexRebuilt: 1 });
    expect(indexEntries(repo, index)).toEqual([
      expect.objectContaining({
        postmortem: 2,
        culprits: [{ pr: 3, paths: ["src/cart.ts", "src/cache.ts"], morePaths: 0 }],
        openCapa: [{ number: child.number, title: "Test the cart cache" }],
      }),
    ]);

    const mark = api.requests.length;
    const again = await reconcileRepository(sweepDeps(), new Date("2026-11-26T13:00:00Z"));
    expect(again).not.toHaveProperty("pathIndexRebuilt");
    expect(
      writes(api.requests.slice(mark)).filter((request) =>
        request.path.includes(`/issues/${index}`),
      ),
    ).toEqual([]);
  });

  it("refreshes a post-mortem's entry when the CAPA flow opens or closes its children", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    permission(api, "triage");
    permission(api, "write");
    reaction(api);
    await deliver(commented(postmortem, "/culprit #3", "carol"), "d-1");
    const index = indexIssue(repo)!.number;

    await deliver(
      personEdits(repo, 2, (body) =>
        body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)"),
      ),
    );

    const [child] = childrenIn(repo);
    expect(indexEntries(repo, index).map((entry) => entry?.openCapa)).toEqual([
      [{ number: child!.number, title: child!.title }],
    ]);
    child!.state = "closed";
    child!.state_reason = "completed";
    await handleCapaEvent({ kind: "childChanged", postmortem: 2 }, sweepDeps());
    expect(indexEntries(repo, index).map((entry) => entry?.openCapa)).toEqual([[]]);
  });
});

/** What the App's reconcile sweep hands the handlers, with an installation token's Octokit. */
function sweepDeps() {
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const octokit = new Octokit({
    auth: "ghs_test",
    request: { retries: 0 },
    log: { ...quiet, debug: () => {} },
  });
  return {
    gateway: new ApprovalGateway(octokit, { owner: "acme", repo: "web", defaultBranch: "main" }),
    clock: () => NOW,
    log: quiet,
    frontDoor: "app" as const,
    appSlug: "postmortem-bot",
  };
}

describe("/culprit on a private post-mortem", () => {
  const api = useFakeGitHub();

  it("records the public repository's pull request and names nothing private in public", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "security"] });
    serveConfig(api, {
      repo: "private:\n  repository: acme/web-security\n  when:\n    labels: [security]\n",
    });
    const target = new FakeRepo("acme", "web-security", { now: NOW }).serve(api);
    api.expect("GET /repos/acme/web-security/installation", {
      persist: true,
      reply: [200, { id: 7, account: { login: "acme" } }],
    });
    api.expect("GET /repos/acme/web/installation", {
      persist: true,
      reply: [200, { id: 1, account: { login: "acme" } }],
    });
    for (const name of ["web", "web-security"]) {
      api.expect(`GET /repos/acme/${name}`, {
        persist: true,
        reply: [
          200,
          {
            name,
            full_name: `acme/${name}`,
            owner: { login: "acme" },
            private: name !== "web",
            visibility: name === "web" ? "public" : "private",
            default_branch: "main",
          },
        ],
      });
    }
    api.expect("GET /repos/acme/web-security/contents/{path}", {
      persist: true,
      reply: [
        200,
        "postmortemLabels: [security-postmortem]\n",
        { "content-type": "application/vnd.github.raw+json; charset=utf-8" },
      ],
    });
    const { deliver } = await createTestProbot(app);
    await deliver(labeled(incident));
    const [postmortem] = target.listIssues({ state: "all" });
    expect(findMarker(postmortem!.body, "postmortem")?.source).toEqual({
      repository: "acme/web",
      incident: 1,
    });
    expect(servePulls(api, repo, PULLS)).toEqual([2, 3]);
    api.expect("GET /repos/acme/web-security/collaborators/{username}/permission", {
      reply: [200, { permission: "write", role_name: "write", user: null }],
    });
    api.expect("POST /repos/acme/web-security/issues/comments/7001/reactions", {
      body: { content: "+1" },
      reply: [201, {}],
    });
    const mark = api.requests.length;

    await deliver(
      webhook("issue_comment.created")
        .repo("acme", "web-security")
        .issue(asPayloadIssue(postmortem!))
        .comment({ id: 7001, body: "/culprit #2", user: "carol" })
        .sender("carol")
        .installation(7)
        .edit((payload) => {
          payload.issue.created_at = postmortem!.created_at;
        }),
    );

    const body = target.issue(postmortem!.number)!.body!;
    const key = findMarker(body, "postmortem")!.indexKey!;
    expect(key).toMatch(/^[a-f0-9]{32}$/);
    expect(body).toContain(
      "- **Contributing change:** acme/web#2 Cache the cart \\| `@everyone` \\<b\\> by @alice (merged 2026-11-26)\n",
    );
    expect(repo.comments.get(2)!.map((comment) => comment.body)).toEqual([
      `This pull request was recorded as contributing to a private post-mortem.\n\n<!-- postmortem-bot:culprit {"key":"${key}"} -->`,
    ]);
    const index = indexIssue(repo)!;
    expect(indexEntries(repo, index.number)).toEqual([
      {
        private: true,
        key,
        openedAt: new Date(postmortem!.created_at).toISOString(),
        culprits: [{ pr: 2, paths: ["src/cart.ts", "src/cache.ts"], morePaths: 0 }],
        openCapa: [],
      },
    ]);
    expect(repo.comments.get(index.number)![0]!.body).toMatch(
      /^A private post-mortem: 1 culprit, 2 paths\.\n\n<!-- postmortem-bot:path-index /,
    );
    // Nothing written in the public repository names the private one or its post-mortem.
    const publicWrites = writes(api.requests.slice(mark)).filter((request) =>
      request.path.startsWith("/repos/acme/web/"),
    );
    expect(publicWrites.length).toBeGreaterThan(0);
    for (const request of publicWrites) {
      const text = JSON.stringify(request.body ?? "");
      expect(text).not.toMatch(/web-security|Post-mortem: |Checkout returns 500/);
      expect(text).not.toContain(`#${postmortem!.number} `);
    }
  });
});
