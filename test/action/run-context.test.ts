// The full Action's run context and mode registry, held to action.yml: one schema for every input
// (its names and defaults), one rule for yes/no inputs, and the modes the `mode` input documents.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { createRunContext } from "../../action/context.js";
import { ACTION_INPUTS } from "../../action/inputs.js";
import { APPROVALS, chooseMode } from "../../action/mode.js";
import { findMode, MODES } from "../../action/modes/index.js";

const actionYml = parse(readFileSync(new URL("../../action.yml", import.meta.url), "utf8")) as {
  inputs: Record<string, { default: string; description: string }>;
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the inputs", () => {
  it("are every input of action.yml, in its order", () => {
    expect(Object.keys(ACTION_INPUTS.shape)).toEqual(Object.keys(actionYml.inputs));
  });

  it("yes/no inputs take action.yml's default unless they say the other word", () => {
    const parseWith = (values: Record<string, string>) =>
      ACTION_INPUTS.parse({
        ...Object.fromEntries(Object.keys(actionYml.inputs).map((name) => [name, ""])),
        ...values,
      });
    const flags = ["fail-on-block", "report-issue"] as const;
    for (const name of flags) {
      const byDefault = actionYml.inputs[name]!.default === "true";
      expect(parseWith({})[name], name).toBe(byDefault);
      expect(parseWith({ [name]: actionYml.inputs[name]!.default })[name], name).toBe(byDefault);
      for (const other of [String(!byDefault), ` ${String(!byDefault).toUpperCase()} `]) {
        expect(parseWith({ [name]: other })[name], `${name}: ${other}`).toBe(!byDefault);
      }
      for (const typo of ["yes", "no", "0", "1", "flase", "ture"]) {
        expect(parseWith({ [name]: typo })[name], `${name}: ${typo}`).toBe(byDefault);
      }
    }
  });

  it("are read once from INPUT_*, with the token from GITHUB_TOKEN where the input is empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "postmortem-context-"));
    const eventPath = join(dir, "event.json");
    writeFileSync(eventPath, JSON.stringify({ inputs: { incident: "7" } }));
    vi.stubEnv("INPUT_FAIL-ON-BLOCK", "False");
    vi.stubEnv("INPUT_REPORT-SINCE", " 2026-01-01 ");
    vi.stubEnv("INPUT_REPORT-UNTIL", "");
    vi.stubEnv("INPUT_GITHUB-TOKEN", "");
    const context = createRunContext({
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: "acme/service",
      GITHUB_TOKEN: "ghs_from_the_environment",
    });
    expect(await context.octokit.auth()).toMatchObject({ token: "ghs_from_the_environment" });
    expect(context.inputs["fail-on-block"]).toBe(false);
    expect(context.inputs["report-since"]).toBe("2026-01-01");
    expect(context.inputs["report-until"]).toBeUndefined();
    expect(context.event).toEqual({
      name: "workflow_dispatch",
      payload: { inputs: { incident: "7" } },
    });
    expect(context.repository).toEqual({ owner: "acme", repo: "service", defaultBranch: "main" });
  });
});

describe("the event", () => {
  const env = { GITHUB_EVENT_NAME: "issues", GITHUB_EVENT_PATH: "/nonexistent/event.json" };

  it("is taken from the entry, not read again", () => {
    const payload = { repository: { name: "service", owner: { login: "acme" } } };
    const context = createRunContext(env, { event: { payload } });
    expect(context.event.payload).toBe(payload);
    expect(context.repository).toEqual({ owner: "acme", repo: "service", defaultBranch: "main" });
  });

  it("that the entry could not read fails the run with the entry's error", () => {
    const error = new SyntaxError("Unexpected end of JSON input");
    expect(() => createRunContext(env, { event: { error } })).toThrow(error);
  });
});

describe("the modes", () => {
  it("are those action.yml documents for the `mode` input, in its order", () => {
    const documented = [...actionYml.inputs.mode!.description.matchAll(/`([a-z-]+)` \(/g)].map(
      (match) => match[1],
    );
    expect(documented).toEqual(["auto", ...Object.keys(MODES)]);
  });

  it("`auto` only ever names a mode of the registry", () => {
    const names = Object.keys(MODES);
    expect(names).toContain(APPROVALS);
    for (const [eventName, payload] of [
      ["schedule", {}],
      ["workflow_dispatch", {}],
      ["workflow_dispatch", { inputs: { mode: " " } }],
      ["issues", {}],
      ["pull_request", null],
    ] as const) {
      expect(names).toContain(chooseMode("auto", eventName, payload).mode);
    }
  });

  it("an unknown name fails with the modes of the registry", () => {
    expect(findMode(chooseMode(" Remind-Me ", "issues", {}))).toEqual({
      problem:
        'the `mode` input is "remind-me": use one of auto, approvals, reminders, backfill, report, release-gate.',
    });
    expect(
      findMode(chooseMode("", "workflow_dispatch", { inputs: { mode: "constructor" } })),
    ).toEqual({
      problem:
        'the dispatch\'s `inputs.mode` is "constructor": use one of auto, approvals, reminders, backfill, report, release-gate.',
    });
    expect(findMode(chooseMode("Report", "issues", {}))).toEqual({ run: MODES.report });
  });
});
