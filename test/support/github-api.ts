// A nock-based fake of https://api.github.com for unit tests of the app.
//
//     const api = useFakeGitHub();                 // fresh per test; api.done() runs after each
//     api.expect("POST /repos/{owner}/{repo}/issues", {
//       params: { owner: "acme", repo: "web" },
//       body: { title: "Post-mortem: DB outage", labels: ["postmortem"] },
//       reply: [201, { number: 12, id: 9012 }],
//     });
//     ...run the app...
//     expect(api.requests).toEqual([{ method: "POST", path: "/repos/acme/web/issues", body: {...} }]);
//
// Every request is recorded and checked against GitHub's OpenAPI description; an unexpected or
// invalid request makes `done()` throw (and gets a 501 answer, so the app sees an error too).
import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";
import { findOperation, validateRequest, validateResponse } from "./openapi.js";

export type Query = Record<string, string | string[]>;

/** What `api.requests` holds: enough to assert exactly what was sent. */
export interface RecordedRequest {
  method: string;
  /** path as sent (percent-encoded), without the query string */
  path: string;
  /** query parameters; absent when there were none */
  query?: Query;
  /** parsed JSON body (raw text if not JSON); absent when none was sent */
  body?: unknown;
}

/** A request as reply functions and matchers see it. */
export interface IncomingRequest extends RecordedRequest {
  url: string;
  headers: Record<string, string>;
  /** `POST /repos/{owner}/{repo}/issues`, when the description has the operation */
  route: string | undefined;
  operationId: string | undefined;
  /** decoded path parameters, e.g. `{ owner: "acme", repo: "web", issue_number: "12" }` */
  params: Record<string, string>;
  /** 0 for the first request an expectation answers, 1 for the second… */
  call: number;
}

export interface ReplyObject {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
/** `[status, body?, headers?]`, `{ status, body, headers }`, or `{ networkError }` (fetch fails). */
export type Reply =
  | readonly [status: number, body?: unknown, headers?: Record<string, string>]
  | ReplyObject
  | { networkError: string };
export type Responder = Reply | ((request: IncomingRequest) => Reply | Promise<Reply>);

export type Matcher<T> = T | ((value: T) => boolean);

export interface ExpectOptions {
  /** path parameters the request must have (when the route is a template) */
  params?: Record<string, string | number>;
  /** the exact query (vitest `toEqual` semantics, asymmetric matchers allowed) or a predicate */
  query?: Matcher<Query>;
  /** the exact body (`toEqual` semantics, e.g. `expect.objectContaining(…)` works) or a predicate */
  body?: Matcher<unknown>;
  /** the reply; defaults to `[200, {}]` (`[204]` for DELETE) */
  reply?: Responder;
  /** replies for consecutive matching requests (the last one repeats if `times` is larger) */
  replies?: readonly Responder[];
  /** how many requests this expects; default 1, or `replies.length` */
  times?: number;
  /** `done()` does not complain if it was not (fully) used */
  optional?: boolean;
  /** answers any number of matching requests (implies `optional`); tried after the others */
  persist?: boolean;
  /** a name shown in messages */
  name?: string;
}

export interface Expectation {
  readonly description: string;
  readonly calls: number;
  readonly satisfied: boolean;
}

export interface LogEntry extends IncomingRequest {
  /** problems against the OpenAPI description */
  problems: string[];
  /** what the fake answered */
  reply: ReplyObject | { networkError: string };
  /** `expectation` (declared), `token` (automatic installation token), `unexpected` */
  handledBy: "expectation" | "token" | "unexpected";
  expectation?: string;
}

export interface FakeGitHubOptions {
  /** default `https://api.github.com` */
  baseUrl?: string;
  /** check requests against the OpenAPI description (default true) */
  validateRequests?: boolean;
  /** check declared replies against the description's response schemas (default false) */
  validateReplies?: boolean;
  /** answer `POST /app/installations/{id}/access_tokens` without an expectation (default true) */
  autoInstallationTokens?: boolean;
  /** accept body properties the description does not name (default false) */
  allowUnknownBodyProperties?: boolean;
  /** hosts (e.g. a local chat receiver on 127.0.0.1) let through to the real network */
  passThrough?: RegExp;
}

interface InternalExpectation {
  method: string;
  pathPattern: RegExp;
  paramNames: string[];
  description: string;
  options: ExpectOptions;
  times: number;
  calls: number;
  order: number;
}

const TOKEN_ROUTE = /^\/app\/installations\/(\d+)\/access_tokens$/;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
}

