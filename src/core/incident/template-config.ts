import { z } from "zod";

/** A configured template that names one of the shipped templates instead of a repository file. */
export const SHIPPED_TEMPLATE_PREFIX = "builtin:";

/**
 * The shipped templates a configuration may name as `builtin:<name>` in `policy.<severity>.template`
 * and `templates.byLabel`: `default` is the built-in checklist, `p4` its short form for minor
 * incidents, `security` the checklist with a security incident's questions.
 */
export const SHIPPED_TEMPLATES = ["default", "p4", "security"] as const;
export type ShippedTemplate = (typeof SHIPPED_TEMPLATES)[number];

/** The shipped template a configured value names, if it names one (`builtin:p4` → `p4`). */
export function shippedTemplateName(value: string): ShippedTemplate | undefined {
  if (!value.startsWith(SHIPPED_TEMPLATE_PREFIX)) return undefined;
  const name = value.slice(SHIPPED_TEMPLATE_PREFIX.length);
  return SHIPPED_TEMPLATES.find((known) => known === name);
}

/** A template as the per-severity and per-label keys take it: a path, as `template`, or a shipped name. */
export const chosenTemplateSchema = z
  .string()
  .min(1)
  .refine(
    (value) =>
      !value.startsWith(SHIPPED_TEMPLATE_PREFIX) || shippedTemplateName(value) !== undefined,
    {
      message: `not a shipped template: use one of ${SHIPPED_TEMPLATES.map((name) => `\`${SHIPPED_TEMPLATE_PREFIX}${name}\``).join(", ")}, or the path of a file in this repository`,
    },
  );

export const templatesConfigSchema = z
  .strictObject({
    byLabel: z
      .record(z.string(), chosenTemplateSchema)
      .default({})
      .describe(
        "Template by incident label, e.g. `security: builtin:security`: a path in this repository (default branch) or a shipped template (`builtin:default`, `builtin:p4`, `builtin:security`). Labels compare without regard to case; when several of the incident's labels are listed, the first in this map wins. Wins over `policy.<severity>.template` and `template`.",
      ),
  })
  .superRefine((value, context) => {
    // A label as GitHub takes it: not empty, at most 50 characters.
    for (const label of Object.keys(value.byLabel)) {
      const problem =
        label.trim() === ""
          ? "a label name cannot be empty"
          : label.length > 50
            ? "a label name has at most 50 characters"
            : undefined;
      if (problem) context.addIssue({ code: "custom", path: ["byLabel", label], message: problem });
    }
  })
  .prefault({})
  .describe("Templates chosen by the incident's labels (see also `policy.<severity>.template`).");
export type TemplatesConfig = z.infer<typeof templatesConfigSchema>;
