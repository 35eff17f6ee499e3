import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Vitest's default on a 2-core machine is one worker; the end-to-end tests mostly wait on
    // GitHub's pace of writes, so two at once halve the wall time (measured: 527 s → 297 s).
    maxWorkers: 2,
    // @actions/workflow-parser imports its JSON schemas without `with { type: "json" }`, which
    // Node's own ESM loader refuses (actions/languageservices#387); Vite's transform loads them.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
