// GraphQL `node(id:)` queries on issues and pull requests: which pull requests close an issue
// (`closedByPullRequestsReferences`) and which issues a pull request closes
// (`closingIssuesReferences`); and `repository(owner:, name:) { deployments(...) }`: deployments
// with their latest status in one request (REST needs one request per deployment for its statuses).
// A subset of GitHub's schema, with GitHub's field names and types; any field or argument outside
// it is refused, so a query the emulator answers is one GitHub knows.
import type { Field, Operation, Selection, Value } from "./graphql-parse.js";
import type {
  DeploymentRecord,
  DeploymentStatusRecord,
  IssueRecord,
  RepoRecord,
  UserRecord,
} from "./model.js";
import { nodeId, roleAtLeast } from "./model.js";
import type { GitHubState } from "./state.js";

/** A query the emulator cannot answer; the message says why. */
export class UnsupportedQuery extends Error {}

/** An error GitHub would report in `errors` (bad variables, pagination limits). */
export class QueryError extends Error {}

type ArgType = "ID!" | "Int" | "Boolean" | "String" | "String!" | "[String!]" | "DeploymentOrder";
interface FieldSpec {
  args?: Record<string, ArgType>;
  /** The object type of the field's value; scalar fields have none. */
  type?: string;
}

const CONNECTION_ARGS = { first: "Int", userLinkedOnly: "Boolean" } as const;

/** Type → field → spec. `__typename` is allowed on every type. */
export const LINK_SCHEMA: Record<string, Record<string, FieldSpec>> = {
  Query: {
    node: { args: { id: "ID!" }, type: "Node" },
    repository: { args: { owner: "String!", name: "String!" }, type: "Repository" },
  },
  Node: { id: {} },
  Issue: {
    id: {},
    databaseId: {},
    number: {},
    title: {},
    url: {},
    state: {},
    stateReason: {},
    repository: { type: "Repository" },
    closedByPullRequestsReferences: {
      args: { ...CONNECTION_ARGS, includeClosedPrs: "Boolean" },
      type: "PullRequestConnection",
    },
  },
  PullRequest: {
    id: {},
    databaseId: {},
    number: {},
    title: {},
    url: {},
    state: {},
    merged: {},
    mergedAt: {},
    mergeCommit: { type: "Commit" },
    repository: { type: "Repository" },
    closingIssuesReferences: { args: { ...CONNECTION_ARGS }, type: "IssueConnection" },
  },
  PullRequestConnection: { totalCount: {}, nodes: { type: "PullRequest" } },
  IssueConnection: { totalCount: {}, nodes: { type: "Issue" } },
  Commit: { oid: {} },
  Repository: {
    nameWithOwner: {},
    deployments: {
      args: {
        environments: "[String!]",
        orderBy: "DeploymentOrder",
        first: "Int",
        after: "String",
      },
      type: "DeploymentConnection",
    },
  },
  DeploymentConnection: {
    totalCount: {},
    nodes: { type: "Deployment" },
    pageInfo: { type: "PageInfo" },
  },
  PageInfo: { hasNextPage: {}, endCursor: {}, hasPreviousPage: {}, startCursor: {} },
  Deployment: {
    id: {},
    databaseId: {},
    createdAt: {},
    updatedAt: {},
    environment: {},
    originalEnvironment: {},
    description: {},
    task: {},
    state: {},
    commitOid: {},
    commit: { type: "Commit" },
    ref: { type: "Ref" },
    creator: { type: "Actor" },
    latestStatus: { type: "DeploymentStatus" },
  },
  DeploymentStatus: {
    id: {},
    state: {},
    createdAt: {},
    updatedAt: {},
    description: {},
    environmentUrl: {},
    logUrl: {},
    creator: { type: "Actor" },
  },
  Ref: { name: {}, prefix: {} },
  Actor: { login: {} },
};

const NODE_TYPES = new Set(["Issue", "PullRequest"]);

