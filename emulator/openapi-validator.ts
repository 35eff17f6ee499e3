// Validates REST response bodies against GitHub's published OpenAPI 3.0 description
// (@octokit/openapi, api.github.com.json only) with ajv. Reusable by any test code.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const DOC_ID = "github-rest";

/** OpenAPI 3.0 `nullable` → JSON Schema type unions; document-local $refs → refs into DOC_ID. */
export function toJsonSchema(node: Json, docId: string): Json {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, docId));
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "nullable") continue;
    if (k === "$ref" && typeof v === "string" && v.startsWith("#/")) out[k] = `${docId}${v}`;
    else out[k] = toJsonSchema(v, docId);
  }
  if (node.nullable !== true) return out;
  if (typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  // `nullable` without a type (next to allOf/anyOf/$ref): accept null besides the schema.
  return { anyOf: [out, { type: "null" }] };
}

/**
 * Places where the published description contradicts GitHub's real answers. GET /app/installations
 * inlines `account` as allOf[simple-user, enterprise] (the named schema says anyOf), which no real
 * account satisfies.
 */
const KNOWN_SPEC_BUGS: { operation: string; instancePath: RegExp }[] = [
  { operation: "GET /app/installations", instancePath: /^\/\d+\/account(\/|$)/ },
];

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function addFormats(ajv: {
  addFormat(name: string, format: RegExp | ((s: string) => boolean) | true): unknown;
}): void {
  ajv.addFormat("date-time", DATE_TIME);
  ajv.addFormat("uri", (s: string) => URL.canParse(s));
  ajv.addFormat("email", /^[^\s@]+@[^\s@]+$/);
  for (const loose of [
    "uri-template",
    "date",
    "int32",
    "int64",
    "binary",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
    "repo.nwo",
    "ssh-key",
    "ssh-key fingerprint",
    "byte",
    "password",
    "duration",
    "time",
  ]) {
    ajv.addFormat(loose, true);
  }
}

export interface ValidationResult {
  /** False when the description has no JSON schema for this method, route and status. */
  found: boolean;
  valid: boolean;
  errors: string[];
}

export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly doc: JsonObject;
  private readonly cache = new Map<string, ValidateFunction | null>();
  private readonly optionalBodies = new Map<string, boolean>();

  private constructor() {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
    this.doc = JSON.parse(readFileSync(file, "utf8")) as JsonObject;
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
    addFormats(this.ajv);
    const components = toJsonSchema(this.doc.components ?? {}, DOC_ID);
    this.ajv.addSchema({ $id: DOC_ID, components }, DOC_ID);
  }

  private static instance: OpenApiValidator | undefined;

  /** Loads the 13 MB description once per process. */
  static shared(): OpenApiValidator {
    return (this.instance ??= new OpenApiValidator());
  }

  hasOperation(method: string, template: string): boolean {
    const item = (this.doc.paths as JsonObject)[template] as JsonObject | undefined;
    return item?.[method.toLowerCase()] !== undefined;
  }

  /** The JSON schema of a documented response, or null when there is none (e.g. 204). */
  private responseSchema(
    method: string,
    template: string,
    status: number,
  ): Json | null | undefined {
    const op = ((this.doc.paths as JsonObject)[template] as JsonObject | undefined)?.[
      method.toLowerCase()
    ] as JsonObject | undefined;
    if (!op) return undefined;
    const responses = op.responses as JsonObject;
    let response = responses[String(status)] as JsonObject | undefined;
    if (!response) return undefined;
    if (typeof response.$ref === "string") {
      const name = response.$ref.split("/").pop() ?? "";
      response = ((this.doc.components as JsonObject).responses as JsonObject)[name] as JsonObject;
    }
    const content = response.content as JsonObject | undefined;
    if (!content) return null;
    const json = (content["application/json"] ?? content["application/scim+json"]) as
      JsonObject | undefined;
    return json?.schema ?? null;
  }

  /**
   * Checks a request body against the operation's documented JSON request body. `found` is false
   * when the operation documents none (then any body but an empty one is an error).
   */
  validateRequest(method: string, template: string, body: unknown): ValidationResult {
    const key = `request ${method} ${template}`;
    let fn = this.cache.get(key);
    if (fn === undefined) {
      const op = ((this.doc.paths as JsonObject)[template] as JsonObject | undefined)?.[
        method.toLowerCase()
      ] as JsonObject | undefined;
      if (!op) {
        return { found: false, valid: false, errors: [`no operation ${method} ${template}`] };
      }
      const requestBody = op.requestBody as JsonObject | undefined;
      const content = requestBody?.content as JsonObject | undefined;
      const schema = (content?.["application/json"] as JsonObject | undefined)?.schema;
      fn = schema ? this.ajv.compile(toJsonSchema(schema, DOC_ID) as JsonObject) : null;
      this.cache.set(key, fn);
      this.optionalBodies.set(key, requestBody?.required !== true);
    }
    if (fn && body === undefined && this.optionalBodies.get(key)) {
      return { found: true, valid: true, errors: [] };
    }
    if (fn === null) {
      const empty = body === undefined;
      return { found: false, valid: empty, errors: empty ? [] : ["no documented request body"] };
    }
    const ok = fn(body ?? null);
    return {
      found: true,
      valid: ok,
      errors: ok
        ? []
        : (fn.errors ?? []).map(
            (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
          ),
    };
  }

  validate(method: string, template: string, status: number, body: unknown): ValidationResult {
    const key = `${method} ${template} ${status}`;
    let fn = this.cache.get(key);
    if (fn === undefined) {
      const schema = this.responseSchema(method, template, status);
      if (schema === undefined)
        return {
          found: false,
          valid: false,
          errors: [`no documented ${status} response for ${method} ${template}`],
        };
      fn = schema === null ? null : this.ajv.compile(toJsonSchema(schema, DOC_ID) as JsonObject);
      this.cache.set(key, fn);
    }
    if (fn === null) {
      const empty = body === undefined || body === "";
      return {
        found: true,
        valid: empty,
        errors: empty ? [] : ["documented without a body, but a body was sent"],
      };
    }
    const ok = fn(body);
    const operation = `${method.toUpperCase()} ${template}`;
    const ignored = KNOWN_SPEC_BUGS.filter((b) => b.operation === operation);
    const errors = (ok ? [] : (fn.errors ?? [])).filter(
      (e) => !ignored.some((b) => b.instancePath.test(e.instancePath)),
    );
    return {
      found: true,
      valid: errors.length === 0,
      errors: errors.map(
        (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
      ),
    };
  }
}
