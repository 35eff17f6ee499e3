/**
 * The App on AWS Lambda, behind a function URL or an API Gateway HTTP API (payload format 2.0;
 * REST API proxy events have the same fields used here). Configured by the server's environment
 * variables (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, LOG_LEVEL, CONFIG_MAX_AGE).
 *
 * Built on Probot 14's own `webhooks.verifyAndReceive` rather than
 * `@probot/adapter-aws-lambda-serverless`, whose latest release requires Probot 13. A delivery goes
 * through the same front gate and handlers as on the server, and is answered only when its work is
 * done: a frozen function finishes nothing in the background.
 *
 * Logs say of a delivery its id, event, repository and issue number, never its payload; an answer
 * to a caller not yet authenticated by the signature names no setting (the log has the reason).
 */
import { createProbot } from "probot";
import { createPostmortemApp } from "../app/app.js";
import { DeliveryFailed, summarize } from "../app/delivery-log.js";
import { MAX_WEBHOOK_BODY_BYTES } from "../app/http-server.js";
import { parseDuration } from "../core/duration.js";
import { parseExtendsOwners } from "../github/config-extends.js";
import { PostmortemOctokit } from "../github/octokit.js";

/** The fields of a function URL / API Gateway event that a webhook delivery needs. */
export interface HttpEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type LambdaHandler = (event: HttpEvent) => Promise<HttpResult>;

type Env = Record<string, string | undefined>;

/**
 * A handler for these environment variables. The Probot instance (installation tokens, the
 * configuration cache) is made once and kept for as long as the function stays warm.
 */
export function createLambdaHandler(env: Env = process.env): LambdaHandler {
  const problem = configurationProblem(env);
  if (problem) return refuseAll(problem);
  let probot: ReturnType<typeof createProbot>;
  try {
    probot = createProbot({
      // As the server logs (Probot's createProbot would default to "warn"), in JSON lines unless
      // asked otherwise: what log services read.
      env: { LOG_LEVEL: "info", LOG_FORMAT: "json", ...env },
      overrides: { Octokit: PostmortemOctokit },
    });
  } catch (error) {
    return refuseAll(`The App cannot start: ${(error as Error).message}`);
  }
  const notStarted = (error: unknown) => {
    console.error(`The App cannot start: ${(error as Error).message}`);
    return true;
  };
  // Timers (reminders, the reconcile sweep) have no place in a function that is frozen between
  // events: none is started.
  const loaded = probot
    .load(
      createPostmortemApp({
        configMaxAgeMs: parseDuration(env.CONFIG_MAX_AGE ?? "60s"),
        configExtendsOwners: extendsOwnersOf(env),
        ...(env.APP_SLUG ? { appSlug: env.APP_SLUG } : {}),
        notifyEnv: env,
        // A function is frozen once it answers: chat is told before the delivery is answered.
        notifyInline: true,
      }),
    )
    .then(() => false, notStarted);

  return async (event) => {
    if (await loaded) return answer(500, { error: NOT_STARTED });
    // Refused before it is decoded or read any further: no genuine delivery is that large.
    if (bodyBytes(event) > MAX_WEBHOOK_BODY_BYTES) {
      return answer(413, {
        error: `Payload too large: the limit is ${MAX_WEBHOOK_BODY_BYTES} bytes`,
      });
    }
    const headers = lowerCaseKeys(event.headers ?? {});
    const id = headers["x-github-delivery"];
    const name = headers["x-github-event"];
    const signature = headers["x-hub-signature-256"];
    if (!id || !name || !signature) {
      return answer(400, {
        error: "Required headers missing: x-github-delivery, x-github-event, x-hub-signature-256",
      });
    }
    const body = event.body ?? "";
    const payload = event.isBase64Encoded ? Buffer.from(body, "base64").toString("utf8") : body;
    // Refused here, before any work: the same check verifyAndReceive makes again below.
    const genuine = await probot.webhooks.verify(payload, signature).catch(() => false);
    if (!genuine) {
      probot.log.warn({ delivery: id, event: name }, "refused a delivery with a wrong signature");
      return answer(401, { error: "signature does not match event payload and secret" });
    }
    try {
      await probot.webhooks.verifyAndReceive({ id, name, signature, payload });
      return answer(200, { ok: true });
    } catch (error) {
      const cause = error instanceof AggregateError ? (error.errors[0] as unknown) : error;
      const first = cause instanceof DeliveryFailed ? cause : new DeliveryFailed(cause);
      const statusCode = first.status !== undefined && first.status >= 400 ? first.status : 500;
      probot.log.error({ ...summary(id, name, payload), err: first }, "delivery failed");
      return answer(statusCode, { error: first.message });
    }
  };
}

/** What keeps the function from serving at all, said plainly in its log and its answers. */
function configurationProblem(env: Env): string | undefined {
  if (!env.WEBHOOK_SECRET) {
    return "WEBHOOK_SECRET is not set: refusing to accept webhooks that anyone could forge.";
  }
  if (!env.APP_ID || !(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH)) {
    return "APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set.";
  }
  const maxAge = env.CONFIG_MAX_AGE ?? "60s";
  if (parseDuration(maxAge) === undefined) {
    return `CONFIG_MAX_AGE is "${maxAge}": write a duration such as 60s, 5m or 0 (no cache).`;
  }
  const owners = parseExtendsOwners(env.CONFIG_EXTENDS_OWNERS, "CONFIG_EXTENDS_OWNERS");
  if (!owners.ok) return owners.problem;
  return undefined;
}

/** `CONFIG_EXTENDS_OWNERS`, already found valid by configurationProblem. */
function extendsOwnersOf(env: Env): string[] {
  const owners = parseExtendsOwners(env.CONFIG_EXTENDS_OWNERS, "CONFIG_EXTENDS_OWNERS");
  return owners.ok ? owners.owners : [];
}

/** What a caller is told when the function cannot serve: the reason is in the log alone. */
const NOT_STARTED = "The App is not configured correctly: see the function's log.";

function refuseAll(problem: string): LambdaHandler {
  console.error(problem);
  return () => Promise.resolve(answer(500, { error: NOT_STARTED }));
}

/** The size of the body once decoded, computed without decoding it. */
function bodyBytes(event: HttpEvent): number {
  const body = event.body ?? "";
  if (!event.isBase64Encoded) return Buffer.byteLength(body, "utf8");
  const padding = body.endsWith("==") ? 2 : body.endsWith("=") ? 1 : 0;
  return Math.floor((body.length * 3) / 4) - padding;
}

/** A verified delivery's summary for the log (its payload is parsed again only on failure). */
function summary(id: string, name: string, payload: string) {
  try {
    return summarize(id, name, JSON.parse(payload) as unknown);
  } catch {
    return summarize(id, name, undefined);
  }
}

function lowerCaseKeys(headers: Record<string, string | undefined>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) lower[key.toLowerCase()] = value;
  }
  return lower;
}

function answer(statusCode: number, body: object): HttpResult {
  return {
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

let shared: LambdaHandler | undefined;

/** The function's handler (`lambda.handler` in lib/server/lambda.mjs). */
export const handler: LambdaHandler = (event) => {
  shared ??= createLambdaHandler();
  return shared(event);
};
