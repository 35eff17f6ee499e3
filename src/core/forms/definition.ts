import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { codeSpan } from "../markdown-text.js";

/** Where GitHub looks for issue forms, on the default branch. */
export const FORMS_DIRECTORY = ".github/ISSUE_TEMPLATE";

/** One question of an issue form, as the incident's body will show it (`### <label>`). */
export interface FormField {
  id: string;
  label: string;
  type: "input" | "textarea" | "dropdown" | "checkboxes";
}

export interface FormDefinition {
  path: string;
  name: string;
  /** Labels the form applies to the issues it opens. */
  labels: string[];
  fields: FormField[];
}

export type FormDefinitionResult =
  { ok: true; form: FormDefinition } | { ok: false; problem: string };

const labelsSchema = z.union([
  z.array(z.string()),
  // GitHub also accepts a comma-separated string.
  z.string().transform((text) => text.split(",")),
]);

/** Only what matters here is checked; GitHub itself validates the rest of the form. */
const formSchema = z.object({
  name: z.string().min(1),
  labels: labelsSchema.optional(),
  body: z
    .array(
      z.object({
        type: z.enum(["markdown", "input", "textarea", "dropdown", "checkboxes"]),
        id: z.string().min(1).optional(),
        attributes: z.object({ label: z.string().optional() }).loose().optional(),
      }),
    )
    .min(1),
});

/** A form definition read with the `yaml` parser; problems name the file and what is wrong. */
export function parseFormDefinition(path: string, source: string): FormDefinitionResult {
  let raw: unknown;
  try {
    raw = parseYaml(source);
  } catch (error) {
    return { ok: false, problem: `${codeSpan(path)} is not valid YAML: ${messageOf(error)}` };
  }
  const result = formSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    return {
      ok: false,
      problem: `${codeSpan(path)} is not an issue form: ${where}: ${issue.message}`,
    };
  }
  const fields: FormField[] = [];
  for (const element of result.data.body) {
    const label = element.attributes?.label?.trim();
    if (element.type === "markdown" || !label) continue;
    // GitHub's ids are optional; a field without one is named after its label.
    fields.push({ id: element.id ?? slug(label), label, type: element.type });
  }
  return {
    ok: true,
    form: {
      path,
      name: result.data.name,
      labels: (result.data.labels ?? []).map((label) => label.trim()).filter(Boolean),
      fields,
    },
  };
}

/** Whether a file in the forms directory is an issue form (not `config.yml`, not a markdown template). */
export function isFormFile(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !/^config\.ya?ml$/i.test(name);
}

function slug(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}
