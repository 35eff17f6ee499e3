#!/usr/bin/env node
/**
 * `postmortem-bot check <files…>`: checks post-mortems kept as markdown files, as the Action does
 * on pull requests, in a local checkout. Without GitHub, approvers cannot be verified: Approved By
 * fields of final files are checked for form (a `@login`), the pull request check verifies them.
 * `postmortem-bot release-gate --repo owner/name`: see cli-release-gate.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { builtInTemplate } from "./built-in-template.js";
import type { FileFinding } from "./core/approvals/files.js";
import { checkPostmortemFile, templateSections } from "./core/approvals/files.js";
import { CONFIG_PATH, parseConfig } from "./core/config.js";
import { formatDate } from "./core/time.js";

export interface CliIo {
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
  now?: Date;
  /** For the commands that talk to GitHub (GITHUB_TOKEN, GITHUB_API_URL). */
  env?: NodeJS.ProcessEnv;
}

const USAGE =
  "usage: postmortem-bot check <file.md>…\n       postmortem-bot release-gate --repo owner/name [--token T]";

/** Returns the exit code: 0 clean, 1 findings, 2 usage or configuration error. */
export function runCli(args: readonly string[], io: CliIo): number | Promise<number> {
  if (args[0] === "release-gate") {
    return import("./cli-release-gate.js").then(({ runReleaseGateCli }) =>
      runReleaseGateCli(args.slice(1), { ...io, env: io.env ?? process.env }),
    );
  }
  const [command, ...files] = args;
  if (command !== "check" || files.length === 0) {
    io.err(USAGE);
    return 2;
  }
  const configFile = resolve(io.cwd, CONFIG_PATH);
  let raw: unknown = undefined;
  if (existsSync(configFile)) {
    try {
      raw = parseYaml(readFileSync(configFile, "utf8"));
    } catch (error) {
      io.err(`${CONFIG_PATH}: ${error instanceof Error ? error.message : String(error)}`);
      return 2;
    }
  }
  const parsed = parseConfig(raw);
  if (!parsed.ok) {
    for (const problem of parsed.problems) io.err(`${CONFIG_PATH}: ${problem}`);
    return 2;
  }
  const config = parsed.config;
  const templatePath = config.template === undefined ? undefined : resolve(io.cwd, config.template);
  const template =
    templatePath && existsSync(templatePath)
      ? readFileSync(templatePath, "utf8")
      : builtInTemplate();
  const sections = templateSections(template);
  const now = io.now ?? new Date();

  const findings: FileFinding[] = [];
  for (const path of files) {
    const absolute = resolve(io.cwd, path);
    if (!existsSync(absolute)) {
      findings.push({ path, line: 1, message: "no such file" });
      continue;
    }
    findings.push(
      ...checkPostmortemFile({
        path,
        text: readFileSync(absolute, "utf8"),
        config,
        sections,
        evidence: { kind: "none" },
        people: new Map(),
        formatDay: (iso) => formatDate(iso, config.timezone),
        now,
      }),
    );
  }
  for (const finding of findings) io.out(`${finding.path}:${finding.line}: ${finding.message}`);
  io.out(
    findings.length === 0
      ? `✓ ${files.length} post-mortem file(s) pass`
      : `✗ ${findings.length} problem(s) in ${new Set(findings.map((f) => f.path)).size} of ${files.length} file(s)`,
  );
  return findings.length === 0 ? 0 : 1;
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  /(?:^|[\\/])(?:cli\.(?:ts|js)|postmortem-bot)$/.test(process.argv[1]);
if (invokedDirectly) {
  void Promise.resolve(
    runCli(process.argv.slice(2), {
      cwd: process.cwd(),
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    }),
  ).then((code) => (process.exitCode = code));
}
