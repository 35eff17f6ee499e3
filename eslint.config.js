// Lint rules: the recommended sets, type-aware, so floating promises and unsafe any are caught.
import { basename, relative } from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { LIGHT_ENTRY, SHARED_CONSTANTS } from "./.dependency-cruiser.js";

/** The pattern of the specifier that imports a .ts file: its .js name (nodenext), to the end. */
const specifierOf = (path) => `${path.replace(/\.ts$/, ".js").replace(/\./g, "\\.")}$`;
/** What the light entry (all in action/) may import by value: each other, node:, the constants. */
const lightEntryImports = [
  "node:",
  ...LIGHT_ENTRY.map((file) => `\\./${specifierOf(basename(file))}`),
  specifierOf(relative("action", SHARED_CONSTANTS)),
];

export default tseslint.config(
  { ignores: ["node_modules/", "lib/", "dist/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["test/**", "emulator/**", "scripts/**"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // The same rule as .dependency-cruiser.js's light-entry-stays-light, shown in the editor.
    files: LIGHT_ENTRY,
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: `^(?!${lightEntryImports.join("|")})`,
              caseSensitive: true,
              allowTypeImports: true,
              message: `The Action's light entry (dist/index.js) imports only ${LIGHT_ENTRY.join(", ")}, node: built-ins and ${SHARED_CONSTANTS}; load anything else with import().`,
            },
          ],
        },
      ],
    },
  },
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
);
