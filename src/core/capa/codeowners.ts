import ignore from "ignore";
import type { Config } from "../config.js";
import { readDocument } from "../document.js";

/*
 * `capa.defaultOwners: codeowners`: the owners of the paths an incident implicates, as the
 * repository's CODEOWNERS file says (https://docs.github.com/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners).
 * Pure: the shell reads the file (src/handlers/capa-handler.ts) and the culprits' paths.
 */

/** Where GitHub looks for the file, in its order: the first found is the one that counts. */
export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

/** GitHub ignores a CODEOWNERS file larger than this (3 MB). */
export const CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024;

/** One rule of a CODEOWNERS file: its pattern and owners (none: the paths it matches are unowned). */
export interface CodeownersRule {
  /** 1-based line number in the file. */
  line: number;
  pattern: string;
  users: string[];
  /** `org/team`, lower-cased, without the `@`. */
  teams: string[];
  /** Whether a path matches the rule (GitHub's rules, through the `ignore` package). */
  matches(path: string): boolean;
}

/** The CODEOWNERS file as read: where it is and its text; undefined when there is none. */
export interface CodeownersFile {
  path: string;
  text: string;
}

const USER = /^@([a-z\d](?:[a-z\d-]*[a-z\d])?)$/i;
const TEAM = /^@([a-z\d][\w.-]*\/[\w.-]+)$/i;

/**
 * The rules of a CODEOWNERS file, in order. Blank lines and comments (`#` at the start of a line
 * or after a blank, unless escaped `\#`) are skipped; owners are `@user` or `@org/team` (email
 * addresses are ignored: they cannot be assigned). A line GitHub would reject (a `!` negation, a
 * `[` range, a lone `\`) is skipped too, as GitHub skips it.
 */
export function parseCodeowners(text: string): CodeownersRule[] {
  const rules: CodeownersRule[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const tokens = tokenize(stripComment(raw));
    const pattern = tokens[0];
    if (pattern === undefined || !isSupportedPattern(pattern)) return;
    const users: string[] = [];
    const teams: string[] = [];
    for (const token of tokens.slice(1)) {
      const team = TEAM.exec(token);
      if (team) {
        const slug = team[1]!.toLowerCase();
        if (!teams.includes(slug)) teams.push(slug);
        continue;
      }
      const user = USER.exec(token);
      if (user && !users.some((login) => login.toLowerCase() === user[1]!.toLowerCase())) {
        users.push(user[1]!);
      }
    }
    rules.push({ line: index + 1, pattern, users, teams, matches: matcher(pattern) });
  });
  return rules;
}

/** The lines (1-based) with a pattern GitHub refuses, which no owner is read from. */
export function unsupportedCodeownersLines(text: string): number[] {
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const pattern = tokenize(stripComment(raw))[0];
    if (pattern !== undefined && !isSupportedPattern(pattern)) lines.push(index + 1);
  });
  return lines;
}

/** A line without its comment: from the first `#` that is not escaped. */
function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\") {
      i++;
      continue;
    }
    if (line[i] === "#") return line.slice(0, i);
  }
  return line;
}

/** Words separated by blanks; `\ ` keeps a blank inside a pattern. */
function tokenize(line: string): string[] {
  return (line.trim().match(/(?:\\.|\S)+/g) ?? []).filter((token) => token !== "");
}

function isSupportedPattern(pattern: string): boolean {
  return !pattern.startsWith("!") && !pattern.includes("[") && !/\\$/.test(pattern);
}

/**
 * A matcher for one pattern. The `ignore` package applies gitignore's rules, which CODEOWNERS
 * follows, and it matches a path inside a matched directory. One difference: GitHub's `docs/*`
 * owns the files directly in `docs/` only, where gitignore's would also match `docs/a/b.md`
 * through its directory `docs/a`.
 */
function matcher(pattern: string): (path: string) => boolean {
  // Case-sensitive, as GitHub matches CODEOWNERS paths.
  const rule = ignore({ ignorecase: false }).add(pattern);
  const directChildrenOnly = /(^|\/)\*$/.test(pattern) && pattern !== "*";
  return (path) => {
    const clean = normalizePath(path);
    // A path `ignore` refuses (`../x`) is in no repository: owned by no rule.
    if (clean === "" || !ignore.isPathValid(clean) || !rule.ignores(clean)) return false;
    if (!directChildrenOnly) return true;
    const own = clean.replace(/\/$/, "");
    const parent = own.includes("/") ? own.slice(0, own.lastIndexOf("/")) : "";
    return parent === "" || !rule.ignores(parent);
  };
}

