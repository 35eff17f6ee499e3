// `npm run deps`: dependency-cruiser checks the import graph of src/, action/, emulator/ and
// scripts/ against the layer rules below (part of `npm test`). Each violation is printed with the
// rule's name and the importing and imported paths (for a circle: the whole loop).

/**
 * The Action's light entry: dist/index.js is built from action/main.ts and what it imports
 * statically, and runs on every issues/issue_comment event, so it must not pull in zod, Octokit or
 * the markdown parser. eslint.config.js restricts the same files' imports.
 */
export const LIGHT_ENTRY = ["action/main.ts", "action/mode.ts", "action/triage.ts"];

/** The one module of src/ the light entry may import: constants, itself importing nothing. */
export const SHARED_CONSTANTS = "src/core/constants.ts";

const exactly = (paths) => `^(${paths.map((path) => path.replace(/\./g, "\\.")).join("|")})$`;

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "A circle of imports (type-only ones included) makes load order fragile and the layers meaningless: move the shared piece into a module of its own.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "github-not-to-handlers",
      comment:
        "src/github/ is the GitHub side that the handlers drive; a type both need belongs in src/core/.",
      severity: "error",
      from: { path: "^src/github/" },
      to: { path: "^src/handlers/" },
    },
    {
      name: "core-is-pure",
      comment:
        "src/core/ decides without I/O: it imports nothing from the GitHub side, the handlers, the App or the entry points.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^src/(github|handlers|app|entry|notify)/" },
    },
    {
      name: "notify-sends-only",
      comment:
        "src/notify/ sends messages to chat: it may use src/core/ (formats), never GitHub, the handlers, the App or the entry points; the handlers drive it (src/handlers/notify.ts).",
      severity: "error",
      from: { path: "^src/notify/" },
      to: { path: "^src/(github|handlers|app|entry)/" },
    },
    {
      name: "light-entry-stays-light",
      comment: `The Action's light entry (${LIGHT_ENTRY.join(", ")}) imports only its own modules, node: built-ins and ${SHARED_CONSTANTS}; anything else it loads with import(). Type-only imports are erased from the bundle.`,
      severity: "error",
      from: { path: exactly(LIGHT_ENTRY) },
      to: {
        pathNot: exactly([...LIGHT_ENTRY, SHARED_CONSTANTS]),
        dependencyTypesNot: ["core", "dynamic-import", "type-only"],
      },
    },
    {
      name: "constants-import-nothing",
      comment: `${SHARED_CONSTANTS} is what the light entry shares with the App: it stays free of imports.`,
      severity: "error",
      from: { path: exactly([SHARED_CONSTANTS]) },
      to: {},
    },
    {
      name: "resolvable",
      comment:
        "An import dependency-cruiser cannot resolve is missing from the graph, so the rules above cannot see it.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Resolves the `.js` specifiers of TypeScript's nodenext ESM to the `.ts` sources.
    tsConfig: { fileName: "tsconfig.json" },
    // Type-only imports count: they tie modules together as much as value imports do.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
