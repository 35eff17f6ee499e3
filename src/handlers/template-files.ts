import { readFileSync } from "node:fs";

const cached = new Map<string, string>();

/**
 * A file of the package's `templates/` folder (a shipped template), by its path in the package.
 * The bundles (scripts/build-server.ts `embedTemplate`) compile every shipped template in instead.
 */
export function readTemplateFile(path: string): string {
  // src/handlers/ and lib/src/handlers/ sit two and three levels below the package root; the
  // Action's bundles (dist/) one level.
  const here = import.meta.url;
  const depth = here.includes("/lib/src/handlers/")
    ? "../../../"
    : here.includes("/src/handlers/")
      ? "../../"
      : "../";
  let source = cached.get(path);
  if (source === undefined) {
    source = readFileSync(new URL(`${depth}${path}`, import.meta.url), "utf8");
    cached.set(path, source);
  }
  return source;
}
