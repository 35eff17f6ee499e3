// Checks requests (and responses) against GitHub's published OpenAPI description of
// api.github.com, as shipped by @octokit/openapi. Only `generated/api.github.com.json` is
// read (the package index would load every GHES version), once per worker, on first use.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { FORMATS } from "./formats.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonObject;
}

interface Operation {
  operationId?: string;
  parameters?: JsonObject[];
  requestBody?: JsonObject;
  responses?: Record<string, JsonObject>;
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, JsonObject>>;
}

/** An operation of the description, found from a concrete method and path. */
export interface MatchedOperation {
  /** e.g. `issues/create` */
  operationId: string;
  /** upper case, e.g. `POST` */
  method: string;
  /** the path template, e.g. `/repos/{owner}/{repo}/issues` */
  template: string;
  /** decoded path parameters, e.g. `{ owner: "acme", repo: "web" }` */
  params: Record<string, string>;
}

export type QueryValue = string | number | boolean | readonly (string | number | boolean)[];

export interface RequestToValidate {
  method: string;
  /** absolute URL or path, optionally with a query string */
  url?: string;
  /** path (as sent, i.e. still percent-encoded), optionally with a query string */
  path?: string;
  /** query parameters, merged with those found in `url`/`path` */
  query?: Record<string, QueryValue | undefined>;
  /** parsed JSON body; `undefined` when none was sent */
  body?: unknown;
  /**
   * GitHub ignores body properties its description does not name, so the description allows
   * them. By default they are reported anyway (they are almost always typos or wrong
   * assumptions); set this to accept them.
   */
  allowUnknownBodyProperties?: boolean;
}

const SPEC_MODULE = "@octokit/openapi/generated/api.github.com.json";
const BASE = "https://openapi.test/api.github.com.json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  /** `pattern` with the last parameter allowed to span several segments */
  greedyPattern: RegExp | undefined;
  paramNames: string[];
  /** one entry per segment: 1 for a literal segment, 0 for one holding a parameter */
  score: number[];
  operation: Operation;
}

interface State {
  spec: Spec;
  routes: Route[];
  ajv: Ajv;
  validators: Map<string, ValidateFunction>;
}

let state: State | undefined;

/** The raw description (parsed once). Useful for fixtures and for exploring. */
export function openApiSpec(): Spec {
  return load().spec;
}

function load(): State {
  if (state) return state;
  const file = createRequire(import.meta.url).resolve(SPEC_MODULE);
  const spec = JSON.parse(readFileSync(file, "utf8")) as Spec;
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      routes.push(compileRoute(method.toUpperCase(), template, operation));
    }
  }
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    verbose: true,
    formats: FORMATS,
  });
  const schemas: Record<string, Json> = {};
  for (const [name, schema] of Object.entries(spec.components.schemas ?? {})) {
    schemas[name] = convertSchema(schema);
  }
  ajv.addSchema({ $id: BASE, components: { schemas } });
  state = { spec, routes, ajv, validators: new Map() };
  return state;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileRoute(method: string, template: string, operation: Operation): Route {
  const paramNames: string[] = [];
  const score: number[] = [];
  const parts: string[] = [];
  for (const segment of template.split("/").slice(1)) {
    score.push(segment.includes("{") ? 0 : 1);
    let source = "";
    let rest = segment;
    for (let m = /\{([^}]+)\}/.exec(rest); m; m = /\{([^}]+)\}/.exec(rest)) {
      source += escapeRegExp(rest.slice(0, m.index)) + "([^/]+?)";
      paramNames.push(m[1] ?? "");
      rest = rest.slice(m.index + m[0].length);
    }
    parts.push(source + escapeRegExp(rest));
  }
  const pattern = new RegExp(`^/${parts.join("/")}$`);
  // Only parameters that name a file path or a git ref may hold unencoded slashes.
  const greedyPattern =
    parts.at(-1) === "([^/]+?)" && ["path", "ref"].includes(paramNames.at(-1) ?? "")
      ? new RegExp(`^/${[...parts.slice(0, -1), "(.+)"].join("/")}$`)
      : undefined;
  return { method, template, pattern, greedyPattern, paramNames, score, operation };
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function matchRoutes(method: string, path: string): RouteMatch[] {
  const { routes } = load();
  const upper = method.toUpperCase();
  const found: RouteMatch[] = [];
  for (const greedy of [false, true]) {
    for (const route of routes) {
      if (route.method !== upper) continue;
      const pattern = greedy ? route.greedyPattern : route.pattern;
      const m = pattern?.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, i) => (params[name] = safeDecode(m[i + 1] ?? "")));
      found.push({ route, params });
    }
    if (found.length > 0) break;
  }
  return found.sort((a, b) => compareScores(b.route.score, a.route.score));
}

