import type { Config } from "../config.js";
import { codeSpan, codeSpanInTable, inlineText } from "../markdown-text.js";
import { formatDateTime } from "../time.js";
import type { TimelineEntry } from "../timeline/events.js";

/**
 * **Changes before the incident**: the successful deployments to the incident's environment in
 * the look-back window before its Start, each with the pull requests merged since the successful
 * deployment before it, or, without deployments there, the pull requests merged into the default
 * branch in the window. Pure: the shell reads deployments, compares and the closed pull requests
 * (src/github/changes-gateway.ts) and this decides and renders.
 */

export const CHANGES_START = "<!-- postmortem-bot:changes:start -->";
export const CHANGES_END = "<!-- postmortem-bot:changes:end -->";

/** At most this many deployments are shown (and compared: one `compare` each). */
export const MAX_DEPLOYMENTS = 5;
/** At most this many pull requests are listed per deployment (or in the window); the rest counted. */
export const MAX_PULLS_LISTED = 20;

/** A deployment as GitHub reports it, with its latest status. */
export interface DeploymentFact {
  id: number;
  createdAt: string;
  environment: string;
  /** The ref it deployed (a branch or tag name), when GitHub still knows it. */
  ref?: string;
  sha: string;
  creator?: string;
  /** Its latest status's state, lower case (`success`, `failure`, …); undefined: none yet. */
  state?: string;
  /** When its latest status was set (for a successful one: when it went live). */
  stateAt?: string;
}

/** A closed pull request into the default branch, from the one listing. */
export interface PullFact {
  number: number;
  title: string;
  author?: string;
  mergedAt: string | null;
  mergeSha: string | null;
}

/** What `compare` said of one deployment pair: the commits in the newer one, not in the older. */
export interface ComparedCommits {
  /** The shas compared (one page); missing: the compare could not be read. */
  shas?: readonly string[];
  /** How many commits GitHub counted, when more than were read. */
  total?: number;
}

/** The look-back window: [from, to], ISO instants; `to` is the incident's Start. */
export interface ChangesWindow {
  from: string;
  to: string;
}

/** One deployment in the block, with its pull requests. */
export interface DeploymentChanges {
  deployment: DeploymentFact;
  /** The successful deployment before it (the base of its compare); undefined: none known. */
  base?: DeploymentFact;
  pulls: PullFact[];
  /** Pull requests beyond MAX_PULLS_LISTED. */
  more: number;
  /**
   * The compare's commits could not all be read or compared; `no-base`: no earlier successful
   * deployment, so `pulls` are those merged in the window up to it.
   */
  incomplete?: "compare-failed" | "no-base" | "truncated";
}

export interface ChangesFacts {
  window: ChangesWindow;
  /** The incident's environment, as named (not yet inert); undefined: none named. */
  environment?: string;
  deployments: DeploymentChanges[];
  /** Without deployments in the window: the pull requests merged in it, newest first. */
  merged?: { pulls: PullFact[]; more: number };
  /** What could not be read, in words for people (not yet inert). */
  problems: string[];
}

/** Everything read from GitHub for the block; undefined parts were not read or failed. */
export interface ChangesReads {
  /** The environment's deployments, newest first; a string: why they could not be read. */
  deployments?: readonly DeploymentFact[] | { problem: string };
  /** The compare of each deployment pair, by `<base sha>...<head sha>`. */
  compares: ReadonlyMap<string, ComparedCommits>;
  /** The closed pull requests into the default branch (newest updated first), or why not. */
  pulls: readonly PullFact[] | { problem: string };
}

export const compareKey = (base: string, head: string) => `${base}...${head}`;

/** The window that ends at the incident's Start and looks back `lookbackMs` (or from `since`). */
export function changesWindow(start: string, lookbackMs: number, since?: string): ChangesWindow {
  const to = new Date(start);
  const from = since ?? new Date(to.getTime() - lookbackMs).toISOString();
  return { from: iso(from), to: to.toISOString().replace(/\.000Z$/, "Z") };
}

function iso(text: string): string {
  return new Date(text).toISOString().replace(/\.000Z$/, "Z");
}

const time = (text: string) => new Date(text).getTime();

/** When a deployment went live: its successful status's time, else its creation. */
export function deployedAt(deployment: DeploymentFact): string {
  return deployment.stateAt ?? deployment.createdAt;
}

/**
 * The successful deployments to `environment` in the window (newest first, at most
 * MAX_DEPLOYMENTS), each with the successful deployment before it: the pairs to compare.
 */
export function deploymentPairs(
  deployments: readonly DeploymentFact[],
  environment: string,
  window: ChangesWindow,
): { deployment: DeploymentFact; base?: DeploymentFact }[] {
  const successful = deployments
    .filter(
      (deployment) =>
        deployment.state === "success" &&
        deployment.environment.toLowerCase() === environment.toLowerCase(),
    )
    .sort((a, b) => time(deployedAt(b)) - time(deployedAt(a)) || b.id - a.id);
  const from = time(window.from);
  const to = time(window.to);
  const pairs: { deployment: DeploymentFact; base?: DeploymentFact }[] = [];
  successful.forEach((deployment, index) => {
    const at = time(deployedAt(deployment));
    if (at < from || at > to || pairs.length >= MAX_DEPLOYMENTS) return;
    const base = successful[index + 1];
    pairs.push(base === undefined ? { deployment } : { deployment, base });
  });
  return pairs;
}

