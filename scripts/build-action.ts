/**
 * `npm run build:action`: bundles the Action and the CLI (src/entry/cli.ts → dist/cli.js, one
 * file) into ESM that runs with plain `node`, no `npm install`. The Action is split so that the
 * events it ignores cost little more than starting Node: dist/index.js (action/main.ts, built on
 * its own so that it imports nothing) reads the event and decides whether to load
 * dist/postmortem-labels.js (reads the configuration to look at `postmortemLabels`) or dist/run.js
 * (the full Action: action/run.ts runs one mode of action/modes/ on the event the entry hands it).
 * Those two are built together with code splitting: what they share is in dist/chunk-<hash>.js
 * files, named by their content, so a build is deterministic.
 * dist/ is committed; CI rebuilds it and fails when it differs (test/action/bundle.test.ts).
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions, Plugin } from "esbuild";
import { build } from "esbuild";
import { embedTemplate } from "./build-server.js";

const root = fileURLToPath(new URL("../", import.meta.url));

/** The parts of the Action that the entry loads with `import()`, by their file in dist/. */
export const ACTION_PARTS = {
  "postmortem-labels": "action/postmortem-labels.ts",
  run: "action/run.ts",
};

/** The entry's `import("./run.js")` and `import("./postmortem-labels.js")` load the files beside it. */
const partsBesideEntry: Plugin = {
  name: "action-parts-beside-the-entry",
  setup(context) {
    const parts = Object.keys(ACTION_PARTS).join("|");
    context.onResolve({ filter: new RegExp(`^\\./(${parts})\\.js$`) }, (args) =>
      args.kind === "dynamic-import" ? { path: args.path, external: true } : undefined,
    );
  },
};

/**
 * The three builds that make dist/: the Action's entry (one file, no imports), the Action's parts
 * (split into chunks), the CLI (one file).
 */
export function bundleOptions(outdir: string): BuildOptions[] {
  const options = common(outdir);
  return [
    {
      ...options,
      entryPoints: { index: "action/main.ts" },
      plugins: [partsBesideEntry],
      // Nothing in it calls require().
      banner: {},
    },
    { ...options, entryPoints: ACTION_PARTS, splitting: true, chunkNames: "chunk-[hash]" },
    { ...options, entryPoints: { cli: "src/entry/cli.ts" } },
  ];
}

/** Builds dist/ (or `outdir`) afresh: files of an earlier build that it no longer makes go. */
export async function buildBundles(outdir: string): Promise<string[]> {
  mkdirSync(outdir, { recursive: true });
  for (const file of readdirSync(outdir)) {
    if (file.endsWith(".js")) rmSync(join(outdir, file));
  }
  for (const options of bundleOptions(outdir)) await build(options);
  return readdirSync(outdir).sort();
}

function common(outdir: string): BuildOptions {
  return {
    absWorkingDir: root,
    outdir,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
    },
    // Small enough to commit and to load fast on every run; the sources are in this repository.
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    plugins: [embedTemplate],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await buildBundles(`${root}dist`);
  console.log(`wrote ${files.map((file) => `dist/${file}`).join(", ")}`);
}
