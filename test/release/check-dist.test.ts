import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkDist, distDifferences } from "../../scripts/release/check-dist.js";

/** A directory holding these files. */
function directory(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "postmortem-dist-"));
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe("comparing dist/ with a fresh build", () => {
  it("finds nothing when every file is the same", () => {
    const files = { "index.js": "a", "run.js": "b" };
    expect(distDifferences(directory(files), directory(files))).toEqual([]);
  });

  it("names each stale, missing and extra file", () => {
    const committed = directory({ "index.js": "old", "run.js": "b", "chunk-OLD.js": "c" });
    const fresh = directory({ "index.js": "new", "run.js": "b", "chunk-NEW.js": "c" });
    expect(distDifferences(committed, fresh)).toEqual([
      "dist/chunk-NEW.js is missing (the build makes it)",
      "dist/index.js differs from what the sources build",
      "dist/chunk-OLD.js is not made by the build",
    ]);
  });

  it("a missing dist/ misses every file", () => {
    expect(
      distDifferences(join(tmpdir(), "postmortem-no-such-dir"), directory({ "a.js": "" })),
    ).toEqual(["dist/a.js is missing (the build makes it)"]);
  });

  it("builds the sources afresh: a copy of the committed dist/ with one file changed is caught", async () => {
    const copy = mkdtempSync(join(tmpdir(), "postmortem-dist-copy-"));
    cpSync(fileURLToPath(new URL("../../dist/", import.meta.url)), copy, { recursive: true });
    writeFileSync(join(copy, "index.js"), "// edited by hand\n", { flag: "a" });
    rmSync(join(copy, "cli.js"));
    expect(await checkDist(copy)).toEqual([
      "dist/cli.js is missing (the build makes it)",
      "dist/index.js differs from what the sources build",
    ]);
  });
});
