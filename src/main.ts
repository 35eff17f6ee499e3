/**
 * `npm start`: the Probot webhook server, configured by Probot's standard environment variables
 * (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, GHE_HOST, GHE_PROTOCOL,
 * LOG_LEVEL). Webhooks arrive at /api/github/webhooks; GET /ping answers PONG for health checks.
 */
import { run } from "probot";
import app from "./app.js";
import { PostmortemOctokit } from "./github/octokit.js";

if (!process.env.WEBHOOK_SECRET) {
  // Without a secret Probot would accept deliveries signed with a well-known default.
  console.error(
    "WEBHOOK_SECRET is not set: refusing to start a server that accepts forged webhooks.",
  );
  process.exit(1);
}

await run(app, { Octokit: PostmortemOctokit });
