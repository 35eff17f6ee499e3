import { describe, expect, it } from "vitest";
import type { Config } from "../../../src/core/config.js";
import { parseConfig } from "../../../src/core/config.js";
import { chooseTemplate, configuredTemplates } from "../../../src/core/incident/template-choice.js";

function config(raw: unknown): Config {
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
}

const ALL = config({
  template: ".github/postmortem.md",
  policy: { P4: { template: "builtin:p4" }, default: { template: ".github/unsorted.md" } },
  templates: {
    byLabel: { Security: "builtin:security", "data-loss": ".github/data-loss.md" },
  },
});

describe("which template an incident's post-mortem opens from (first match wins)", () => {
  it("a listed label wins over the severity and `template`", () => {
    expect(chooseTemplate(ALL, { labels: ["incident", "P4", "security"], severity: "P4" })).toEqual(
      { kind: "shipped", name: "security", key: "templates.byLabel.Security" },
    );
  });

  it("labels compare without regard to case", () => {
    expect(chooseTemplate(ALL, { labels: ["SECURITY"], severity: undefined })).toMatchObject({
      name: "security",
    });
  });

  it("several listed labels: the first in the map's order, whatever the incident's order", () => {
    expect(
      chooseTemplate(ALL, { labels: ["data-loss", "security"], severity: "P1" }),
    ).toMatchObject({ key: "templates.byLabel.Security" });
    const reversed = config({
      templates: { byLabel: { "data-loss": ".github/data-loss.md", security: "builtin:security" } },
    });
    expect(chooseTemplate(reversed, { labels: ["security", "data-loss"], severity: "P1" })).toEqual(
      { kind: "file", path: ".github/data-loss.md", key: "templates.byLabel.data-loss" },
    );
  });

  it("no listed label: the severity's template", () => {
    expect(chooseTemplate(ALL, { labels: ["incident", "P4"], severity: "P4" })).toEqual({
      kind: "shipped",
      name: "p4",
      key: "policy.P4.template",
    });
  });

  it("no severity: `policy.default.template`", () => {
    expect(chooseTemplate(ALL, { labels: ["incident"], severity: undefined })).toEqual({
      kind: "file",
      path: ".github/unsorted.md",
      key: "policy.default.template",
    });
  });

  it("a severity without its own template: `template`", () => {
    expect(chooseTemplate(ALL, { labels: ["incident", "P1"], severity: "P1" })).toEqual({
      kind: "file",
      path: ".github/postmortem.md",
      key: "template",
    });
  });

  it("nothing configured: the built-in template", () => {
    expect(chooseTemplate(config({}), { labels: ["security"], severity: "P4" })).toEqual({
      kind: "shipped",
      name: "default",
      key: undefined,
    });
  });

  it("the severity's template wins over `template`, and `builtin:default` is the built-in one", () => {
    const bySeverity = config({
      template: ".github/postmortem.md",
      policy: { P2: { template: "builtin:default" } },
    });
    expect(chooseTemplate(bySeverity, { labels: [], severity: "P2" })).toEqual({
      kind: "shipped",
      name: "default",
      key: "policy.P2.template",
    });
  });

  it("every configured template, each with its key, for doctor", () => {
    expect(configuredTemplates(ALL)).toEqual([
      { kind: "file", path: ".github/postmortem.md", key: "template" },
      { kind: "shipped", name: "p4", key: "policy.P4.template" },
      { kind: "file", path: ".github/unsorted.md", key: "policy.default.template" },
      { kind: "shipped", name: "security", key: "templates.byLabel.Security" },
      { kind: "file", path: ".github/data-loss.md", key: "templates.byLabel.data-loss" },
    ]);
    expect(configuredTemplates(config({}))).toEqual([]);
  });
});

describe("the per-severity and per-label templates are validated at load", () => {
  it("refuses an unknown shipped name, an empty path and an empty label, naming each key", () => {
    expect(parseConfig({ policy: { P3: { template: "builtin:p3" } } })).toEqual({
      ok: false,
      problems: [
        "policy.P3.template: not a shipped template: use one of `builtin:default`, `builtin:p4`, `builtin:security`, or the path of a file in this repository",
      ],
    });
    expect(parseConfig({ templates: { byLabel: { security: "" } } })).toEqual({
      ok: false,
      problems: ["templates.byLabel.security: Too small: expected string to have >=1 characters"],
    });
    expect(parseConfig({ templates: { byLabel: { " ": "builtin:security" } } })).toEqual({
      ok: false,
      problems: ["templates.byLabel. : a label name cannot be empty"],
    });
    expect(parseConfig({ templates: { bylabel: {} } })).toEqual({
      ok: false,
      problems: ["templates: unknown key `bylabel`"],
    });
  });

  it("takes paths as `template` does, and the shipped names", () => {
    expect(
      parseConfig({
        policy: { P1: { template: "docs/p1.md" } },
        templates: { byLabel: { security: "builtin:security" } },
      }).ok,
    ).toBe(true);
  });
});