/** Checks a parsed query against LINK_SCHEMA; throws UnsupportedQuery naming the first problem. */
export function checkLinkQuery(op: Operation): void {
  if (op.type !== "query") throw new UnsupportedQuery("only queries");
  const check = (selections: Selection[], type: string) => {
    for (const s of selections) {
      if (s.kind === "fragment") {
        const allowed = type === "Node" ? NODE_TYPES.has(s.on) || s.on === "Node" : s.on === type;
        if (!allowed) throw new UnsupportedQuery(`fragment on ${s.on} inside ${type}`);
        check(s.selections, s.on);
        continue;
      }
      if (s.name === "__typename") {
        if (s.selections || s.args.size) throw new UnsupportedQuery("__typename takes nothing");
        continue;
      }
      const spec = LINK_SCHEMA[type]?.[s.name];
      if (!spec) throw new UnsupportedQuery(`field '${s.name}' on type '${type}'`);
      for (const [arg, value] of s.args) {
        if (!spec.args?.[arg]) throw new UnsupportedQuery(`argument '${arg}' on field '${s.name}'`);
        if (value.kind === "variable" && !op.variables.has(value.name)) {
          throw new UnsupportedQuery(`variable $${value.name} is not declared`);
        }
      }
      for (const [arg, argType] of Object.entries(spec.args ?? {})) {
        if (argType.endsWith("!") && !s.args.has(arg)) {
          throw new UnsupportedQuery(`argument '${arg}' on field '${s.name}' is required`);
        }
      }
      if (spec.type && !s.selections) {
        throw new UnsupportedQuery(`field '${s.name}' needs a selection of subfields`);
      }
      if (!spec.type && s.selections) throw new UnsupportedQuery(`'${s.name}' is a scalar`);
      if (spec.type && s.selections) check(s.selections, spec.type);
    }
  };
  check(op.selections, "Query");
}

interface Context {
  state: GitHubState;
  actor: UserRecord;
  variables: Record<string, unknown>;
  errors: unknown[];
}

type Obj =
  | { type: "Issue" | "PullRequest"; record: IssueRecord }
  | { type: "Repository"; record: RepoRecord }
  | { type: "Commit"; oid: string }
  | { type: "PullRequestConnection" | "IssueConnection"; records: IssueRecord[]; total: number }
  | {
      type: "DeploymentConnection";
      repo: RepoRecord;
      records: DeploymentRecord[];
      total: number;
      offset: number;
    }
  | { type: "PageInfo"; hasNextPage: boolean; hasPreviousPage: boolean; start: number; end: number }
  | { type: "Deployment"; repo: RepoRecord; record: DeploymentRecord }
  | { type: "DeploymentStatus"; record: DeploymentStatusRecord }
  | { type: "Ref"; name: string }
  | { type: "Actor"; user: UserRecord };

/** Runs a query that passed checkLinkQuery. */
export function runLinkQuery(
  state: GitHubState,
  actor: UserRecord,
  op: Operation,
  variables: Record<string, unknown>,
): { data: Record<string, unknown>; errors: unknown[] } {
  const ctx: Context = { state, actor, variables, errors: [] };
  const data: Record<string, unknown> = {};
  for (const field of fieldsOf(op.selections, "Query")) {
    const key = field.alias ?? field.name;
    if (field.name === "__typename") {
      data[key] = "Query";
      continue;
    }
    if (field.name === "repository") {
      const owner = argument(ctx, field, "owner", "String!") as string;
      const name = argument(ctx, field, "name", "String!") as string;
      const repo = state.repo(owner, name);
      if (!repo || !visible(ctx, repo)) {
        ctx.errors.push({
          type: "NOT_FOUND",
          path: [key],
          locations: [{ line: 1, column: 1 }],
          message: `Could not resolve to a Repository with the name '${owner}/${name}'.`,
        });
        data[key] = null;
        continue;
      }
      data[key] = resolve(ctx, { type: "Repository", record: repo }, field.selections ?? []);
      continue;
    }
    const id = argument(ctx, field, "id", "ID!") as string;
    const record = nodeRecord(ctx, id);
    if (!record) {
      ctx.errors.push({
        type: "NOT_FOUND",
        path: [key],
        locations: [{ line: 1, column: 1 }],
        message: `Could not resolve to a node with the global id of '${id}'`,
      });
      data[key] = null;
      continue;
    }
    data[key] = resolve(ctx, record, field.selections ?? []);
  }
  return { data, errors: ctx.errors };
}

