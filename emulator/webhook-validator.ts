// Validates webhook payloads against @octokit/openapi-webhooks (OpenAPI 3.1 = JSON Schema 2020-12).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import { addFormats, toJsonSchema } from "./openapi-validator.js";
import type { ValidationResult } from "./openapi-validator.js";

const DOC_ID = "github-webhooks";

export class WebhookValidator {
  private readonly ajv: Ajv2020;
  private readonly schemas: Record<string, unknown>;
  private readonly cache = new Map<string, ValidateFunction>();

  private constructor() {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@octokit/openapi-webhooks/generated/api.github.com.json");
    const doc = JSON.parse(readFileSync(file, "utf8")) as {
      components: { schemas: Record<string, unknown> };
    };
    this.schemas = doc.components.schemas;
    this.ajv = new Ajv2020({
      strict: false,
      allErrors: true,
      logger: false,
      validateFormats: true,
    });
    addFormats(this.ajv);
    // 3.1 has no `nullable`; toJsonSchema only rewrites the $refs here.
    this.ajv.addSchema(
      { $id: DOC_ID, components: toJsonSchema(doc.components as never, DOC_ID) },
      DOC_ID,
    );
  }

  private static instance: WebhookValidator | undefined;

  static shared(): WebhookValidator {
    return (this.instance ??= new WebhookValidator());
  }

  /** e.g. ("issues", "labeled") → components.schemas["webhook-issues-labeled"] */
  validate(event: string, action: string | undefined, payload: unknown): ValidationResult {
    const name = `webhook-${event.replace(/_/g, "-")}${action ? `-${action.replace(/_/g, "-")}` : ""}`;
    if (!(name in this.schemas))
      return { found: false, valid: false, errors: [`no schema ${name}`] };
    let fn = this.cache.get(name);
    if (!fn) {
      fn = this.ajv.compile({ $ref: `${DOC_ID}#/components/schemas/${name}` });
      this.cache.set(name, fn);
    }
    const valid = fn(payload);
    return {
      found: true,
      valid,
      errors: valid
        ? []
        : (fn.errors ?? []).map(
            (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
          ),
    };
  }
}
