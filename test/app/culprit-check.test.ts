// The warning on the next pull request (issue #20) in the App: a pull request whose paths overlap
// a recent post-mortem's culprits gets one check run per head commit, against nock, every request
// asserted.
import { describe, expect, it } from "vitest";
import type { IndexEntry } from "../../src/core/culprits/path-index.js";
import { encodeEntry, INDEX_LABEL } from "../../src/core/culprits/path-index.js";
import { CHECK_NAME } from "../../src/core/culprit-check/plan.js";
import { formatMarker } from "../../src/core/markers.js";
import type { FakeGitHub, IncomingRequest, RecordedRequest } from "../support/github-api.js";
import { paginate, useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import { webhook } from "../support/webhooks.js";
import { app, BOT, NOW, OWNER, REPO, serveConfig } from "./harness.js";

const SHA1 = "a".repeat(40);
const SHA2 = "b".repeat(40);
const PR = 50;
const INDEX_ISSUE = 90;
const REPO_URL = `https://github.com/${OWNER}/${REPO}`;
const BLOCKING_P1 = "policy:\n  P1:\n    culpritCheck: blocking\n";

function entry(partial: Partial<IndexEntry> = {}): IndexEntry {
  return {
    postmortem: 12,
    title: "Checkout returns 500",
    severity: "P2",
    private: false,
    openedAt: "2026-11-01T10:00:00Z",
    culprits: [{ pr: 41, paths: ["src/checkout.ts", "src/cart.ts"], morePaths: 0 }],
    openCapa: [{ number: 14, title: "Validate checkout config" }],
    ...partial,
  };
}

interface IndexComment {
  entry: IndexEntry;
  id?: number;
  author?: string;
  createdAt?: string;
  updatedAt?: string;
}

const CREATED = "2026-11-02T10:00:00Z";

function indexComment(comment: IndexComment, index: number) {
  const login = comment.author ?? BOT;
  return {
    id: comment.id ?? 8000 + index,
    node_id: `IC_${index}`,
    url: `https://api.github.com/repos/${OWNER}/${REPO}/issues/comments/${8000 + index}`,
    html_url: `${REPO_URL}/issues/${INDEX_ISSUE}#issuecomment-${8000 + index}`,
    issue_url: `https://api.github.com/repos/${OWNER}/${REPO}/issues/${INDEX_ISSUE}`,
    body: `Post-mortem #${comment.entry.postmortem ?? "?"}: culprits\n\n${formatMarker("path-index", encodeEntry(comment.entry))}`,
    user: { login, id: 1000 + index, type: login.endsWith("[bot]") ? "Bot" : "User" },
    created_at: comment.createdAt ?? CREATED,
    updated_at: comment.updatedAt ?? comment.createdAt ?? CREATED,
    author_association: "NONE",
  };
}

/** The index issue (opened by the App) with these comments, read once per cold cache. */
function serveIndex(api: FakeGitHub, comments: IndexComment[]) {
  api.expect(`GET /repos/${OWNER}/${REPO}/issues`, {
    persist: true,
    name: "index issue",
    query: (query) => query.labels === INDEX_LABEL,
    reply: [
      200,
      [
        {
          id: 9000,
          number: INDEX_ISSUE,
          title: "postmortem-bot: path index (do not edit)",
          body: "The path index.",
          state: "closed",
          user: { login: BOT, type: "Bot" },
          labels: [{ name: INDEX_LABEL }],
          created_at: "2026-10-01T00:00:00Z",
          repository_url: `https://api.github.com/repos/${OWNER}/${REPO}`,
        },
      ],
    ],
  });
  const body = comments.map(indexComment);
  api.expect(`GET /repos/${OWNER}/${REPO}/issues/${INDEX_ISSUE}/comments`, {
    persist: true,
    name: "index comments",
    reply: (request) => paginate(request, body),
  });
}

/** The pull request's changed files, 100 a page. */
function serveFiles(api: FakeGitHub, paths: string[], pr = PR) {
  api.expect(`GET /repos/${OWNER}/${REPO}/pulls/${pr}/files`, {
    persist: true,
    name: "pull request files",
    reply: (request) =>
      paginate(
        request,
        paths.map((filename, i) => ({
          sha: "c".repeat(40),
          filename,
          status: "modified",
          additions: 1,
          deletions: 1,
          changes: 2,
          blob_url: `${REPO_URL}/blob/x/${i}`,
          raw_url: `${REPO_URL}/raw/x/${i}`,
          contents_url: `https://api.github.com/repos/${OWNER}/${REPO}/contents/${i}`,
        })),
      ),
  });
}

interface Run {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null };
  app: { id: number; slug: string };
}

