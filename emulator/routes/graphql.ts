// GraphQL, for what REST cannot do: tell whether a comment's text was ever edited, and pin an issue.
// Only `query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id lastEditedAt } } }`
// (any operation name, whitespace and field order) and
// `mutation($issueId: ID!) { pinIssue(input: { issueId: $issueId }) { issue { id } } }` are
// understood, and `node(id:)` queries on issues and pull requests within the subset of GitHub's
// schema in graphql-links.ts (closedByPullRequestsReferences, closingIssuesReferences); anything
// else gets an error.
import { ApiError } from "../errors.js";
import { QueryError, UnsupportedQuery, checkLinkQuery, runLinkQuery } from "../graphql-links.js";
import { GraphqlSyntaxError, parseOperation } from "../graphql-parse.js";
import type { CommentRecord } from "../model.js";
import { ProjectStore, UnsupportedProjectQuery } from "../projects.js";
import { roleAtLeast } from "../model.js";
import type { RouteContext, RouteResult, Router } from "../router.js";

const NODES_QUERY =
  /^\s*query\s*\w*\s*\(\s*\$ids\s*:\s*\[\s*ID\s*!\s*\]\s*!\s*\)\s*\{\s*nodes\s*\(\s*ids\s*:\s*\$ids\s*\)\s*\{\s*\.\.\.\s*on\s+IssueComment\s*\{([^{}]*)\}\s*\}\s*\}\s*$/;
const FIELDS = new Set(["id", "lastEditedAt", "__typename"]);
const PIN_MUTATION =
  /^\s*mutation\s*\w*\s*\(\s*\$issueId\s*:\s*ID\s*!\s*\)\s*\{\s*pinIssue\s*\(\s*input\s*:\s*\{\s*issueId\s*:\s*\$issueId\s*\}\s*\)\s*\{\s*issue\s*\{\s*id\s*\}\s*\}\s*\}\s*$/;
/** GitHub pins at most three issues per repository. */
export const MAX_PINNED_ISSUES = 3;

export function registerGraphqlRoutes(router: Router): void {
  // Octokit sends GraphQL to /graphql, or to /api/graphql when its baseUrl ends in /api/v3; the
  // server maps the latter to the former.
  router.on("POST", "/graphql", (ctx) => answer(ctx));
}

function answer(ctx: RouteContext): RouteResult {
  if (!ctx.actor) throw new ApiError(401, "This endpoint requires you to be authenticated.");
  const body = ctx.body as { query?: unknown; variables?: { ids?: unknown } } | null | undefined;
  if (typeof body !== "object" || body === null || typeof body.query !== "string") {
    return {
      status: 400,
      body: { errors: [{ message: "A query attribute must be specified and must be a string." }] },
    };
  }
  if (PIN_MUTATION.test(body.query)) return pinIssue(ctx, body.variables);
  const projects = projectsQuery(ctx, body.query, body.variables);
  if (projects) return projects;
  const shape = NODES_QUERY.exec(body.query);
  if (!shape) return linkQuery(ctx, body.query, body.variables);
  const fields = shape?.[1]?.split(/[\s,]+/).filter(Boolean) ?? [];
  if (!shape || fields.length === 0 || fields.some((field) => !FIELDS.has(field))) {
    return graphqlError(
      "The emulator answers only query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id lastEditedAt } } }",
    );
  }
  const ids = body.variables?.ids;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
    return graphqlError("Variable $ids of type [ID!]! was provided invalid value");
  }
  if (ids.length > 100) return graphqlError("You may not provide more than 100 node ids");

  const errors: unknown[] = [];
  const nodes = (ids as string[]).map((id, index) => {
    const comment = issueComment(ctx, id);
    if (!comment) {
      // GitHub answers null for the node and says why in `errors`.
      errors.push({
        type: "NOT_FOUND",
        path: ["nodes", index],
        locations: [{ line: 1, column: 1 }],
        message: `Could not resolve to a node with the global id of '${id}'`,
      });
      return null;
    }
    const values: Record<string, unknown> = {
      id,
      lastEditedAt: comment.lastEditedAt,
      __typename: "IssueComment",
    };
    return Object.fromEntries(fields.map((field) => [field, values[field]]));
  });
  return { status: 200, body: { data: { nodes }, ...(errors.length > 0 ? { errors } : {}) } };
}

