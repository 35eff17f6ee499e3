/**
 * `npm start`: the Probot webhook server, configured by Probot's standard environment variables
 * (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, GHE_HOST, GHE_PROTOCOL,
 * LOG_LEVEL) and CONFIG_MAX_AGE. Webhooks arrive at /api/github/webhooks; GET /ping answers PONG.
 */
import { run } from "probot";
import { createPostmortemApp } from "./app.js";
import { parseDuration } from "./core/duration.js";
import { PostmortemOctokit } from "./github/octokit.js";

function refuse(reason: string): never {
  console.error(reason);
  process.exit(1);
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

await run(createPostmortemApp({ configMaxAgeMs }), { Octokit: PostmortemOctokit });