/** The block's facts from what was read. */
export function decideChanges(
  reads: ChangesReads,
  environment: string | undefined,
  window: ChangesWindow,
): ChangesFacts {
  const problems: string[] = [];
  const pulls = "problem" in reads.pulls ? undefined : reads.pulls;
  if ("problem" in reads.pulls) problems.push(reads.pulls.problem);
  const deploymentsRead =
    reads.deployments === undefined || "problem" in reads.deployments
      ? undefined
      : reads.deployments;
  if (reads.deployments !== undefined && "problem" in reads.deployments) {
    problems.push(reads.deployments.problem);
  }
  const pairs =
    environment === undefined || deploymentsRead === undefined
      ? []
      : deploymentPairs(deploymentsRead, environment, window);
  const deployments = pairs.map(({ deployment, base }): DeploymentChanges => {
    if (base === undefined) {
      // The first deployment GitHub knows of: nothing to compare with, so the pull requests
      // merged in the window up to it stand for what it shipped.
      const upTo = time(deployedAt(deployment));
      const from = time(window.from);
      const before = newestMerged(
        (pulls ?? []).filter((pull) => {
          if (pull.mergedAt === null) return false;
          const mergedAt = time(pull.mergedAt);
          return mergedAt >= from && mergedAt <= upTo;
        }),
      );
      return {
        deployment,
        pulls: before.slice(0, MAX_PULLS_LISTED),
        more: Math.max(0, before.length - MAX_PULLS_LISTED),
        incomplete: "no-base",
      };
    }
    const compared = reads.compares.get(compareKey(base.sha, deployment.sha));
    if (compared?.shas === undefined || pulls === undefined) {
      return { deployment, base, pulls: [], more: 0, incomplete: "compare-failed" };
    }
    const shas = new Set(compared.shas);
    const matched = newestMerged(pulls.filter((pull) => pull.mergeSha && shas.has(pull.mergeSha)));
    const truncated = compared.total !== undefined && compared.total > compared.shas.length;
    return {
      deployment,
      base,
      pulls: matched.slice(0, MAX_PULLS_LISTED),
      more: Math.max(0, matched.length - MAX_PULLS_LISTED),
      ...(truncated ? { incomplete: "truncated" as const } : {}),
    };
  });
  const facts: ChangesFacts = {
    window,
    ...(environment === undefined ? {} : { environment }),
    deployments,
    problems,
  };
  if (deployments.length === 0 && pulls !== undefined) {
    const from = time(window.from);
    const to = time(window.to);
    const merged = newestMerged(
      pulls.filter((pull) => {
        if (pull.mergedAt === null) return false;
        const at = time(pull.mergedAt);
        return at >= from && at <= to;
      }),
    );
    facts.merged = {
      pulls: merged.slice(0, MAX_PULLS_LISTED),
      more: Math.max(0, merged.length - MAX_PULLS_LISTED),
    };
  }
  return facts;
}

function newestMerged(pulls: readonly PullFact[]): PullFact[] {
  return pulls
    .filter((pull) => pull.mergedAt !== null)
    .sort((a, b) => time(b.mergedAt!) - time(a.mergedAt!) || b.number - a.number);
}

const LOGIN = /^[a-z\d](?:[a-z\d-]*[a-z\d])?(?:\[bot\])?$/i;

/** A login as a mention when it is one; anything else (never seen from GitHub) made inert. */
function person(login: string | undefined): string {
  if (login === undefined || login === "") return "someone unknown";
  return LOGIN.test(login) ? `@${login}` : inlineText(`@${login}`);
}

const shortSha = (sha: string) => sha.slice(0, 7);

/**
 * A pull request's author, named without a mention: up to a hundred authors listed in a block must
 * not all be notified (the deployments' creators are mentioned, as the Timeline's `by @x`).
 */
function author(login: string | undefined): string {
  return login === undefined || login === "" ? "unknown" : inlineText(`@${login}`);
}

/**
 * A ref or environment name: a code span, except a name with `<` or `>`, which is escaped text
 * instead (a code span shows them raw in the source, where they could spell the block's markers).
 */
function nameText(name: string, inTable = false): string {
  if (/[<>]/.test(name)) return inlineText(name, 100);
  return inTable ? codeSpanInTable(name, 100) : codeSpan(name, 100);
}

