/** Writes schema.json (for editors: `# yaml-language-server: $schema=...`) from the zod schema. */
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../src/core/config-json-schema.js";

const target = new URL("../schema.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
