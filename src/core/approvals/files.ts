import { readPostmortemBody } from "../capa/items.js";
import { approvalsFor } from "../policy/resolve.js";
import { readDocument } from "../document.js";
import type { Config } from "../config.js";
import type { ApprovalEvidence } from "./judge.js";
import { judgeApprovals } from "./judge.js";
import type { People } from "./people.js";

/**
 * Post-mortems kept as markdown files: every file needs the template's sections; a file marked
 * final (`status: final` in its front matter) needs complete approvals as well.
 */

export interface FileFinding {
  path: string;
  /** 1-based. */
  line: number;
  message: string;
}

export interface FileCheckInput {
  path: string;
  text: string;
  config: Config;
  /** Titles of the sections every post-mortem has, e.g. `1. Incident Summary` (see templateSections). */
  sections: readonly string[];
  evidence: ApprovalEvidence;
  people: People;
  formatDay: (iso: string) => string;
  now: Date;
}

export function checkPostmortemFile(input: FileCheckInput): FileFinding[] {
  const { path } = input;
  const { status, body } = readFrontMatter(input.text);
  const document = readDocument(body);
  const findings: FileFinding[] = [];
  for (const wanted of input.sections) {
    if (!document.sections.some((section) => sameSection(section.title, wanted))) {
      findings.push({ path, line: 1, message: `the section “${wanted}” is missing` });
    }
  }
  if (status?.toLowerCase() === "final") {
    const verdict = judgeApprovals({
      body,
      evidence: input.evidence,
      people: input.people,
      // A file has no incident to read: its own checked severity box decides.
      config: approvalsFor(input.config, readPostmortemBody(body).checkedSeverity),
      formatDay: input.formatDay,
      now: input.now,
    });
    for (const finding of verdict.findings) {
      findings.push({
        path,
        line: finding.line ?? 1,
        message: `${finding.field}: ${finding.message} (the file is marked \`status: final\`)`,
      });
    }
  }
  return findings;
}

/**
 * Front matter (`---` … `---` at the very top). It is blanked out rather than cut, so offsets and
 * line numbers in the rest stay those of the file; unparsed, a `---` would read as a heading.
 */
export function readFrontMatter(text: string): { status: string | undefined; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return { status: undefined, body: text };
  const status = /^status:\s*["']?([^"'\s#]+)["']?\s*(?:#.*)?$/m.exec(match[1]!)?.[1];
  const blank = match[0].replace(/[^\n]/g, " ");
  return { status, body: blank + text.slice(match[0].length) };
}

/** The `##` headings of a template (Handlebars removed), except those marked `(Optional)`. */
export function templateSections(template: string): string[] {
  return [...template.matchAll(/^##\s+(.+?)\s*$/gm)]
    .map((match) => match[1]!.replace(/\{\{[^}]*\}\}/g, "").trim())
    .filter((title) => title !== "" && !/\(optional\)/i.test(title));
}

/** Same number (`6.`), or the same words without regard to case and numbering. */
function sameSection(title: string, wanted: string): boolean {
  const number = (text: string) => /^(\d+)\s*[.):]/.exec(text.trim())?.[1];
  const words = (text: string) =>
    text
      .replace(/^\d+\s*[.):]\s*/, "")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  const wantedNumber = number(wanted);
  if (wantedNumber !== undefined && number(title) === wantedNumber) return true;
  return words(title) === words(wanted);
}

/** `docs/postmortems/**\/*.md` → a RegExp on `/`-separated repository paths. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === "*" && glob[index + 1] === "*") {
      // `**/` matches any number of directories, including none.
      const slash = glob[index + 2] === "/";
      source += slash ? "(?:[^/]+/)*" : ".*";
      index += slash ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globToRegExp(glob).test(path.replace(/^\.\//, "")));
}
