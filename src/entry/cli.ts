#!/usr/bin/env node
/**
 * `postmortem-bot check <files…>`: checks post-mortems kept as markdown files, as the Action does
 * on pull requests, in a local checkout. Without GitHub, approvers cannot be verified: Approved By
 * fields of final files are checked for form (a `@login`), the pull request check verifies them.
 *
 * `postmortem-bot report --repo owner/name`: the reliability report of a repository, from GitHub.
 * `postmortem-bot release-gate --repo owner/name`: see cli-release-gate.ts.
 * `postmortem-bot setup --webhook-url URL`: registers the GitHub App; see setup.ts.
 * `postmortem-bot doctor --repo owner/name`: what keeps the App or the Action from working; see doctor.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { builtInTemplate } from "../handlers/built-in-template.js";
import type { FileFinding } from "../core/approvals/files.js";
import { checkPostmortemFile, templateSections } from "../core/approvals/files.js";
import { parseConfig } from "../core/config.js";
import { CONFIG_PATH } from "../core/constants.js";
import { renderReportJson, renderReportMarkdown } from "../core/report/render.js";
import { formatDate } from "../core/time.js";
import { parseExtendsOwners } from "../github/config-extends.js";
import { GitHubGateway } from "../github/gateway.js";
import { tokenOctokit } from "../github/token-octokit.js";
import { buildReport } from "../handlers/report-handler.js";

export interface CliIo {
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
  now?: Date;
  /** GITHUB_TOKEN and GITHUB_API_URL are read from here (the process's environment). */
  env?: NodeJS.ProcessEnv;
}

const USAGE =
  "usage: postmortem-bot check <file.md>…\n       postmortem-bot release-gate --repo owner/name [--token T]\n       postmortem-bot setup --webhook-url URL [--org ORG]\n       postmortem-bot doctor --repo owner/name [--token TOKEN]";

async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import("node:readline/promises");
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await terminal.question(question)).trim();
  } finally {
    terminal.close();
  }
}
const REPORT_USAGE =
  "usage: postmortem-bot report --repo owner/name [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--format markdown|json] [--token TOKEN]";

/** Returns the exit code: 0 clean, 1 findings, 2 usage or configuration error. */
export function runCli(args: readonly string[], io: CliIo): number | Promise<number> {
  if (args[0] === "release-gate") {
    return import("./cli-release-gate.js").then(({ runReleaseGateCli }) =>
      runReleaseGateCli(args.slice(1), { ...io, env: io.env ?? process.env }),
    );
  }
  if (args[0] === "doctor") {
    return import("./doctor.js").then(({ runDoctorCli }) =>
      runDoctorCli(args.slice(1), {
        cwd: io.cwd,
        out: io.out,
        err: io.err,
        env: io.env ?? process.env,
        ...(io.now ? { now: io.now } : {}),
      }),
    );
  }
  if (args[0] === "setup") {
    return import("./setup.js").then(({ runSetupCli }) =>
      runSetupCli(args.slice(1), {
        cwd: io.cwd,
        out: io.out,
        err: io.err,
        env: io.env ?? process.env,
        ask: process.stdin.isTTY ? askOnTerminal : undefined,
      }),
    );
  }
  const [command, ...files] = args;
  if (command !== "check" || files.length === 0) {
    io.err(`${USAGE}\n${REPORT_USAGE}`);
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

/**
 * `report`: the reliability report on stdout (markdown, or JSON for dashboards); the number of
 * requests it cost on stderr. The token comes from `--token`, else GITHUB_TOKEN; GITHUB_API_URL
 * points it at GitHub Enterprise Server. Exit code 0, or 2 for a usage, access or config problem.
 */
export async function runReportCli(args: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        repo: { type: "string" },
        since: { type: "string" },
        until: { type: "string" },
        format: { type: "string", default: "markdown" },
        token: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${REPORT_USAGE}`);
    return 2;
  }
  const env = io.env ?? {};
  const [owner, repo, ...rest] = (values.repo ?? "").split("/");
  if (!owner || !repo || rest.length > 0) {
    io.err(`--repo owner/name is required\n${REPORT_USAGE}`);
    return 2;
  }
  if (values.format !== "markdown" && values.format !== "json") {
    io.err(`--format is "${values.format}": use markdown or json`);
    return 2;
  }
  const token = values.token ?? env.GITHUB_TOKEN;
  if (!token) {
    io.err("no token: pass --token or set GITHUB_TOKEN (read access to issues is enough)");
    return 2;
  }
  const { octokit, requests } = tokenOctokit({
    token,
    baseUrl: env.GITHUB_API_URL ?? "https://api.github.com",
    userAgent: "postmortem-bot-cli",
    warn: (message) => io.err(message),
  });
  const extendsOwners = parseExtendsOwners(env.CONFIG_EXTENDS_OWNERS, "CONFIG_EXTENDS_OWNERS");
  if (!extendsOwners.ok) {
    io.err(extendsOwners.problem);
    return 2;
  }
  // The default branch only matters for files, which the report does not read.
  const gateway = new GitHubGateway(octokit, { owner, repo, defaultBranch: "main" }, undefined, {
    extendsOwners: extendsOwners.owners,
  });
  try {
    const built = await buildReport(
      gateway,
      { since: values.since, until: values.until },
      io.now ?? new Date(),
    );
    if (!built.ok) {
      io.err(built.problem);
      return 2;
    }
    const render = values.format === "json" ? renderReportJson : renderReportMarkdown;
    io.out(render(built.report, `${owner}/${repo}`).trimEnd());
    io.err(`${requests()} requests to GitHub`);
    return 0;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    io.err(
      `GitHub answered ${typeof status === "number" ? status : "with an error"}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  /(?:^|[\\/])(?:cli\.(?:ts|js)|postmortem-bot)$/.test(process.argv[1]);
if (invokedDirectly) {
  const io: CliIo = {
    cwd: process.cwd(),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    env: process.env,
  };
  const args = process.argv.slice(2);
  process.exitCode =
    args[0] === "report" ? await runReportCli(args.slice(1), io) : await runCli(args, io);
}