/** The block as markdown, between its markers; every text from GitHub made inert. */
export function renderChanges(facts: ChangesFacts, config: Pick<Config, "timezone">): string {
  const zone = config.timezone;
  const at = (instant: string) => formatDateTime(instant, zone);
  const lines: string[] = [CHANGES_START, "**Changes before the incident**", ""];
  const between = `between ${at(facts.window.from)} and ${at(facts.window.to)} (Start)`;
  const pullLine = (pull: PullFact, indent: string) =>
    `${indent}- #${pull.number} ${inlineText(pull.title, 200)} (${author(pull.author)}${pull.mergedAt ? `, merged ${at(pull.mergedAt)}` : ""})`;
  const moreLine = (more: number, indent: string) =>
    more > 0 ? [`${indent}- … and ${more} more pull request${more === 1 ? "" : "s"}`] : [];

  if (facts.environment === undefined) {
    lines.push(
      "No environment is named for this incident (an `env:` label or the form's answer), so no deployments are shown.",
      "",
    );
  } else if (facts.deployments.length > 0) {
    lines.push(
      `Successful deployments to ${nameText(facts.environment)} ${between}, newest first:`,
      "",
    );
    for (const entry of facts.deployments) {
      const deployment = entry.deployment;
      const ref = deployment.ref === undefined ? "" : `${nameText(deployment.ref)} at `;
      lines.push(
        `- **${at(deployedAt(deployment))}**: ${ref}${codeSpan(shortSha(deployment.sha))} by ${person(deployment.creator)}`,
      );
      if (entry.incomplete === "no-base") {
        lines.push(
          entry.pulls.length === 0
            ? "  - No earlier successful deployment to compare it with, and no pull request merged in the window before it."
            : "  - No earlier successful deployment to compare it with; the pull requests merged in the window before it:",
        );
        for (const pull of entry.pulls) lines.push(pullLine(pull, "  "));
        lines.push(...moreLine(entry.more, "  "));
        continue;
      }
      if (entry.incomplete === "compare-failed") {
        lines.push(
          `  - Its changes since ${codeSpan(shortSha(entry.base!.sha))} could not be read.`,
        );
        continue;
      }
      if (entry.pulls.length === 0) {
        lines.push(
          `  - No merged pull request since ${codeSpan(shortSha(entry.base!.sha))} (the deployment before it).`,
        );
      }
      for (const pull of entry.pulls) lines.push(pullLine(pull, "  "));
      lines.push(...moreLine(entry.more, "  "));
      if (entry.incomplete === "truncated") {
        lines.push("  - Only the first page of its commits was compared.");
      }
    }
    lines.push("");
  } else if (facts.problems.length === 0) {
    lines.push(`No successful deployment to ${nameText(facts.environment)} ${between}.`, "");
  }
  if (facts.merged !== undefined) {
    if (facts.merged.pulls.length === 0) {
      lines.push(`No pull request was merged into the default branch ${between}.`, "");
    } else {
      lines.push(`Pull requests merged into the default branch ${between}, newest first:`, "");
      for (const pull of facts.merged.pulls) lines.push(pullLine(pull, ""));
      lines.push(...moreLine(facts.merged.more, ""), "");
    }
  }
  for (const problem of facts.problems) lines.push(`⚠️ ${inlineText(problem, 300)}`, "");
  lines.push(CHANGES_END);
  return lines.join("\n");
}

/** The Timeline rows of the block: `Deployed <ref> to <env> by @x` at each deployment's time. */
export function deploymentEntries(facts: ChangesFacts): TimelineEntry[] {
  if (facts.environment === undefined) return [];
  const environment = facts.environment;
  return facts.deployments.map(({ deployment }) => ({
    at: deployedAt(deployment),
    text: `Deployed ${nameText(deployment.ref ?? shortSha(deployment.sha), true)} to ${nameText(environment, true)} by ${person(deployment.creator)}`,
  }));
}

/** What templates see as `changes`: the structured facts (inert text) and the rendered block. */
export function changesTemplateData(facts: ChangesFacts, config: Pick<Config, "timezone">) {
  const zone = config.timezone;
  return {
    markdown: renderChanges(facts, config),
    environment: facts.environment === undefined ? undefined : inlineText(facts.environment),
    from: formatDateTime(facts.window.from, zone),
    to: formatDateTime(facts.window.to, zone),
    deployments: facts.deployments.map((entry) => ({
      ref: entry.deployment.ref === undefined ? undefined : nameText(entry.deployment.ref),
      sha: shortSha(entry.deployment.sha),
      creator: person(entry.deployment.creator),
      at: formatDateTime(deployedAt(entry.deployment), zone),
      pullRequests: entry.pulls.map((pull) => pullData(pull)),
      more: entry.more,
    })),
    pullRequests: (facts.merged?.pulls ?? []).map((pull) => pullData(pull)),
    more: facts.merged?.more ?? 0,
    problems: facts.problems.map((problem) => inlineText(problem)),
  };
}

function pullData(pull: PullFact) {
  return { number: pull.number, title: inlineText(pull.title, 200), author: author(pull.author) };
}

export type ChangesTemplateData = ReturnType<typeof changesTemplateData>;

/** The block in a body: where it stands (markers included); undefined: not there (or mangled). */
export function findChangesBlock(body: string): { start: number; end: number } | undefined {
  const start = body.indexOf(CHANGES_START);
  if (start === -1 || body.indexOf(CHANGES_START, start + 1) !== -1) return undefined;
  const endAt = body.indexOf(CHANGES_END, start);
  if (endAt === -1 || body.indexOf(CHANGES_END, endAt + 1) !== -1) return undefined;
  return { start, end: endAt + CHANGES_END.length };
}
