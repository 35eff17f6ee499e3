/**
 * `npx tsx scripts/release/check-dist.ts`: the committed dist/ must be exactly what the checked-out
 * sources build, because `uses: …@v1` runs dist/ as committed. Builds with the same function as
 * `npm run build:action` (the build .ci/run repeats before its `git diff -- dist/`), into a
 * temporary directory so the checkout stays as it is, then compares file by file. Exits 1 naming
 * every file that is stale, missing or extra.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundles } from "../build-action.js";

/** How `committed` differs from `fresh` (two directories of files), one line per file. */
export function distDifferences(committed: string, fresh: string): string[] {
  const files = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
  const committedFiles = files(committed);
  const freshFiles = files(fresh);
  const problems: string[] = [];
  for (const file of freshFiles) {
    if (!committedFiles.includes(file))
      problems.push(`dist/${file} is missing (the build makes it)`);
    else if (!readFileSync(join(committed, file)).equals(readFileSync(join(fresh, file)))) {
      problems.push(`dist/${file} differs from what the sources build`);
    }
  }
  for (const file of committedFiles) {
    if (!freshFiles.includes(file)) problems.push(`dist/${file} is not made by the build`);
  }
  return problems;
}

/** Builds the sources afresh and compares the result with `distDir`. */
export async function checkDist(distDir: string): Promise<string[]> {
  const fresh = mkdtempSync(join(tmpdir(), "postmortem-release-dist-"));
  try {
    await buildBundles(fresh);
    return distDifferences(distDir, fresh);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = await checkDist(fileURLToPath(new URL("../../dist/", import.meta.url)));
  if (problems.length > 0) {
    console.error(
      `${problems.join("\n")}\nRun npm run build:action, commit dist/, and tag that commit.`,
    );
    process.exitCode = 1;
  } else console.log("dist/ is what the sources build");
}
