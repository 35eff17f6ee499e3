// A small router keyed by the OpenAPI path templates, so a logged request names the operation it hit.
import type { IncomingHttpHeaders } from "node:http";
import { ApiError, notFound } from "./errors.js";
import type { AppIdentity, RepoRecord, Role, UserRecord } from "./model.js";
import { roleAtLeast } from "./model.js";
import type { GitHubState } from "./state.js";

export interface RouteContext {
  method: string;
  /** Path without the /api/v3 prefix and without the query. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingHttpHeaders;
  /** The user an installation or user token acts as; undefined when anonymous or JWT. */
  actor: UserRecord | undefined;
  /** True when the request carried a valid App JWT. */
  asApp: boolean;
  /**
   * What the token may do (`{ checks: "write", … }`): the installation's permissions for the
   * App's installation tokens, or what a test gave `tokenFor`; undefined: the user's role decides.
   */
  permissions: Record<string, string> | undefined;
  /** The GitHub App the token acts for (a bot's token), undefined for people. */
  app: AppIdentity | undefined;
  state: GitHubState;
  /** The URL the client used, for Link headers. */
  requestUrl: URL;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this text as-is (raw media types) instead of JSON. */
  raw?: string;
}

export type Handler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

export interface Route {
  method: string;
  template: string;
  handler: Handler;
}

export class Router {
  readonly routes: Route[] = [];

  on(method: string, template: string, handler: Handler): this {
    this.routes.push({ method, template, handler });
    return this;
  }

  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | undefined {
    const segments = path.split("/").filter(Boolean);
    let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = matchTemplate(route.template, segments);
      // Literal segments win over parameters: /issues/comments is not issue number "comments".
      const literals = route.template.split("/").filter((p) => p && !p.startsWith("{")).length;
      if (params && (!best || literals > best.literals)) best = { route, params, literals };
    }
    return best && { route: best.route, params: best.params };
  }

  /** True when some method serves this path (for 404 vs 405-like answers). */
  knows(path: string): boolean {
    const segments = path.split("/").filter(Boolean);
    return this.routes.some((r) => matchTemplate(r.template, segments) !== undefined);
  }
}

function matchTemplate(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = template.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const seg = segments[i];
    if (seg === undefined) return undefined;
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    if (name === "path" && i === parts.length - 1) {
      // File paths in the contents API span several segments.
      params.path = segments.slice(i).map(decodeURIComponent).join("/");
      return params;
    }
    if (name) params[name] = decodeURIComponent(seg);
    else if (part !== seg) return undefined;
  }
  return parts.length === segments.length ? params : undefined;
}

// ---- helpers for handlers ----

export function repoOf(ctx: RouteContext): RepoRecord {
  const repo = ctx.state.repo(ctx.params.owner ?? "", ctx.params.repo ?? "");
  if (!repo) throw notFound();
  if (repo.private && !ctx.actor && !ctx.asApp) throw notFound();
  // An installation token sees only the repositories the App is installed on.
  if (repo.installed === false && ctx.actor?.type === "Bot") throw notFound();
  return repo;
}

/** The acting user for a change; bots act with their installation's permissions, humans with their role. */
export function writer(ctx: RouteContext, min: Role = "read"): UserRecord {
  if (!ctx.actor) throw new ApiError(401, "Requires authentication");
  if (ctx.actor.type !== "Bot" && !roleAtLeast(ctx.actor.role, min)) {
    throw new ApiError(403, "Resource not accessible by personal access token");
  }
  return ctx.actor;
}

/**
 * A token restricted to permissions (an App's installation, a `GITHUB_TOKEN`) needs `level` on
 * `name`, else GitHub answers 403 "Resource not accessible by integration".
 */
export function requirePermission(ctx: RouteContext, name: string, level: "read" | "write"): void {
  if (!ctx.permissions) return;
  const granted = ctx.permissions[name];
  const ok = level === "read" ? granted === "read" || granted === "write" : granted === "write";
  if (!ok) throw new ApiError(403, "Resource not accessible by integration");
}

export function issueNumber(ctx: RouteContext): number {
  const n = Number(ctx.params.issue_number);
  if (!Number.isInteger(n)) throw notFound();
  return n;
}

export function bodyObject(ctx: RouteContext): Record<string, unknown> {
  const b = ctx.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== "object" || Array.isArray(b)) throw new ApiError(400, "Problems parsing JSON");
  return b as Record<string, unknown>;
}

/** Slices a list by per_page/page and adds an RFC 5988 Link header like GitHub's. */
export function paginate<T>(
  ctx: RouteContext,
  items: T[],
  map: (item: T) => unknown = (x) => x,
): RouteResult {
  const perPage = Math.min(Math.max(Number(ctx.query.get("per_page") ?? 30) || 30, 1), 100);
  const page = Math.max(Number(ctx.query.get("page") ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage).map(map);
  const link = (p: number, rel: string) => {
    const u = new URL(ctx.requestUrl);
    u.searchParams.set("per_page", String(perPage));
    u.searchParams.set("page", String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"));
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  return { status: 200, body: slice, headers: links.length ? { link: links.join(", ") } : {} };
}
