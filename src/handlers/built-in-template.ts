import type { TemplateSource } from "../core/incident/content.js";
import type { ShippedTemplate } from "../core/incident/template-config.js";
import { readTemplateFile } from "./template-files.js";

/** The team's standard "Post-Mortem Report & Corrective Action Checklist", shipped with the package. */
export const BUILT_IN_TEMPLATE_PATH = "templates/postmortem.md.hbs";

/** The files of the shipped templates (`builtin:<name>` in the configuration). */
export const SHIPPED_TEMPLATE_PATHS: Record<ShippedTemplate, string> = {
  default: BUILT_IN_TEMPLATE_PATH,
  p4: "templates/postmortem-p4.md.hbs",
  security: "templates/postmortem-security.md.hbs",
};

export function builtInTemplate(): string {
  return readTemplateFile(BUILT_IN_TEMPLATE_PATH);
}

/** A shipped template, named by its file in the package (as a problem with it would name it). */
export function shippedTemplate(name: ShippedTemplate): TemplateSource {
  const path = SHIPPED_TEMPLATE_PATHS[name];
  return { name: path, source: readTemplateFile(path) };
}
