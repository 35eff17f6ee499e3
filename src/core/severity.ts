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

/** Where an incident's severity can come from, strongest first. */
export interface SeveritySources {
  /** The P1–P4 box checked in the post-mortem. */
  checked?: Severity | undefined;
  /** The incident's labels (`severityLabels`). */
  labels?: readonly string[] | undefined;
  /** The issue form's answer, as recorded in the post-mortem's marker when it was opened. */
  answered?: Severity | undefined;
}

/**
 * The incident's severity, the one rule everything that depends on it uses (CAPA due days, review
 * reminders): the post-mortem's checked box, else a severity label, else the form's answer.
 */
export function incidentSeverity(sources: SeveritySources, config: Config): Severity | undefined {
  return sources.checked ?? severityFromLabels(sources.labels ?? [], config) ?? sources.answered;
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
