import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { outputLines, prepareRelease } from "../../scripts/release/prepare.js";

const CHANGELOG = [
  "# Changelog",
  "",
  "## [Unreleased]",
  "",
  "## [1.2.0] - 2027-03-01",
  "",
  "### Added",
  "",
  "- Reminders by chat.",
  "",
  "## [1.2.0-rc.1] - 2027-02-20",
  "",
  "- Trying reminders by chat.",
  "",
  "## [1.1.0] - 2027-02-01",
  "",
  "- Older.",
  "",
].join("\n");

describe("preparing a release", () => {
  it("gives the notes, whether the release is a prerelease or the latest, and the major tag to move", () => {
    const prepared = prepareRelease({
      tag: "v1.2.0",
      packageVersion: "1.2.0",
      changelog: CHANGELOG,
      existingTags: ["v1", "v1.1.0", "v1.2.0-rc.1", "v1.2.0"],
    });
    expect(prepared).toEqual({
      release: { tag: "v1.2.0", version: "1.2.0", major: 1, prerelease: false },
      notes: "### Added\n\n- Reminders by chat.",
      majorTag: "v1",
      reason: "v1 moves to v1.2.0",
      latest: true,
    });
    expect(outputLines(prepared)).toBe(
      "version=1.2.0\nprerelease=false\nlatest=true\nmajor-tag=v1",
    );
  });

  it("a prerelease gets its own section's notes and moves nothing", () => {
    const prepared = prepareRelease({
      tag: "v1.2.0-rc.1",
      packageVersion: "1.2.0-rc.1",
      changelog: CHANGELOG,
      existingTags: ["v1", "v1.1.0", "v1.2.0-rc.1"],
    });
    expect(prepared.notes).toBe("- Trying reminders by chat.");
    expect(outputLines(prepared)).toBe(
      "version=1.2.0-rc.1\nprerelease=true\nlatest=false\nmajor-tag=",
    );
  });

  it("fails when package.json names another version, saying what to set", () => {
    expect(() =>
      prepareRelease({
        tag: "v1.2.0",
        packageVersion: "1.1.0",
        changelog: CHANGELOG,
        existingTags: [],
      }),
    ).toThrow(
      'v1.2.0 does not match package.json\'s version 1.1.0: set "version": "1.2.0" (npm version 1.2.0 --no-git-tag-version) and tag that commit',
    );
  });

  it("fails when the changelog has no section for the version", () => {
    expect(() =>
      prepareRelease({
        tag: "v1.3.0",
        packageVersion: "1.3.0",
        changelog: CHANGELOG,
        existingTags: [],
      }),
    ).toThrow("CHANGELOG.md has no section for 1.3.0");
  });

  it("fails on a tag that is no version, such as the major tag itself", () => {
    expect(() =>
      prepareRelease({
        tag: "v1",
        packageVersion: "1.2.0",
        changelog: CHANGELOG,
        existingTags: [],
      }),
    ).toThrow('"v1" is no release tag');
  });
});

// Starts tsx, seconds on a busy machine: a wider timeout.
describe("scripts/release/prepare.ts, as the release workflow runs it", { timeout: 90_000 }, () => {
  const script = fileURLToPath(new URL("../../scripts/release/prepare.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

  /** A repository at its release commit: package.json, CHANGELOG.md and the given tags. */
  function repository(version: string, tags: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), "postmortem-release-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", version }));
    writeFileSync(join(dir, "CHANGELOG.md"), CHANGELOG);
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "pipe" });
    git("init", "--quiet");
    git("add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "x");
    for (const tag of tags) git("tag", tag);
    return dir;
  }

  function run(dir: string, tag: string) {
    const output = join(dir, "github-output");
    writeFileSync(output, "");
    const result = spawnSync(tsx, [script, tag, "--notes-file", join(dir, "notes.md")], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, GITHUB_OUTPUT: output },
    });
    return { ...result, outputs: readFileSync(output, "utf8") };
  }

  it("writes the notes file and the step outputs, reading the repository's tags", () => {
    const dir = repository("1.1.0", ["v1.1.0", "v1.2.0"]);
    const result = run(dir, "v1.1.0");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, "notes.md"), "utf8")).toBe("- Older.\n");
    expect(result.outputs).toBe("version=1.1.0\nprerelease=false\nlatest=false\nmajor-tag=\n");
    expect(result.stdout).toContain("v1.2.0 is newer than v1.1.0: v1 stays there");
  });

  it("exits 1 with the reason, and writes no outputs, when the versions disagree", () => {
    const dir = repository("1.1.0", ["v1.2.0"]);
    const result = run(dir, "v1.2.0");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'release: v1.2.0 does not match package.json\'s version 1.1.0: set "version": "1.2.0" (npm version 1.2.0 --no-git-tag-version) and tag that commit\n',
    );
    expect(result.outputs).toBe("");
  });
});