function splitUrl(urlOrPath: string): { path: string; search: string } {
  const url = new URL(urlOrPath, "https://api.github.com");
  return { path: url.pathname, search: url.search };
}

/** Finds the operation for a concrete method and path (`/repos/acme/web/issues/12`). */
export function findOperation(method: string, urlOrPath: string): MatchedOperation | undefined {
  const { path } = splitUrl(urlOrPath);
  const best = matchRoutes(method, path)[0];
  if (!best) return undefined;
  return {
    operationId: best.route.operation.operationId ?? "",
    method: best.route.method,
    template: best.route.template,
    params: best.params,
  };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 schema → JSON Schema (draft-07, as ajv's default class reads it)

const DROPPED_KEYWORDS = new Set([
  "nullable",
  "example",
  "examples",
  "discriminator",
  "xml",
  "externalDocs",
  "readOnly",
  "writeOnly",
]);

/**
 * Converts an OpenAPI 3.0 Schema Object into JSON Schema:
 * - `nullable: true` next to `type` becomes a type union with "null" (and adds `null` to `enum`);
 * - `nullable: true` without `type` (e.g. on a `oneOf`) becomes `anyOf: [schema, {type: null}]`,
 *   since GitHub documents `null` for such fields (e.g. `milestone: null` clears a milestone);
 *   OpenAPI 3.0.3 says such a `nullable` has no effect, which would reject that documented null;
 * - `$ref`s point into the whole description, registered with ajv once;
 * - annotations ajv does not know (`example`, `x-*`, `discriminator`, `readOnly`…) are removed;
 * - `additionalProperties` stays as the description says.
 */
export function convertSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(convertSchema);
  if (schema === null || typeof schema !== "object") return schema;
  if (typeof schema.$ref === "string") {
    const ref: Json = { $ref: schema.$ref.startsWith("#") ? BASE + schema.$ref : schema.$ref };
    return schema.nullable === true ? { anyOf: [ref, { type: "null" }] } : ref;
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith("x-")) continue;
    switch (key) {
      case "properties":
      case "patternProperties": {
        const props: JsonObject = {};
        for (const [name, sub] of Object.entries(value as JsonObject))
          props[name] = convertSchema(sub);
        out[key] = props;
        break;
      }
      case "items":
      case "additionalProperties":
      case "not":
      case "allOf":
      case "anyOf":
      case "oneOf":
        out[key] = typeof value === "object" ? convertSchema(value) : value;
        break;
      default:
        out[key] = value;
    }
  }
  if (schema.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (out.type === undefined) {
      return { anyOf: [out, { type: "null" }] };
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function deref<T = JsonObject>(value: JsonObject): T {
  const { spec } = load();
  let current: Json = value;
  for (let i = 0; i < 20; i++) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) break;
    const ref: Json | undefined = current.$ref;
    if (typeof ref !== "string" || !ref.startsWith("#/")) break;
    current = ref
      .slice(2)
      .split("/")
      .reduce<Json>(
        (node, key) => {
          if (node === null || typeof node !== "object" || Array.isArray(node)) return null;
          return node[key] ?? null;
        },
        spec as unknown as Json,
      );
  }
  return current as T;
}

function validatorFor(key: string, schema: () => Json): ValidateFunction {
  const { ajv, validators } = load();
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(convertSchema(schema()) as object);
    validators.set(key, validate);
  }
  return validate;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function formatErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  const lines = new Set<string>();
  for (const error of errors ?? []) {
    const at = `${where}${error.instancePath}`;
    let message = error.message ?? "is invalid";
    if (error.keyword === "enum") {
      const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      message = `must be one of ${allowed.map(show).join(", ")}`;
    }
    if (error.keyword === "additionalProperties") {
      message = `has unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
    }
    const got = error.keyword === "required" ? "" : ` (got ${show(error.data)})`;
    lines.add(`${at} ${message}${got}`);
  }
  return [...lines];
}

/** Candidate typed values for a string taken from a path or query string. */
function candidates(raw: string): unknown[] {
  const values: unknown[] = [raw];
  if (/^-?\d+(\.\d+)?$/.test(raw)) values.push(Number(raw));
  if (raw === "true" || raw === "false") values.push(raw === "true");
  return values;
}

function checkParameter(
  operationKey: string,
  parameter: Parameter,
  value: QueryValue,
  where: string,
): string[] {
  if (!parameter.schema) return [];
  const validate = validatorFor(`${operationKey} ${parameter.in} ${parameter.name}`, () =>
    deref(parameter.schema ?? {}),
  );
  const tries: unknown[] = [];
  if (Array.isArray(value)) {
    const strings = value.map(String);
    tries.push(
      strings,
      strings.map((s) => candidates(s).at(-1)),
    );
    if (strings.length === 1) tries.push(...candidates(strings[0] ?? ""));
  } else {
    tries.push(...candidates(String(value)));
  }
  if (tries.some((candidate) => validate(candidate))) return [];
  validate(tries[0]);
  return formatErrors(where, validate.errors);
}

function parseQuery(search: string, extra: RequestToValidate["query"]): Map<string, QueryValue> {
  const query = new Map<string, QueryValue>();
  const add = (rawKey: string, value: string | number | boolean) => {
    const key = rawKey.endsWith("[]") ? rawKey.slice(0, -2) : rawKey;
    const previous = query.get(key);
    if (previous === undefined) query.set(key, rawKey.endsWith("[]") ? [value] : value);
    else query.set(key, [...(Array.isArray(previous) ? previous : [previous]), value]);
  };
  for (const [key, value] of new URLSearchParams(search)) add(key, value);
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) add(key, item as string);
    else add(key, value as string);
  }
  return query;
}

function jsonBodySchema(operation: Operation): { required: boolean; schema?: JsonObject } | null {
  if (!operation.requestBody) return null;
  const requestBody = deref<{ required?: boolean; content?: Record<string, JsonObject> }>(
    operation.requestBody,
  );
  const content = requestBody.content ?? {};
  const json = Object.entries(content).find(([type]) => /json/.test(type));
  if (!json) return { required: false };
  const schema = json[1].schema;
  return {
    required: requestBody.required === true,
    ...(schema && typeof schema === "object" && !Array.isArray(schema) ? { schema } : {}),
  };
}

function isEmptyBody(body: unknown): boolean {
  return (
    body === undefined ||
    body === "" ||
    (typeof body === "object" && body !== null && Object.keys(body).length === 0)
  );
}

/**
 * Checks one request against the description. Returns a list of human-readable problems,
 * empty when the request is fine.
 */
export function validateRequest(request: RequestToValidate): string[] {
  const method = request.method.toUpperCase();
  const { path, search } = splitUrl(request.url ?? request.path ?? "/");
  const label = `${method} ${path}`;
  if (method === "POST" && path === "/graphql") {
    const body = request.body as { query?: unknown } | undefined;
    return typeof body?.query === "string" ? [] : [`${label}: body.query must be a string`];
  }
  const matches = matchRoutes(method, path);
  if (matches.length === 0) {
    const other = load().routes.filter((r) => r.pattern.test(path) || r.greedyPattern?.test(path));
    const hint =
      other.length > 0
        ? ` (the path exists for ${[...new Set(other.map((r) => r.method))].join(", ")})`
        : "";
    return [`${label}: no such operation in GitHub's REST API description${hint}`];
  }

  let best: string[] | undefined;
  for (const { route, params } of matches) {
    const problems = validateAgainst(route, params, search, request, label);
    if (problems.length === 0) return [];
    best ??= problems;
  }
  return best ?? [];
}

function validateAgainst(
  route: Route,
  params: Record<string, string>,
  search: string,
  request: RequestToValidate,
  label: string,
): string[] {
  const { operation } = route;
  const key = `${route.method} ${route.template}`;
  const problems: string[] = [];
  const parameters = (operation.parameters ?? []).map((p) => deref<Parameter>(p));

  for (const parameter of parameters.filter((p) => p.in === "path")) {
    const value = params[parameter.name];
    if (value === undefined || value === "") {
      problems.push(`path parameter ${parameter.name} is missing`);
      continue;
    }
    problems.push(...checkParameter(key, parameter, value, `path parameter ${parameter.name}`));
  }

  const query = parseQuery(search, request.query);
  const queryParameters = parameters.filter((p) => p.in === "query");
  for (const [name, value] of query) {
    const parameter = queryParameters.find((p) => p.name === name);
    if (!parameter) {
      const known = queryParameters.map((p) => p.name).join(", ") || "none";
      problems.push(`query parameter ${name} is not defined (known: ${known})`);
      continue;
    }
    problems.push(...checkParameter(key, parameter, value, `query parameter ${name}`));
  }
  for (const parameter of queryParameters) {
    if (parameter.required && !query.has(parameter.name)) {
      problems.push(`query parameter ${parameter.name} is required`);
    }
  }

  const bodySpec = jsonBodySchema(operation);
  const { body } = request;
  if (!bodySpec) {
    if (!isEmptyBody(body)) problems.push(`body: this operation takes no request body`);
  } else if (body === undefined) {
    if (bodySpec.required) problems.push(`body: a request body is required`);
  } else if (bodySpec.schema) {
    const schema = bodySpec.schema;
    const validate = validatorFor(`${key} body`, () => schema);
    if (!validate(body)) problems.push(...formatErrors("body", validate.errors));
    if (!request.allowUnknownBodyProperties) problems.push(...unknownProperties(schema, body));
  }
  return problems.map((p) => `${label} (${key}): ${p}`);
}

/** Top-level body properties the description does not name (GitHub ignores them). */
function unknownProperties(schema: JsonObject, body: unknown): string[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [];
  const resolved = deref(schema);
  const names = new Set<string>();
  const collect = (s: JsonObject) => {
    const r = deref(s);
    if (r.properties && typeof r.properties === "object") {
      for (const name of Object.keys(r.properties)) names.add(name);
    }
    for (const k of ["allOf", "anyOf", "oneOf"]) {
      const list = r[k];
      if (Array.isArray(list)) for (const item of list) collect(item as JsonObject);
    }
  };
  collect(resolved);
  if (names.size === 0 || resolved.additionalProperties !== undefined) return [];
  return Object.keys(body)
    .filter((name) => !names.has(name))
    .map(
      (name) =>
        `body has property "${name}" that the description does not define (GitHub ignores it; known: ${[...names].join(", ")})`,
    );
}

/** Like `validateRequest`, but throws an Error listing the problems. */
export function assertValidRequest(request: RequestToValidate): void {
  const problems = validateRequest(request);
  if (problems.length > 0) {
    throw new Error(
      `Request does not match GitHub's OpenAPI description:\n- ${problems.join("\n- ")}`,
    );
  }
}

/**
 * Checks a response body against the schema the description gives for that status (for
 * fixtures and fake replies). `path` is concrete (`/repos/acme/web/issues/1`) or a template.
 */
export function validateResponse(
  method: string,
  path: string,
  status: number,
  body: unknown,
): string[] {
  const upper = method.toUpperCase();
  const byTemplate = load().routes.find((r) => r.method === upper && r.template === path);
  const match = byTemplate ?? matchRoutes(upper, splitUrl(path).path)[0]?.route;
  const label = `${upper} ${path} → ${status}`;
  if (!match) return [`${label}: no such operation in GitHub's REST API description`];
  const responses = match.operation.responses ?? {};
  const documented = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
  if (!documented) {
    return [`${label}: status not documented (documented: ${Object.keys(responses).join(", ")})`];
  }
  const response = deref<{ content?: Record<string, { schema?: JsonObject }> }>(documented);
  const json = Object.entries(response.content ?? {}).find(([type]) => /json/.test(type));
  const schema = json?.[1].schema;
  if (!schema) {
    return body === undefined || body === "" || body === null
      ? []
      : [`${label}: the description defines no JSON body for this response`];
  }
  const validate = validatorFor(
    `${match.method} ${match.template} response ${status}`,
    () => schema,
  );
  return validate(body) ? [] : formatErrors(`${label}: body`, validate.errors);
}

export function assertValidResponse(method: string, path: string, status: number, body: unknown) {
  const problems = validateResponse(method, path, status, body);
  if (problems.length > 0) {
    throw new Error(
      `Response does not match GitHub's OpenAPI description:\n- ${problems.join("\n- ")}`,
    );
  }
}

/** Validates data against a named component schema, e.g. `validateComponent("issue", x)`. */
export function validateComponent(name: string, data: unknown): string[] {
  const schema = load().spec.components.schemas?.[name];
  if (!schema) return [`no component schema named ${name}`];
  const validate = validatorFor(`component ${name}`, () => ({
    $ref: `#/components/schemas/${name}`,
  }));
  return validate(data) ? [] : formatErrors(name, validate.errors);
}