function normalizeSegment(segment: string): string {
  try {
    return encodeURIComponent(decodeURIComponent(segment));
  } catch {
    return segment;
  }
}

/** Compiles `"/repos/{owner}/{repo}/labels/{name}"` or a concrete path into a regex on encoded paths. */
function compilePath(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = path
    .split("/")
    .map((segment) =>
      segment.replace(/\{([^}]+)\}|[^{]+/g, (part, name?: string) => {
        if (name) {
          paramNames.push(name);
          return "([^/]+)";
        }
        return escapeRegExp(normalizeSegment(part));
      }),
    )
    .join("/");
  return { pattern: new RegExp(`^${source}$`), paramNames };
}

function toReplyObject(reply: Reply, method: string): ReplyObject | { networkError: string } {
  if ("networkError" in reply) return reply;
  if (Array.isArray(reply)) {
    const [status, body, headers] = reply as [number, unknown?, Record<string, string>?];
    return { status, body, ...(headers ? { headers } : {}) };
  }
  const object = reply as ReplyObject;
  return { ...object, status: object.status ?? (method === "DELETE" ? 204 : 200) };
}

function equalsMessage(actual: unknown, expected: unknown): string | undefined {
  try {
    expect(actual).toEqual(expected);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function matches<T>(matcher: Matcher<T> | undefined, actual: T): string | undefined {
  if (matcher === undefined) return undefined;
  if (typeof matcher === "function") {
    return (matcher as (value: T) => boolean)(actual) ? undefined : "predicate returned false";
  }
  return equalsMessage(actual, matcher);
}

function summarize(request: RecordedRequest): string {
  const query = request.query
    ? `?${new URLSearchParams(flattenQuery(request.query)).toString()}`
    : "";
  const body = request.body === undefined ? "" : `\n    body: ${JSON.stringify(request.body)}`;
  return `${request.method} ${request.path}${query}${body}`;
}

function flattenQuery(query: Query): [string, string][] {
  return Object.entries(query).flatMap(([k, v]) =>
    Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]],
  );
}

function indent(text: string): string {
  return text.replace(/\n/g, "\n      ");
}

export class FakeGitHub {
  readonly baseUrl: string;
  private readonly options: Required<Omit<FakeGitHubOptions, "baseUrl" | "passThrough">> &
    Pick<FakeGitHubOptions, "passThrough">;
  private expectations: InternalExpectation[] = [];
  private entries: LogEntry[] = [];
  private problems: string[] = [];
  private interceptors: nock.Interceptor[] = [];
  private counter = 0;
  private readonly onNoMatch = (request: {
    method?: string;
    url?: string;
    path?: string;
    host?: string;
    hostname?: string;
  }) => {
    const passThrough = this.options.passThrough;
    const host = request.hostname ?? request.host ?? request.url ?? "";
    if (passThrough !== undefined && passThrough.test(host)) return;
    this.problems.push(
      `request to a host nothing fakes (network is disabled): ${request.method ?? ""} ${request.url ?? request.path ?? ""}`,
    );
  };

  constructor(options: FakeGitHubOptions = {}) {
    this.baseUrl = (options.baseUrl ?? "https://api.github.com").replace(/\/$/, "");
    this.options = {
      validateRequests: options.validateRequests ?? true,
      validateReplies: options.validateReplies ?? false,
      autoInstallationTokens: options.autoInstallationTokens ?? true,
      allowUnknownBodyProperties: options.allowUnknownBodyProperties ?? false,
      passThrough: options.passThrough,
    };
  }