/** The fields that apply to an object of `type`, inline fragments flattened. */
function fieldsOf(selections: Selection[], type: string): Field[] {
  const out: Field[] = [];
  for (const s of selections) {
    if (s.kind === "field") out.push(s);
    else if (s.on === type || s.on === "Node") out.push(...fieldsOf(s.selections, type));
  }
  return out;
}

/** A literal or variable as JSON: enums as their names (as variables carry them). */
function raw(ctx: Context, value: Value | undefined): unknown {
  if (!value || value.kind === "null") return undefined;
  switch (value.kind) {
    case "variable":
      return ctx.variables[value.name] ?? undefined;
    case "enum":
      return value.value;
    case "list":
      return value.values.map((v) => raw(ctx, v));
    case "object":
      return Object.fromEntries([...value.fields].map(([k, v]) => [k, raw(ctx, v)]));
    default:
      return value.value;
  }
}

function fits(type: ArgType, value: unknown): boolean {
  switch (type) {
    case "ID!":
    case "String!":
    case "String":
      return typeof value === "string";
    case "Int":
      return Number.isInteger(value);
    case "Boolean":
      return typeof value === "boolean";
    case "[String!]":
      // GraphQL coerces a single value to a list of one.
      return (
        typeof value === "string" ||
        (Array.isArray(value) && value.every((v) => typeof v === "string"))
      );
    case "DeploymentOrder": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
      const { field, direction, ...rest } = value as Record<string, unknown>;
      return (
        field === "CREATED_AT" &&
        (direction === "ASC" || direction === "DESC") &&
        Object.keys(rest).length === 0
      );
    }
  }
}

function argument(ctx: Context, field: Field, name: string, type: ArgType): unknown {
  const value: Value | undefined = field.args.get(name);
  const given = raw(ctx, value);
  const ok = given === undefined ? !type.endsWith("!") : fits(type, given);
  if (!ok) {
    throw new QueryError(
      value?.kind === "variable"
        ? `Variable $${value.name} of type ${type} was provided invalid value`
        : `Argument '${name}' on Field '${field.name}' has an invalid value. Expected type '${type}'.`,
    );
  }
  return type === "[String!]" && typeof given === "string" ? [given] : given;
}

function visible(ctx: Context, repo: RepoRecord): boolean {
  if (ctx.actor.type === "Bot") return repo.installed !== false;
  return !repo.private || roleAtLeast(ctx.actor.role, "read");
}

function nodeRecord(ctx: Context, id: string): Obj | undefined {
  const m = /^(I|PR)_(.+)$/.exec(id);
  const decoded = m ? /^emu:(\d+)$/.exec(Buffer.from(m[2] ?? "", "base64url").toString()) : null;
  const record = decoded ? ctx.state.issueById(Number(decoded[1])) : undefined;
  if (!record || !visible(ctx, record.repo)) return undefined;
  if (m?.[1] === "PR" && record.pull) return { type: "PullRequest", record };
  if (m?.[1] === "I" && !record.isPullRequest) return { type: "Issue", record };
  return undefined;
}

function connection(
  ctx: Context,
  field: Field,
  type: "PullRequestConnection" | "IssueConnection",
  all: IssueRecord[],
): Obj {
  const first = firstOf(ctx, field);
  const records = all.filter((r) => visible(ctx, r.repo));
  return { type, records: records.slice(0, first), total: records.length };
}

