// Webhook payloads for tests: real ones from @octokit/webhooks-examples, or our own fixtures in
// test/fixtures/webhooks/ for events the package lacks, checked against @octokit/openapi-webhooks.
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import examples from "@octokit/webhooks-examples";
import type { ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Context, Probot } from "probot";
import { FORMATS } from "./formats.js";

/** `"issues.opened"`, `"sub_issues.sub_issue_added"`, `"ping"`… (what `app.on` accepts) */
export type WebhookName = Exclude<Parameters<Probot["on"]>[0], readonly unknown[]>;
/** The payload type Probot gives handlers of `N`. */
export type WebhookPayload<N extends WebhookName> = Context<N>["payload"];
/** What `probot.receive` takes. */
export type WebhookEvent = Parameters<Probot["receive"]>[0];

export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/webhooks/", import.meta.url));

// ---------------------------------------------------------------------------------------------
// Validation against @octokit/openapi-webhooks (OpenAPI 3.1 → JSON Schema 2020-12)

const WEBHOOKS_SPEC = "@octokit/openapi-webhooks/generated/api.github.com.json";
const WEBHOOKS_BASE = "https://openapi.test/webhooks.json";

let webhookAjv: { ajv: Ajv2020; schemas: Record<string, unknown> } | undefined;
const webhookValidators = new Map<string, ValidateFunction>();

function webhookSpec() {
  if (!webhookAjv) {
    const file = createRequire(import.meta.url).resolve(WEBHOOKS_SPEC);
    const spec = JSON.parse(readFileSync(file, "utf8")) as {
      components: { schemas: Record<string, unknown> };
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true, formats: FORMATS });
    ajv.addSchema({ $id: WEBHOOKS_BASE, components: spec.components });
    webhookAjv = { ajv, schemas: spec.components.schemas };
  }
  return webhookAjv;
}

/** `issues.opened` → `webhook-issues-opened`; `sub_issues.sub_issue_added` → `webhook-sub-issues-sub-issue-added` */
export function webhookSchemaName(name: string): string {
  return `webhook-${name.replace(/[._]/g, "-")}`;
}

/** Problems of `payload` as a `name` webhook, per @octokit/openapi-webhooks; empty when fine. */
export function validateWebhook(name: string, payload: unknown): string[] {
  const { ajv, schemas } = webhookSpec();
  const schemaName = webhookSchemaName(name);
  if (!(schemaName in schemas)) return [`no schema ${schemaName} in @octokit/openapi-webhooks`];
  let validate = webhookValidators.get(schemaName);
  if (!validate) {
    validate = ajv.getSchema(`${WEBHOOKS_BASE}#/components/schemas/${schemaName}`);
    if (!validate) return [`cannot compile ${schemaName}`];
    webhookValidators.set(schemaName, validate);
  }
  if (validate(payload)) return [];
  const lines = (validate.errors ?? []).map((e) => {
    const got = e.keyword === "required" ? "" : ` (got ${JSON.stringify(e.data)?.slice(0, 60)})`;
    return `${name}${e.instancePath} ${e.message ?? "is invalid"}${got}`;
  });
  return [...new Set(lines)];
}

