/**
 * `postmortem-bot doctor --repo owner/name`: why nothing happens. With the App's credentials
 * (APP_ID and PRIVATE_KEY, from the environment or `.env`): the App's permissions and events, its
 * installation on the repository, its webhook URL and recent deliveries. With `--token` (or
 * GITHUB_TOKEN and no App credentials), as the Action: its workflows. Both: the configuration,
 * the issue forms, the template and the labels. Each problem is printed with its fix.
 *
 * Exit code: 0 nothing blocks, 1 something blocks, 2 usage or GitHub error.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs, parseEnv } from "node:util";
import { createProbot } from "probot";
import type { Finding } from "../core/doctor/checks.js";
import {
  appNeeds,
  grantFindings,
  grantGaps,
  hookFindings,
  renderFindings,
} from "../core/doctor/checks.js";
import type { RepositoryRef } from "../core/snapshots.js";
import type { GitHubApi } from "../github/api.js";
import { readAppFacts, readRepository } from "../github/doctor-reads.js";
import { GitHubGateway } from "../github/gateway.js";
import { PostmortemOctokit } from "../github/octokit.js";
import { tokenOctokit } from "../github/token-octokit.js";
import { repositoryFindings } from "../handlers/doctor-handler.js";
import { appEndpoints } from "../core/notify/endpoints.js";

export interface DoctorIo {
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  now?: Date;
}

const USAGE = "usage: postmortem-bot doctor --repo owner/name [--token TOKEN]";

export async function runDoctorCli(args: readonly string[], io: DoctorIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { repo: { type: "string" }, token: { type: "string" } },
      strict: true,
    }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const [owner, repo, ...rest] = (values.repo ?? "").split("/");
  if (!owner || !repo || rest.length > 0) {
    io.err(`--repo must be owner/name\n${USAGE}`);
    return 2;
  }
  const env = withDotEnv(io.cwd, io.env);
  const appKey = env.PRIVATE_KEY ?? readKeyFile(io.cwd, env.PRIVATE_KEY_PATH);
  const token = values.token ?? (env.APP_ID ? undefined : env.GITHUB_TOKEN);
  const now = io.now ?? new Date();
  try {
    let report: { findings: Finding[] } | string;
    if (token !== undefined) {
      report = await asAction(token, { owner, repo }, env, now);
    } else if (env.APP_ID && appKey) {
      report = await asApp({ ...env, PRIVATE_KEY: appKey }, { owner, repo }, now);
    } else {
      io.err(
        `Give the App's credentials (APP_ID and PRIVATE_KEY, in the environment or .env) to check the App, or --token to check the Action.\n${USAGE}`,
      );
      return 2;
    }
    if (typeof report === "string") {
      io.err(report);
      return 2;
    }
    const rendered = renderFindings(`${owner}/${repo}`, report.findings);
    io.out(rendered.text);
    return rendered.blocking ? 1 : 0;
  } catch (error) {
    const status = (error as { status?: unknown } | null)?.status;
    io.err(
      `GitHub answered ${typeof status === "number" ? status : "with an error"}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
}

async function asApp(
  env: NodeJS.ProcessEnv,
  repository: { owner: string; repo: string },
  now: Date,
): Promise<{ findings: Finding[] } | string> {
  const probot = createProbot({
    env: { ...env, LOG_LEVEL: "fatal" },
    overrides: { Octokit: PostmortemOctokit },
  });
  const appApi = (await probot.auth()) as unknown as GitHubApi;
  let facts;
  try {
    facts = await readAppFacts(appApi, repository);
  } catch (error) {
    const status = (error as { status?: unknown } | null)?.status;
    if (status === 401) {
      return "GitHub refused the App's credentials (401): APP_ID and PRIVATE_KEY must be the App's id and one of its private keys.";
    }
    throw error;
  }
  const findings: Finding[] = [];
  const installation = facts.installation;
  let config;
  if (installation === undefined) {
    findings.push({
      level: "blocking",
      problem: `The App (${facts.slug}) is not installed on ${repository.owner}/${repository.repo}: GitHub sends it no events from there.`,
      fix: `Install it: ${facts.app.settingsUrl}/installations/new`,
    });
  } else {
    const api = (await probot.auth(installation.id)) as unknown as GitHubApi;
    const seen = await readRepository(api, repository);
    if (seen === undefined) {
      findings.push({
        level: "blocking",
        problem: `The installation cannot read ${repository.owner}/${repository.repo}.`,
        fix: `Add the repository to the installation (${installation.settingsUrl}).`,
      });
    } else {
      const own = await repositoryFindings(
        new GitHubGateway(api, seen),
        "app",
        now,
        appEndpoints(env),
      );
      config = own.config;
      findings.push(...own.findings);
    }
  }
  const needs = appNeeds(config);
  const appGaps = grantGaps(facts.app, needs);
  findings.push(...grantFindings(appGaps, { kind: "app", settingsUrl: facts.app.settingsUrl }));
  if (installation !== undefined) {
    // What the App itself lacks is said once, above; the rest the owner has not accepted yet.
    const gaps = grantGaps(installation, needs, appGaps);
    findings.push(
      ...grantFindings(gaps, { kind: "installation", settingsUrl: installation.settingsUrl }),
    );
  }
  findings.push(...hookFindings(facts.hook, facts.deliveries));
  return { findings };
}

async function asAction(
  token: string,
  repository: { owner: string; repo: string },
  env: NodeJS.ProcessEnv,
  now: Date,
): Promise<{ findings: Finding[] } | string> {
  const { octokit } = tokenOctokit({
    token,
    baseUrl: env.GITHUB_API_URL ?? "https://api.github.com",
    userAgent: "postmortem-bot-doctor",
    warn: () => {},
  });
  const seen: RepositoryRef | undefined = await readRepository(octokit, repository);
  if (seen === undefined) {
    return `The token cannot read ${repository.owner}/${repository.repo}: give a token with access to it.`;
  }
  return repositoryFindings(new GitHubGateway(octokit, seen), "action", now);
}

/** `.env` in the working directory fills in what the environment does not set (as `npm start`). */
function withDotEnv(cwd: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const path = resolve(cwd, ".env");
  if (!existsSync(path)) return env;
  return { ...parseEnv(readFileSync(path, "utf8")), ...env };
}

function readKeyFile(cwd: string, path: string | undefined): string | undefined {
  if (!path) return undefined;
  const full = resolve(cwd, path);
  return existsSync(full) ? readFileSync(full, "utf8") : undefined;
}