  /** Starts intercepting (and disables real network access through nock). */
  start(): this {
    if (this.interceptors.length > 0) return this;
    nock.disableNetConnect();
    if (this.options.passThrough !== undefined) nock.enableNetConnect(this.options.passThrough);
    const scope = nock(this.baseUrl).persist();
    for (const method of METHODS) {
      const interceptor = scope.intercept(() => true, method);
      // nock 15 calls a one-argument reply function with the Fetch API `Request`.
      interceptor.reply(async (request: Request) => this.handle(request));
      this.interceptors.push(interceptor);
    }
    nock.emitter.on("no match", this.onNoMatch);
    return this;
  }

  /** Stops intercepting; keeps the log. */
  stop(): void {
    for (const interceptor of this.interceptors) nock.removeInterceptor(interceptor);
    this.interceptors = [];
    nock.emitter.removeListener("no match", this.onNoMatch);
  }

  /** Forgets expectations, the log and failures. */
  reset(): void {
    this.expectations = [];
    this.entries = [];
    this.problems = [];
    this.counter = 0;
  }

  /**
   * Declares an expected request: `"METHOD /path"` where the path is a template from the
   * description (`/repos/{owner}/{repo}/issues/{issue_number}`) or a concrete one
   * (`/repos/acme/web/issues/12`; `%20` and ` ` are the same).
   */
  expect(route: string, options: ExpectOptions = {}): Expectation {
    const trimmed = route.trim();
    const space = trimmed.search(/\s/);
    const method = space < 0 ? trimmed : trimmed.slice(0, space);
    const path = space < 0 ? "" : trimmed.slice(space).trim();
    if (!METHODS.includes(method.toUpperCase()) || !path.startsWith("/")) {
      throw new Error(`expect("${route}"): write "METHOD /path"`);
    }
    const { pattern, paramNames } = compilePath(path);
    const times = options.times ?? options.replies?.length ?? 1;
    const description = options.name ?? `${method.toUpperCase()} ${path}`;
    const internal: InternalExpectation = {
      method: method.toUpperCase(),
      pathPattern: pattern,
      paramNames,
      description,
      options,
      times,
      calls: 0,
      order: this.expectations.length,
    };
    this.expectations.push(internal);
    return {
      description,
      get calls() {
        return internal.calls;
      },
      get satisfied() {
        return internal.calls >= internal.times;
      },
    };
  }

  /** Requests the app sent, in order, without installation-token requests. */
  get requests(): RecordedRequest[] {
    return this.entries.filter((e) => !TOKEN_ROUTE.test(e.path) || e.method !== "POST").map(plain);
  }

  /** All requests, installation-token requests included. */
  get allRequests(): RecordedRequest[] {
    return this.entries.map(plain);
  }

  /** Everything known about each request: headers, route, problems, reply. */
  get log(): readonly LogEntry[] {
    return this.entries;
  }

  /** Problems seen so far: unexpected requests, requests GitHub would reject, reply errors. */
  get failures(): readonly string[] {
    return this.problems;
  }

  /** Expectations not yet met (optional ones excluded). */
  pending(): string[] {
    return this.expectations
      .filter((e) => !e.options.optional && !e.options.persist && e.calls < e.times)
      .map((e) => `${e.description} (${e.calls} of ${e.times} request(s) seen)`);
  }

  /** Throws if anything went wrong or an expectation is unmet. */
  done(): void {
    const lines: string[] = [];
    if (this.problems.length > 0) lines.push(...this.problems.map((p) => `- ${p}`));
    const pending = this.pending();
    if (pending.length > 0) lines.push(...pending.map((p) => `- expected but not requested: ${p}`));
    if (lines.length === 0) return;
    const log = this.entries.map(
      (e, i) => `  ${i + 1}. ${indent(summarize(e))} → ${describeReply(e.reply)}`,
    );
    throw new Error(
      `Fake GitHub API:\n${lines.join("\n")}\nRequests received:\n${log.join("\n") || "  (none)"}`,
    );
  }

