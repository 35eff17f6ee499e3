import type { Config } from "./config.js";
import { sameLabel } from "./config.js";
import type { Severity } from "./policy/config.js";
import { SEVERITIES } from "./policy/config.js";

export { SEVERITIES };
export type { Severity };

/** The words of the classification boxes in the team's checklist (section 10). */
export const SEVERITY_CLASSES: Record<Severity, string> = {
  P1: "Critical Outage",
  P2: "High Impact Degradation",
  P3: "Medium Outage or Non-blocking Failure",
  P4: "Minor Outage or Non-blocking Failure",
};

/** Where an incident's severity can come from. */
export interface SeveritySources {
  /** The P1–P4 box checked in the post-mortem. */
  checked?: Severity | undefined;
  /** The incident's labels (`severityLabels`). */
  labels?: readonly string[] | undefined;
  /**
   * The severity recorded in the post-mortem's marker when it was opened (the more severe of the
   * labels and the issue form's answer then), or as a maintainer's label change lowered it since;
   * before the post-mortem, the form's answer.
   */
  answered?: Severity | undefined;
}

/**
 * The incident's severity, the one rule everything that depends on it uses (approvals, review
 * days, CAPA due days, the release gate, the report): the most severe of its sources. So it is
 * fixed when the post-mortem opens and afterwards only rises: nobody can tell from GitHub who
 * checked a box, so a box never lowers it, and neither does a label removed later, as the
 * opening's severity stays in the marker (which only a maintainer's edit may change). It is
 * lowered only by a maintainer's severity-label change, which the App records in the marker and
 * the box (src/core/severity-change/plan.ts).
 */
export function incidentSeverity(sources: SeveritySources, config: Config): Severity | undefined {
  return mostSevere([
    sources.checked,
    severityFromLabels(sources.labels ?? [], config),
    sources.answered,
  ]);
}

/** The most severe of some levels, if any. */
export function mostSevere(levels: readonly (Severity | undefined)[]): Severity | undefined {
  return SEVERITIES.find((level) => levels.includes(level));
}

/** The most severe level any label names. */
export function severityFromLabels(
  labels: readonly string[],
  config: Config,
): Severity | undefined {
  return SEVERITIES.find((level) =>
    labels.some((label) => config.severityLabels[level].some((name) => sameLabel(name, label))),
  );
}

/**
 * The most severe level a free answer names, by a `severityLabels` word (`P1`, `sev1`) or the
 * classification text (`Critical Outage`), as whole words and regardless of case and punctuation.
 */
export function severityFromAnswer(answer: string, config: Config): Severity | undefined {
  const text = ` ${words(answer)} `;
  if (text.trim() === "") return undefined;
  return SEVERITIES.find((level) =>
    [...config.severityLabels[level], SEVERITY_CLASSES[level]].some((name) => {
      const wanted = words(name);
      return wanted !== "" && text.includes(` ${wanted} `);
    }),
  );
}

/** Lower-case words separated by single spaces: `Data-Loss event!` → `data loss event`. */
export function words(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}