/** `first` as GitHub checks it: required, 0 to 100. */
function firstOf(ctx: Context, field: Field): number {
  const first = argument(ctx, field, "first", "Int") as number | undefined;
  if (first === undefined) {
    throw new QueryError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${field.name}\` connection.`,
    );
  }
  if (first < 0 || first > 100) {
    throw new QueryError(
      `Requesting ${first} records on the \`${field.name}\` connection exceeds the \`first\` limit of 100 records.`,
    );
  }
  return first;
}

const cursorOf = (index: number) => Buffer.from(`cursor:v2:${index}`).toString("base64");

/**
 * `Repository.deployments`: filtered by `environments`, ordered by creation (GitHub's default
 * ASC; `orderBy: {field: CREATED_AT, direction: DESC}` for newest first), `first` from after the
 * `after` cursor.
 */
function deployments(ctx: Context, repo: RepoRecord, field: Field): Obj {
  const environments = argument(ctx, field, "environments", "[String!]") as string[] | undefined;
  const order = argument(ctx, field, "orderBy", "DeploymentOrder") as
    { direction: "ASC" | "DESC" } | undefined;
  const after = argument(ctx, field, "after", "String") as string | undefined;
  const first = firstOf(ctx, field);
  const all = repo.deployments
    .filter((d) => !environments || environments.includes(d.environment))
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
  if (order?.direction === "DESC") all.reverse();
  let offset = 0;
  if (after !== undefined) {
    const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(after, "base64").toString("utf8"));
    if (!m) throw new QueryError(`\`${after}\` does not appear to be a valid cursor.`);
    offset = Number(m[1]) + 1;
  }
  return {
    type: "DeploymentConnection",
    repo,
    records: all.slice(offset, offset + first),
    total: all.length,
    offset,
  };
}

/** GitHub's `DeploymentState` from the latest status. */
function deploymentState(d: DeploymentRecord): string {
  const latest = d.statuses.at(-1)?.state;
  if (latest === "success") return "ACTIVE";
  return latest ? latest.toUpperCase() : "PENDING";
}

/** GraphQL names an App's bot without the `[bot]` REST puts after it. */
function graphqlLogin(user: UserRecord): string {
  return user.type === "Bot" ? user.login.replace(/\[bot\]$/, "") : user.login;
}

function typename(obj: Obj): string {
  if (obj.type !== "Actor") return obj.type;
  return obj.user.type === "Bot"
    ? "Bot"
    : obj.user.type === "Organization"
      ? "Organization"
      : "User";
}

function resolve(ctx: Context, obj: Obj, selections: Selection[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(selections, obj.type)) {
    out[field.alias ?? field.name] =
      field.name === "__typename" ? typename(obj) : value(ctx, obj, field);
  }
  return out;
}