export function assertValidWebhook(name: string, payload: unknown): void {
  const problems = validateWebhook(name, payload);
  if (problems.length > 0) {
    throw new Error(
      `Webhook payload does not match @octokit/openapi-webhooks:\n- ${problems.join("\n- ")}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

type Definition = { name: string; examples: Record<string, unknown>[] };
const definitions = examples as unknown as Definition[];

function splitName(name: string): { event: string; action: string | undefined } {
  const dot = name.indexOf(".");
  return dot < 0
    ? { event: name, action: undefined }
    : { event: name.slice(0, dot), action: name.slice(dot + 1) };
}

/** Real examples the package has for `name` (event + action), in package order. */
export function packageExamples(name: string): Record<string, unknown>[] {
  const { event, action } = splitName(name);
  const definition = definitions.find((d) => d.name === event);
  return (definition?.examples ?? []).filter((e) => action === undefined || e.action === action);
}

/** Names of our own fixtures (file names without `.json`), e.g. `issues.closed`. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** The event name a fixture file is for: `issues.edited.body-changed` → `issues.edited`. */
export function fixtureEventName(fixture: string): string {
  return fixture.split(".").slice(0, 2).join(".");
}

export interface LoadOptions {
  /**
   * Use the package's example at this index (among those of this action) instead of the first
   * one that validates against @octokit/openapi-webhooks.
   */
  example?: number;
  /** Use test/fixtures/webhooks/<fixture>.json (e.g. `"issues.edited.body-changed"`). */
  fixture?: string;
}

/**
 * A deep copy of a real payload: by default the first package example for `name` that
 * validates against @octokit/openapi-webhooks, else our fixture `test/fixtures/webhooks/<name>.json`.
 */
export function loadWebhookPayload<N extends WebhookName>(
  name: N,
  options: LoadOptions = {},
): WebhookPayload<N> {
  if (options.fixture !== undefined) return readFixture(options.fixture) as WebhookPayload<N>;
  const found = packageExamples(name);
  if (options.example !== undefined) {
    const chosen = found[options.example];
    if (!chosen)
      throw new Error(`@octokit/webhooks-examples has no example #${options.example} of ${name}`);
    return structuredClone(chosen);
  }
  const valid = found.find((e) => validateWebhook(name, e).length === 0);
  if (valid) return structuredClone(valid);
  if (existsSync(`${FIXTURES_DIR}${name}.json`)) return readFixture(name) as WebhookPayload<N>;
  throw new Error(
    found.length > 0
      ? `no example of ${name} validates against @octokit/openapi-webhooks; pass { example: i } or write test/fixtures/webhooks/${name}.json`
      : `no example of ${name} in @octokit/webhooks-examples; write test/fixtures/webhooks/${name}.json`,
  );
}

function readFixture(fixture: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURES_DIR}${fixture}.json`, "utf8"));
}

// ---------------------------------------------------------------------------------------------
// Editing

/** A GitHub user object (shape of webhook `sender`/`user`), ids derived from the login. */
export function makeUser(login: string, options: { id?: number; type?: string } = {}) {
  const id = options.id ?? stableId(login);
  const api = `https://api.github.com/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${Buffer.from(String(id)).toString("base64url")}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: login.endsWith("[bot]")
      ? `https://github.com/apps/${login.slice(0, -5)}`
      : `https://github.com/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: options.type ?? (login.endsWith("[bot]") ? "Bot" : "User"),
    user_view_type: "public",
    site_admin: false,
  };
}

/** A label object as webhooks and the REST API show it. */
export function makeLabel(owner: string, repo: string, name: string, color = "ededed") {
  const id = stableId(`label:${name}`);
  return {
    id,
    node_id: `LA_${Buffer.from(String(id)).toString("base64url")}`,
    url: `https://api.github.com/repos/${owner}/${repo}/labels/${encodeURIComponent(name)}`,
    name,
    color,
    default: false,
    description: null,
  };
}

/** A positive 31-bit integer derived from a string (stable across runs). */
export function stableId(text: string): number {
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16777619);
  return (hash >>> 0) % 2_000_000_000 || 1;
}

type Obj = Record<string, unknown>;

function replaceStrings(value: unknown, from: string, to: string): unknown {
  if (typeof value === "string") return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((v) => replaceStrings(v, from, to));
  if (value && typeof value === "object") {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceStrings(v, from, to);
    return out;
  }
  return value;
}

export interface IssueEdit {
  number?: number;
  id?: number;
  title?: string;
  body?: string | null;
  /** label names */
  labels?: string[];
  /** logins */
  assignees?: string[];
  /** login of the author */
  user?: string;
  state?: "open" | "closed";
  state_reason?: "completed" | "not_planned" | "duplicate" | "reopened" | null;
  /** when it was closed (with `state: "closed"`; else the payload's `updated_at`) */
  closed_at?: string;
}

export interface CommentEdit {
  id?: number;
  body?: string;
  /** login of the author */
  user?: string;
}

/**
 * A typed, chainable editor over a deep copy of a payload:
 *
 *     const event = webhook("issues.opened").repo("acme", "web").issue({ number: 7 }).installation(42).event();
 */
export class WebhookBuilder<N extends WebhookName> {
  readonly name: N;
  payload: WebhookPayload<N>;

  constructor(name: N, payload: WebhookPayload<N>) {
    this.name = name;
    this.payload = payload;
  }

  private get raw(): Obj {
    return this.payload;
  }

  /** Issue-like objects of the payload (`issue`, `sub_issue`, `parent_issue`). */
  private issues(): Obj[] {
    return ["issue", "sub_issue", "parent_issue"]
      .map((key) => this.raw[key])
      .filter((v): v is Obj => !!v && typeof v === "object");
  }

  private repoFullName(): string | undefined {
    const repository = this.raw.repository as Obj | undefined;
    return repository?.full_name as string | undefined;
  }

  /** Moves the payload to `owner/name`: repository fields, owner, and every URL naming it. */
  repo(owner: string, name: string): this {
    const old = this.repoFullName();
    const repository = this.raw.repository as Obj | undefined;
    if (!old || !repository) throw new Error(`${this.name} payload has no repository`);
    const oldOwner = (repository.owner as Obj).login as string;
    const full = `${owner}/${name}`;
    const raw = replaceStrings(this.raw, `/${old}`, `/${full}`) as Obj;
    const repo = raw.repository as Obj;
    repo.name = name;
    repo.full_name = full;
    const ownerObj = replaceStrings(repo.owner, `/${oldOwner}`, `/${owner}`) as Obj;
    ownerObj.login = owner;
    repo.owner = ownerObj;
    for (const key of ["sub_issue_repo", "parent_issue_repo"]) {
      const other = raw[key] as Obj | undefined;
      if (other?.full_name === old) {
        raw[key] = { ...other, name, full_name: full, owner: ownerObj };
      }
    }
    this.payload = raw;
    return this;
  }

