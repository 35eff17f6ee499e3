// Runs the real App server (src/entry/main.ts) as a child process pointed at an emulator, the way it runs
// in production: Probot's standard environment variables, webhooks over loopback HTTP.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { GitHubEmulator } from "./emulator.js";

export interface AppProcess {
  port: number;
  /** The child's process id (the benchmark reads its CPU time from /proc). */
  pid: number | undefined;
  webhookUrl: string;
  /** Everything the App printed (stdout and stderr), one entry per line. */
  logs: string[];
  /** SIGTERM, then SIGKILL after `killAfterMs` (3 s) if it has not exited. */
  stop(options?: { killAfterMs?: number }): Promise<void>;
}

export interface AppProcessOptions {
  emulator: GitHubEmulator;
  privateKey: string;
  appId: number;
  secret: string;
  /** Leave APP_ID, PRIVATE_KEY and WEBHOOK_SECRET out of the environment (a .env gives them). */
  unsetIdentity?: boolean;
  /** Default src/entry/main.ts, relative to cwd. */
  entry?: string;
  /**
   * Node's arguments for a built server (e.g. `["lib/server/main.mjs"]`), run without tsx; then
   * `entry` and `preload` are not used.
   */
  nodeArgs?: string[];
  cwd?: string;
  logLevel?: string;
  env?: Record<string, string>;
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
  /** Modules the child imports before the App (e.g. a guard that blocks all but loopback traffic). */
  preload?: string[];
  /** Point the emulator's webhooks at this App (default true; false for a second replica added by hand). */
  registerWebhook?: boolean;
}

/** An App key pair and secret, generated fresh so nothing secret is checked in. */
export function generateAppCredentials(): {
  privateKey: string;
  publicKey: string;
  secret: string;
} {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return { privateKey, publicKey, secret: randomBytes(20).toString("hex") };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Children must not outlive their parent, whatever way it ends. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

// Variables that would change where the child App connects or what it trusts.
const SCRUBBED_ENV =
  /^(RECONCILE_INTERVAL|REMINDER_INTERVAL|SHUTDOWN_GRACE|CONFIG_MAX_AGE|APP_ID|PRIVATE_KEY|PRIVATE_KEY_PATH|WEBHOOK_SECRET|WEBHOOK_PROXY_URL|WEBHOOK_PATH|REDIS_URL|GHE_HOST|GHE_PROTOCOL|PORT|HOST|LOG_.*|SENTRY_DSN|NODE_OPTIONS|VITEST.*)$/;

export async function startAppProcess(opts: AppProcessOptions): Promise<AppProcess> {
  installExitHook();
  // The App takes a free port itself and names it in its log: choosing one here and passing it on
  // raced with the other servers tests start at once (EADDRINUSE, or another App's PONG).
  const fixedPort = opts.env?.PORT;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !SCRUBBED_ENV.test(k)) env[k] = v;
  Object.assign(env, {
    APP_ID: String(opts.appId),
    PRIVATE_KEY: opts.privateKey,
    WEBHOOK_SECRET: opts.secret,
    PORT: fixedPort ?? "0",
    HOST: "127.0.0.1",
    GHE_HOST: opts.emulator.gheHost,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: opts.logLevel ?? "info",
    LOG_FORMAT: "json",
    // The start-up reconcile sweep makes requests of its own; tests and the demo turn it on
    // where they are about it.
    RECONCILE_INTERVAL: "off",
    ...opts.env,
  });
  if (opts.unsetIdentity) {
    delete env.APP_ID;
    delete env.PRIVATE_KEY;
    delete env.WEBHOOK_SECRET;
  }
  const preload = (opts.preload ?? []).flatMap((m) => ["--import", m]);
  const child = spawn(
    process.execPath,
    opts.nodeArgs ?? ["--import", "tsx", ...preload, opts.entry ?? "src/entry/main.ts"],
    {
      cwd: opts.cwd ?? process.cwd(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  running.add(child);
  const logs: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      logs.push(line);
      opts.onLog?.(line);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited: number | string | null | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = code ?? signal;
      running.delete(child);
      resolve();
    }),
  );

  const stop = async (options: { killAfterMs?: number } = {}) => {
    if (exited !== undefined) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs ?? 3000);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  let port = fixedPort === undefined ? undefined : Number(fixedPort);
  for (;;) {
    if (exited !== undefined) {
      throw new Error(
        `the App exited (${String(exited)}) before answering /ping:\n${logs.slice(-30).join("\n")}`,
      );
    }
    port ??= listeningPort(logs);
    try {
      if (port !== undefined) {
        const res = await fetch(`http://127.0.0.1:${port}/ping`, {
          signal: AbortSignal.timeout(1000),
        });
        if ((await res.text()).trim() === "PONG") break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the App did not answer /ping within ${opts.startTimeoutMs ?? 20_000} ms:\n${logs.slice(-30).join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (port === undefined) throw new Error("unreachable: answered /ping without a port");
  const webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  if (opts.registerWebhook !== false) opts.emulator.setWebhookUrl(webhookUrl);
  return { port, pid: child.pid, webhookUrl, logs, stop };
}

/** The port of the server's `Listening on http://host:port` line (JSON or pretty logs). */
function listeningPort(logs: readonly string[]): number | undefined {
  for (const line of logs) {
    const match = /Listening on http:\/\/[^\s:"]+:(\d+)/.exec(line);
    if (match) return Number(match[1]);
  }
  return undefined;
}
