import type { ApprovalsConfig } from "../approvals/config.js";
import type { CulpritCheck } from "../changes/config.js";
import type { Config } from "../config.js";
import type { CapaEvidence } from "../evidence/config.js";
import type { PostmortemPolicy, Severity, SeverityKey } from "./config.js";
import { SEVERITIES } from "./config.js";

/** The settings that apply to one severity, every value resolved. */
export interface SeverityPolicy {
  severity: SeverityKey;
  postmortem: PostmortemPolicy;
  approvalsRequired: string[];
  capaDueDays: number;
  reviewAfterDays: number;
  releaseGate: boolean;
  capaEvidence: CapaEvidence;
  culpritCheck: CulpritCheck;
}

/**
 * The policy for a severity (undefined → `default`). Precedence, per value: `policy.<severity>`,
 * then the older per-severity keys (`capa.dueDays`, `reminders.reviewAfterDays`) or
 * `approvals.required`, then the built-in default — so a configuration without `policy` behaves
 * as before.
 */
export function severityPolicy(config: Config, severity: Severity | undefined): SeverityPolicy {
  const key: SeverityKey = severity ?? "default";
  const stated = config.policy[key] ?? {};
  return {
    severity: key,
    postmortem: stated.postmortem ?? "required",
    approvalsRequired: stated.approvalsRequired ?? config.approvals.required,
    capaDueDays: stated.capaDueDays ?? config.capa.dueDays[key],
    reviewAfterDays: stated.reviewAfterDays ?? config.reminders.reviewAfterDays[key],
    releaseGate: stated.releaseGate ?? true,
    capaEvidence: stated.capaEvidence ?? "none",
    culpritCheck: stated.culpritCheck ?? "neutral",
  };
}

// An incident's severity is decided in one place (src/core/severity.ts: checked box, label, form).
export { incidentSeverity, severityFromLabels } from "../severity.js";

/** The approvals configuration with `required` as the severity's policy states it. */
export function approvalsFor(config: Config, severity: Severity | undefined): ApprovalsConfig {
  const required = severityPolicy(config, severity).approvalsRequired;
  return required === config.approvals.required
    ? config.approvals
    : { ...config.approvals, required };
}

/** Whether the fields required for approval are the same whatever the severity (no need to read it). */
export function approvalsIndependentOfSeverity(config: Config): boolean {
  const keys: readonly SeverityKey[] = [...SEVERITIES, "default"];
  return keys.every((key) => config.policy[key]?.approvalsRequired === undefined);
}