  private async handle(request: Request): Promise<[number, string, Record<string, string>]> {
    const incoming = await this.parse(request);
    const { problems, entry } = this.check(incoming);
    const label = summarize(incoming);

    let reply: ReplyObject | { networkError: string };
    let handledBy: LogEntry["handledBy"];
    let expectationName: string | undefined;
    const match = this.findExpectation(incoming);
    if (match.expectation) {
      const exp = match.expectation;
      const responders = exp.options.replies ?? [exp.options.reply ?? defaultReply(exp.method)];
      const responder = responders[Math.min(exp.calls, responders.length - 1)] ?? [200, {}];
      incoming.call = exp.calls;
      exp.calls += 1;
      handledBy = "expectation";
      expectationName = exp.description;
      try {
        const raw = typeof responder === "function" ? await responder(incoming) : responder;
        reply = toReplyObject(raw, incoming.method);
      } catch (error) {
        this.problems.push(
          `reply function of ${exp.description} threw for ${label}: ${String(error)}`,
        );
        reply = {
          status: 500,
          body: { message: `fake GitHub: reply function threw: ${String(error)}` },
        };
      }
      if (this.options.validateReplies && "status" in reply && incoming.route) {
        const [method = "", template = ""] = incoming.route.split(" ");
        for (const p of validateResponse(method, template, reply.status, reply.body)) {
          problems.push(`reply of ${exp.description}: ${p}`);
        }
      }
    } else if (
      this.options.autoInstallationTokens &&
      incoming.method === "POST" &&
      TOKEN_ROUTE.test(incoming.path)
    ) {
      handledBy = "token";
      reply = {
        status: 201,
        body: installationToken(Number(TOKEN_ROUTE.exec(incoming.path)?.[1])),
      };
    } else {
      handledBy = "unexpected";
      const hints = match.nearMisses
        .map((m) => `\n    - ${m.description}: ${indent(m.reason)}`)
        .join("");
      this.problems.push(
        `unexpected request: ${label}${hints ? `\n    near misses:${hints}` : ""}`,
      );
      reply = {
        status: 501,
        body: { message: `fake GitHub: unexpected request ${incoming.method} ${incoming.path}` },
      };
    }

    for (const p of problems)
      this.problems.push(`invalid request (GitHub would reject or ignore it): ${p}`);
    this.entries.push({
      ...entry,
      reply,
      handledBy,
      ...(expectationName ? { expectation: expectationName } : {}),
    });

    if ("networkError" in reply) {
      throw Object.assign(new Error(reply.networkError), { code: reply.networkError });
    }
    const headers: Record<string, string> = {
      "x-github-request-id": `FAKE:${this.counter}`,
      ...reply.headers,
    };
    if (reply.body === undefined || reply.body === null || reply.status === 204) {
      return [reply.status, "", headers];
    }
    if (typeof reply.body === "string") return [reply.status, reply.body, headers];
    headers["content-type"] ??= "application/json; charset=utf-8";
    return [reply.status, JSON.stringify(reply.body), headers];
  }

  private async parse(request: Request): Promise<IncomingRequest> {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => (headers[key] = value));
    const query: Query = {};
    for (const [key, value] of url.searchParams) {
      const previous = query[key];
      query[key] =
        previous === undefined
          ? value
          : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const text = await request.text();
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const method = request.method.toUpperCase();
    const path = url.pathname;
    const operation = findOperation(method, path);
    this.counter += 1;
    return {
      method,
      path,
      ...(Object.keys(query).length > 0 ? { query } : {}),
      ...(body !== undefined ? { body } : {}),
      url: request.url,
      headers,
      route: operation ? `${operation.method} ${operation.template}` : undefined,
      operationId: operation?.operationId,
      params: operation?.params ?? {},
      call: 0,
    };
  }

  private check(incoming: IncomingRequest): {
    problems: string[];
    entry: Omit<LogEntry, "reply" | "handledBy">;
  } {
    const problems = this.options.validateRequests
      ? validateRequest({
          method: incoming.method,
          path: incoming.path,
          query: incoming.query,
          body: incoming.body,
          allowUnknownBodyProperties: this.options.allowUnknownBodyProperties,
        })
      : [];
    return { problems, entry: { ...incoming, problems } };
  }

