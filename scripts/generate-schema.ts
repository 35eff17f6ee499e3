/**
 * Writes schema.json (for editors: `# yaml-language-server: $schema=...`) and the configuration
 * reference, docs/configuration.md, from the zod schema.
 */
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../src/core/config-json-schema.js";
import { configReference } from "./config-reference.js";

const schema = new URL("../schema.json", import.meta.url);
writeFileSync(schema, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${schema.pathname}`);

const reference = new URL("../docs/configuration.md", import.meta.url);
writeFileSync(reference, await configReference());
console.log(`wrote ${reference.pathname}`);
