import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { bundleOptions } from "../../scripts/build-action.js";

const committed = (file: string) =>
  readFileSync(new URL(`../../dist/${file}`, import.meta.url), "utf8");

describe("the committed bundle", () => {
  it("is what `npm run build:action` builds from the current sources (rebuild and commit dist/)", async () => {
    const outdir = mkdtempSync(join(tmpdir(), "postmortem-bundle-"));
    await build(bundleOptions(outdir));
    for (const file of ["index.js", "cli.js"]) {
      const fresh = readFileSync(join(outdir, file), "utf8");
      // Not toBe: a 1 MB diff helps nobody; the message says what to do.
      expect(fresh === committed(file), `dist/${file} is stale: run npm run build:action`).toBe(
        true,
      );
    }
  });

  it("action.yml runs it on node24 with the documented inputs and outputs", () => {
    const actionYml = readFileSync(new URL("../../action.yml", import.meta.url), "utf8");
    expect(actionYml).toMatch(/runs:\n {2}using: node24\n {2}main: dist\/index\.js\n/);
    for (const name of ["github-token", "fail-on-block", "approved", "missing"]) {
      expect(actionYml).toContain(`  ${name}:\n`);
    }
    expect(actionYml).toContain("default: ${{ github.token }}");
  });
});