  private findExpectation(incoming: IncomingRequest): {
    expectation?: InternalExpectation;
    nearMisses: { description: string; reason: string }[];
  } {
    const nearMisses: { description: string; reason: string }[] = [];
    const ordered = [...this.expectations].sort(
      (a, b) => Number(!!a.options.persist) - Number(!!b.options.persist) || a.order - b.order,
    );
    for (const exp of ordered) {
      if (exp.method !== incoming.method) continue;
      const m = exp.pathPattern.exec(incoming.path);
      if (!m) continue;
      const params: Record<string, string> = {};
      exp.paramNames.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? "")));
      const reasons: string[] = [];
      for (const [name, value] of Object.entries(exp.options.params ?? {})) {
        if (params[name] !== String(value))
          reasons.push(
            `path parameter ${name} is ${JSON.stringify(params[name])}, expected ${JSON.stringify(String(value))}`,
          );
      }
      const queryProblem = matches(exp.options.query, incoming.query ?? {});
      if (queryProblem) reasons.push(`query differs: ${queryProblem}`);
      const bodyProblem = matches(exp.options.body, incoming.body);
      if (bodyProblem) reasons.push(`body differs: ${bodyProblem}`);
      if (reasons.length > 0) {
        nearMisses.push({ description: exp.description, reason: reasons.join("\n") });
        continue;
      }
      if (!exp.options.persist && exp.calls >= exp.times) {
        nearMisses.push({
          description: exp.description,
          reason: `already used ${exp.calls} time(s) of ${exp.times}`,
        });
        continue;
      }
      incoming.params = { ...incoming.params, ...params };
      return { expectation: exp, nearMisses };
    }
    return { nearMisses };
  }
}

function defaultReply(method: string): Reply {
  return method === "DELETE" ? [204] : [200, {}];
}

function describeReply(reply: LogEntry["reply"]): string {
  return "networkError" in reply ? `network error ${reply.networkError}` : String(reply.status);
}

function plain(entry: LogEntry): RecordedRequest {
  return {
    method: entry.method,
    path: entry.path,
    ...(entry.query ? { query: entry.query } : {}),
    ...(entry.body !== undefined ? { body: entry.body } : {}),
  };
}

/** The reply to `POST /app/installations/{id}/access_tokens`. */
export function installationToken(installationId: number) {
  return {
    token: `ghs_fake_installation_token_${installationId}`,
    expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z"),
    permissions: { issues: "write", metadata: "read", contents: "read" },
    repository_selection: "all",
  };
}

/**
 * One FakeGitHub for the test file: started and reset before each test; after each test
 * `done()` runs (failing the test if something was unexpected or unmet) and it stops.
 */
export function useFakeGitHub(options: FakeGitHubOptions = {}): FakeGitHub {
  const api = new FakeGitHub(options);
  beforeEach(() => {
    api.reset();
    api.start();
  });
  afterEach(() => {
    try {
      api.done();
    } finally {
      api.stop();
    }
  });
  return api;
}

/**
 * A page of `items` for a list request (honours `per_page`, `page`), with a `link` header
 * that Octokit's paginate follows.
 */
export function paginate(
  request: Pick<IncomingRequest, "url" | "query">,
  items: readonly unknown[],
  defaultPerPage = 30,
): ReplyObject {
  const perPage = Math.min(Number(firstValue(request.query?.per_page) ?? defaultPerPage), 100);
  const page = Number(firstValue(request.query?.page) ?? 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((page - 1) * perPage, page * perPage);
  const links: string[] = [];
  const pageUrl = (n: number) => {
    const url = new URL(request.url);
    url.searchParams.set("page", String(n));
    return `<${url.toString()}>`;
  };
  if (page < last) links.push(`${pageUrl(page + 1)}; rel="next"`, `${pageUrl(last)}; rel="last"`);
  if (page > 1) links.push(`${pageUrl(1)}; rel="first"`, `${pageUrl(page - 1)}; rel="prev"`);
  return {
    status: 200,
    body,
    ...(links.length > 0 ? { headers: { link: links.join(", ") } } : {}),
  };
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
