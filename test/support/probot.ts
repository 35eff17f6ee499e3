// A real Probot 14 instance for unit tests: real webhook dispatch, real Octokit (through the
// fake API), real app authentication (JWT signed with a throwaway RSA key → installation token).
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import type { ApplicationFunction, Logger } from "probot";
import { validateWebhook, webhookSchemaName } from "./webhooks.js";
import type { WebhookBuilder, WebhookEvent, WebhookName, WebhookPayload } from "./webhooks.js";

let privateKey: string | undefined;

/** A 2048-bit RSA private key in PKCS#8 PEM, generated once per worker. */
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return privateKey;
}

/**
 * ProbotOctokit with retries and throttling off. A function is needed: Probot wraps the class
 * with defaults that pass its own `throttle` object, which would replace a plain
 * `{ throttle: { enabled: false } }` default and switch throttling back on (1 s between writes).
 */
export const TestOctokit = ProbotOctokit.defaults(
  (options: ConstructorParameters<typeof ProbotOctokit>[0] = {}) => ({
    ...options,
    retry: { ...options.retry, enabled: false },
    throttle: { ...options.throttle, enabled: false },
  }),
);

export interface LogEntry {
  level: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  msg: string;
  /** merged child bindings and the object argument, if any */
  data: Record<string, unknown>;
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** A minimal pino-compatible logger that keeps entries in memory (for assertions). */
export function createMemoryLogger(
  entries: LogEntry[] = [],
  bindings: Record<string, unknown> = {},
): Logger {
  const logger: Record<string, unknown> = {
    level: "trace",
    child: (more: Record<string, unknown>) => createMemoryLogger(entries, { ...bindings, ...more }),
    bindings: () => bindings,
    isLevelEnabled: () => true,
    flush: () => undefined,
  };
  for (const level of LEVELS) {
    logger[level] = (first?: unknown, ...rest: unknown[]) => {
      let data: Record<string, unknown> = { ...bindings };
      let msg: string;
      if (first instanceof Error) {
        data.err = first;
        msg = typeof rest[0] === "string" ? rest[0] : first.message;
      } else if (first && typeof first === "object") {
        data = { ...data, ...first };
        msg = typeof rest[0] === "string" ? rest[0] : "";
      } else {
        msg = typeof first === "string" ? first : JSON.stringify(first ?? "");
      }
      entries.push({ level, msg, data });
    };
  }
  logger.silent = () => undefined;
  return logger as unknown as Logger;
}

export interface TestProbotOptions {
  appId?: number;
  secret?: string;
  /** defaults to TestOctokit (no retries, no throttling) */
  Octokit?: typeof ProbotOctokit;
  /** defaults to an in-memory logger, see `logs` */
  log?: Logger;
  /**
   * Check payloads given to `receive`/`deliver` against @octokit/openapi-webhooks first
   * (default true; names without a schema are not checked).
   */
  validatePayloads?: boolean;
}

export interface TestProbot {
  probot: Probot;
  /** what the app logged (when no `log` was given) */
  logs: LogEntry[];
  /**
   * Delivers a webhook like GitHub would (through Probot's webhook handling, signature aside).
   * `name` may carry the action (`"issues.opened"`); the event name sent is the part before the dot.
   * Rejects if a handler throws.
   */
  receive: <N extends WebhookName>(
    name: N,
    payload: WebhookPayload<N>,
    id?: string,
  ) => Promise<void>;
  /** Delivers what a `webhook(...)` builder holds. */
  deliver: (builder: WebhookBuilder<WebhookName>, id?: string) => Promise<void>;
}

/** `new Probot(...)` with test credentials, then `probot.load(appFn)`. */
export async function createTestProbot(
  appFn: ApplicationFunction | ApplicationFunction[],
  options: TestProbotOptions = {},
): Promise<TestProbot> {
  const logs: LogEntry[] = [];
  const secret = options.secret ?? "test";
  const probot = new Probot({
    appId: options.appId ?? 1,
    privateKey: testPrivateKey(),
    secret,
    Octokit: options.Octokit ?? TestOctokit,
    log: options.log ?? createMemoryLogger(logs),
  });
  await probot.load(appFn);
  const receive = async (name: string, payload: unknown, id: string = randomUUID()) => {
    if (options.validatePayloads !== false) {
      const problems = validateWebhook(name, payload);
      const noSchema =
        problems.length === 1 && problems[0]?.startsWith(`no schema ${webhookSchemaName(name)}`);
      if (problems.length > 0 && !noSchema) {
        throw new Error(
          `receive("${name}"): the payload does not match @octokit/openapi-webhooks (pass validatePayloads: false to allow):\n- ${problems.join("\n- ")}`,
        );
      }
    }
    // Signed and verified as the server does, through the same entry (the App's front gate).
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    await probot.webhooks.verifyAndReceive({
      id,
      name: name.split(".")[0] as WebhookEvent["name"],
      payload: body,
      signature,
    });
  };
  return {
    probot,
    logs,
    receive,
    deliver: (builder, id) => receive(builder.name, builder.payload, id),
  };
}
