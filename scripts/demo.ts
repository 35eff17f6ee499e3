// Offline demo (`npm run demo`): the real App server against the GitHub emulator, playing a scripted
// incident. `npm run demo -- --serve` keeps both running afterwards so you can send your own events.
// Steps are named so later capabilities (CAPA child issues, approval gate) can be appended.
import { createGitHubEmulator } from "../emulator/index.js";
import type { GitHubEmulator } from "../emulator/index.js";
import type { AppProcess } from "../emulator/app-process.js";
import { generateAppCredentials, startAppProcess } from "../emulator/app-process.js";
import { runApprovalDemo } from "./demo-approvals.js";

const APP_ID = 4242;
const MARKER = /<!-- postmortem-bot:postmortem (\{.*?\}) -->/;
const serve = process.argv.includes("--serve");
const verbose = process.argv.includes("--verbose");

interface Issue {
  number: number;
  title: string;
  body: string | null;
  state: string;
  labels: { name: string }[];
  user: { login: string };
}

interface Demo {
  emulator: GitHubEmulator;
  app?: AppProcess;
  /** Incident number per scenario name. */
  incidents: Map<string, number>;
}

interface Step {
  name: string;
  run(demo: Demo): Promise<void>;
}

function heading(text: string): void {
  console.log(`\n━━ ${text} ${"━".repeat(Math.max(3, 70 - text.length))}`);
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function allIssues(emulator: GitHubEmulator): Issue[] {
  return emulator.issues({ state: "all" }) as unknown as Issue[];
}

/** Post-mortems of an incident: issues labeled `postmortem` whose hidden marker names it. */
function postmortemsFor(emulator: GitHubEmulator, incident: number): Issue[] {
  return allIssues(emulator).filter((i) => {
    if (!i.labels.some((l) => l.name === "postmortem")) return false;
    const marker = MARKER.exec(i.body ?? "")?.[1];
    return (
      marker !== undefined && (JSON.parse(marker) as { incident?: number }).incident === incident
    );
  });
}

function botComments(emulator: GitHubEmulator, issue: number) {
  return emulator.commentsOn(issue).filter((c) => c.user.login === emulator.state.bot.login);
}

function expectOnePostmortem(demo: Demo, incident: number): Issue {
  const found = postmortemsFor(demo.emulator, incident);
  assert(
    found.length === 1,
    `expected exactly one post-mortem for incident #${incident}, found ${found.length}`,
  );
  const comments = botComments(demo.emulator, incident);
  assert(
    comments.length === 1,
    `expected one App comment on incident #${incident}, found ${comments.length}`,
  );
  return found[0] as Issue;
}

function printRequests(emulator: GitHubEmulator, since: number): void {
  for (const r of emulator.requests.filter((r) => r.seq > since && r.actor !== null)) {
    const query = Object.keys(r.query).length ? `?${new URLSearchParams(r.query).toString()}` : "";
    console.log(
      `  ${String(r.status).padEnd(3)} ${r.method.padEnd(6)} ${decodeURIComponent(r.path)}${query}`,
    );
  }
}

const lastSeq = (emulator: GitHubEmulator) => emulator.requests.at(-1)?.seq ?? 0;

const steps: Step[] = [
  {
    name: "start the App against the emulator",
    async run(demo) {
      const credentials = generateAppCredentials();
      demo.emulator = createGitHubEmulator({
        appId: APP_ID,
        publicKey: credentials.publicKey,
        webhookSecret: credentials.secret,
        users: [
          { login: "alice", role: "maintain" },
          { login: "bob", role: "write" },
        ],
      });
      await demo.emulator.start();
      console.log(
        `emulator: ${demo.emulator.apiUrl} (repository ${demo.emulator.owner}/${demo.emulator.repoName})`,
      );
      demo.app = await startAppProcess({
        emulator: demo.emulator,
        privateKey: credentials.privateKey,
        appId: APP_ID,
        secret: credentials.secret,
        ...(verbose ? { onLog: (line: string) => console.log(`  [app] ${line}`) } : {}),
      });
      console.log(`app:      http://127.0.0.1:${demo.app.port} (pid answered /ping)`);
    },
  },
  {
    name: "a human opens an issue, then labels it incident",
    async run(demo) {
      const before = lastSeq(demo.emulator);
      const issue = demo.emulator.openIssue({
        by: "alice",
        title: "Checkout API returns 500s",
        body: "Since 09:12 UTC about 30% of checkout requests fail with 500.",
      });
      demo.emulator.addLabel({ by: "alice", issue: issue.number as number, label: "incident" });
      await demo.emulator.waitForIdle();
      demo.incidents.set("labeled", issue.number as number);
      const pm = expectOnePostmortem(demo, issue.number as number);
      heading(`Post-mortem #${pm.number}: ${pm.title}`);
      console.log(pm.body);
      heading(`Comment on incident #${String(issue.number)}`);
      for (const c of botComments(demo.emulator, issue.number as number)) console.log(c.body);
      heading("Labels");
      console.log(`  incident #${String(issue.number)}: ${labelsOf(demo, issue.number as number)}`);
      console.log(`  post-mortem #${pm.number}: ${pm.labels.map((l) => l.name).join(", ")}`);
      heading("Requests the App made");
      printRequests(demo.emulator, before);
    },
  },
  {
    name: "an issue is opened with the incident label already set",
    async run(demo) {
      const before = lastSeq(demo.emulator);
      const issue = demo.emulator.openIssue({
        by: "bob",
        title: "Payments queue stalled",
        body: "Consumers stopped acking at 10:40 UTC.",
        labels: ["incident"],
      });
      await demo.emulator.waitForIdle();
      demo.incidents.set("opened", issue.number as number);
      const pm = expectOnePostmortem(demo, issue.number as number);
      heading(
        `Opened with the label: incident #${String(issue.number)} → post-mortem #${pm.number}`,
      );
      printRequests(demo.emulator, before);
    },
  },
  {
    name: "the labeled delivery is redelivered",
    async run(demo) {
      const incident = demo.incidents.get("labeled") as number;
      const delivery = demo.emulator.webhooks.events.find(
        (e) =>
          e.event === "issues" &&
          e.action === "labeled" &&
          (e.payload.issue as { number: number }).number === incident &&
          (e.payload.label as { name: string }).name === "incident",
      );
      assert(delivery, `no issues.labeled delivery for incident #${incident}`);
      const before = lastSeq(demo.emulator);
      const result = await demo.emulator.redeliver(delivery.deliveryId);
      await demo.emulator.waitForIdle();
      assert(
        result.status !== null && result.status < 300,
        `redelivery answered ${String(result.status)}`,
      );
      expectOnePostmortem(demo, incident);
      const writes = demo.emulator
        .appRequests()
        .filter((r) => r.seq > before && r.method !== "GET");
      heading(`Redelivered ${delivery.deliveryId} (answered ${result.status})`);
      console.log(
        `  writes after redelivery: ${writes.length ? writes.map((w) => `${w.method} ${w.path}`).join(", ") : "none"}`,
      );
      printRequests(demo.emulator, before);
    },
  },
  {
    name: "the approval gate (the companion Action): a blocked close, then an accepted one",
    async run(demo) {
      const incident = demo.incidents.get("labeled") as number;
      const postmortem = postmortemsFor(demo.emulator, incident)[0];
      assert(postmortem, `no post-mortem for incident #${incident}`);
      await runApprovalDemo({ emulator: demo.emulator, postmortem: postmortem.number, heading });
    },
  },
  {
    name: "summary",
    // eslint-disable-next-line @typescript-eslint/require-await
    async run(demo) {
      const all = allIssues(demo.emulator);
      const postmortems = all.filter((i) => i.labels.some((l) => l.name === "postmortem"));
      heading("Summary");
      for (const [scenario, incident] of demo.incidents) {
        const pm = postmortemsFor(demo.emulator, incident);
        console.log(
          `  ${scenario.padEnd(8)} incident #${incident} → post-mortem ${pm.map((p) => `#${p.number}`).join(", ")}`,
        );
      }
      console.log(`  issues: ${all.length}, post-mortems: ${postmortems.length}`);
      console.log(
        `  webhook deliveries: ${demo.emulator.deliveries.length}, App requests: ${demo.emulator.appRequests().length}`,
      );
      const failed = demo.emulator.deliveries.filter((d) => d.status === null || d.status >= 300);
      assert(
        failed.length === 0,
        `deliveries not accepted: ${failed.map((d) => `${d.event}.${String(d.action)} → ${String(d.status ?? d.error)}`).join(", ")}`,
      );
      assert(
        postmortems.length === demo.incidents.size,
        `expected ${demo.incidents.size} post-mortems in total, found ${postmortems.length}`,
      );
    },
  },
];

function labelsOf(demo: Demo, issue: number): string {
  return (demo.emulator.issue(issue).labels as { name: string }[]).map((l) => l.name).join(", ");
}

function printServeHelp(demo: Demo): void {
  const control = `${demo.emulator.url}/_emulator`;
  heading("Serving: send your own events (Ctrl-C to stop)");
  console.log(`GitHub API:   ${demo.emulator.apiUrl}`);
  console.log(`Control help: curl ${control}`);
  console.log("Open an incident as a human:");
  console.log(
    `  curl -s -X POST ${control}/script/openIssue -H 'content-type: application/json' \\\n    -d '{"by":"alice","title":"Search is slow","labels":["incident"]}'`,
  );
  console.log("Ask for a post-mortem by comment:");
  console.log(
    `  curl -s -X POST ${control}/script/comment -H 'content-type: application/json' \\\n    -d '{"by":"alice","issue":1,"body":"/postmortem"}'`,
  );
  console.log(
    `See what happened: curl ${control}/issues   curl ${control}/requests   curl ${control}/deliveries`,
  );
}

async function main(): Promise<void> {
  const demo = { incidents: new Map() } as Demo;
  const started = Date.now();
  let failed = false;
  const cleanup = async () => {
    await demo.app?.stop();
    await demo.emulator?.stop();
  };
  try {
    for (const step of steps) {
      try {
        await step.run(demo);
      } catch (error) {
        failed = true;
        console.error(
          `\n✗ step "${step.name}" failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        if (demo.app) console.error(`last App log lines:\n${demo.app.logs.slice(-15).join("\n")}`);
        break;
      }
    }
    if (!failed) console.log(`\n✓ demo passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (serve && !failed) {
      printServeHelp(demo);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
    }
  } finally {
    await cleanup();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
