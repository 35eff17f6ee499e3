/**
 * What a production install of the App server costs (issue #11): performs the Dockerfile's steps
 * in a temporary directory (scripts/dockerfile-steps.ts; needs the npm registry), then measures the
 * image's files (node_modules after `npm ci --omit=dev`, the bundle) beside this checkout's full
 * install, and the time from `node lib/server/main.mjs` to the first `PONG` on /ping and the
 * process's memory then, against the development way of starting (`node --import tsx
 * src/entry/main.ts`), measured alternately.
 *
 * Alone: `npx tsx scripts/bench/production.ts [rounds]` prints the figures.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, lstatSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, generateAppCredentials } from "../../emulator/app-process.js";
import type { PerformedStage } from "../dockerfile-steps.js";
import { inStage, performDockerfile } from "../dockerfile-steps.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ProductionFootprint {
  /** Wall time of every step of the Dockerfile (both installs included). */
  stepsMs: number;
  /** Bytes and packages in the image's node_modules (production dependencies only). */
  nodeModulesBytes: number;
  packages: number;
  /** Bytes in this checkout's node_modules (`npm ci`, every dev tool). */
  fullInstallBytes: number;
  /** The bundle's JavaScript, and its source maps. */
  bundleBytes: number;
  sourceMapBytes: number;
  /** Median time from spawning the image's CMD to the first PONG on /ping. */
  startMs: number;
  /** The same for `node --import tsx src/entry/main.ts` in this checkout. */
  tsxStartMs: number;
  /** The same for a bare Probot app (Probot's run(), an app that does nothing). */
  bareStartMs: number;
  bareRssKb: number;
  /** Resident memory of the started server (median, kB). */
  rssKb: number;
  tsxRssKb: number;
}

export async function benchProduction(rounds = 5): Promise<ProductionFootprint> {
  const into = mkdtempSync(join(tmpdir(), "postmortem-footprint-"));
  try {
    const started = performance.now();
    const stages = await performDockerfile({
      dockerfile: readFileSync(join(ROOT, "Dockerfile"), "utf8"),
      context: ROOT,
      into,
    });
    const stepsMs = performance.now() - started;
    const image = stages.at(-1) as PerformedStage;
    const app = inStage(image, ".");
    const [, ...cmdArgs] = image.cmd ?? [];
    const bundle = readdirSync(join(app, "lib/server"));
    const sizeOf = (files: string[]) =>
      files.reduce((sum, file) => sum + lstatSync(join(app, "lib/server", file)).size, 0);

    // The peer: a Probot 14 app that does nothing, started by Probot's own run() from the same
    // production node_modules, with plain node.
    writeFileSync(
      join(app, "bare-probot.mjs"),
      'import { run } from "probot";\nawait run(() => undefined);\n',
    );
    const ours: Started[] = [];
    const tsx: Started[] = [];
    const bare: Started[] = [];
    for (let i = 0; i < rounds; i++) {
      ours.push(await startServer(app, cmdArgs));
      bare.push(await startServer(app, ["bare-probot.mjs"]));
      tsx.push(await startServer(ROOT, ["--import", "tsx", "src/entry/main.ts"]));
    }
    return {
      stepsMs,
      nodeModulesBytes: bytesIn(join(app, "node_modules")),
      packages: countPackages(join(app, "node_modules")),
      fullInstallBytes: bytesIn(join(ROOT, "node_modules")),
      bundleBytes: sizeOf(bundle.filter((f) => !f.endsWith(".map"))),
      sourceMapBytes: sizeOf(bundle.filter((f) => f.endsWith(".map"))),
      startMs: median(ours.map((s) => s.ms)),
      tsxStartMs: median(tsx.map((s) => s.ms)),
      bareStartMs: median(bare.map((s) => s.ms)),
      bareRssKb: median(bare.map((s) => s.rssKb)),
      rssKb: median(ours.map((s) => s.rssKb)),
      tsxRssKb: median(tsx.map((s) => s.rssKb)),
    };
  } finally {
    rmSync(into, { recursive: true, force: true });
  }
}

interface Started {
  ms: number;
  rssKb: number;
}

const credentials = generateAppCredentials();

/** Spawns a server, waits for PONG, reads its memory, stops it. */
async function startServer(cwd: string, args: string[]): Promise<Started> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    stdio: "ignore",
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      APP_ID: "1",
      PRIVATE_KEY: credentials.privateKey,
      WEBHOOK_SECRET: credentials.secret,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      RECONCILE_INTERVAL: "off",
    },
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited ${child.exitCode}`);
      const pong = await fetch(`http://127.0.0.1:${port}/ping`)
        .then((res) => res.text())
        .catch(() => "");
      if (pong === "PONG") break;
      if (performance.now() - started > 30_000) throw new Error(`${args.join(" ")}: no PONG`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const ms = performance.now() - started;
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return { ms, rssKb };
  } finally {
    child.kill("SIGKILL");
  }
}

function bytesIn(path: string): number {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + bytesIn(join(path, entry)), 0);
}

function countPackages(nodeModules: string): number {
  let count = 0;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith(".")) continue;
    if (entry.startsWith("@")) count += readdirSync(join(nodeModules, entry)).length;
    else count++;
  }
  return count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchProduction(Number(process.argv[2] ?? 5));
  const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
  console.log(`Dockerfile steps: ${(figures.stepsMs / 1000).toFixed(0)} s`);
  console.log(
    `node_modules: ${mb(figures.nodeModulesBytes)} (${figures.packages} packages); full install: ${mb(figures.fullInstallBytes)}`,
  );
  console.log(
    `bundle: ${(figures.bundleBytes / 1024).toFixed(0)} KB (+ ${(figures.sourceMapBytes / 1024).toFixed(0)} KB source maps)`,
  );
  console.log(
    `start to PONG: ${figures.startMs.toFixed(0)} ms (bare Probot app: ${figures.bareStartMs.toFixed(0)} ms; tsx: ${figures.tsxStartMs.toFixed(0)} ms); RSS ${(figures.rssKb / 1024).toFixed(0)} MB (tsx: ${(figures.tsxRssKb / 1024).toFixed(0)} MB)`,
  );
}
