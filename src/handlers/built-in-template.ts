import { readFileSync } from "node:fs";

/** The team's standard "Post-Mortem Report & Corrective Action Checklist", shipped with the package. */
export const BUILT_IN_TEMPLATE_PATH = "templates/postmortem.md.hbs";

let cached: string | undefined;

export function builtInTemplate(): string {
  // src/handlers/ and lib/src/handlers/ sit two and three levels below the package root; the
  // Action's bundles (dist/) one level.
  const here = import.meta.url;
  const depth = here.includes("/lib/src/handlers/")
    ? "../../../"
    : here.includes("/src/handlers/")
      ? "../../"
      : "../";
  cached ??= readFileSync(new URL(`${depth}${BUILT_IN_TEMPLATE_PATH}`, import.meta.url), "utf8");
  return cached;
}
