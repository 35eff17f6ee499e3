// GraphQL `node(id:)` queries on issues and pull requests: which pull requests close an issue
// (`closedByPullRequestsReferences`) and which issues a pull request closes
// (`closingIssuesReferences`). A subset of GitHub's schema, with GitHub's field names and types;
// any field or argument outside it is refused, so a query the emulator answers is one GitHub knows.
import type { Field, Operation, Selection, Value } from "./graphql-parse.js";
import type { IssueRecord, RepoRecord, UserRecord } from "./model.js";
import { nodeId, roleAtLeast } from "./model.js";
import type { GitHubState } from "./state.js";

/** A query the emulator cannot answer; the message says why. */
export class UnsupportedQuery extends Error {}

/** An error GitHub would report in `errors` (bad variables, pagination limits). */
export class QueryError extends Error {}

type ArgType = "ID!" | "Int" | "Boolean";
interface FieldSpec {
  args?: Record<string, ArgType>;
  /** The object type of the field's value; scalar fields have none. */
  type?: string;
}

const CONNECTION_ARGS = { first: "Int", userLinkedOnly: "Boolean" } as const;

/** Type → field → spec. `__typename` is allowed on every type. */
export const LINK_SCHEMA: Record<string, Record<string, FieldSpec>> = {
  Query: { node: { args: { id: "ID!" }, type: "Node" } },
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
  Repository: { nameWithOwner: {} },
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
  | { type: "PullRequestConnection" | "IssueConnection"; records: IssueRecord[]; total: number };

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

function argument(ctx: Context, field: Field, name: string, type: ArgType): unknown {
  const value: Value | undefined = field.args.get(name);
  let raw: unknown;
  if (!value || value.kind === "null") raw = undefined;
  else if (value.kind === "variable") raw = ctx.variables[value.name];
  else if (value.kind === "enum") raw = Symbol.for(value.value);
  else raw = value.value;
  const ok =
    raw === undefined
      ? !type.endsWith("!")
      : type === "ID!"
        ? typeof raw === "string"
        : type === "Int"
          ? Number.isInteger(raw)
          : typeof raw === "boolean";
  if (!ok) {
    throw new QueryError(
      value?.kind === "variable"
        ? `Variable $${value.name} of type ${type} was provided invalid value`
        : `Argument '${name}' on Field '${field.name}' has an invalid value. Expected type '${type}'.`,
    );
  }
  return raw;
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
  const records = all.filter((r) => visible(ctx, r.repo));
  return { type, records: records.slice(0, first), total: records.length };
}

function resolve(ctx: Context, obj: Obj, selections: Selection[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(selections, obj.type)) {
    out[field.alias ?? field.name] =
      field.name === "__typename" ? obj.type : value(ctx, obj, field);
  }
  return out;
}

function value(ctx: Context, obj: Obj, field: Field): unknown {
  const sub = (o: Obj | null) => (o === null ? null : resolve(ctx, o, field.selections ?? []));
  const w = ctx.state;
  switch (obj.type) {
    case "Repository":
      return `${obj.record.owner.login}/${obj.record.name}`;
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
