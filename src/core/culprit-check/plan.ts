import type { Config } from "../config.js";
import type { IndexEntry } from "../culprits/path-index.js";
import { codeSpan, inlineText } from "../markdown-text.js";
import { SEVERITIES } from "../policy/config.js";
import { severityPolicy } from "../policy/resolve.js";

/*
 * The warning on the next pull request: a pull request whose changed paths overlap the paths the
 * culprits of a recent post-mortem changed gets one check run on its head commit, naming the
 * post-mortem. Everything here is decided from the path index's entries, the pull request's
 * paths, the configuration and a clock: no I/O.
 */

/** The check run's name: one per head commit, found again by this name. */
export const CHECK_NAME = "postmortem-bot / implicated code";

/** Overlapping paths shown per post-mortem; the rest are counted. */
export const MAX_PATHS_SHOWN = 10;
/** Post-mortems shown in one check run; the rest are counted. */
export const MAX_POSTMORTEMS_SHOWN = 20;
/** Open corrective actions shown per post-mortem; the rest are counted. */
export const MAX_CAPA_SHOWN = 10;
/** GitHub's limit on a check run's `output.summary`. */
export const SUMMARY_LIMIT = 65_535;

const DAY_MS = 24 * 60 * 60 * 1000;

export type CheckConclusion = "success" | "neutral" | "failure";

export interface CheckOutput {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
}

/** A post-mortem the pull request is implicated in, with the paths it shares with its culprits. */
export interface Implication {
  entry: IndexEntry;
  paths: string[];
  blocking: boolean;
}

/** Whether any severity's policy (the default's included) makes the check `blocking`. */
export function anyBlocking(config: Config): boolean {
  return [...SEVERITIES, undefined].some(
    (severity) => severityPolicy(config, severity).culpritCheck === "blocking",
  );
}

/** The entries still watched: opened within `changes.watchDays` before now. */
export function watchedEntries(
  entries: readonly IndexEntry[],
  config: Config,
  now: Date,
): IndexEntry[] {
  const since = now.getTime() - config.changes.watchDays * DAY_MS;
  return entries.filter((entry) => Date.parse(entry.openedAt) >= since);
}

/**
 * The watched entries whose culprits' paths overlap the pull request's, newest post-mortem first.
 * Paths match exactly (a renamed file counts under both its names: the reader gives both).
 */
export function implications(
  entries: readonly IndexEntry[],
  changedPaths: readonly string[],
  config: Config,
): Implication[] {
  const changed = [...new Set(changedPaths)].sort();
  return entries
    .flatMap((entry): Implication[] => {
      const culpritPaths = new Set(entry.culprits.flatMap((culprit) => culprit.paths));
      const paths = changed.filter((path) => culpritPaths.has(path));
      if (paths.length === 0) return [];
      const blocking = severityPolicy(config, entry.severity).culpritCheck === "blocking";
      return [{ entry, paths, blocking }];
    })
    .sort(
      (a, b) =>
        b.entry.openedAt.localeCompare(a.entry.openedAt) ||
        (b.entry.postmortem ?? 0) - (a.entry.postmortem ?? 0),
    );
}

/**
 * The check run the pull request's head commit should carry, or undefined for none: nothing
 * implicated and no severity `blocking` (then a pull request costs no check-run request). Where any
 * severity is `blocking`, every pull request gets the check, `success` when nothing is implicated,
 * so a required check never waits forever. `repositoryUrl` is the repository's `html_url`.
 */
