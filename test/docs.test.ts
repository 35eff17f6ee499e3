import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/core/config.js";
import { configJsonSchema } from "../src/core/config-json-schema.js";

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

describe("documentation stays true to the code", () => {
  it("schema.json is generated from the current zod schema (run `npm run schema`)", () => {
    expect(JSON.parse(read("schema.json"))).toEqual(configJsonSchema());
  });

  it("the README documents every configuration key", () => {
    const readme = read("README.md");
    for (const key of Object.keys(configSchema.shape)) expect(readme).toContain(`| \`${key}\``);
  });

  it("the README's configuration table has a row for each CAPA limit", () => {
    const readme = read("README.md");
    for (const key of ["maxChildrenPerEdit"]) {
      expect(configSchema.shape.capa.unwrap().shape).toHaveProperty(key);
      expect(readme).toContain(`| \`capa.${key}\``);
    }
  });

  it("the README's quick start gives the demo and the test command, and CI runs the same tests", () => {
    const readme = read("README.md");
    expect(readme).toContain("npm ci && npm run demo");
    expect(readme).toContain("npm ci && npm test");
    expect(read(".ci/run")).toMatch(/^npm ci\b.*\nnpm test$/m);
  });
});