function value(ctx: Context, obj: Obj, field: Field): unknown {
  const sub = (o: Obj | null) => (o === null ? null : resolve(ctx, o, field.selections ?? []));
  const w = ctx.state;
  switch (obj.type) {
    case "Repository":
      if (field.name === "deployments") return sub(deployments(ctx, obj.record, field));
      return `${obj.record.owner.login}/${obj.record.name}`;
    case "DeploymentConnection":
      if (field.name === "totalCount") return obj.total;
      if (field.name === "pageInfo") {
        return sub({
          type: "PageInfo",
          hasNextPage: obj.offset + obj.records.length < obj.total,
          hasPreviousPage: obj.offset > 0,
          start: obj.offset,
          end: obj.offset + obj.records.length - 1,
        });
      }
      return obj.records.map((record) => sub({ type: "Deployment", repo: obj.repo, record }));
    case "PageInfo":
      switch (field.name) {
        case "hasNextPage":
          return obj.hasNextPage;
        case "hasPreviousPage":
          return obj.hasPreviousPage;
        case "startCursor":
          return obj.end >= obj.start ? cursorOf(obj.start) : null;
        default:
          return obj.end >= obj.start ? cursorOf(obj.end) : null;
      }
    case "Deployment": {
      const d = obj.record;
      const latest = d.statuses.at(-1);
      switch (field.name) {
        case "id":
          return nodeId("DE", d.id);
        case "databaseId":
          return d.id;
        case "createdAt":
          return d.createdAt;
        case "updatedAt":
          return d.updatedAt;
        case "environment":
          return d.environment;
        case "originalEnvironment":
          return d.originalEnvironment;
        case "description":
          return d.description;
        case "task":
          return d.task;
        case "state":
          return deploymentState(d);
        case "commitOid":
          return d.sha;
        case "commit":
          return sub({ type: "Commit", oid: d.sha });
        case "ref":
          // A Ref is a branch (or tag) that exists: a deployment of a bare sha has none.
          return sub(obj.repo.branches.has(d.ref) ? { type: "Ref", name: d.ref } : null);
        case "creator":
          return sub({ type: "Actor", user: d.creator });
        default:
          return sub(latest ? { type: "DeploymentStatus", record: latest } : null);
      }
    }
    case "DeploymentStatus": {
      const st = obj.record;
      switch (field.name) {
        case "id":
          return nodeId("DES", st.id);
        case "state":
          return st.state.toUpperCase();
        case "createdAt":
          return st.createdAt;
        case "updatedAt":
          return st.updatedAt;
        case "description":
          return st.description || null;
        case "environmentUrl":
          return st.environmentUrl;
        case "logUrl":
          return st.logUrl;
        default:
          return sub({ type: "Actor", user: st.creator });
      }
    }
    case "Ref":
      return field.name === "prefix" ? "refs/heads/" : obj.name;
    case "Actor":
      return graphqlLogin(obj.user);
    case "Commit":
      return obj.oid;
    case "PullRequestConnection":
    case "IssueConnection": {
      if (field.name === "totalCount") return obj.total;
      const type = obj.type === "IssueConnection" ? "Issue" : "PullRequest";
      return obj.records.map((record) => sub({ type, record }));
    }
    case "Issue":
    case "PullRequest": {
      const r = obj.record;
      const pull = r.pull;
      const repoPath = `${w.webUrl}/${r.repo.owner.login}/${r.repo.name}`;
      switch (field.name) {
        case "id":
          return nodeId(obj.type === "Issue" ? "I" : "PR", r.id);
        case "databaseId":
          return r.id;
        case "number":
          return r.number;
        case "title":
          return r.title;
        case "url":
          return `${repoPath}/${obj.type === "Issue" ? "issues" : "pull"}/${r.number}`;
        case "state":
          return pull?.merged ? "MERGED" : r.state.toUpperCase();
        case "stateReason":
          return r.stateReason?.toUpperCase() ?? null;
        case "merged":
          return pull?.merged ?? false;
        case "mergedAt":
          return pull?.mergedAt ?? null;
        case "mergeCommit":
          return sub(pull?.mergeCommitSha ? { type: "Commit", oid: pull.mergeCommitSha } : null);
        case "repository":
          return sub({ type: "Repository", record: r.repo });
        case "closedByPullRequestsReferences": {
          const includeClosed = argument(ctx, field, "includeClosedPrs", "Boolean") === true;
          const userLinkedOnly = argument(ctx, field, "userLinkedOnly", "Boolean") === true;
          const prs = w
            .closingPullRequests(r)
            .filter((pr) => includeClosed || pr.state === "open")
            .filter((pr) => !userLinkedOnly || pr.pull?.linkedIssueIds.includes(r.id));
          return sub(connection(ctx, field, "PullRequestConnection", prs));
        }
        case "closingIssuesReferences": {
          const userLinkedOnly = argument(ctx, field, "userLinkedOnly", "Boolean") === true;
          const issues = w
            .closingIssues(r)
            .filter((issue) => !userLinkedOnly || pull?.linkedIssueIds.includes(issue.id));
          return sub(connection(ctx, field, "IssueConnection", issues));
        }
        default:
          return null;
      }
    }
  }
}
