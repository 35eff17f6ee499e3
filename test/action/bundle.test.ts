import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Metafile } from "esbuild";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { bundleOptions, buildBundles } from "../../scripts/build-action.js";

const DIST = new URL("../../dist/", import.meta.url);
const committed = (file: string) => readFileSync(new URL(file, DIST), "utf8");

/** The source files (and packages) each output file of a build is made of. */
async function inputsByOutput(index: number): Promise<Record<string, string[]>> {
  const outdir = mkdtempSync(join(tmpdir(), "postmortem-bundle-meta-"));
  const result = await build({ ...bundleOptions(outdir)[index], metafile: true, write: false });
  const outputs: Metafile["outputs"] = result.metafile.outputs;
  return Object.fromEntries(
    Object.entries(outputs).map(([file, output]) => [
      file.split("/").at(-1)!,
      Object.keys(output.inputs).sort(),
    ]),
  );
}

describe("the committed bundle", () => {
  it("is what `npm run build:action` builds from the current sources (rebuild and commit dist/)", async () => {
    const outdir = mkdtempSync(join(tmpdir(), "postmortem-bundle-"));
    const files = await buildBundles(outdir);
    expect(files).toContain("index.js");
    expect(files).toContain("run.js");
    expect(files).toContain("postmortem-labels.js");
    expect(files).toContain("cli.js");
    expect(
      readdirSync(DIST).sort(),
      "dist/ holds other files than a build makes: run npm run build:action",
    ).toEqual(files);
    for (const file of files) {
      const fresh = readFileSync(join(outdir, file), "utf8");
      // Not toBe: a 1 MB diff helps nobody; the message says what to do.
      expect(fresh === committed(file), `dist/${file} is stale: run npm run build:action`).toBe(
        true,
      );
    }
  });

  it("builds the same files twice (chunk names come from their content)", async () => {
    const [first, second] = await Promise.all(
      [1, 2].map(() => buildBundles(mkdtempSync(join(tmpdir(), "postmortem-bundle-twice-")))),
    );
    expect(first).toEqual(second);
  });

  it("the entry, dist/index.js, is the entry's own small code and loads the rest only by import()", async () => {
    expect(await inputsByOutput(0)).toEqual({
      "index.js": ["action/main.ts", "action/mode.ts", "action/triage.ts", "src/core/constants.ts"],
    });
    const entry = committed("index.js");
    expect(entry.length).toBeLessThan(8_000);
    // Node's built-ins only, statically; the Action's parts on demand, from beside it.
    const staticImports = [...entry.matchAll(/\bimport\s*(?:[\w{}\s,$*]+from\s*)?"([^"]+)"/g)].map(
      (match) => match[1],
    );
    expect(staticImports).toEqual(["node:fs"]);
    const dynamicImports = [...entry.matchAll(/\bimport\("([^"]+)"\)/g)].map((match) => match[1]);
    // Each part from several places (one per mode, the flows' and the gate's configuration checks).
    expect([...new Set(dynamicImports)].sort()).toEqual(["./postmortem-labels.js", "./run.js"]);
  });

  it("the configuration check needs neither Octokit, zod, the markdown parser, handlebars nor @actions/core", async () => {
    const outputs = await inputsByOutput(1);
    const run = outputs["run.js"]!;
    // What postmortem-labels.js loads: itself and the chunks it shares with run.js.
    const labels = Object.entries(outputs)
      .filter(([file]) => file !== "run.js")
      .flatMap(([, inputs]) => inputs);
    // Of src/, only the constants it shares with the App and the guard on `_extends` that must be
    // the App's own (two modules that import nothing).
    const heavy =
      /node_modules\/(@octokit|zod|mdast|micromark|handlebars|@actions)\b|^src\/(?!(core\/constants|github\/config-extends)\.ts$)/;
    expect(labels.filter((input) => heavy.test(input))).toEqual([]);
    for (const shared of ["src/core/constants.ts", "src/github/config-extends.ts"]) {
      const text = readFileSync(new URL(`../../${shared}`, import.meta.url), "utf8");
      expect(text, shared).not.toMatch(/^import\b/m);
    }
    expect(run.some((input) => input.includes("node_modules/zod/"))).toBe(true);
  });

  it("action.yml runs it on node24 with the documented inputs and outputs", () => {
    const actionYml = readFileSync(new URL("../../action.yml", import.meta.url), "utf8");
    expect(actionYml).toMatch(/runs:\n {2}using: node24\n {2}main: dist\/index\.js\n/);
    const names = ["github-token", "fail-on-block", "mode", "approved", "missing"];
    for (const name of [...names, "report-issue", "report-since", "report-until", "report"]) {
      expect(actionYml).toContain(`  ${name}:\n`);
    }
    expect(actionYml).toContain("default: ${{ github.token }}");
  });
});
