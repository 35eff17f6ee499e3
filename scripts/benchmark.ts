/**
 * `npm run bench`: what the product costs, measured in one run against the GitHub emulator, each
 * figure beside its goal and the peer it is compared with (issue #9). Request counts are exact
 * (and enforced by tests: test/e2e/cost.test.ts, and test/action/command-cost.test.ts for the
 * runs after outsiders' commands); times are medians of several rounds, and the
 * claims are ratios against peers measured in this same run.
 *
 *   npm run bench                 everything (CAPA with 1, 10 and 50 boxes: several minutes,
 *                                 as GitHub's pace of writes is kept)
 *   npm run bench -- --quick      CAPA with 1 and 10 boxes, fewer rounds
 *   npm run bench -- --only culprit-check   one piece (flows, evidence, culprit-check, cpu,
 *                                 action-startup, production, report, release-gate, commands, core)
 */
import { benchActionStartup } from "./bench/action-startup.js";
import { benchCommands } from "./bench/commands.js";
import { benchCore } from "./bench/core.js";
import { benchCulpritCheck } from "./bench/culprit-check.js";
import { benchEvidence } from "./bench/evidence.js";
import { benchIgnoredDeliveryCpu } from "./bench/cpu.js";
import { benchFlows } from "./bench/flows.js";
import { benchProduction } from "./bench/production.js";
import { benchReport } from "./bench/report.js";
import { benchReleaseGate } from "./bench/release-gate.js";

const quick = process.argv.includes("--quick");
// `--only <piece>` (e.g. `--only culprit-check`): that piece alone.
const only = process.argv.includes("--only")
  ? process.argv[process.argv.indexOf("--only") + 1]
  : undefined;
const PIECES = [
  "flows",
  "evidence",
  "culprit-check",
  "cpu",
  "action-startup",
  "production",
  "report",
  "release-gate",
  "commands",
  "core",
];
if (only !== undefined && !PIECES.includes(only)) {
  console.error(`--only ${only}: no such piece; one of ${PIECES.join(", ")}`);
  process.exit(2);
}
const want = (piece: string) => only === undefined || only === piece;
const rows: string[][] = [];
const row = (figure: string, measured: string, goal: string, peer: string, met?: boolean) =>
  rows.push([figure, measured, goal, peer, met === undefined ? "" : met ? "✓" : "✗"]);
