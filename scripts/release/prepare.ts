/**
 * `npx tsx scripts/release/prepare.ts <tag> --notes-file <path>`, run by
 * .github/workflows/release.yml in the tagged checkout: checks that the tag, package.json and
 * CHANGELOG.md agree, writes the release notes to the file, and tells the workflow (through
 * $GITHUB_OUTPUT, else on stdout) what to publish: `version`, `prerelease`, `latest`, and
 * `major-tag` (empty when the major tag stays). Exits 1 with the reason when anything disagrees.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { releaseNotes } from "./changelog.js";
import type { ReleaseTag, TagPlan } from "./tags.js";
import { parseReleaseTag, planTags } from "./tags.js";

export interface ReleaseInputs {
  tag: string;
  packageVersion: string;
  changelog: string;
  existingTags: readonly string[];
}

export interface PreparedRelease extends TagPlan {
  release: ReleaseTag;
  notes: string;
}

export function prepareRelease(inputs: ReleaseInputs): PreparedRelease {
  const release = parseReleaseTag(inputs.tag);
  if (inputs.packageVersion !== release.version) {
    throw new Error(
      `${release.tag} does not match package.json's version ${inputs.packageVersion}: set "version": "${release.version}" (npm version ${release.version} --no-git-tag-version) and tag that commit`,
    );
  }
  const notes = releaseNotes(inputs.changelog, release.version);
  return { release, notes, ...planTags(release, inputs.existingTags) };
}

/** The workflow's step outputs, as `name=value` lines. */
export function outputLines(prepared: PreparedRelease): string {
  return [
    `version=${prepared.release.version}`,
    `prerelease=${prepared.release.prerelease}`,
    `latest=${prepared.latest}`,
    `major-tag=${prepared.majorTag ?? ""}`,
  ].join("\n");
}

function main(argv: string[], cwd: string): void {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { "notes-file": { type: "string" } },
  });
  const [tag] = positionals;
  const notesFile = values["notes-file"];
  if (positionals.length !== 1 || tag === undefined || notesFile === undefined) {
    throw new Error("usage: prepare.ts <vX.Y.Z tag> --notes-file <path>");
  }
  const packageJson = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")) as {
    version: string;
  };
  const existingTags = execFileSync("git", ["tag", "--list", "v*"], { cwd, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  const prepared = prepareRelease({
    tag,
    packageVersion: packageJson.version,
    changelog: readFileSync(join(cwd, "CHANGELOG.md"), "utf8"),
    existingTags,
  });
  writeFileSync(notesFile, `${prepared.notes}\n`);
  const outputs = `${outputLines(prepared)}\n`;
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, outputs);
  process.stdout.write(`${prepared.reason}\n${outputs}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main(process.argv.slice(2), process.cwd());
  } catch (error) {
    console.error(`release: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
