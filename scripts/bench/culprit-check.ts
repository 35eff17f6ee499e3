// What the culprit check (issue #20) costs the real App server per pull-request event, with
// `postmortems` post-mortems in the path index, counted by the emulator like the other rows.
//
// The emulator's state is seeded directly, as the product leaves it after that many `/culprit`
// commands (driving them through the App would measure nothing more here): the post-mortems, opened
// by the App's bot; the index issue (label INDEX_LABEL), opened by the bot, closed and locked; one
// comment per post-mortem by the bot, written as `entryComment` writes it and never edited
// (`created_at` == `updated_at`). Seeded before the App's webhook is registered, so none of it is
// delivered. Then pull requests are opened and pushed to through the emulator, and the App's
// requests for each delivery are read from its request log.
import type { GitHubEmulator } from "../../emulator/index.js";
import { entryComment, INDEX_BODY, INDEX_TITLE } from "../../src/core/culprits/index-plan.js";
import type { IndexEntry } from "../../src/core/culprits/path-index.js";
import { INDEX_LABEL } from "../../src/core/culprits/path-index.js";
import { CHECK_NAME } from "../../src/core/culprit-check/plan.js";
import { formatMarker } from "../../src/core/markers.js";
import { startBenchStack } from "./stack.js";

const DAY_MS = 86_400_000;
const SEVERITIES = ["P1", "P2", "P3", "P4"] as const;
/** A repository configuration, so its revalidation shows as a 304 too (the defaults spelled out). */
const CONFIG = "changes:\n  watchDays: 180\n";

export interface CulpritCheckFigure {
  event: string;
  requests: number;
  /** Requests that change something (not GET). */
  writes: number;
  /** 304 answers among them (free against the rate limit). */
  notModified: number;
  /** What the budget allows for it, if it has one. */
  budget?: number;
  /** A redelivery: any write is over budget. */
  noWrite?: boolean;
  /** The requests, `METHOD /path` (decoded), ` → 304` where GitHub answered Not Modified. */
  sent: string[];
}

export interface CulpritCheckBenchOptions {
  /** The App's CONFIG_MAX_AGE in seconds: the warm events must all fall within it. */
  maxAgeSeconds?: number;
  /** How long nothing must happen for an event to count as settled. */
  quietMs?: number;
}

/** Post-mortem `number`'s entry: three culprits of 100 paths each, as `/culprit` records them. */
function entryOf(number: number, now: number): IndexEntry {
  return {
    postmortem: number,
    title: `Incident ${number}`,
    severity: SEVERITIES[number % 4],
    private: false,
    // Within `changes.watchDays` (180): every entry is watched.
    openedAt: new Date(now - (number % 170) * DAY_MS).toISOString(),
    culprits: [0, 1, 2].map((k) => ({
      pr: number * 10 + k,
      paths: Array.from({ length: 100 }, (_, i) => `svc${number % 50}/mod${k}/file${i}.ts`),
      morePaths: 0,
    })),
    openCapa: [{ number: 10_000 + number, title: `Fix ${number}` }],
  };
}

/** The index after `postmortems` `/culprit` commands, as the App's bot writes it. */
function seedIndex(emulator: GitHubEmulator, postmortems: number): number {
  const bot = emulator.state.bot.login;
  const now = Date.now();
  const numbers = Array.from({ length: postmortems }, (_, i) => {
    const culprits = [0, 1, 2].map((k) => ({ pr: (i + 1) * 10 + k, commented: true }));
    return emulator.openIssue({
      by: bot,
      title: `Post-mortem: incident ${i + 1}`,
      body: `Earlier.\n\n${formatMarker("postmortem", { incident: 100_000 + i, culprits })}\n`,
      labels: ["postmortem"],
    }).number as number;
  });
  const index = emulator.openIssue({
    by: bot,
    title: INDEX_TITLE,
    body: INDEX_BODY,
    labels: [INDEX_LABEL],
  }).number as number;
  emulator.closeIssue({ by: bot, issue: index, reason: "completed" });
  emulator.lockIssue({ by: bot, issue: index });
  for (const number of numbers) {
    emulator.comment({ by: bot, issue: index, body: entryComment(entryOf(number, now)) });
  }
  return index;
}

const seq = (emulator: GitHubEmulator) => emulator.requests.at(-1)?.seq ?? 0;

