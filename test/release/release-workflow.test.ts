// The release job's own shell, run as the runner runs it: the steps of release.yml after the
// install and the dist/ check, in a scratch clone of a repository with a local `origin`, with a
// stand-in `gh` on PATH that records its arguments. Each step's `env:` and `if:` are evaluated
// with GitHub's expression evaluator (@actions/expressions) against the step outputs the earlier
// steps wrote to $GITHUB_OUTPUT, so a wrong output name or condition fails here.
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { truthy } from "@actions/expressions/result";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  env?: Record<string, string>;
}
const releaseJob = (
  parse(readFileSync(join(ROOT, ".github/workflows/release.yml"), "utf8")) as {
    jobs: { release: { steps: Step[] } };
  }
).jobs.release;

/** The steps that follow the install and the dist/ check (tested in check-dist.test.ts). */
const PUBLISHING = ["Version, notes and tags", "GitHub release", "Move the major tag"];

const CHANGELOG = [
  "# Changelog",
  "",
  "## [Unreleased]",
  "",
  "## [1.1.0] - 2027-02-01",
  "",
  "- Newer.",
  "",
  "## [1.1.0-rc.1] - 2027-01-20",
  "",
  "- Trying newer.",
  "",
  "## [1.0.0] - 2026-11-29",
  "",
  "- First.",
  "",
].join("\n");

/** A clone of a repository whose `origin` (a local bare repository) holds `tags` on its commits. */
function checkout(versions: string[]): { dir: string; origin: string; commits: string[] } {
  const base = mkdtempSync(join(tmpdir(), "postmortem-release-job-"));
  const origin = join(base, "origin.git");
  const work = join(base, "work");
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", args, { cwd, encoding: "utf8", stdio: "pipe" }).trim();
  git(base, "init", "--quiet", "--bare", origin);
  git(base, "clone", "--quiet", origin, work);
  const commits: string[] = [];
  for (const version of versions) {
    writeFileSync(join(work, "package.json"), JSON.stringify({ name: "x", version }));
    writeFileSync(join(work, "CHANGELOG.md"), CHANGELOG);
    git(work, "add", ".");
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", version);
    git(work, "tag", `v${version}`);
    commits.push(git(work, "rev-parse", "HEAD"));
  }
  git(work, "push", "--quiet", "origin", "HEAD:refs/heads/main", "--tags");
  // What the workflow runs, beside the packages it needs.
  mkdirSync(join(work, "scripts"));
  cpSync(join(ROOT, "scripts/release"), join(work, "scripts/release"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(work, "node_modules"));
  return { dir: work, origin, commits };
}

/** `gh`, as far as the release step uses it: records each call, knows the releases it made. */
function fakeGh(base: string, existingReleases: string[]): { bin: string; log: string } {
  const bin = join(base, "bin");
  const releases = join(base, "releases");
  mkdirSync(bin);
  mkdirSync(releases);
  for (const tag of existingReleases) writeFileSync(join(releases, tag), "");
  const log = join(base, "gh.log");
  writeFileSync(log, "");
  writeFileSync(
    join(bin, "gh"),
    [
      "#!/usr/bin/env bash",
      `echo "$*" >> ${JSON.stringify(log)}`,
      `[[ "$GH_TOKEN" == "the-job-token" ]] || { echo "no token" >&2; exit 4; }`,
      `case "$1 $2" in`,
      `  "release view") test -f ${JSON.stringify(releases)}/"$3" ;;`,
      `  "release create") touch ${JSON.stringify(releases)}/"$3" ;;`,
      `  "release edit") test -f ${JSON.stringify(releases)}/"$3" ;;`,
      `  *) exit 2 ;;`,
      `esac`,
    ].join("\n"),
  );
  chmodSync(join(bin, "gh"), 0o755);
  return { bin, log };
}

/** `${{ … }}` (or an `if:`'s bare expression) evaluated as the runner does. */
function evaluate(expression: string, context: data.Dictionary): data.ExpressionData {
  const inner = expression.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, "$1");
  const parsed = new Parser(new Lexer(inner).lex().tokens, ["github", "steps"], []).parse();
  return new Evaluator(parsed, context).evaluate();
}

/** Runs the publishing steps for `tag` in `dir`; what `gh` was asked, and what `origin` holds. */
function runReleaseJob(dir: string, tag: string, ghBin: string) {
  const runnerTemp = mkdtempSync(join(tmpdir(), "postmortem-runner-temp-"));
  const outputs: Record<string, Record<string, string>> = {};
  for (const step of releaseJob.steps.filter((candidate) => PUBLISHING.includes(candidate.name!))) {
    const context = new data.Dictionary(
      {
        key: "github",
        value: JSON.parse(
          JSON.stringify({ ref_name: tag, ref: `refs/tags/${tag}`, token: "the-job-token" }),
          data.reviver,
        ) as data.Dictionary,
      },
      {
        key: "steps",
        value: JSON.parse(
          JSON.stringify(
            Object.fromEntries(
              Object.entries(outputs).map(([id, values]) => [id, { outputs: values }]),
            ),
          ),
          data.reviver,
        ) as data.Dictionary,
      },
    );
    if (step.if !== undefined && !truthy(evaluate(step.if, context))) continue;
    const output = join(runnerTemp, `output-${step.id ?? "step"}`);
    writeFileSync(output, "");
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([name, value]) => [
        name,
        evaluate(value, context).coerceString(),
      ]),
    );
    const result = spawnSync("bash", ["-e", "-c", step.run!], {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        ...env,
        PATH: `${ghBin}:${process.env.PATH}`,
        GITHUB_REF_NAME: tag,
        GITHUB_OUTPUT: output,
        RUNNER_TEMP: runnerTemp,
      },
    });
    if (result.status !== 0) {
      throw new Error(`step "${step.name}" failed (${result.status}): ${result.stderr}`);
    }
    if (step.id) {
      outputs[step.id] = Object.fromEntries(
        readFileSync(output, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
    }
  }
  return { notes: join(runnerTemp, "notes.md") };
}

