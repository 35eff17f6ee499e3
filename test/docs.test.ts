import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/core/config.js";
import { configJsonSchema } from "../src/core/config-json-schema.js";
import { configReference } from "../scripts/config-reference.js";

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

describe("documentation stays true to the code", () => {
  it("schema.json is generated from the current zod schema (run `npm run schema`)", () => {
    expect(JSON.parse(read("schema.json"))).toEqual(configJsonSchema());
  });

  it("docs/configuration.md is generated from the current zod schema (run `npm run schema`)", async () => {
    expect(read("docs/configuration.md")).toBe(await configReference());
  });

  it("the configuration reference has a row for every configuration key, with its description", () => {
    const reference = read("docs/configuration.md");
    for (const [key, schema] of Object.entries(configSchema.shape)) {
      expect(reference).toContain(`| \`${key}\``);
      expect(schema.description).toBeTruthy();
      expect(reference).toContain(schema.description!.slice(0, 40));
    }
  });

  it("the configuration reference has a row for each CAPA limit", () => {
    const reference = read("docs/configuration.md");
    for (const key of ["maxChildrenPerEdit"]) {
      expect(configSchema.shape.capa.unwrap().shape).toHaveProperty(key);
      expect(reference).toContain(`| \`capa.${key}\``);
    }
  });

  it("the README's quick start gives the demo and the test command, and CI runs the same tests", () => {
    const readme = read("README.md");
    expect(readme).toContain("npm ci && npm run demo");
    expect(readme).toContain("npm ci && npm test");
    expect(read(".ci/run")).toMatch(/^npm ci\b.*\nnpm test$/m);
  });

  it("the README stays short: at most 250 lines, the rest is in docs/", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(250);
  });

  it("the README says why each runtime dependency is there, one line each", () => {
    const readme = read("README.md");
    const section = readme.slice(readme.indexOf("## Dependencies and why"));
    const { dependencies } = JSON.parse(read("package.json")) as {
      dependencies: Record<string, string>;
    };
    for (const name of Object.keys(dependencies)) expect(section).toContain(`\`${name}\``);
  });

  it("CONTRIBUTING.md says why each development dependency is there", () => {
    const contributing = read("CONTRIBUTING.md");
    const section = contributing.slice(contributing.indexOf("## Dependencies and why"));
    const { devDependencies } = JSON.parse(read("package.json")) as {
      devDependencies: Record<string, string>;
    };
    for (const name of Object.keys(devDependencies)) expect(section).toContain(`\`${name}\``);
  });
});
