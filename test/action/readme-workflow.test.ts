// The README's workflow for the Action skips, with the job's `if:`, the events that cannot concern
// the gate. This evaluates that very `if:` with GitHub's expression evaluator
// (@actions/expressions) against real payloads (from the emulator): a wrong `if:` would skip the
// closes the gate must judge, and nothing would reopen them.
import { readFileSync } from "node:fs";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { truthy } from "@actions/expressions/result";
import { parse } from "yaml";
import { beforeEach, describe, expect, it } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { postmortemBody } from "../core/approvals/fixtures.js";

interface Workflow {
  on: Record<string, { types?: string[] } | null>;
  jobs: { gate: { if: string; steps: Array<{ uses?: string }> } };
}

/** The first YAML block of the README's "The workflow" section. */
function readmeWorkflow(): Workflow {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### The workflow (no server needed)"));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("no YAML block in the README's workflow section");
  return parse(block[1]!) as Workflow;
}

/** The job's `if:` for an event, as the runner evaluates it (`${{ }}` is implied in `if:`). */
function runsOn(condition: string, eventName: string, payload: unknown): boolean {
  const expression = condition.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, "$1");
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, ["github"], []).parse();
  const github = JSON.parse(
    JSON.stringify({ event_name: eventName, event: payload }),
    data.reviver,
  ) as data.Dictionary;
  const context = new data.Dictionary({ key: "github", value: github });
  return truthy(new Evaluator(parsed, context).evaluate());
}

let emulator: GitHubEmulator;
let condition: string;

beforeEach(() => {
  emulator = createGitHubEmulator({
    users: [
      { login: "dave", role: "write" },
      { login: "tina", role: "write" },
    ],
  });
  condition = readmeWorkflow().jobs.gate.if;
});

/** The payload the emulator sent for the latest event of this kind, and whether the job runs. */
function job(event: string, action: string): boolean {
  const found = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .at(-1);
  if (!found) throw new Error(`no ${event}.${action} event`);
  return runsOn(condition, event, found.payload);
}

const postmortem = (labels = ["postmortem"]) =>
  emulator.openIssue({
    by: "dave",
    title: "Post-mortem: outage",
    body: postmortemBody(),
    labels,
  }).number as number;
const ordinary = (labels: string[] = []) =>
  emulator.openIssue({ by: "dave", title: "Typo", labels }).number as number;

describe("the README's workflow for the Action", () => {
  it("uses the Action and listens to the events the gate needs", () => {
    const workflow = readmeWorkflow();
    expect(Object.keys(workflow.on).sort()).toEqual(["issue_comment", "issues", "pull_request"]);
    expect(workflow.on.issues?.types).toContain("closed");
    expect(workflow.on.issue_comment?.types).toEqual(["created", "edited", "deleted"]);
    expect(workflow.jobs.gate.steps[0]!.uses).toMatch(/postmortem-bot@/);
  });

  it("skips an ordinary comment on an ordinary issue, and a comment on a post-mortem that is no command", () => {
    emulator.comment({ by: "tina", issue: ordinary(), body: "Fixed in 1.4." });
    expect(job("issue_comment", "created")).toBe(false);
    emulator.comment({ by: "tina", issue: ordinary(["bug"]), body: "Still there." });
    expect(job("issue_comment", "created")).toBe(false);
    emulator.comment({ by: "tina", issue: postmortem(), body: "Approved in the meeting." });
    expect(job("issue_comment", "created")).toBe(false);
  });

  it("runs for /approve and /unapprove on a post-mortem, in any case, after blank lines, and when deleted", () => {
    const number = postmortem();
    for (const body of [
      "/approve tl",
      "/unapprove",
      "/APPROVE product",
      "\n  /approve tech lead",
    ]) {
      emulator.comment({ by: "tina", issue: number, body });
      expect(job("issue_comment", "created"), JSON.stringify(body)).toBe(true);
    }
    const approve = emulator.comment({ by: "tina", issue: number, body: "/approve" });
    emulator.deleteComment({ by: "tina", commentId: approve.id });
    expect(job("issue_comment", "deleted")).toBe(true);
  });

  it("skips /approve on an issue that is no post-mortem", () => {
    emulator.comment({ by: "tina", issue: ordinary(["bug"]), body: "/approve" });
    expect(job("issue_comment", "created")).toBe(false);
  });

  it("runs for a close of a post-mortem (whatever the label's case) and for its other issue events", () => {
    const number = postmortem();
    emulator.closeIssue({ by: "dave", issue: number });
    expect(job("issues", "closed")).toBe(true);
    emulator.reopenIssue({ by: "dave", issue: number });
    expect(job("issues", "reopened")).toBe(true);
    emulator.editBody({ by: "dave", issue: number, body: postmortemBody({ ticket: "OPS-1" }) });
    expect(job("issues", "edited")).toBe(true);
    emulator.addLabel({ by: "dave", issue: number, label: "postmortem:force-close" });
    expect(job("issues", "labeled")).toBe(true);

    emulator.closeIssue({ by: "dave", issue: postmortem(["PostMortem", "P1"]) });
    expect(job("issues", "closed")).toBe(true);
  });

  it("skips issue events on ordinary issues: a label added, a close", () => {
    const number = ordinary();
    emulator.addLabel({ by: "dave", issue: number, label: "bug" });
    expect(job("issues", "labeled")).toBe(false);
    emulator.closeIssue({ by: "dave", issue: number });
    expect(job("issues", "closed")).toBe(false);
  });

  it("runs when the post-mortem label is added", () => {
    emulator.addLabel({ by: "dave", issue: ordinary(), label: "postmortem" });
    expect(job("issues", "labeled")).toBe(true);
  });

  it("runs for every pull request (post-mortems kept as files)", () => {
    for (const action of ["opened", "synchronize", "reopened"]) {
      const payload = {
        action,
        number: 7,
        pull_request: { number: 7, head: { sha: "a".repeat(40) }, labels: [] },
        repository: { name: "service", owner: { login: "acme" } },
        sender: { login: "tina" },
      };
      expect(runsOn(condition, "pull_request", payload), action).toBe(true);
    }
  });
});