/** Check runs, kept as GitHub keeps them: listed by commit and name, created, updated. */
function serveCheckRuns(
  api: FakeGitHub,
  options: { existing?: Run[]; createStatus?: number } = {},
) {
  const runs: Run[] = [...(options.existing ?? [])];
  api.expect(`GET /repos/${OWNER}/${REPO}/commits/{ref}/check-runs`, {
    persist: true,
    name: "check runs of a commit",
    reply: (request: IncomingRequest) => {
      const found = runs.filter(
        (run) => run.head_sha === request.params.ref && run.name === request.query?.check_name,
      );
      return [200, { total_count: found.length, check_runs: found }];
    },
  });
  api.expect(`POST /repos/${OWNER}/${REPO}/check-runs`, {
    persist: true,
    name: "create a check run",
    reply: (request: IncomingRequest) => {
      if (options.createStatus !== undefined) {
        return [
          options.createStatus,
          {
            message: "Resource not accessible by integration",
            status: String(options.createStatus),
          },
        ];
      }
      const body = request.body as {
        name: string;
        head_sha: string;
        status: string;
        conclusion: string;
        output: { title: string; summary: string };
      };
      const run: Run = {
        id: 700 + runs.length,
        name: body.name,
        head_sha: body.head_sha,
        status: body.status,
        conclusion: body.conclusion,
        output: body.output,
        app: { id: 1, slug: "postmortem-bot" },
      };
      runs.push(run);
      return [201, run];
    },
  });
  api.expect(`PATCH /repos/${OWNER}/${REPO}/check-runs/{check_run_id}`, {
    persist: true,
    name: "update a check run",
    reply: (request: IncomingRequest) => {
      const run = runs.find((r) => r.id === Number(request.params.check_run_id))!;
      const body = request.body as { conclusion: string; output: Run["output"] };
      Object.assign(run, { status: "completed", conclusion: body.conclusion, output: body.output });
      return [200, run];
    },
  });
  return runs;
}

function pullRequest(
  action: "opened" | "synchronize" | "reopened",
  sha = SHA1,
  options: { draft?: boolean; number?: number } = {},
) {
  const number = options.number ?? PR;
  return webhook(`pull_request.${action}`)
    .repo(OWNER, REPO)
    .sender("eve")
    .installation(1)
    .edit((payload) => {
      payload.number = number;
      payload.pull_request.number = number;
      payload.pull_request.head.sha = sha;
      payload.pull_request.draft = options.draft ?? false;
      payload.repository.html_url = REPO_URL;
    });
}

const CONFIG_READ = {
  method: "GET",
  path: `/repos/${OWNER}/${REPO}/contents/.github%2Fpostmortem.yml`,
};
const INDEX_READS = [
  {
    method: "GET",
    path: `/repos/${OWNER}/${REPO}/issues`,
    query: {
      labels: INDEX_LABEL,
      state: "all",
      creator: BOT,
      sort: "created",
      direction: "asc",
      per_page: "10",
    },
  },
  {
    method: "GET",
    path: `/repos/${OWNER}/${REPO}/issues/${INDEX_ISSUE}/comments`,
    query: { per_page: "100" },
  },
];
const filesRead = (page?: number, pr = PR) => ({
  method: "GET",
  path: `/repos/${OWNER}/${REPO}/pulls/${pr}/files`,
  query: { per_page: "100", ...(page === undefined ? {} : { page: String(page) }) },
});
const findRun = (sha = SHA1) => ({
  method: "GET",
  path: `/repos/${OWNER}/${REPO}/commits/${sha}/check-runs`,
  query: { check_name: CHECK_NAME, filter: "all" },
});