/** The step "The tag is on main", run for `tag` as the runner would with GITHUB_SHA `sha`. */
function checkTagOnMain(dir: string, tag: string, sha: string) {
  const step = releaseJob.steps.find((candidate) => candidate.name === "The tag is on main")!;
  return spawnSync("bash", ["-e", "-c", step.run!], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, GITHUB_REF_NAME: tag, GITHUB_SHA: sha },
  });
}

const remoteTags = (origin: string) =>
  Object.fromEntries(
    execFileSync("git", ["ls-remote", "--tags", origin], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter((line) => !line.endsWith("^{}"))
      .map((line) => line.split("\t").reverse()),
  );

// Each case starts tsx and git several times: seconds on a busy machine, so a wider timeout.
describe("the release job's steps, run as the runner runs them", { timeout: 90_000 }, () => {
  it("creates the release with the version's notes and moves the major tag to it", () => {
    const { dir, origin, commits } = checkout(["1.0.0", "1.1.0"]);
    // v1 was on 1.0.0 until now.
    execFileSync("git", ["push", "--quiet", origin, `${commits[0]}:refs/tags/v1`], { cwd: dir });
    const gh = fakeGh(join(dir, ".."), ["v1.0.0"]);
    const { notes } = runReleaseJob(dir, "v1.1.0", gh.bin);
    expect(readFileSync(gh.log, "utf8")).toBe(
      [
        "release view v1.1.0",
        `release create v1.1.0 --verify-tag --title v1.1.0 --notes-file ${notes} --latest=true --prerelease=false`,
        "",
      ].join("\n"),
    );
    expect(readFileSync(notes, "utf8")).toBe("- Newer.\n");
    expect(remoteTags(origin)).toMatchObject({
      "refs/tags/v1": commits[1],
      "refs/tags/v1.0.0": commits[0],
      "refs/tags/v1.1.0": commits[1],
    });
  });

  it("run again for a release that exists, updates it instead of failing", () => {
    const { dir, origin, commits } = checkout(["1.0.0"]);
    const gh = fakeGh(join(dir, ".."), ["v1.0.0"]);
    const { notes } = runReleaseJob(dir, "v1.0.0", gh.bin);
    expect(readFileSync(gh.log, "utf8")).toBe(
      [
        "release view v1.0.0",
        `release edit v1.0.0 --title v1.0.0 --notes-file ${notes} --latest=true --prerelease=false`,
        "",
      ].join("\n"),
    );
    expect(remoteTags(origin)["refs/tags/v1"]).toBe(commits[0]);
  });

  it("publishes a prerelease as such and leaves the major tag alone", () => {
    const { dir, origin, commits } = checkout(["1.0.0", "1.1.0-rc.1"]);
    execFileSync("git", ["push", "--quiet", origin, `${commits[0]}:refs/tags/v1`], { cwd: dir });
    const gh = fakeGh(join(dir, ".."), []);
    const { notes } = runReleaseJob(dir, "v1.1.0-rc.1", gh.bin);
    expect(readFileSync(gh.log, "utf8")).toContain(
      `release create v1.1.0-rc.1 --verify-tag --title v1.1.0-rc.1 --notes-file ${notes} --latest=false --prerelease=true`,
    );
    expect(existsSync(notes)).toBe(true);
    expect(remoteTags(origin)["refs/tags/v1"]).toBe(commits[0]);
  });

  it("publishes only a tag whose commit is on main, and the commit the run was started for", () => {
    const { dir, origin, commits } = checkout(["1.0.0"]);
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: "pipe" }).trim();
    expect(checkTagOnMain(dir, "v1.0.0", commits[0]!).status).toBe(0);

    // A commit on a branch nobody merged, tagged and pushed (the tag only).
    git("checkout", "--quiet", "-b", "unreviewed");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", version: "1.0.1" }));
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "sneaky");
    git("tag", "v1.0.1");
    git("push", "--quiet", origin, "refs/tags/v1.0.1");
    const sneaky = git("rev-parse", "HEAD");

    const offMain = checkTagOnMain(dir, "v1.0.1", sneaky);
    expect(offMain.status).toBe(1);
    expect(offMain.stdout).toBe(
      `::error::v1.0.1 is on ${sneaky}, which is not on main: releases are made from main only.\n`,
    );

    // The tag was moved after the run started: the run's commit is not what the tag names.
    const moved = checkTagOnMain(dir, "v1.0.0", sneaky);
    expect(moved.status).toBe(1);
    expect(moved.stdout).toContain(`v1.0.0 no longer points at ${sneaky}`);
  });
});