/** `METHOD /path` lines without the repository prefix, shas cut to 7, repeats counted. */
function listRequests(sent: readonly string[]): string {
  const short = sent.map((line) =>
    line.replace(/\/repos\/[^/]+\/[^/]+\//, "").replace(/\b([0-9a-f]{7})[0-9a-f]{33}\b/g, "$1"),
  );
  const runs: { line: string; count: number }[] = [];
  for (const line of short) {
    const last = runs.at(-1);
    if (last?.line === line) last.count++;
    else runs.push({ line, count: 1 });
  }
  return runs.map((r) => (r.count > 1 ? `${r.line} ×${r.count}` : r.line)).join(", ");
}
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

if (want("flows")) {
  console.error("measuring flows against the emulator (GitHub's pace of writes is kept)…");
  for (const flow of await benchFlows(quick ? [1, 10] : [1, 10, 50])) {
    const free = flow.notModified > 0 ? ` (${flow.notModified} × 304)` : "";
    const answer = flow.answer
      ? `; answered ${flow.answer.status ?? "—"} in ${ms(flow.answer.ms)}; settled in ${(flow.settledMs / 1000).toFixed(1)} s`
      : "";
    const counted = flow.budgetOn === "writes" ? flow.writes : flow.requests;
    const measured =
      flow.budgetOn === "writes"
        ? `${flow.writes} writes + ${flow.requests - flow.writes} reads`
        : `${flow.requests}`;
    row(
      `requests: ${flow.flow}`,
      `${measured}${free}${answer}`,
      flow.budget === undefined
        ? "(shown)"
        : `≤ ${flow.budget}${flow.budgetOn === "writes" ? " writes" : ""}`,
      "",
      flow.budget === undefined ? undefined : counted <= flow.budget,
    );
  }
}

if (want("evidence")) {
  console.error(
    "measuring the evidence flow: a merge, then a deployment with children awaiting it…",
  );
  for (const figure of await benchEvidence(quick ? 3 : 10)) {
    const otherReads =
      figure.requests - figure.writes - figure.listings - figure.compares - figure.graphql;
    const parts = `${figure.listings} listing, ${figure.compares} compare, ${figure.graphql} GraphQL, ${figure.writes} writes, ${otherReads} other reads`;
    if (figure.awaiting === 0) {
      // Issue #19: "a few requests"; both deliveries of one merge counted together.
      row(
        `requests: evidence, ${figure.event}`,
        `${figure.requests} (${parts})`,
        "≤ 20",
        "",
        figure.requests <= 20,
      );
    } else {
      // Issue #19: at most one listing of the awaiting children (per 100), one compare per child, the
      // writes. The other reads (each write read back to confirm it landed, the post-mortem's rows)
      // are over that budget: shown, and the goal marked unmet while there are any.
      const met =
        figure.listings <= Math.ceil(figure.awaiting / 100) &&
        figure.compares <= figure.awaiting &&
        otherReads === 0;
      row(
        `requests: evidence, ${figure.event}`,
        `${figure.requests} (${parts})`,
        `≤ ${Math.ceil(figure.awaiting / 100)} listing + ${figure.awaiting} compares + writes`,
        "",
        met,
      );
    }
  }
}

if (want("culprit-check")) {
  console.error("measuring the culprit check with 500 post-mortems in the path index…");
  for (const figure of await benchCulpritCheck(500)) {
    // Issue #20: at most 3 requests per pull-request event with a warm cache, plus one per further
    // 100 files; a redelivery writes nothing. The requests are listed, runs of one kind counted.
    const free = figure.notModified > 0 ? `, ${figure.notModified} × 304` : "";
    const met =
      figure.budget === undefined
        ? undefined
        : figure.requests <= figure.budget && !(figure.noWrite && figure.writes > 0);
    row(
      `requests: culprit check, 500 post-mortems, ${figure.event}`,
      `${figure.requests} (${figure.writes} write${figure.writes === 1 ? "" : "s"}${free}): ${listRequests(figure.sent)}`,
      figure.budget === undefined
        ? "(shown)"
        : `≤ ${figure.budget}${figure.noWrite ? ", no write" : ""}`,
      "",
      met,
    );
  }
}

if (want("cpu")) {
  console.error("measuring CPU per ignored delivery against a bare Probot app…");
  const cpu = await benchIgnoredDeliveryCpu(quick ? 300 : 1000, quick ? 3 : 5);
  row(
    "server CPU per ignored delivery",
    `${ms(cpu.oursMs)} = ${cpu.ratio.toFixed(2)}×`,
    "≤ 1.25×",
    `bare Probot app: ${ms(cpu.bareMs)}`,
    cpu.ratio <= 1.25,
  );
}

if (want("action-startup")) {
  console.error("measuring the Action's start-up against bare node…");
  const action = await benchActionStartup(quick ? 8 : 20);
  row(
    "Action start-up on an ignored event",
    `${ms(action.actionMs)} = ${action.ratio.toFixed(2)}×`,
    "≤ 2.5×",
    `node -e 0: ${ms(action.bareMs)}`,
    action.ratio <= 2.5,
  );
  row(
    "Action requests on an ignored event",
    action.requests.length === 0 ? "0" : action.requests.join(", "),
    "≤ 2 (configuration only)",
    "",
    action.requests.length <= 2,
  );
  row(
    "Action bundle",
    `${(action.entryBytes / 1024).toFixed(0)} KB loaded; ${(action.totalBytes / 1024).toFixed(0)} KB in dist/`,
    "(shown)",
    "",
  );
}

if (want("production")) {
  console.error(
    "measuring the production install (the Dockerfile's steps; needs the npm registry)…",
  );
  const production = await benchProduction(quick ? 3 : 5);
  const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
  row(
    "server install (npm ci --omit=dev)",
    `${mb(production.nodeModulesBytes)}, ${production.packages} packages, no dev tools`,
    "≤ 100 MB",
    `npm ci: ${mb(production.fullInstallBytes)}`,
    production.nodeModulesBytes <= 100_000_000,
  );
  row(
    "server bundle (lib/server)",
    `${(production.bundleBytes / 1024).toFixed(0)} KB + ${(production.sourceMapBytes / 1024).toFixed(0)} KB source maps`,
    "(shown)",
    "",
  );
  row(
    "server start to first PONG",
    `${ms(production.startMs)} = ${(production.startMs / production.tsxStartMs).toFixed(2)}×; RSS ${(production.rssKb / 1024).toFixed(0)} MB`,
    "≤ 1× (no compiler at start)",
    `node --import tsx src/entry/main.ts: ${ms(production.tsxStartMs)}, RSS ${(production.tsxRssKb / 1024).toFixed(0)} MB`,
    production.startMs <= production.tsxStartMs,
  );

  row(
    "server start to first PONG, against Probot",
    `${ms(production.startMs)} = ${(production.startMs / production.bareStartMs).toFixed(2)}×`,
    "≤ 1.5×",
    `bare Probot app (run()): ${ms(production.bareStartMs)}, RSS ${(production.bareRssKb / 1024).toFixed(0)} MB`,
    production.startMs <= 1.5 * production.bareStartMs,
  );
}

if (want("report")) {
  console.error("measuring the reliability report at volume…");
  const report = await benchReport();
  row(
    `requests: reliability report, ${report.postmortems} post-mortems + ${report.actions} actions`,
    `${report.requests} (${(report.ms / 1000).toFixed(1)} s with the emulator in this process)`,
    "≤ 50 (GITHUB_TOKEN: 1,000/h)",
    "",
    report.requests <= 50,
  );
}

if (want("release-gate")) {
  console.error("measuring the release gate on 500 post-mortems and 3,000 actions…");
  for (const closes of ["pre-upgrade", "approved"] as const) {
    const gate = await benchReleaseGate(500, 6, closes);
    const closed =
      closes === "approved" ? `${gate.closed} closed with approved "gate":2 closes` : "pre-upgrade";
    row(
      `requests: release gate, ${gate.postmortems} post-mortems (${closed}), ${gate.actions} actions`,
      `${gate.requests} in ${(gate.ms / 1000).toFixed(1)} s (blocked: exit ${gate.exitCode})`,
      "≤ 20",
      "GITHUB_TOKEN: 1,000 an hour",
      gate.requests <= 20,
    );
  }
  {
    const gate = await benchReleaseGate(500, 6, "approved", "merged");
    row(
      `requests: release gate, capaEvidence: merged, ${gate.closed} closed post-mortems each with an action closed without evidence`,
      `${gate.requests} in ${(gate.ms / 1000).toFixed(1)} s (blocked: exit ${gate.exitCode})`,
      "≤ 25",
      "one more paged listing (capa:no-evidence, closed)",
      gate.requests <= 25,
    );
  }
}

if (want("commands")) {
  console.error("measuring the Action's runs after 300 outsiders' /approve comments…");
  const commands = await benchCommands(300);
  for (const [index, run] of commands.runs.entries()) {
    // The first is the outsider's own run: the one an outsider can repeat at will.
    row(
      `requests: ${run.run}`,
      `${run.requests.length}`,
      index === 0 ? "≤ 10 (GITHUB_TOKEN: 1,000/h)" : "(shown)",
      "",
      index === 0 ? run.requests.length <= 10 : undefined,
    );
  }
}

if (want("core")) {
  console.error("measuring the core…");
  for (const figure of benchCore([2_000, 20_000, 65_536])) {
    row(
      `core CPU: plan CAPA, ${figure.characters} characters, 10 boxes`,
      ms(figure.planMs),
      "(shown)",
      "",
    );
  }
}

const header = ["Figure", "Measured", "Goal", "Peer (same run)", "Met"];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(`\npostmortem-bot benchmark (Node ${process.version}, ${new Date().toISOString()})\n`);
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows) console.log(line(r));
