import { z } from "zod";

const fieldId = z.string().trim().min(1, "a field id cannot be empty");

/** What each post-mortem field is filled from: the form's field ids, as the shipped form names them. */
export const DEFAULT_FORM_FIELDS = {
  severity: "severity",
  environment: "environment",
  start: "start",
  services: "services",
  summary: "summary",
  impact: "impact",
  customers: "customers",
  classification: "classification",
} as const;

export type FormTarget = keyof typeof DEFAULT_FORM_FIELDS;

/**
 * No defaults inside: the keys a team sets are the ones checked against its form (a default the
 * form lacks is simply not filled), and `formFields` adds the defaults.
 */
export const formConfigSchema = z
  .strictObject({
    severity: fieldId
      .optional()
      .describe(
        "Field whose answer names P1–P4 (severityLabels words or the classification text).",
      ),
    environment: fieldId.optional().describe("Field for Environment Affected."),
    start: fieldId
      .optional()
      .describe("Field for Date & Time (Start): YYYY-MM-DD HH:MM, optionally with a zone."),
    services: fieldId.optional().describe("Field for Systems/Services Affected."),
    summary: fieldId.optional().describe("Field for Brief Summary."),
    impact: fieldId.optional().describe("Field for Business Impact."),
    customers: fieldId.optional().describe("Field for Customers Affected (est.)."),
    classification: fieldId
      .optional()
      .describe("Checkboxes field whose checked options check Security, Data Loss or Third-party."),
  })
  .default({})
  .describe(
    "Issue-form field ids (.github/ISSUE_TEMPLATE/*.yml) that fill post-mortem fields; defaults match templates/incident-form.yml.",
  );

export type FormConfig = z.infer<typeof formConfigSchema>;

/** The mapping in effect: the team's keys over the defaults. */
export function formFields(config: FormConfig): Record<FormTarget, string> {
  return { ...DEFAULT_FORM_FIELDS, ...config };
}
