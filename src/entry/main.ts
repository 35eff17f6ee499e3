/**
 * `npm start`: the Probot webhook server, configured by Probot's standard environment variables
 * (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, WEBHOOK_PATH, PORT, HOST, GHE_HOST,
 * GHE_PROTOCOL, LOG_LEVEL, LOG_FORMAT, REDIS_URL), and CONFIG_MAX_AGE, CONFIG_EXTENDS_OWNERS,
 * REMINDER_INTERVAL, RECONCILE_INTERVAL, SHUTDOWN_GRACE, APP_SLUG, WRITE_PACING and the chat
 * receivers' NOTIFY_<NAME>_URL, NOTIFY_<NAME>_SECRET and NOTIFY_<NAME>_OWNERS. Webhooks arrive at /api/github/webhooks; GET /ping
 * answers PONG.
 *
 * Probot's `run()` is not used: without an App id and key it serves its setup wizard, which has no
 * place on a production port, and its server reads any body whole (src/app/http-server.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { createNodeMiddleware, createProbot } from "probot";
import { createPostmortemApp } from "../app/app.js";
import { createWebhookServer } from "../app/http-server.js";
import { parseDuration } from "../core/duration.js";
import { parseExtendsOwners } from "../github/config-extends.js";
import { postmortemOctokit } from "../github/octokit.js";
import { unpacedWriteLimiters, writePacing } from "../github/pacing.js";
import { InFlight } from "../app/in-flight.js";

function refuse(reason: string): never {
  console.error(reason);
  process.exit(1);
}

// A `.env` in the working directory (as Probot's run() read it, and as setup writes it) fills in
// what the environment does not set; the environment wins.
if (existsSync(".env")) {
  for (const [key, value] of Object.entries(parseEnv(readFileSync(".env", "utf8")))) {
    process.env[key] ??= value;
  }
}

if (!process.env.APP_ID || !(process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)) {
  // Probot would otherwise serve its setup wizard, which registers a new App, on this port.
  refuse(
    "APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set: refusing to start without the App's identity.",
  );
}

if (!process.env.WEBHOOK_SECRET) {
  // Without a secret Probot would accept deliveries signed with a well-known default.
  refuse("WEBHOOK_SECRET is not set: refusing to start a server that accepts forged webhooks.");
}

const configMaxAge = process.env.CONFIG_MAX_AGE ?? "60s";
const configMaxAgeMs = parseDuration(configMaxAge);
if (configMaxAgeMs === undefined) {
  refuse(`CONFIG_MAX_AGE is "${configMaxAge}": write a duration such as 60s, 5m or 0 (no cache).`);
}

// Reminders are off unless asked for: `REMINDER_INTERVAL=6h` sweeps every installation that often.
const reminderInterval = process.env.REMINDER_INTERVAL ?? "off";
const reminderIntervalMs =
  reminderInterval.trim().toLowerCase() === "off" ? 0 : parseDuration(reminderInterval);
if (reminderIntervalMs === undefined) {
  refuse(
    `REMINDER_INTERVAL is "${reminderInterval}": write a duration such as 30s, 15m or 6h, or off.`,
  );
}

// Accepted but unfinished work is looked for at start and then this often (default 10m).
const reconcileInterval = process.env.RECONCILE_INTERVAL ?? "10m";
const reconcileIntervalMs =
  reconcileInterval.trim().toLowerCase() === "off" ? 0 : parseDuration(reconcileInterval);
if (reconcileIntervalMs === undefined) {
  refuse(`RECONCILE_INTERVAL is "${reconcileInterval}": write a duration such as 10m, or off.`);
}
const shutdownGrace = process.env.SHUTDOWN_GRACE ?? "25s";
const shutdownGraceMs = parseDuration(shutdownGrace);
if (shutdownGraceMs === undefined) {
  refuse(`SHUTDOWN_GRACE is "${shutdownGrace}": write a duration such as 25s.`);
}

// Owners besides a repository's own whose configuration files `_extends` may name (none unless
// listed): src/github/config-extends.ts says why this is the operator's to allow.
const extendsOwners = parseExtendsOwners(
  process.env.CONFIG_EXTENDS_OWNERS,
  "CONFIG_EXTENDS_OWNERS",
);
if (!extendsOwners.ok) refuse(extendsOwners.problem);
const configExtendsOwners = extendsOwners.owners;

// With REDIS_URL, Probot keeps Octokit's rate-limit pacing in Redis, shared by every replica. A
// value that is no redis:// or rediss:// URL is refused here rather than failing every request.
const redisUrl = process.env.REDIS_URL ?? "";
if (redisUrl && !(URL.canParse(redisUrl) && /^rediss?:$/.test(new URL(redisUrl).protocol))) {
  refuse(`REDIS_URL is "${redisUrl}": write a URL such as redis://redis:6379 or rediss://….`);
}

// Octokit spaces writes as GitHub asks; WRITE_PACING=off is for the emulator only (pacing.ts).
const ghesHost = process.env.GHE_HOST;
const pacing = writePacing(
  process.env.WRITE_PACING,
  ghesHost ? `${process.env.GHE_PROTOCOL || "https"}://${ghesHost}` : "https://api.github.com",
);
if (pacing.kind === "refused") refuse(pacing.problem);

// As Probot's `run()` logged: `info` unless LOG_LEVEL says otherwise, JSON lines in production
// (NODE_ENV=production, as in the image) unless LOG_FORMAT says otherwise.
const env = {
  ...process.env,
  LOG_LEVEL: process.env.LOG_LEVEL || "info",
  LOG_FORMAT: process.env.LOG_FORMAT || (process.env.NODE_ENV === "production" ? "json" : "pretty"),
};
const probot = createProbot({
  env,
  overrides: {
    Octokit: postmortemOctokit(pacing.kind === "unpaced" ? unpacedWriteLimiters() : {}),
  },
});
const inFlight = new InFlight();
const middleware = await createNodeMiddleware(
  createPostmortemApp({
    configMaxAgeMs,
    reminderIntervalMs,
    reconcileIntervalMs,
    inFlight,
    configExtendsOwners,
    ...(process.env.APP_SLUG ? { appSlug: process.env.APP_SLUG } : {}),
    // Chat receivers: only NOTIFY_<NAME>_URL, _SECRET and _OWNERS are read (src/core/notify/endpoints.ts).
    notifyEnv: process.env,
  }),
  { probot },
);
const server = createWebhookServer({
  webhookPath: env.WEBHOOK_PATH || "/api/github/webhooks",
  middleware,
  onError: (error) => probot.log.error({ err: error }, "request failed"),
  onTooLarge: (fields, message) => probot.log.warn(fields, message),
});
// PORT=0 takes any free port (the log line below names it): how tests start several servers at
// once without racing for one.
const port = env.PORT === "0" ? 0 : Number(env.PORT) || 3000;
const host = env.HOST || "localhost";
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, host, () => {
    server.off("error", reject);
    resolve();
  });
});
const address = server.address();
const listening = typeof address === "object" && address ? address.port : port;
probot.log.info(`Listening on http://${host}:${listening}`);

// A deploy stops the process with SIGTERM: take no new deliveries, finish what is in hand for up
// to SHUTDOWN_GRACE, and say what is left to the next reconcile sweep (GitHub will not redeliver).
process.once("SIGTERM", () => {
  console.info(`SIGTERM: no new deliveries; finishing ${inFlight.pending.length} in hand`);
  void (async () => {
    // Closing stops new connections at once; open ones may linger, so it is not waited for.
    server.close();
    const drained = await inFlight.drained(shutdownGraceMs);
    if (!drained) {
      console.warn(
        `Stopping with ${inFlight.pending.length} unfinished, left to the next reconcile sweep: ${inFlight.pending.join("; ")}`,
      );
    }
    process.exit(0);
  })();
});