  /** Edits `issue` (or, with `which`, `sub_issue`/`parent_issue`). */
  issue(edit: IssueEdit, which: "issue" | "sub_issue" | "parent_issue" = "issue"): this {
    const issue = this.raw[which] as Obj | undefined;
    if (!issue) throw new Error(`${this.name} payload has no ${which}`);
    const m = /\/repos\/([^/]+)\/([^/]+)$/.exec(
      typeof issue.repository_url === "string" ? issue.repository_url : "",
    );
    const [owner = "", repo = ""] = m ? [m[1], m[2]] : (this.repoFullName() ?? "/").split("/");
    let edited = issue;
    if (edit.number !== undefined) {
      const from = `/issues/${String(issue.number)}`;
      edited = replaceStrings(issue, from, `/issues/${edit.number}`) as Obj;
      // the body/title may contain "/issues/N" on purpose: keep them
      edited.title = issue.title;
      edited.body = issue.body;
      edited.number = edit.number;
    }
    if (edit.id !== undefined) {
      edited.id = edit.id;
      if (which === "sub_issue" && "sub_issue_id" in this.raw) this.raw.sub_issue_id = edit.id;
      if (which === "parent_issue" && "parent_issue_id" in this.raw)
        this.raw.parent_issue_id = edit.id;
    }
    if (edit.title !== undefined) edited.title = edit.title;
    if (edit.body !== undefined) edited.body = edit.body;
    if (edit.labels !== undefined)
      edited.labels = edit.labels.map((l) => makeLabel(owner, repo, l));
    if (edit.assignees !== undefined) {
      edited.assignees = edit.assignees.map((login) => makeUser(login));
      edited.assignee = edit.assignees[0] ? makeUser(edit.assignees[0]) : null;
    }
    if (edit.user !== undefined) edited.user = makeUser(edit.user);
    if (edit.state !== undefined) {
      edited.state = edit.state;
      edited.closed_at =
        edit.state === "closed" ? (edit.closed_at ?? edited.closed_at ?? edited.updated_at) : null;
    }
    if (edit.state_reason !== undefined) edited.state_reason = edit.state_reason;
    this.raw[which] = edited;
    return this;
  }

  /** Sets `label` (for `issues.labeled`/`unlabeled`). */
  label(name: string): this {
    const [owner = "", repo = ""] = (this.repoFullName() ?? "/").split("/");
    this.raw.label = makeLabel(owner, repo, name);
    return this;
  }

  /** Edits `comment` (issue_comment events). */
  comment(edit: CommentEdit): this {
    const comment = this.raw.comment as Obj | undefined;
    if (!comment) throw new Error(`${this.name} payload has no comment`);
    if (edit.body !== undefined) comment.body = edit.body;
    if (edit.user !== undefined) comment.user = makeUser(edit.user);
    if (edit.id !== undefined) {
      const old = String(comment.id);
      for (const key of ["url", "html_url"]) {
        if (typeof comment[key] === "string")
          comment[key] = comment[key].replace(old, String(edit.id));
      }
      comment.id = edit.id;
    }
    return this;
  }

  /** Sets `sender` to `login` (a `…[bot]` login makes a Bot). */
  sender(login: string, options: { id?: number; type?: string } = {}): this {
    this.raw.sender = makeUser(login, options);
    return this;
  }

  /** Sets `installation` (Probot needs it to authenticate as the installation). */
  installation(id: number): this {
    this.raw.installation = { id, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${id}` };
    return this;
  }

  /** Sets `changes` (e.g. `{ body: { from: "old" } }` for `issues.edited`). */
  changes(changes: Obj): this {
    this.raw.changes = structuredClone(changes);
    return this;
  }

  /** Arbitrary edit of the (typed) payload. */
  edit(fn: (payload: WebhookPayload<N>) => void): this {
    fn(this.payload);
    return this;
  }

  /** Problems of the current payload per @octokit/openapi-webhooks. */
  validate(): string[] {
    return validateWebhook(this.name, this.payload);
  }

  /** `{ id, name, payload }` for `probot.receive` (a fresh delivery id unless given). */
  event(id: string = randomUUID()): WebhookEvent {
    return { id, name: splitName(this.name).event, payload: this.payload } as WebhookEvent;
  }
}

/** Starts editing a real payload for `name` (see `loadWebhookPayload`). */
export function webhook<N extends WebhookName>(
  name: N,
  options: LoadOptions = {},
): WebhookBuilder<N> {
  return new WebhookBuilder(name, loadWebhookPayload(name, options));
}

// ---------------------------------------------------------------------------------------------

/** `sha256=<hex HMAC-SHA256 of rawBody>`, the `X-Hub-Signature-256` header value. */
export function signPayload(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}
