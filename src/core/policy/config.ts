import { z } from "zod";
import { CULPRIT_CHECK } from "../changes/config.js";
import { CAPA_EVIDENCE } from "../evidence/config.js";
import { chosenTemplateSchema } from "../incident/template-config.js";

// The severities are defined here, the leaf of the configuration (src/core/severity.ts re-exports
// them), so that config.ts → policy/config.ts has no import cycle.
export const SEVERITIES = ["P1", "P2", "P3", "P4"] as const;
export type Severity = (typeof SEVERITIES)[number];
/** A severity, or `default` for an incident that has none. */
export type SeverityKey = Severity | "default";

export const POSTMORTEM_POLICIES = ["required", "on-request", "off"] as const;
export type PostmortemPolicy = (typeof POSTMORTEM_POLICIES)[number];

const severityPolicySchema = z
  .strictObject({
    postmortem: z
      .enum(POSTMORTEM_POLICIES)
      .optional()
      .describe(
        "`required`: the incident label opens a post-mortem (default); `on-request`: only `/postmortem` does; `off`: never.",
      ),
    approvalsRequired: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Fields of section 9 required for this severity (keys as in `approvals.required`, which is the default).",
      ),
    capaDueDays: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "Days to a CAPA child's due date when its line gives none (wins over `capa.dueDays`).",
      ),
    reviewAfterDays: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        "Days after the incident closed that an unapproved post-mortem is late; 0 = never (wins over `reminders.reviewAfterDays`).",
      ),
    releaseGate: z
      .boolean()
      .optional()
      .describe(
        "Whether overdue actions and late reviews of this severity fail `mode: release-gate` (default true).",
      ),
    capaEvidence: z
      .enum(CAPA_EVIDENCE)
      .optional()
      .describe(
        "What a CAPA child closed as completed must show to count as done: `none` (default), `merged` (a merged pull request) or `shipped` (also deployed to `evidence.environment`). A maintainer's `/evidence` satisfies any.",
      ),
    culpritCheck: z
      .enum(CULPRIT_CHECK)
      .optional()
      .describe(
        "The check run on a later pull request touching the paths of this severity's culprits: `neutral` (default, a warning) or `blocking` (`failure`; then every pull request gets the check, `success` when nothing is implicated).",
      ),
    template: chosenTemplateSchema
      .optional()
      .describe(
        "Template of this severity's post-mortems: a path in this repository (default branch) or a shipped template (`builtin:default`, `builtin:p4`, `builtin:security`). Wins over `template`; `templates.byLabel` wins over it.",
      ),
  })
  .optional();

export const policyConfigSchema = z
  .strictObject({
    P1: severityPolicySchema,
    P2: severityPolicySchema,
    P3: severityPolicySchema,
    P4: severityPolicySchema,
    default: severityPolicySchema.describe("For incidents without a severity."),
  })
  .prefault({})
  .describe(
    "Post-mortem policy by severity: the one place for per-severity settings. A value here wins over `capa.dueDays` and `reminders.reviewAfterDays` for its severity.",
  );
export type PolicyConfig = z.infer<typeof policyConfigSchema>;

export const releaseGateConfigSchema = z
  .strictObject({
    waiverLabel: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .default("postmortem:waive-release-gate")
      .describe(
        "Label on a post-mortem that waives it (all its actions) in `mode: release-gate`, if added by someone with `approvals.forceClosePermission`.",
      ),
  })
  .prefault({})
  .describe("The release gate (`mode: release-gate` of the Action).");
export type ReleaseGateConfig = z.infer<typeof releaseGateConfigSchema>;
