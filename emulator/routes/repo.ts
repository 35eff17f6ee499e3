// Repository, labels, milestones, contents, permissions, team memberships, check runs and statuses.
import { ApiError, notFound, validationFailed } from "../errors.js";
import { resolveRef } from "../git.js";
import type { AppIdentity, Role } from "../model.js";
import { nodeId } from "../model.js";
import type { RouteContext, RouteResult, Router } from "../router.js";
import { bodyObject, paginate, repoOf, requirePermission, writer } from "../router.js";
import * as ser from "../serialize.js";
import type { GitHubState } from "../state.js";

const PERMISSION_OF_ROLE: Record<Role, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

function permissionsObject(role: Role) {
  const rank = ["none", "read", "triage", "write", "maintain", "admin"].indexOf(role);
  return {
    admin: rank >= 5,
    maintain: rank >= 4,
    push: rank >= 3,
    triage: rank >= 2,
    pull: rank >= 1,
  };
}

function getContents(ctx: RouteContext): RouteResult {
  const repo = repoOf(ctx);
  const ref = ctx.query.get("ref") ?? repo.defaultBranch;
  // A commit sha names the default branch's content: the emulator keeps no history.
  const branch = repo.files.has(ref)
    ? ref
    : /^[0-9a-f]{40}$/i.test(ref)
      ? repo.defaultBranch
      : undefined;
  if (!branch) throw new ApiError(404, `No commit found for the ref ${ref}`);
  const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const files = repo.files.get(branch) ?? new Map<string, { content: string; sha: string }>();
  const file = files.get(path);
  if (!file) {
    const children = [...files.keys()].filter((p) => p.startsWith(`${path}/`) || path === "");
    if (!children.length) throw notFound();
    // A directory: GitHub lists its entries as a JSON array.
    const names = new Set(
      children.map((p) => p.slice(path ? path.length + 1 : 0).split("/")[0] ?? ""),
    );
    return {
      status: 200,
      body: [...names].map((name) => {
        const full = path ? `${path}/${name}` : name;
        const f = files.get(full);
        const url = `${ser.repoApiUrl(ctx.state, repo)}/contents/${full}?ref=${ref}`;
        const sha = f?.sha ?? ser.blobSha(full);
        const html = `${ctx.state.webUrl}/${repo.owner.login}/${repo.name}/${f ? "blob" : "tree"}/${ref}/${full}`;
        const git = `${ser.repoApiUrl(ctx.state, repo)}/git/${f ? "blobs" : "trees"}/${sha}`;
        return {
          type: f ? "file" : "dir",
          size: f ? Buffer.byteLength(f.content) : 0,
          name,
          path: full,
          sha,
          url,
          git_url: git,
          html_url: html,
          download_url: null,
          _links: { self: url, git, html },
        };
      }),
    };
  }
  const accept = String(ctx.headers.accept ?? "");
  if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) {
    return {
      status: 200,
      raw: file.content,
      headers: { "content-type": "text/plain; charset=utf-8", etag: `"${file.sha}"` },
    };
  }
  return {
    status: 200,
    body: ser.contentFile(ctx.state, repo, path, ref, file),
    headers: { etag: `"${file.sha}"` },
  };
}

/**
 * Check runs are written by GitHub Apps only (an installation token or a workflow's
 * GITHUB_TOKEN), with `checks: write`; people's tokens get 403.
 */
function checksWriter(ctx: RouteContext): AppIdentity {
  if (!ctx.actor) throw new ApiError(401, "Requires authentication");
  if (!ctx.app) throw new ApiError(403, "Resource not accessible by personal access token");
  requirePermission(ctx, "checks", "write");
  return ctx.app;
}

function sameLogin(a: string | undefined, b: string): boolean {
  return (a ?? "").toLowerCase() === b.toLowerCase();
}

