// The end-to-end stack: the GitHub emulator plus the real App server (src/entry/main.ts) as a child
// process, talking over loopback only; and queries for what the App left in the repository.
import { fileURLToPath } from "node:url";
import nock from "nock";
import { vi } from "vitest";
import { CLOCK_PRELOAD, useFixedClock } from "../support/clock.js";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { DeliveryBehaviour, GitHubEmulator } from "../../emulator/index.js";
import type { AppProcess } from "../../emulator/app-process.js";
import { generateAppCredentials, startAppProcess } from "../../emulator/app-process.js";

export const APP_ID = 4242;
/**
 * The moment every end-to-end test starts at, in the test process (the emulator) and in the App
 * processes alike: expected dates are computed from it, never from the real date.
 */
export const STACK_START = "2026-11-27T13:00:00Z";
const MARKER = /<!-- postmortem-bot:postmortem (\{.*?\}) -->/;
const credentials = generateAppCredentials();

export interface Stack {
  emulator: GitHubEmulator;
  /** The first App replica. */
  app: AppProcess;
  replicas: AppProcess[];
  /**
   * Stops the App (SIGTERM, as a deploy does) and starts a new one in its place, with `env` over
   * the stack's own settings.
   */
  restart(env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export interface IssueShape {
  number: number;
  title: string;
  body: string | null;
  state: string;
  labels: { name: string }[];
}

/** Nothing but loopback is reachable from the test process. */
export function loopbackOnly(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
}

export async function startStack(
  opts: {
    delivery?: Partial<DeliveryBehaviour>;
    replicas?: number;
    /** More environment variables for the App processes (e.g. REMINDER_INTERVAL). */
    env?: Record<string, string>;
  } = {},
): Promise<Stack> {
  const emulator = createGitHubEmulator({
    appId: APP_ID,
    publicKey: credentials.publicKey,
    webhookSecret: credentials.secret,
    users: [
      { login: "alice", role: "maintain" },
      { login: "bob", role: "write" },
      { login: "rita", role: "read" },
    ],
    ...(opts.delivery ? { delivery: opts.delivery } : {}),
  });
  const clock = useFixedClock(STACK_START);
  await emulator.start();
  const replicas: AppProcess[] = [];
  const startReplica = (env: Record<string, string> = {}) =>
    startAppProcess({
      emulator,
      privateKey: credentials.privateKey,
      appId: APP_ID,
      secret: credentials.secret,
      registerWebhook: false,
      preload: [fileURLToPath(new URL("./loopback-guard.ts", import.meta.url)), CLOCK_PRELOAD],
      // Started later than the test process, so a second or so behind it: harmless for dates.
      // The emulator is no GitHub: writes go unpaced unless a test is about the pace
      // (`env: { WRITE_PACING: "on" }`).
      env: { ...clock.env, WRITE_PACING: "off", ...opts.env, ...env },
    });
  try {
    // Replicas start one after another: a 2-core machine is slow to start several tsx processes at once.
    for (let i = 0; i < (opts.replicas ?? 1); i++) replicas.push(await startReplica());
    emulator.setWebhookUrl(replicas.map((r) => r.webhookUrl));
    const stack: Stack = {
      emulator,
      app: replicas[0] as AppProcess,
      replicas,
      async restart(env) {
        const [old] = replicas.splice(0, replicas.length);
        await old?.stop();
        const fresh = await startReplica(env);
        replicas.push(fresh);
        stack.app = fresh;
        emulator.setWebhookUrl(fresh.webhookUrl);
      },
      async stop() {
        await Promise.all(replicas.map((r) => r.stop()));
        await emulator.stop();
        vi.useRealTimers();
      },
    };
    return stack;
  } catch (error) {
    await Promise.all(replicas.map((r) => r.stop()));
    await emulator.stop();
    vi.useRealTimers();
    throw error;
  }
}

/** Post-mortems of an incident: issues labeled `postmortem` whose hidden marker names it. */
export function postmortemsFor(
  emulator: GitHubEmulator,
  incident: number,
  state: "open" | "all" = "all",
  label = "postmortem",
): IssueShape[] {
  return (emulator.issues({ state, label }) as unknown as IssueShape[]).filter((i) => {
    const marker = MARKER.exec(i.body ?? "")?.[1];
    return (
      marker !== undefined && (JSON.parse(marker) as { incident?: number }).incident === incident
    );
  });
}

export function botComments(emulator: GitHubEmulator, issue: number) {
  return emulator.commentsOn(issue).filter((c) => c.user.login === emulator.state.bot.login);
}

/** The App's changing requests (everything but reads and token requests), as "METHOD /path". */
export function appWrites(emulator: GitHubEmulator, afterSeq = 0): string[] {
  return emulator
    .appRequests()
    .filter((r) => r.seq > afterSeq && r.method !== "GET")
    .map((r) => `${r.method} ${r.path}`);
}

export function lastSeq(emulator: GitHubEmulator): number {
  return emulator.requests.at(-1)?.seq ?? 0;
}

/** A human opens an incident issue: labeled afterwards (default) or opened with the label. */
export function openIncident(s: Stack, opts: { preLabeled?: boolean } = {}): number {
  const issue = s.emulator.openIssue({
    by: "alice",
    title: "Checkout API returns 500s",
    body: "About 30% of checkout requests fail.",
    ...(opts.preLabeled ? { labels: ["incident"] } : {}),
  });
  const number = issue.number as number;
  if (!opts.preLabeled) s.emulator.addLabel({ by: "alice", issue: number, label: "incident" });
  return number;
}
