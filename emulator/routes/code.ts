// Pull requests, commit comparisons and deployments: what tells whether a fix merged and shipped.
import { ApiError, notFound } from "../errors.js";
import { compareCommits, resolveRef } from "../git.js";
import type { DeploymentRecord, IssueRecord, RepoRecord } from "../model.js";
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

export function registerCodeRoutes(router: Router): void {
  const R = "/repos/{owner}/{repo}";
  router
    .on("GET", `${R}/pulls/{pull_number}`, (ctx) => ({
      status: 200,
      body: ser.pullRequest(ctx.state, pullOf(ctx)),
    }))
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