function pinIssue(ctx: RouteContext, variables: unknown): RouteResult {
  const id = (variables as { issueId?: unknown } | undefined)?.issueId;
  const decoded =
    typeof id === "string" && id.startsWith("I_")
      ? /^emu:(\d+)$/.exec(Buffer.from(id.slice(2), "base64url").toString("utf8"))
      : null;
  const issue = decoded ? ctx.state.issueById(Number(decoded[1])) : undefined;
  if (!issue || issue.isPullRequest) {
    return graphqlError(`Could not resolve to a node with the global id of '${String(id)}'`);
  }
  const actor = ctx.actor!;
  if (actor.type !== "Bot" && !roleAtLeast(actor.role, "triage")) {
    return graphqlError(
      `${actor.login} does not have the correct permissions to execute \`PinIssue\``,
    );
  }
  if (!issue.pinned) {
    const pinned = [...issue.repo.issues.values()].filter(
      (other) => other.pinned && !other.deleted,
    ).length;
    if (pinned >= MAX_PINNED_ISSUES) {
      return graphqlError("Repository already has 3 pinned issues");
    }
    issue.pinned = true;
  }
  return { status: 200, body: { data: { pinIssue: { issue: { id } } } } };
}

/** `node(id:)` on an issue or a pull request: which pull requests close which issues. */
function linkQuery(ctx: RouteContext, query: string, variables: unknown): RouteResult {
  try {
    const op = parseOperation(query);
    checkLinkQuery(op);
    const vars =
      typeof variables === "object" && variables !== null && !Array.isArray(variables)
        ? (variables as Record<string, unknown>)
        : {};
    const { data, errors } = runLinkQuery(ctx.state, ctx.actor!, op, vars);
    return { status: 200, body: { data, ...(errors.length > 0 ? { errors } : {}) } };
  } catch (error) {
    if (error instanceof QueryError) return graphqlError(error.message);
    if (error instanceof UnsupportedQuery || error instanceof GraphqlSyntaxError) {
      return graphqlError(
        `The emulator answers only the queries listed in emulator/README.md (${error.message})`,
      );
    }
    throw error;
  }
}

function graphqlError(message: string): RouteResult {
  return { status: 200, body: { errors: [{ message, locations: [{ line: 1, column: 1 }] }] } };
}

/** The comment a node id (`IC_…`, as the REST `node_id`) names, if this token may see it. */
function issueComment(ctx: RouteContext, id: string): CommentRecord | undefined {
  if (!id.startsWith("IC_")) return undefined;
  const decoded = /^emu:(\d+)$/.exec(Buffer.from(id.slice(3), "base64url").toString("utf8"));
  const comment = decoded ? ctx.state.comments.get(Number(decoded[1])) : undefined;
  if (!comment || comment.issue.deleted) return undefined;
  const actor = ctx.actor!;
  if (comment.issue.repo.private && actor.type !== "Bot" && !roleAtLeast(actor.role, "read")) {
    return undefined;
  }
  return comment;
}

/** Projects (v2): emulator/projects.ts; undefined for any other operation. */
function projectsQuery(
  ctx: RouteContext,
  query: string,
  variables: unknown,
): RouteResult | undefined {
  let op;
  try {
    op = parseOperation(query);
  } catch {
    return undefined;
  }
  if (!ProjectStore.concerns(op)) return undefined;
  const vars =
    typeof variables === "object" && variables !== null && !Array.isArray(variables)
      ? (variables as Record<string, unknown>)
      : {};
  try {
    const { data, errors } = ctx.state.projects.run(
      op,
      vars,
      { user: ctx.actor!, permissions: ctx.permissions },
      (id) => {
        const m = /^I_(.+)$/.exec(id);
        const decoded = m ? /^emu:(\d+)$/.exec(Buffer.from(m[1]!, "base64url").toString()) : null;
        const issue = decoded ? ctx.state.issueById(Number(decoded[1])) : undefined;
        return issue && !issue.isPullRequest && !issue.deleted ? issue : undefined;
      },
      (login) => ctx.state.user(login),
    );
    return { status: 200, body: { data, ...(errors.length > 0 ? { errors } : {}) } };
  } catch (error) {
    if (error instanceof UnsupportedProjectQuery) {
      return graphqlError(
        `The emulator answers only the queries listed in emulator/README.md (${error.message})`,
      );
    }
    throw error;
  }
}
