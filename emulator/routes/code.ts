// Pull requests (one, a listing, their files, the pull requests of a commit), commit comparisons
// and deployments: what tells whether a fix merged and shipped, and what changed before an incident.
import { ApiError, notFound, validationFailed } from "../errors.js";
import { compareCommits, resolveRef } from "../git.js";
import type { DeploymentRecord, IssueRecord, RepoRecord } from "../model.js";
import { timestamp } from "../model.js";
import type { RouteContext, Router } from "../router.js";
import { bodyObject, paginate, repoOf, writer } from "../router.js";
import * as ser from "../serialize.js";

function pullOf(ctx: RouteContext): IssueRecord {
  const repo = repoOf(ctx);
  const n = Number(ctx.params.pull_number);
  const pr = Number.isInteger(n) ? repo.issues.get(n) : undefined;
  if (!pr?.pull || pr.deleted) throw notFound();
  return pr;
}

function deploymentOf(ctx: RouteContext, repo: RepoRecord): DeploymentRecord {
  const id = Number(ctx.params.deployment_id);
  const d = repo.deployments.find((x) => x.id === id);
  if (!d) throw notFound();
  return d;
}

/** GitHub lists at most 3000 files of a pull request. */
export const MAX_PULL_FILES = 3000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `GET /pulls`: state, head (`owner:branch`), base, sort, direction, as GitHub documents them. */
function listPulls(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const q = ctx.query;
  const state = q.get("state") ?? "open";
  if (!["open", "closed", "all"].includes(state)) {
    throw validationFailed({ resource: "PullRequest", code: "invalid", field: "state" });
  }
  const sort = q.get("sort") ?? "created";
  if (!["created", "updated", "popularity", "long-running"].includes(sort)) {
    throw validationFailed({ resource: "PullRequest", code: "invalid", field: "sort" });
  }
  // Default: desc when sorting by creation, else asc (GitHub's rule).
  const direction = q.get("direction") ?? (sort === "created" ? "desc" : "asc");
  const head = q.get("head");
  const base = q.get("base");
  const now = Date.parse(timestamp());
  let items = [...repo.issues.values()].filter((i) => i.pull && !i.deleted);
  if (state !== "all") items = items.filter((i) => i.state === state);
  if (base) items = items.filter((i) => i.pull?.baseRef === base);
  if (head) {
    const [owner, ref] = head.includes(":") ? head.split(":", 2) : [undefined, head];
    items = items.filter(
      (i) =>
        i.pull?.headRef === ref &&
        (owner === undefined ||
          owner.toLowerCase() === (i.pull?.headRepo ?? repo).owner.login.toLowerCase()),
    );
  }
  if (sort === "long-running") {
    // Open for more than a month, with activity within the last month.
    items = items.filter(
      (i) =>
        now - Date.parse(i.createdAt) > 30 * DAY_MS && now - Date.parse(i.updatedAt) <= 30 * DAY_MS,
    );
  }
  const key = (i: IssueRecord): number =>
    sort === "updated"
      ? Date.parse(i.updatedAt)
      : sort === "popularity"
        ? i.commentCount
        : sort === "long-running"
          ? now - Date.parse(i.createdAt)
          : Date.parse(i.createdAt);
  items.sort((a, b) => key(a) - key(b) || a.number - b.number);
  if (direction === "desc") items.reverse();
  return paginate(ctx, items, (i) => ser.pullRequest(ctx.state, i));
}

export function registerCodeRoutes(router: Router): void {
  const R = "/repos/{owner}/{repo}";
  router
    .on("GET", `${R}/pulls`, listPulls)
    .on("GET", `${R}/pulls/{pull_number}`, (ctx) => ({
      status: 200,
      body: ser.pullRequest(ctx.state, pullOf(ctx)),
    }))
    .on("GET", `${R}/pulls/{pull_number}/files`, (ctx) => {
      const pr = pullOf(ctx);
      const files = ctx.state.pullFiles(pr).slice(0, MAX_PULL_FILES);
      return paginate(ctx, files, (f) => ser.pullFile(ctx.state, pr, f));
    })
    .on("GET", `${R}/commits/{commit_sha}/pulls`, (ctx) => {
      const repo = repoOf(ctx);
      const commit = resolveRef(repo, ctx.params.commit_sha ?? "");
      if (!commit) {
        throw new ApiError(422, `No commit found for SHA: ${ctx.params.commit_sha ?? ""}`);
      }
      const pulls = ctx.state.pullsOfCommit(repo, commit.sha);
      return paginate(ctx, pulls, (pr) => ser.pullRequest(ctx.state, pr));
    })
    .on("GET", `${R}/compare/{basehead}`, (ctx) => {
      const repo = repoOf(ctx);
      const basehead = ctx.params.basehead ?? "";
      const parts = basehead.split("...");
      if (parts.length !== 2 || !parts[0] || !parts[1]) throw notFound();
      const base = resolveRef(repo, parts[0]);
      const head = resolveRef(repo, parts[1]);
      if (!base || !head) throw notFound();
      const result = compareCommits(repo, base, head);
      if (!result)
        throw new ApiError(404, `No common ancestor between ${parts[0]} and ${parts[1]}.`);
      return { status: 200, body: ser.comparison(ctx.state, repo, base, head, result, basehead) };
    })
    .on("GET", `${R}/deployments`, (ctx) => {
      const repo = repoOf(ctx);
      const q = ctx.query;
      const list = repo.deployments
        .filter((d) => !q.get("sha") || d.sha === q.get("sha"))
        .filter((d) => !q.get("ref") || d.ref === q.get("ref"))
        .filter((d) => !q.get("task") || d.task === q.get("task"))
        .filter((d) => !q.has("environment") || d.environment === q.get("environment"))
        .reverse();
      return paginate(ctx, list, (d) => ser.deployment(ctx.state, repo, d));
    })
    .on("POST", `${R}/deployments`, (ctx) => {
      const repo = repoOf(ctx);
      const d = ctx.state.createDeployment(repo, writer(ctx, "write"), bodyObject(ctx));
      return { status: 201, body: ser.deployment(ctx.state, repo, d) };
    })
    .on("GET", `${R}/deployments/{deployment_id}`, (ctx) => {
      const repo = repoOf(ctx);
      return { status: 200, body: ser.deployment(ctx.state, repo, deploymentOf(ctx, repo)) };
    })
    .on("GET", `${R}/deployments/{deployment_id}/statuses`, (ctx) => {
      const repo = repoOf(ctx);
      const d = deploymentOf(ctx, repo);
      return paginate(ctx, [...d.statuses].reverse(), (s) =>
        ser.deploymentStatus(ctx.state, repo, d, s),
      );
    })
    .on("POST", `${R}/deployments/{deployment_id}/statuses`, (ctx) => {
      const repo = repoOf(ctx);
      const d = deploymentOf(ctx, repo);
      const s = ctx.state.createDeploymentStatus(repo, d, writer(ctx, "write"), bodyObject(ctx));
      return { status: 201, body: ser.deploymentStatus(ctx.state, repo, d, s) };
    });
}
