import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import type { Severity } from "../severity.js";
import type { ShippedTemplate } from "./template-config.js";
import { shippedTemplateName } from "./template-config.js";

/**
 * The template a post-mortem opens from: a shipped one (`key` undefined: nothing configured, the
 * built-in checklist) or a file of the repository, with the configuration key that chose it, so
 * a problem with it names the key to correct.
 */
export type TemplateChoice =
  | { kind: "shipped"; name: ShippedTemplate; key: string | undefined }
  | { kind: "file"; path: string; key: string };

/**
 * The template for an incident, first match wins: `templates.byLabel` (the incident's labels,
 * compared as GitHub compares them, without regard to case; when several of its labels are
 * listed, the first in the map's order), then `policy.<severity>.template` (the severity as the
 * incident flow decides it, `policy.default` for none), then `template`, then the built-in one.
 */
export function chooseTemplate(
  config: Config,
  incident: { labels: readonly string[]; severity: Severity | undefined },
): TemplateChoice {
  for (const [label, value] of Object.entries(config.templates.byLabel)) {
    if (incident.labels.some((name) => sameLabel(name, label))) {
      return choice(value, `templates.byLabel.${label}`);
    }
  }
  const key = incident.severity ?? "default";
  const bySeverity = config.policy[key]?.template;
  if (bySeverity !== undefined) return choice(bySeverity, `policy.${key}.template`);
  if (config.template !== undefined)
    return { kind: "file", path: config.template, key: "template" };
  return { kind: "shipped", name: "default", key: undefined };
}

/** Every template the configuration names, each once per key (for doctor), `template` first. */
export function configuredTemplates(config: Config): TemplateChoice[] {
  const all: TemplateChoice[] = [];
  if (config.template !== undefined) {
    all.push({ kind: "file", path: config.template, key: "template" });
  }
  for (const [key, policy] of Object.entries(config.policy)) {
    if (policy?.template !== undefined) all.push(choice(policy.template, `policy.${key}.template`));
  }
  for (const [label, value] of Object.entries(config.templates.byLabel)) {
    all.push(choice(value, `templates.byLabel.${label}`));
  }
  return all;
}

function choice(value: string, key: string): TemplateChoice {
  const name = shippedTemplateName(value);
  return name === undefined ? { kind: "file", path: value, key } : { kind: "shipped", name, key };
}