export function registerRepoRoutes(router: Router): void {
  const R = "/repos/{owner}/{repo}";
  router
    .on("GET", R, (ctx) => ({ status: 200, body: ser.repository(ctx.state, repoOf(ctx)) }))
    // ---- labels ----
    .on("GET", `${R}/labels`, (ctx) => {
      const repo = repoOf(ctx);
      const list = [...repo.labels.values()].sort((a, b) => a.id - b.id);
      return paginate(ctx, list, (l) => ser.label(ctx.state, repo, l));
    })
    .on("POST", `${R}/labels`, (ctx) => {
      const repo = repoOf(ctx);
      writer(ctx, "write");
      const b = bodyObject(ctx);
      const l = ctx.state.createLabel(repo, {
        name: b.name as string,
        ...(typeof b.color === "string" ? { color: b.color } : {}),
        ...(typeof b.description === "string" ? { description: b.description } : {}),
      });
      return { status: 201, body: ser.label(ctx.state, repo, l) };
    })
    .on("GET", `${R}/labels/{name}`, (ctx) => {
      const repo = repoOf(ctx);
      const l = ctx.state.findLabel(repo, ctx.params.name ?? "");
      if (!l) throw notFound();
      return { status: 200, body: ser.label(ctx.state, repo, l) };
    })
    .on("PATCH", `${R}/labels/{name}`, (ctx) => {
      const repo = repoOf(ctx);
      writer(ctx, "write");
      const l = ctx.state.updateLabel(repo, ctx.params.name ?? "", bodyObject(ctx));
      return { status: 200, body: ser.label(ctx.state, repo, l) };
    })
    .on("DELETE", `${R}/labels/{name}`, (ctx) => {
      const repo = repoOf(ctx);
      writer(ctx, "write");
      ctx.state.deleteLabel(repo, ctx.params.name ?? "");
      return { status: 204 };
    })
    // ---- milestones ----
    .on("GET", `${R}/milestones`, (ctx) => {
      const repo = repoOf(ctx);
      const state = ctx.query.get("state") ?? "open";
      const list = [...repo.milestones.values()].filter(
        (m) => state === "all" || m.state === state,
      );
      return paginate(ctx, list, (m) => ser.milestone(ctx.state, repo, m));
    })
    .on("POST", `${R}/milestones`, (ctx) => {
      const repo = repoOf(ctx);
      const m = ctx.state.createMilestone(repo, writer(ctx, "write"), bodyObject(ctx));
      return { status: 201, body: ser.milestone(ctx.state, repo, m) };
    })
    .on("GET", `${R}/milestones/{milestone_number}`, (ctx) => {
      const repo = repoOf(ctx);
      const m = repo.milestones.get(Number(ctx.params.milestone_number));
      if (!m) throw notFound();
      return { status: 200, body: ser.milestone(ctx.state, repo, m) };
    })
    // ---- contents ----
    .on("GET", `${R}/contents/{path}`, getContents)
    // ---- people ----
    .on("GET", `${R}/collaborators/{username}/permission`, (ctx) => {
      repoOf(ctx);
      const u = ctx.state.user(ctx.params.username ?? "");
      if (!u) throw notFound();
      return {
        status: 200,
        body: {
          permission: PERMISSION_OF_ROLE[u.role],
          role_name: u.role,
          user: {
            ...ser.simpleUser(ctx.state, u),
            permissions: permissionsObject(u.role),
            role_name: u.role,
          },
        },
      };
    })
    .on("GET", "/orgs/{org}/teams/{team_slug}/memberships/{username}", (ctx) => {
      const org = ctx.state.owner;
      if (org.type !== "Organization" || !sameLogin(ctx.params.org, org.login)) throw notFound();
      const team = ctx.state.teams.get((ctx.params.team_slug ?? "").toLowerCase());
      const role = team?.get((ctx.params.username ?? "").toLowerCase());
      if (!role) throw notFound();
      return {
        status: 200,
        body: {
          url: `${ctx.state.apiUrl}/orgs/${org.login}/teams/${ctx.params.team_slug}/memberships/${ctx.params.username}`,
          role,
          state: "active",
        },
      };
    })
    // ---- checks and statuses ----
    .on("POST", `${R}/check-runs`, (ctx) => {
      const repo = repoOf(ctx);
      const app = checksWriter(ctx);
      const run = ctx.state.upsertCheckRun(repo, bodyObject(ctx), undefined, app);
      return { status: 201, body: ser.checkRun(ctx.state, repo, run) };
    })
    .on("GET", `${R}/check-runs/{check_run_id}`, (ctx) => {
      const repo = repoOf(ctx);
      requirePermission(ctx, "checks", "read");
      const run = repo.checkRuns.get(Number(ctx.params.check_run_id));
      if (!run) throw notFound();
      return { status: 200, body: ser.checkRun(ctx.state, repo, run) };
    })
    .on("PATCH", `${R}/check-runs/{check_run_id}`, (ctx) => {
      const repo = repoOf(ctx);
      const app = checksWriter(ctx);
      const existing = repo.checkRuns.get(Number(ctx.params.check_run_id));
      if (!existing) throw notFound();
      // Only the App that created a check run may change it.
      if (existing.app.id !== app.id)
        throw new ApiError(403, "Resource not accessible by integration");
      const run = ctx.state.upsertCheckRun(repo, bodyObject(ctx), existing);
      return { status: 200, body: ser.checkRun(ctx.state, repo, run) };
    })
    .on("GET", `${R}/commits/{ref}/check-runs`, (ctx) => {
      const repo = repoOf(ctx);
      requirePermission(ctx, "checks", "read");
      const commit = resolveRef(repo, ctx.params.ref ?? "");
      if (!commit) throw new ApiError(422, `No commit found for SHA: ${ctx.params.ref ?? ""}`);
      const q = ctx.query;
      const filter = q.get("filter") ?? "latest";
      const status = q.get("status");
      if (!["latest", "all"].includes(filter)) {
        throw validationFailed({ resource: "CheckRun", code: "invalid", field: "filter" });
      }
      if (status && !["queued", "in_progress", "completed"].includes(status)) {
        throw validationFailed({ resource: "CheckRun", code: "invalid", field: "status" });
      }
      const name = q.get("check_name");
      const appId = q.get("app_id");
      // Newest first; `latest` keeps the newest run of each name (per App).
      let runs = [...repo.checkRuns.values()]
        .filter((r) => r.headSha === commit.sha)
        .sort((a, b) => b.id - a.id);
      if (filter === "latest") {
        const seen = new Set<string>();
        runs = runs.filter((r) => {
          const key = `${r.app.id}\u0000${r.name}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
      }
      runs = runs
        .filter((r) => name === null || r.name === name)
        .filter((r) => !status || r.status === status)
        .filter((r) => appId === null || String(r.app.id) === appId);
      const page = paginate(ctx, runs, (r) => ser.checkRun(ctx.state, repo, r));
      return { ...page, body: { total_count: runs.length, check_runs: page.body } };
    })
    .on("POST", `${R}/statuses/{sha}`, (ctx) => {
      const repo = repoOf(ctx);
      const sha = ctx.params.sha ?? "";
      if (!/^[0-9a-f]{40}$/i.test(sha)) {
        throw validationFailed({ resource: "Status", code: "invalid", field: "sha" });
      }
      const s = ctx.state.createStatus(repo, writer(ctx, "write"), sha, bodyObject(ctx));
      return { status: 201, body: ser.status(ctx.state, repo, s) };
    });
}

/** The `organization` object webhooks carry for organization-owned repositories. */
export function organizationSimple(state: GitHubState) {
  const { login, id } = state.owner;
  const api = `${state.apiUrl}/orgs/${login}`;
  return {
    login,
    id,
    node_id: nodeId("O", id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `${state.webUrl}/avatars/u/${id}?v=4`,
    description: null,
  };
}
