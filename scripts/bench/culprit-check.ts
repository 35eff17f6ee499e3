// What the culprit check (issue #20) costs per pull-request event, with `postmortems` post-mortems
// in the path index. NOT against the emulator: it has no check runs and no pull-request files yet
// (another part of #20 adds them). Instead the App's real handler, gateway, Octokit and
// configuration cache run in-process against a STUB GitHub API (a `fetch` that serves the index
// issue, its comments paged 100 at a time, the pull request's files, the check runs, ETags and
// 304s) and counts every request it is sent. The counts are the product's; the stub only answers.
import { Octokit } from "@octokit/rest";
import { createHash } from "node:crypto";
import type { IndexEntry } from "../../src/core/culprits/path-index.js";
import { encodeEntry, INDEX_LABEL } from "../../src/core/culprits/path-index.js";
import { formatMarker } from "../../src/core/markers.js";
import { ApprovalGateway } from "../../src/github/approval-gateway.js";
import { ConfigCache, DEFAULT_CONFIG_MAX_AGE_MS } from "../../src/github/config-cache.js";
import { handleCulpritCheckEvent } from "../../src/handlers/culprit-check-handler.js";
import type { HandlerDeps } from "../../src/handlers/deps.js";

const BOT = "postmortem-bot[bot]";
const REPOSITORY = { owner: "acme", repo: "web", defaultBranch: "main" };
const NOW = new Date("2026-11-27T13:00:00Z");

export interface CulpritCheckFigure {
  event: string;
  requests: number;
  /** 304 answers among them (free against the rate limit). */
  notModified: number;
  /** What the budget allows for it, if it has one. */
  budget?: number;
  /** The requests, `METHOD path`. */
  sent: string[];
}

interface StubRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string;
  output: { title: string; summary: string };
  app: { slug: string };
}

/** The stub GitHub: what it serves and every request it was sent. */
class StubGitHub {
  readonly sent: { line: string; status: number }[] = [];
  readonly runs: StubRun[] = [];
  constructor(
    private readonly comments: unknown[],
    private readonly files: Map<number, string[]>,
  ) {}

  fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    Promise.resolve(this.answer(input, init));

  private answer(input: string | URL | Request, init?: RequestInit): Response {
    const url = new URL(typeof input === "string" ? input : "url" in input ? input.url : input);
    const method = (init?.method ?? "GET").toUpperCase();
    const headers = new Headers(init?.headers);
    const path = url.pathname;
    const page = Number(url.searchParams.get("page") ?? 1);
    const reply = (status: number, body?: unknown, extra: Record<string, string> = {}) => {
      const text = body === undefined ? "" : JSON.stringify(body);
      const etag = `"${createHash("sha1").update(text).digest("hex")}"`;
      const fresh = method === "GET" && status === 200 && headers.get("if-none-match") === etag;
      this.sent.push({ line: `${method} ${path}`, status: fresh ? 304 : status });
      if (fresh) return new Response(null, { status: 304, headers: { etag } });
      return new Response(status === 204 ? null : text, {
        status,
        headers: { "content-type": "application/json", etag, ...extra },
      });
    };
    const paged = (items: readonly unknown[]) => {
      const body = items.slice((page - 1) * 100, page * 100);
      const next = new URL(url);
      next.searchParams.set("page", String(page + 1));
      return reply(200, body, page * 100 < items.length ? { link: `<${next}>; rel="next"` } : {});
    };
    if (path.includes("/contents/")) return reply(404, { message: "Not Found" });
    if (path === "/repos/acme/web/issues" && url.searchParams.get("labels") === INDEX_LABEL) {
      return reply(200, [{ number: 90, user: { login: BOT, type: "Bot" } }]);
    }
    if (path === "/repos/acme/web/issues/90/comments") return paged(this.comments);
    const files = /^\/repos\/acme\/web\/pulls\/(\d+)\/files$/.exec(path);
    if (files) {
      return paged((this.files.get(Number(files[1])) ?? []).map((filename) => ({ filename })));
    }
    const list = /^\/repos\/acme\/web\/commits\/([0-9a-f]+)\/check-runs$/.exec(path);
    if (list) {
      const name = url.searchParams.get("check_name");
      const found = this.runs.filter((run) => run.head_sha === list[1] && run.name === name);
      return reply(200, { total_count: found.length, check_runs: found });
    }
    if (method === "POST" && path === "/repos/acme/web/check-runs") {
      const body = JSON.parse(init?.body as string) as Omit<StubRun, "id" | "app">;
      const run = { ...body, id: this.runs.length + 1, app: { slug: "postmortem-bot" } };
      this.runs.push(run);
      return reply(201, run);
    }
    const patch = /^\/repos\/acme\/web\/check-runs\/(\d+)$/.exec(path);
    if (method === "PATCH" && patch) {
      const run = this.runs.find((r) => r.id === Number(patch[1]))!;
      Object.assign(run, JSON.parse(init?.body as string));
      return reply(200, run);
    }
    return reply(404, { message: `stub: no route for ${method} ${path}` });
  }
}