/**
 * A repository path as the matcher takes it: no leading `/` or `./`; a directory (written `dir/`
 * or `dir/**`) keeps one trailing `/`, so a directory-only rule (`/services/payments/`) owns it.
 */
export function normalizePath(path: string): string {
  return path
    .trim()
    .replace(/^(?:\.\/|\/)+/, "")
    .replace(/\/\*\*$/, "/")
    .replace(/\/+$/, "/");
}

/** What decided an owner: the rule and one path it owns. */
export interface OwnerSource {
  rule: Pick<CodeownersRule, "line" | "pattern">;
  path: string;
}

/** The CODEOWNERS owners of a set of paths. */
export interface PathOwners {
  /** Logins, in order of the paths, deduplicated (case-insensitive). */
  users: string[];
  /** `org/team`, in order, deduplicated. */
  teams: string[];
  /** The rules that gave an owner, each with the first path it owns, in order. */
  sources: OwnerSource[];
}

/**
 * The owners of each path by the LAST rule that matches it (GitHub's rule; a matching rule with no
 * owners leaves the path unowned), gathered in the order of the paths.
 */
export function ownersOfPaths(
  rules: readonly CodeownersRule[],
  paths: readonly string[],
): PathOwners {
  const owners: PathOwners = { users: [], teams: [], sources: [] };
  for (const path of paths) {
    const rule = rules.findLast((candidate) => candidate.matches(path));
    if (!rule || (rule.users.length === 0 && rule.teams.length === 0)) continue;
    if (!owners.sources.some((source) => source.rule.line === rule.line)) {
      owners.sources.push({ rule: { line: rule.line, pattern: rule.pattern }, path });
    }
    for (const login of rule.users) {
      if (!owners.users.some((known) => known.toLowerCase() === login.toLowerCase())) {
        owners.users.push(login);
      }
    }
    for (const team of rule.teams) if (!owners.teams.includes(team)) owners.teams.push(team);
  }
  return owners;
}

/** Field lines that name the incident's services: `Service:`, `Services:`, the template's line. */
const SERVICE_FIELD = /^(?:services?|systems\/services affected)$/i;

/**
 * The services a post-mortem names: the values of its `Service:` line (or `Services:`, or the
 * built-in template's `Systems/Services Affected:`), split on commas, as written.
 */
export function servicesOf(body: string): string[] {
  const document = readDocument(body);
  const values = document
    .fieldsIn({ start: 0, end: body.length })
    .filter((field) => SERVICE_FIELD.test(field.name.replace(/:$/, "").trim()))
    .map((field) => field.value);
  // A plain `Service: payments` line, outside a list, counts too.
  for (const match of body.matchAll(/^[ \t]*(?:\*\*)?Services?:(?:\*\*)?[ \t]*(.*)$/gim)) {
    values.push(match[1]!);
  }
  const services: string[] = [];
  for (const value of values) {
    for (const part of value.split(",")) {
      const service = part.replace(/[*_`]/g, "").trim();
      if (service !== "" && !services.includes(service)) services.push(service);
    }
  }
  return services;
}

/** The paths `capa.servicePaths` gives the services a post-mortem names (service names match case-insensitively). */
export function servicePathsOf(body: string, config: Config): string[] {
  const entries = Object.entries(config.capa.servicePaths);
  const paths: string[] = [];
  for (const service of servicesOf(body)) {
    const entry = entries.find(([name]) => name.toLowerCase() === service.toLowerCase());
    for (const path of entry?.[1] ?? []) if (!paths.includes(path)) paths.push(path);
  }
  return paths;
}

/** The implicated paths and where they came from, for the child's words. */
export interface ImplicatedPaths {
  from: "culprits" | "services";
  paths: string[];
}

/** What `codeowners` found for a post-mortem (handed to the planner by the shell). */
export interface CodeownersFinding {
  implicated?: ImplicatedPaths;
  /** The file read; undefined when there is none (or no paths were implicated: not read). */
  file?: CodeownersFile;
}