const IMPLICATED_SUMMARY = [
  "This pull request changes paths that the culprits of a post-mortem of the last 180 days changed.",
  "",
  `### [#12](${REPO_URL}/issues/12) Checkout returns 500`,
  "",
  "- Severity: P2",
  "- Paths: `src/cart.ts`",
  `- Open corrective actions: [#14](${REPO_URL}/issues/14) Validate checkout config`,
].join("\n");

const createRun = (
  sha: string,
  conclusion: string,
  title: string,
  summary: string,
): RecordedRequest => ({
  method: "POST",
  path: `/repos/${OWNER}/${REPO}/check-runs`,
  body: {
    name: CHECK_NAME,
    head_sha: sha,
    status: "completed",
    conclusion,
    completed_at: NOW.toISOString(),
    output: { title, summary },
  },
});

describe("the culprit check on a pull request", () => {
  const api = useFakeGitHub();

  /** The requests since the last call. */
  function since(): () => RecordedRequest[] {
    let mark = api.requests.length;
    return () => {
      const fresh = api.requests.slice(mark);
      mark = api.requests.length;
      return fresh;
    };
  }

  it("gives an implicated pull request one check run; a redelivery writes nothing", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [{ entry: entry() }]);
    serveFiles(api, ["src/cart.ts", "README.md"]);
    const runs = serveCheckRuns(api);
    const { deliver, logs } = await createTestProbot(app);
    const next = since();

    await deliver(pullRequest("opened"));
    expect(next()).toEqual([
      CONFIG_READ,
      ...INDEX_READS,
      filesRead(),
      findRun(),
      createRun(SHA1, "neutral", "Touches code implicated in a post-mortem", IMPLICATED_SUMMARY),
    ]);
    expect(runs).toHaveLength(1);
    expect(logs.map((l) => l.msg)).toContain("Pull request #50, culprit check: neutral, created");

    // The same delivery again, with a warm cache: the files and the find, no write (2 requests).
    await deliver(pullRequest("opened"));
    expect(next()).toEqual([filesRead(), findRun()]);
    expect(runs).toHaveLength(1);
  });

  it("two deliveries at once in one process make one check run", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [{ entry: entry() }]);
    serveFiles(api, ["src/cart.ts"]);
    const runs = serveCheckRuns(api);
    const { deliver } = await createTestProbot(app);

    await Promise.all([deliver(pullRequest("opened")), deliver(pullRequest("reopened"))]);
    expect(runs).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === "PATCH")).toHaveLength(0);
  });

  it("a push (synchronize) with a new head commit gets its own check run", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [{ entry: entry() }]);
    serveFiles(api, ["src/cart.ts"]);
    const runs = serveCheckRuns(api);
    const { deliver } = await createTestProbot(app);
    await deliver(pullRequest("opened", SHA1));
    const next = since();

    await deliver(pullRequest("synchronize", SHA2));
    // Warm cache: files + find + create = 3 requests.
    expect(next()).toEqual([
      filesRead(),
      findRun(SHA2),
      createRun(SHA2, "neutral", "Touches code implicated in a post-mortem", IMPLICATED_SUMMARY),
    ]);
    expect(runs.map((run) => run.head_sha)).toEqual([SHA1, SHA2]);
  });

  it("updates our run when what it should say changed, and leaves another App's run alone", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [{ entry: entry() }]);
    serveFiles(api, ["src/cart.ts"]);
    const stranger: Run = {
      id: 600,
      name: CHECK_NAME,
      head_sha: SHA1,
      status: "completed",
      conclusion: "success",
      output: { title: "Fake all clear", summary: "" },
      app: { id: 99, slug: "impostor" },
    };
    const ours: Run = {
      id: 650,
      name: CHECK_NAME,
      head_sha: SHA1,
      status: "completed",
      conclusion: "neutral",
      output: { title: "An older text", summary: "old" },
      app: { id: 1, slug: "postmortem-bot" },
    };
    serveCheckRuns(api, { existing: [stranger, ours] });
    const { deliver } = await createTestProbot(app);
    const next = since();

    await deliver(pullRequest("reopened"));
    expect(next().slice(-1)).toEqual([
      {
        method: "PATCH",
        path: `/repos/${OWNER}/${REPO}/check-runs/650`,
        body: {
          status: "completed",
          conclusion: "neutral",
          completed_at: NOW.toISOString(),
          output: {
            title: "Touches code implicated in a post-mortem",
            summary: IMPLICATED_SUMMARY,
          },
        },
      },
    ]);
    expect(stranger.conclusion).toBe("success");
  });

  it("costs only the files page when nothing is implicated and nothing blocks", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [{ entry: entry() }]);
    serveFiles(api, ["docs/readme.md"]);
    const { deliver } = await createTestProbot(app);
    await deliver(pullRequest("opened"));
    const next = since();

    await deliver(pullRequest("synchronize", SHA2, { draft: true }));
    expect(next()).toEqual([filesRead()]);
  });

  it("fails an implicated pull request where its severity blocks, and passes a clean one", async () => {
    serveConfig(api, { repo: BLOCKING_P1 });
    serveIndex(api, [{ entry: entry({ severity: "P1" }) }]);
    serveFiles(api, ["src/cart.ts"]);
    serveFiles(api, ["docs/readme.md"], 51);
    const runs = serveCheckRuns(api);
    const { deliver } = await createTestProbot(app);

    await deliver(pullRequest("opened", SHA1));
    const next = since();
    await deliver(pullRequest("opened", SHA2, { number: 51 }));
    expect(next()).toEqual([
      filesRead(undefined, 51),
      findRun(SHA2),
      createRun(
        SHA2,
        "success",
        "No post-mortem implicates this change",
        "No path this pull request changes was changed by a culprit of a post-mortem of the last 180 days.",
      ),
    ]);
    expect(runs.map((run) => [run.head_sha, run.conclusion])).toEqual([
      [SHA1, "failure"],
      [SHA2, "success"],
    ]);
    expect(runs[0]!.output.summary).toContain("- Severity: P1 (blocking)");
  });

  it("says of a private post-mortem only that the change is implicated", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [
      {
        entry: entry({
          postmortem: undefined,
          title: undefined,
          private: true,
          openCapa: [],
          culprits: [{ pr: 41, paths: ["src/vault.ts"], morePaths: 0 }],
        }),
      },
    ]);
    serveFiles(api, ["src/vault.ts"]);
    const runs = serveCheckRuns(api);
    const { deliver } = await createTestProbot(app);
    await deliver(pullRequest("opened"));
    expect(runs.map((run) => run.output)).toEqual([
      {
        title: "Implicated in a private post-mortem",
        summary:
          "This pull request changes paths that the culprits of a post-mortem of the last 180 days changed.\n\nThis change is implicated in a private post-mortem.",
      },
    ]);
    expect(JSON.stringify(runs)).not.toContain("vault");
  });

  it("ignores index comments that were edited or written by anyone else, and stale entries", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [
      { entry: entry({ postmortem: 12 }), updatedAt: "2026-11-03T10:00:00Z" },
      { entry: entry({ postmortem: 13 }), author: "mallory" },
      { entry: entry({ postmortem: 14 }), author: "other-app[bot]" },
      { entry: entry({ postmortem: 15, openedAt: "2026-05-01T00:00:00Z" }) },
    ]);
    serveFiles(api, ["src/cart.ts"]);
    const { deliver } = await createTestProbot(app);
    const next = since();
    await deliver(pullRequest("opened"));
    // No trusted, watched entry: not even the files are read, and no check-run request.
    expect(next()).toEqual([CONFIG_READ, ...INDEX_READS]);
  });

  it("the newest trusted comment of a post-mortem wins", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [
      { entry: entry({ title: "Newer title" }), createdAt: "2026-11-05T10:00:00Z", id: 8100 },
      { entry: entry({ title: "Older title" }), createdAt: "2026-11-02T10:00:00Z", id: 8050 },
    ]);
    serveFiles(api, ["src/cart.ts"]);
    const runs = serveCheckRuns(api);
    const { deliver } = await createTestProbot(app);
    await deliver(pullRequest("opened"));
    expect(runs[0]!.output.summary).toContain("Newer title");
    expect(runs[0]!.output.summary).not.toContain("Older title");
  });

  it("reads a pull request of 150 files in two pages, stopping where there is no next page", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [{ entry: entry() }]);
    const paths = Array.from({ length: 149 }, (_, i) => `gen/file${i}.ts`).concat("src/cart.ts");
    serveFiles(api, paths);
    const runs = serveCheckRuns(api);
    const { deliver } = await createTestProbot(app);
    await deliver(pullRequest("opened"));
    const next = since();
    await deliver(pullRequest("synchronize", SHA2));
    // Warm cache: two file pages + find + create = 4 requests (3 + 1 per further 100 files).
    expect(next().map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query ?? {})}`)).toEqual(
      [
        filesRead(),
        filesRead(2),
        findRun(SHA2),
        { method: "POST", path: createRun(SHA2, "", "", "").path },
      ].map((r) => `${r.method} ${r.path} ${JSON.stringify("query" in r ? r.query : {})}`),
    );
    expect(runs).toHaveLength(2);
  });

  it("a refused check run (no checks: write) is one error line, not a failed delivery", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [{ entry: entry() }]);
    serveFiles(api, ["src/cart.ts"]);
    serveCheckRuns(api, { createStatus: 403 });
    const { deliver, logs } = await createTestProbot(app);
    await deliver(pullRequest("opened"));
    const errors = logs.filter((l) => l.level === "error");
    expect(errors.map((l) => l.msg)).toEqual([
      `Pull request #50, culprit check on aaaaaaa: GitHub refused the check run (Resource not accessible by integration): grant the App \`checks: write\` (app.yml; each installation's owner then accepts it), see \`postmortem-bot doctor\`.`,
    ]);
    expect(api.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("a refused files read (no pull_requests: read) is one error line and no check-run request", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, [{ entry: entry() }]);
    api.expect(`GET /repos/${OWNER}/${REPO}/pulls/${PR}/files`, {
      reply: [403, { message: "Resource not accessible by integration" }],
    });
    const { deliver, logs } = await createTestProbot(app);
    await deliver(pullRequest("opened"));
    expect(logs.filter((l) => l.level === "error").map((l) => l.msg)).toEqual([
      "Pull request #50, culprit check on aaaaaaa: GitHub refused the pull request's files (Resource not accessible by integration): grant the App `pull_requests: read` (app.yml; each installation's owner then accepts it), see `postmortem-bot doctor`.",
    ]);
    expect(api.requests.at(-1)).toEqual(filesRead());
  });

  it("costs no request once the configuration has no blocking severity and the index is known empty", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    serveIndex(api, []);
    const { deliver } = await createTestProbot(app);
    const next = since();
    await deliver(pullRequest("opened"));
    expect(next()).toEqual([CONFIG_READ, ...INDEX_READS]);
    await deliver(pullRequest("synchronize", SHA2));
    expect(next()).toEqual([]);
  });

  it("leaves the check to the Action where flows.runIn: action", async () => {
    serveConfig(api, { repo: "flows:\n  runIn: action\n" });
    const { deliver } = await createTestProbot(app);
    await deliver(pullRequest("opened"));
    expect(api.requests).toEqual([CONFIG_READ]);
  });
});
