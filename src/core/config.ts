import { z } from "zod";
import {
  approvalsConfigSchema,
  filesConfigSchema,
  gateConfigSchema,
  PLAIN_FIELDS,
} from "./approvals/config.js";
import { capaConfigSchema } from "./capa/config.js";
import { DEFAULT_INCIDENT_LABELS, DEFAULT_POSTMORTEM_LABELS } from "./constants.js";
import { flowsConfigSchema } from "./flows/config.js";
import { formConfigSchema } from "./forms/config.js";
import { identityConfigSchema } from "./trust/config.js";
import { incidentsConfigSchema } from "./incident/config.js";
import { templatesConfigSchema } from "./incident/template-config.js";
import { acceptsFromSchema, privateConfigSchema } from "./private/config.js";
import { changesConfigSchema } from "./changes/config.js";
import { evidenceConfigSchema } from "./evidence/config.js";
import { policyConfigSchema, releaseGateConfigSchema } from "./policy/config.js";
import { remindersConfigSchema } from "./reminders/config.js";
import { notifyConfigSchema } from "./notify/config.js";
import { projectsConfigSchema } from "./projects/config.js";

const labelName = z.string().trim().min(1, "a label name cannot be empty").max(50);
const labelList = z.array(labelName);

const timeZone = z.string().refine(isKnownTimeZone, {
  message: "not an IANA time zone (for example UTC, Europe/Berlin, America/New_York)",
});

export const configSchema = z
  .strictObject({
    incidentLabels: labelList
      .min(1)
      .default([...DEFAULT_INCIDENT_LABELS])
      .describe("Labels that mark an issue as an incident and open a post-mortem."),
    postmortemLabels: labelList
      .min(1)
      .default([...DEFAULT_POSTMORTEM_LABELS])
      .describe("Labels put on the post-mortem issue; the first one is used to find them."),
    severityLabels: z
      .strictObject({ P1: labelList, P2: labelList, P3: labelList, P4: labelList })
      .default({ P1: ["P1", "sev1"], P2: ["P2", "sev2"], P3: ["P3", "sev3"], P4: ["P4", "sev4"] })
      .describe(
        "Incident labels that check a severity box in the classification section; several → the most severe.",
      ),
    classificationLabels: z
      .strictObject({ security: labelList, dataLoss: labelList, thirdParty: labelList })
      .default({ security: ["security"], dataLoss: ["data-loss"], thirdParty: ["third-party"] })
      .describe("Incident labels that check the Security, Data Loss and Third-party boxes."),
    environmentLabelPrefix: z
      .string()
      .min(1)
      .default("env:")
      .describe("Incident labels starting with this prefix name the affected environment."),
    timezone: timeZone
      .default("UTC")
      .describe(
        "IANA time zone for the dates written into the post-mortem (`Europe/Berlin`, `America/New_York`, …).",
      ),
    titleTemplate: z
      .string()
      .min(1)
      .default("Post-mortem: {{incident.title}}")
      .describe(
        "Handlebars template of the post-mortem's title (plain text, at most 256 characters).",
      ),
    incidents: incidentsConfigSchema,
    form: formConfigSchema,
    capa: capaConfigSchema,
    reminders: remindersConfigSchema,
    approvals: approvalsConfigSchema,
    gate: gateConfigSchema,
    files: filesConfigSchema,
    flows: flowsConfigSchema,
    identity: identityConfigSchema,
    policy: policyConfigSchema,
    evidence: evidenceConfigSchema,
    changes: changesConfigSchema,
    releaseGate: releaseGateConfigSchema,
    private: privateConfigSchema,
    acceptsFrom: acceptsFromSchema,
    notify: notifyConfigSchema,
    projects: projectsConfigSchema,
    template: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Path of a Handlebars template in this repository (default branch) that replaces the built-in one. `policy.<severity>.template` and `templates.byLabel` win over it.",
      ),
    templates: templatesConfigSchema,
  })
  .superRefine((value, context) => {
    // Nothing ships without an environment: a policy asking for it could never be met.
    for (const [severity, policy] of Object.entries(value.policy)) {
      if (policy?.capaEvidence === "shipped" && value.evidence.environment === undefined) {
        context.addIssue({
          code: "custom",
          path: ["policy", severity, "capaEvidence"],
          message: "`shipped` needs `evidence.environment` (the environment a fix ships to)",
        });
      }
    }
    // A policy's approval fields are checked against the roles as `approvals.required` is.
    for (const [severity, policy] of Object.entries(value.policy)) {
      policy?.approvalsRequired?.forEach((key, index) => {
        if (!(key in value.approvals.roles) && !(key in PLAIN_FIELDS)) {
          context.addIssue({
            code: "custom",
            path: ["policy", severity, "approvalsRequired", index],
            message: `\`${key}\` is neither a role (${Object.keys(value.approvals.roles).join(", ")}) nor one of ${Object.keys(PLAIN_FIELDS).join(", ")}`,
          });
        }
      });
    }
  })
  .describe("postmortem-bot configuration (.github/postmortem.yml)");

export type Config = z.infer<typeof configSchema>;

export const defaultConfig: Config = configSchema.parse({});

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Validates already-parsed YAML. Problems name the key path, so a user can find the line. */
export function parseConfig(raw: unknown): ConfigResult {
  const input = raw ?? {};
  const result = configSchema.safeParse(input);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: result.error.issues.map(describeIssue) };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? formatPath(issue.path) : "(top level)";
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((key) => `\`${key}\``).join(", ");
    return `${where}: unknown key ${keys}`;
  }
  return `${where}: ${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

/**
 * The incident labels a broken configuration seems to ask for, so that an error is reported only on
 * events that would have been triggers, not on every labeled issue in the repository.
 */
export function incidentLabelsOfBrokenConfig(raw: unknown): string[] {
  if (typeof raw === "object" && raw !== null && "incidentLabels" in raw) {
    const labels = raw.incidentLabels;
    if (Array.isArray(labels)) {
      const names = labels.filter((label): label is string => typeof label === "string");
      if (names.length > 0) return names;
    }
  }
  return defaultConfig.incidentLabels;
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** GitHub compares label names without regard to case. */
export function sameLabel(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
