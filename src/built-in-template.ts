import { readFileSync } from "node:fs";

/** The team's standard "Post-Mortem Report & Corrective Action Checklist", shipped with the package. */
export const BUILT_IN_TEMPLATE_PATH = "templates/postmortem.md.hbs";

let cached: string | undefined;

export function builtInTemplate(): string {
  // src/ and lib/src/ both sit two levels below the package root.
  const depth = import.meta.url.includes("/lib/src/") ? "../../" : "../";
  cached ??= readFileSync(new URL(`${depth}${BUILT_IN_TEMPLATE_PATH}`, import.meta.url), "utf8");
  return cached;
}
