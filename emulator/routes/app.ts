// GitHub App endpoints: the App itself (JWT), its installation, and installation access tokens.
import type { Auth } from "../auth.js";
import { ApiError, notFound } from "../errors.js";
import { timestamp } from "../model.js";
import type { RouteContext, Router } from "../router.js";
import { paginate, repoOf } from "../router.js";
import * as ser from "../serialize.js";

function requireApp(ctx: RouteContext): void {
  if (!ctx.asApp) {
    throw new ApiError(401, "A JSON web token could not be decoded");
  }
}

export function registerAppRoutes(router: Router, auth: Auth): void {
  const mainRepo = (ctx: RouteContext) =>
    [...ctx.state.repos.values()][0] ?? ctx.state.addRepo("repo");
  router
    .on("GET", "/app", (ctx) => {
      requireApp(ctx);
      return { status: 200, body: ser.integration(ctx.state) };
    })
    .on("GET", "/app/installations", (ctx) => {
      requireApp(ctx);
      return paginate(ctx, [ser.installation(ctx.state, mainRepo(ctx))]);
    })
    .on("GET", "/app/installations/{installation_id}", (ctx) => {
      requireApp(ctx);
      if (Number(ctx.params.installation_id) !== ctx.state.installationId) throw notFound();
      return { status: 200, body: ser.installation(ctx.state, mainRepo(ctx)) };
    })
    .on("POST", "/app/installations/{installation_id}/access_tokens", (ctx) => {
      requireApp(ctx);
      if (Number(ctx.params.installation_id) !== ctx.state.installationId) throw notFound();
      const { token, expiresAt } = auth.issueToken(ctx.state.bot, "ghs_", { installation: true });
      return {
        status: 201,
        body: {
          token,
          expires_at: timestamp(expiresAt),
          permissions: ctx.state.app.permissions,
          repository_selection: "all",
        },
      };
    })
    .on("GET", "/repos/{owner}/{repo}/installation", (ctx) => {
      requireApp(ctx);
      const repo = repoOf(ctx);
      if (repo.installed === false) throw notFound();
      return { status: 200, body: ser.installation(ctx.state, repo) };
    })
    .on("GET", "/orgs/{org}/installation", (ctx) => {
      requireApp(ctx);
      if ((ctx.params.org ?? "").toLowerCase() !== ctx.state.owner.login.toLowerCase())
        throw notFound();
      return { status: 200, body: ser.installation(ctx.state, mainRepo(ctx)) };
    })
    .on("GET", "/installation/repositories", (ctx) => {
      if (ctx.actor?.type !== "Bot") throw new ApiError(401, "Requires authentication");
      const repos = [...ctx.state.repos.values()]
        .filter((r) => r.installed !== false)
        .map((r) => ser.repository(ctx.state, r));
      const page = paginate(ctx, repos);
      return {
        ...page,
        body: { total_count: repos.length, repository_selection: "all", repositories: page.body },
      };
    });
}