/**
 * The requests of one pull-request event after another, through one App process: the first
 * (cold: configuration and index read), then warm ones (a push to an implicated pull request, its
 * redelivery, a clean pull request, one of 250 files), then one after CONFIG_MAX_AGE (revalidated:
 * 304s).
 */
export async function benchCulpritCheck(
  postmortems: number,
  options: CulpritCheckBenchOptions = {},
): Promise<CulpritCheckFigure[]> {
  const maxAgeMs = (options.maxAgeSeconds ?? 20) * 1000;
  const quietMs = options.quietMs ?? 1_500;
  const stack = await startBenchStack();
  const { emulator } = stack;
  const figures: CulpritCheckFigure[] = [];
  const measure = async (
    event: string,
    budget: number | undefined,
    act: () => unknown,
    noWrite = false,
  ): Promise<void> => {
    const since = seq(emulator);
    await act();
    await emulator.waitForIdle({ timeoutMs: 120_000, quietMs });
    const requests = emulator.appRequests().filter((r) => r.seq > since);
    figures.push({
      event,
      requests: requests.length,
      writes: requests.filter((r) => r.method !== "GET").length,
      notModified: requests.filter((r) => r.status === 304).length,
      ...(budget === undefined ? {} : { budget }),
      ...(noWrite ? { noWrite } : {}),
      sent: requests.map(
        (r) => `${r.method} ${decodeURIComponent(r.path)}${r.status === 304 ? " → 304" : ""}`,
      ),
    });
  };
  try {
    emulator.setFile(".github/postmortem.yml", CONFIG);
    seedIndex(emulator, postmortems);
    const app = await stack.start(undefined, { CONFIG_MAX_AGE: `${maxAgeMs / 1000}s` });
    emulator.setWebhookUrl(app.webhookUrl);

    const started = Date.now();
    let implicated = 0;
    await measure("first pull-request event, cold cache (configuration + index)", undefined, () => {
      implicated = emulator.openPullRequest({
        by: "carol",
        title: "Touch svc7",
        files: [{ path: "svc7/mod0/file3.ts" }, { path: "README.md" }],
      }).number as number;
    });
    const coldEnded = Date.now();
    await measure("implicated pull request pushed to, warm cache", 3, () =>
      emulator.pushToPullRequest({ number: implicated, files: [{ path: "svc7/mod1/file9.ts" }] }),
    );
    const pushed = emulator.deliveries.findLast((d) => d.event === "pull_request")!;
    await measure(
      "its redelivery, warm cache (no write)",
      3,
      () => emulator.redeliver(pushed.deliveryId),
      true,
    );
    let clean = 0;
    await measure("clean pull request, no blocking severity, warm cache", 1, () => {
      clean = emulator.openPullRequest({
        by: "carol",
        title: "Docs",
        files: [{ path: "docs/guide.md" }],
      }).number as number;
    });
    await measure("implicated pull request of 250 files, warm cache", 3 + 2, () =>
      emulator.openPullRequest({
        by: "carol",
        title: "Generated code",
        files: [
          ...Array.from({ length: 249 }, (_, i) => ({ path: `gen/out${i}.ts` })),
          { path: "svc7/mod2/file0.ts" },
        ],
      }),
    );
    if (Date.now() - started >= maxAgeMs) {
      throw new Error(
        `the warm events took ${((Date.now() - started) / 1000).toFixed(1)} s, past CONFIG_MAX_AGE (${maxAgeMs / 1000} s): not measured warm; raise maxAgeSeconds`,
      );
    }
    // The configuration and the index were read during the first event: wait until both are stale.
    await new Promise((resolve) => setTimeout(resolve, coldEnded + maxAgeMs + 1_000 - Date.now()));
    await measure("implicated pull request after CONFIG_MAX_AGE (revalidated)", undefined, () =>
      emulator.pushToPullRequest({ number: implicated, files: [{ path: "svc7/mod0/file4.ts" }] }),
    );
    // What was counted did the work: one check run on each implicated head commit, none elsewhere.
    const heads = emulator.webhooks.events
      .filter((e) => e.event === "pull_request")
      .map((e) => e.payload.pull_request as { number: number; head: { sha: string } });
    for (const pull of heads) {
      const runs = emulator.checkRunsOn(pull.head.sha).filter((r) => r.name === CHECK_NAME);
      if (runs.length !== (pull.number === clean ? 0 : 1)) {
        throw new Error(`#${pull.number} ${pull.head.sha}: ${runs.length} check runs`);
      }
    }
    return figures;
  } finally {
    await stack.stop();
  }
}
