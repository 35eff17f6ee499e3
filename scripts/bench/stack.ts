// The emulator and App processes the benchmark measures: the real server (src/entry/main.ts) with its
// production rate-limit policy (Octokit's throttling on), over loopback.
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import type { AppProcess } from "../../emulator/app-process.js";
import { generateAppCredentials, startAppProcess } from "../../emulator/app-process.js";

export const APP_ID = 4242;

export interface BenchStack {
  emulator: GitHubEmulator;
  secret: string;
  /** The real App server (`entry`), with more environment variables (e.g. CONFIG_MAX_AGE). */
  start(entry?: string, env?: Record<string, string>): Promise<AppProcess>;
  stop(): Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  const credentials = generateAppCredentials();
  const emulator = createGitHubEmulator({
    appId: APP_ID,
    publicKey: credentials.publicKey,
    webhookSecret: credentials.secret,
    users: [
      { login: "alice", role: "maintain" },
      { login: "bob", role: "write" },
      { login: "carol", role: "write" },
      { login: "tina", role: "write" },
      { login: "paul", role: "write" },
    ],
  });
  await emulator.start();
  const apps: AppProcess[] = [];
  return {
    emulator,
    secret: credentials.secret,
    async start(entry = "src/entry/main.ts", env?: Record<string, string>) {
      const app = await startAppProcess({
        emulator,
        privateKey: credentials.privateKey,
        appId: APP_ID,
        secret: credentials.secret,
        entry,
        // "info": startAppProcess reads the port from the "Listening on" line.
        logLevel: "info",
        registerWebhook: false,
        ...(env ? { env } : {}),
      });
      apps.push(app);
      return app;
    },
    async stop() {
      await Promise.all(apps.map((app) => app.stop()));
      await emulator.stop();
    },
  };
}