function entryOf(number: number): IndexEntry {
  return {
    postmortem: number,
    title: `Incident ${number}`,
    severity: (["P1", "P2", "P3", "P4"] as const)[number % 4],
    private: false,
    openedAt: new Date(NOW.getTime() - (number % 170) * 86_400_000).toISOString(),
    // Up to three culprits of 100 paths each, as /culprit records them.
    culprits: [0, 1, 2].map((k) => ({
      pr: number * 10 + k,
      paths: Array.from({ length: 100 }, (_, i) => `svc${number % 50}/mod${k}/file${i}.ts`),
      morePaths: 0,
    })),
    openCapa: [{ number: 10_000 + number, title: `Fix ${number}` }],
  };
}

/**
 * The requests of one pull-request event after another, through one process's cache: the first
 * (cold), then warm ones (an implicated pull request, its redelivery, a new head commit, a clean
 * one, one of 250 files), then one after the cache's freshness window (revalidated: 304s).
 */
export async function benchCulpritCheck(postmortems: number): Promise<CulpritCheckFigure[]> {
  const comments = Array.from({ length: postmortems }, (_, i) => {
    const at = new Date(NOW.getTime() - 86_400_000).toISOString();
    return {
      id: i + 1,
      body: `Post-mortem #${i + 1}\n\n${formatMarker("path-index", encodeEntry(entryOf(i + 1)))}`,
      user: { login: BOT, type: "Bot" },
      created_at: at,
      updated_at: at,
    };
  });
  const files = new Map<number, string[]>([
    [1, ["svc7/mod0/file3.ts", "README.md"]],
    [2, ["docs/guide.md"]],
    [3, [...Array.from({ length: 249 }, (_, i) => `gen/out${i}.ts`), "svc7/mod1/file9.ts"]],
  ]);
  const stub = new StubGitHub(comments, files);
  let now = NOW.getTime();
  const cache = new ConfigCache({ maxAgeMs: DEFAULT_CONFIG_MAX_AGE_MS, now: () => now });
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const octokit = new Octokit({
    auth: "ghs_bench",
    request: { fetch: stub.fetch, retries: 0 },
    log: quiet,
  });
  const deps: HandlerDeps = {
    gateway: new ApprovalGateway(octokit, REPOSITORY, quiet, cache),
    clock: () => new Date(now),
    log: quiet,
    frontDoor: "app",
    appSlug: "postmortem-bot",
  };
  const figures: CulpritCheckFigure[] = [];
  const event = async (label: string, pr: number, sha: string, budget?: number) => {
    const mark = stub.sent.length;
    await handleCulpritCheckEvent(
      {
        repository: REPOSITORY,
        repositoryUrl: "https://github.com/acme/web",
        pullRequest: { number: pr, headSha: sha },
      },
      deps,
    );
    const sent = stub.sent.slice(mark);
    figures.push({
      event: label,
      requests: sent.length,
      notModified: sent.filter((s) => s.status === 304).length,
      ...(budget === undefined ? {} : { budget }),
      sent: sent.map((s) => s.line),
    });
  };
  const sha = (c: string) => c.repeat(40);
  await event("first pull-request event, cold cache (configuration + index)", 1, sha("a"));
  await event("implicated pull request, warm cache", 1, sha("b"), 3);
  await event("its redelivery, warm cache (no write)", 1, sha("b"), 3);
  await event("clean pull request, no blocking severity, warm cache", 2, sha("c"), 1);
  await event("implicated pull request of 250 files, warm cache", 3, sha("d"), 3 + 2);
  now += DEFAULT_CONFIG_MAX_AGE_MS + 1;
  await event("implicated pull request after CONFIG_MAX_AGE (revalidated)", 1, sha("e"));
  return figures;
}