export function desiredCheck(
  implied: readonly Implication[],
  config: Config,
  repositoryUrl: string,
): CheckOutput | undefined {
  if (implied.length === 0) {
    if (!anyBlocking(config)) return undefined;
    return {
      conclusion: "success",
      title: "No post-mortem implicates this change",
      summary: `No path this pull request changes was changed by a culprit of a post-mortem of the last ${config.changes.watchDays} days.`,
    };
  }
  const shown = implied.filter((implication) => !implication.entry.private);
  const hidden = implied.length - shown.length;
  const blocking = implied.some((implication) => implication.blocking);
  const count = shown.length + (hidden > 0 ? 1 : 0);
  const title =
    shown.length === 0
      ? "Implicated in a private post-mortem"
      : `Touches code implicated in ${count === 1 ? "a post-mortem" : `${count} post-mortems`}`;
  const lines = [
    `This pull request changes paths that the culprits of ${count === 1 ? "a post-mortem" : "post-mortems"} of the last ${config.changes.watchDays} days changed.` +
      (blocking
        ? " A severity among them is `blocking` (`policy.<severity>.culpritCheck`): this check fails."
        : ""),
    "",
  ];
  for (const implication of shown.slice(0, MAX_POSTMORTEMS_SHOWN)) {
    lines.push(...describe(implication, repositoryUrl), "");
  }
  if (shown.length > MAX_POSTMORTEMS_SHOWN) {
    lines.push(`And ${shown.length - MAX_POSTMORTEMS_SHOWN} more post-mortems.`, "");
  }
  if (hidden > 0) lines.push("This change is implicated in a private post-mortem.", "");
  return {
    conclusion: blocking ? "failure" : "neutral",
    title,
    summary: cut(lines.join("\n").trimEnd()),
  };
}

function describe(implication: Implication, repositoryUrl: string): string[] {
  const { entry, paths } = implication;
  const link = (number: number) => `[#${number}](${repositoryUrl}/issues/${number})`;
  const number = entry.postmortem;
  const heading =
    `### ${number === undefined ? "Post-mortem" : link(number)}` +
    (entry.title === undefined ? "" : ` ${inlineText(entry.title, 120)}`);
  const shownPaths = paths.slice(0, MAX_PATHS_SHOWN).map((path) => codeSpan(path, 160));
  const morePaths = paths.length - shownPaths.length;
  const lines = [
    heading,
    "",
    `- Severity: ${entry.severity ?? "none"}${implication.blocking ? " (blocking)" : ""}`,
    `- Paths: ${shownPaths.join(", ")}${morePaths > 0 ? ` and ${morePaths} more` : ""}`,
  ];
  if (entry.openCapa.length > 0) {
    const capa = entry.openCapa
      .slice(0, MAX_CAPA_SHOWN)
      .map((child) => `${link(child.number)} ${inlineText(child.title, 80)}`);
    const more = entry.openCapa.length - capa.length;
    lines.push(
      `- Open corrective actions: ${capa.join("; ")}${more > 0 ? `; and ${more} more` : ""}`,
    );
  } else {
    lines.push("- Open corrective actions: none");
  }
  return lines;
}

/** The summary within GitHub's limit (a safety net: the bounds above keep it far below). */
function cut(summary: string): string {
  if (summary.length <= SUMMARY_LIMIT) return summary;
  return `${summary.slice(0, SUMMARY_LIMIT - 40)}\n\n(cut at GitHub's limit)`;
}

/** A check run of ours already on the head commit, as GitHub lists it. */
export interface ExistingCheckRun {
  id: number;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
}

export type CheckWrite =
  | { kind: "create-check-run"; output: CheckOutput }
  | { kind: "update-check-run"; id: number; output: CheckOutput };

/**
 * The one write that makes the head commit carry `desired`: create it where none of ours exists,
 * update the newest of ours where it differs, nothing where it already says that (a redelivery).
 */
export function checkWrite(
  ours: readonly ExistingCheckRun[],
  desired: CheckOutput,
): CheckWrite | undefined {
  const newest = [...ours].sort((a, b) => b.id - a.id)[0];
  if (newest === undefined) return { kind: "create-check-run", output: desired };
  const same =
    newest.status === "completed" &&
    newest.conclusion === desired.conclusion &&
    newest.title === desired.title &&
    newest.summary === desired.summary;
  return same ? undefined : { kind: "update-check-run", id: newest.id, output: desired };
}
