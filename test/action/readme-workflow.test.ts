// The documented workflows for the Action (docs/features.md, docs/action.md) skip, with the job's `if:`, the events that cannot concern
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

/** The first YAML block of the "The workflow" section of docs/features.md (approvals). */
function readmeWorkflow(): Workflow {
  const page = readFileSync(new URL("../../docs/features.md", import.meta.url), "utf8");
  const heading = page.indexOf("### The workflow (no server needed)");
  if (heading < 0) throw new Error("no approvals workflow section in docs/features.md");
  const block = /```yaml\n([\s\S]*?)```/.exec(page.slice(heading));
  if (!block) throw new Error("no YAML block in the approvals workflow section");
  return parse(block[1]!) as Workflow;
}

/**
 * The job's `if:` for an event, as the runner evaluates it (`${{ }}` is implied in `if:`), with the
 * repository's configuration variables (`vars`; an unset one reads as an empty string).
 */
function runsOn(
  condition: string,
  eventName: string,
  payload: unknown,
  vars: Record<string, string> = {},
): boolean {
  const expression = condition.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, "$1");
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, ["github", "vars"], []).parse();
  const github = JSON.parse(
    JSON.stringify({ event_name: eventName, event: payload }),
    data.reviver,
  ) as data.Dictionary;
  const context = new data.Dictionary(
    { key: "github", value: github },
    { key: "vars", value: JSON.parse(JSON.stringify(vars), data.reviver) as data.Dictionary },
  );
  return truthy(new Evaluator(parsed, context).evaluate());
}

let emulator: GitHubEmulator;
let condition: string;

beforeEach(() => {
  emulator = createGitHubEmulator({
    users: [
      { login: "dave", role: "write" },
      { login: "tina", role: "write" },
      // No role in the repository, nor in its organization: author_association NONE.
      { login: "olga", role: "none" },
      // A collaborator outside the organization: COLLABORATOR; a member without a role: MEMBER.
      { login: "cole", role: "read", orgMember: false },
      { login: "mona", role: "none", orgMember: true },
    ],
  });
  condition = readmeWorkflow().jobs.gate.if;
});

/** The payload the emulator sent for the latest event of this kind, and whether the job runs. */
function job(event: string, action: string, vars: Record<string, string> = {}): boolean {
  const found = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .at(-1);
  if (!found) throw new Error(`no ${event}.${action} event`);
  return runsOn(condition, event, found.payload, vars);
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

describe("the approvals workflow for the Action (docs/features.md)", () => {
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

  it("skips /approve and /unapprove by someone with no role in the repository: created, edited or deleted", () => {
    const number = postmortem();
    const approve = emulator.comment({ by: "olga", issue: number, body: "/approve" });
    expect(emulator.webhooks.events.at(-1)!.payload).toMatchObject({
      comment: { author_association: "NONE" },
    });
    expect(job("issue_comment", "created")).toBe(false);
    emulator.comment({ by: "olga", issue: number, body: "/unapprove tl" });
    expect(job("issue_comment", "created")).toBe(false);
    emulator.editComment({ by: "olga", commentId: approve.id, body: "/approve tech lead" });
    expect(job("issue_comment", "edited")).toBe(false);
    emulator.deleteComment({ by: "olga", commentId: approve.id });
    expect(job("issue_comment", "deleted")).toBe(false);
    // The issue events of the same post-mortem still run, whoever causes them.
    emulator.closeIssue({ by: "olga", issue: number });
    expect(job("issues", "closed")).toBe(true);
  });

  it("runs for the commands of a collaborator, an organization member and the repository's owner", () => {
    const number = postmortem();
    for (const [login, association] of [
      ["cole", "COLLABORATOR"],
      ["mona", "MEMBER"],
      ["tina", "MEMBER"],
    ]) {
      emulator.comment({ by: login!, issue: number, body: "/approve" });
      expect(emulator.webhooks.events.at(-1)!.payload).toMatchObject({
        comment: { author_association: association },
      });
      expect(job("issue_comment", "created"), login).toBe(true);
    }
    // The emulator's owner is an organization: an owner's comment, as GitHub sends it.
    const payload = structuredClone(emulator.webhooks.events.at(-1)!.payload) as {
      comment: { author_association: string; user: { login: string } };
    };
    payload.comment.author_association = "OWNER";
    payload.comment.user.login = "acme-admin";
    expect(runsOn(condition, "issue_comment", payload)).toBe(true);
    payload.comment.author_association = "CONTRIBUTOR";
    expect(runsOn(condition, "issue_comment", payload)).toBe(false);
  });

  it("runs for an approver with no role who is listed in vars.POSTMORTEM_APPROVERS (any case)", () => {
    const number = postmortem();
    emulator.comment({ by: "olga", issue: number, body: "/approve product" });
    expect(job("issue_comment", "created", { POSTMORTEM_APPROVERS: '["vera","Olga"]' })).toBe(true);
    expect(job("issue_comment", "created", { POSTMORTEM_APPROVERS: '["vera"]' })).toBe(false);
    expect(job("issue_comment", "created", { POSTMORTEM_APPROVERS: "[]" })).toBe(false);
    // Unset, the variable reads as an empty string: nobody gets through that way.
    expect(job("issue_comment", "created")).toBe(false);
    // A name containing hers is not hers: contains() on a list compares whole items.
    expect(job("issue_comment", "created", { POSTMORTEM_APPROVERS: '["olga-2"]' })).toBe(false);
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

  it("runs for a bot's post-mortem whose label someone removed, and skips its CAPA children", () => {
    emulator.addUser("postmortem-bot[bot]", "write", { type: "Bot" });
    const number = emulator.openIssue({
      by: "postmortem-bot[bot]",
      title: "Post-mortem: outage",
      body: postmortemBody(),
      labels: ["postmortem"],
    }).number as number;
    emulator.removeLabel({ by: "dave", issue: number, label: "postmortem" });
    expect(job("issues", "unlabeled")).toBe(true);
    emulator.closeIssue({ by: "dave", issue: number });
    expect(job("issues", "closed")).toBe(true);
    const child = emulator.openIssue({
      by: "postmortem-bot[bot]",
      title: "CAPA: Add a check",
      body: `From #${number}.\n\n<!-- postmortem-bot:capa {"parent":${number},"key":"k"} -->\n`,
      labels: ["capa"],
    }).number as number;
    emulator.closeIssue({ by: "dave", issue: child });
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

interface FrontDoorWorkflow {
  on: Record<string, { types?: string[]; inputs?: Record<string, unknown> } | null>;
  permissions: Record<string, string>;
  jobs: {
    postmortem: { if: string; steps: Array<{ uses?: string; with?: Record<string, string> }> };
  };
}

/** The first YAML block of the "One workflow for everything" section of docs/action.md. */
function frontDoorWorkflow(): FrontDoorWorkflow {
  const page = readFileSync(new URL("../../docs/action.md", import.meta.url), "utf8");
  const heading = page.indexOf("## One workflow for everything");
  if (heading < 0) throw new Error("no one-workflow section in docs/action.md");
  const block = /```yaml\n([\s\S]*?)```/.exec(page.slice(heading));
  if (!block) throw new Error("no YAML block in the one-workflow section");
  return parse(block[1]!) as FrontDoorWorkflow;
}

describe("the one workflow for everything (docs/action.md, flows.runIn: action)", () => {
  let everything: string;
  const ACTIONS_BOT = "github-actions[bot]";
  beforeEach(() => {
    everything = frontDoorWorkflow().jobs.postmortem.if;
    emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  });
  const runs = (event: string, action: string) => {
    const found = emulator.webhooks.events
      .filter((e) => e.event === event && e.action === action)
      .at(-1);
    if (!found) throw new Error(`no ${event}.${action} event`);
    return runsOn(everything, event, found.payload);
  };
  const child = (labels = ["capa"]) =>
    emulator.openIssue({
      by: ACTIONS_BOT,
      title: "CAPA: Update runbooks/playbooks",
      body: 'From post-mortem #1.\n\n<!-- postmortem-bot:capa {"parent":1,"key":"k"} -->\n',
      labels,
    }).number as number;

  it("listens to every event the flows, the gate, reminders and backfill need", () => {
    const workflow = frontDoorWorkflow();
    expect(Object.keys(workflow.on).sort()).toEqual([
      "deployment_status",
      "issue_comment",
      "issues",
      "pull_request",
      "pull_request_target",
      "schedule",
      "workflow_dispatch",
    ]);
    // Evidence on CAPA children: merges (a fork's `pull_request` token cannot write), deployments;
    // the culprit check on a pull request opened, pushed to or reopened (a fork's too).
    expect(workflow.on.pull_request_target).toEqual({
      types: ["closed", "opened", "synchronize", "reopened"],
    });
    expect(workflow.on.deployment_status).toBeNull();
    expect(workflow.permissions).toEqual({
      issues: "write",
      contents: "read",
      "pull-requests": "read",
      deployments: "read",
      checks: "write",
    });
    // The incident flow, the gate, and what a person does to a CAPA child (readCapaEvent).
    for (const action of [
      "opened",
      "labeled",
      "unlabeled",
      "edited",
      "closed",
      "reopened",
      "assigned",
      "unassigned",
      "deleted",
      "transferred",
    ]) {
      expect(workflow.on.issues?.types).toContain(action);
    }
    expect(workflow.on.issue_comment?.types).toEqual(["created", "edited", "deleted"]);
    expect(Object.keys(workflow.on.workflow_dispatch?.inputs ?? {}).sort()).toEqual([
      "incident",
      "mode",
    ]);
    const step = workflow.jobs.postmortem.steps[0]!;
    expect(step.uses).toMatch(/postmortem-bot@/);
    expect(step.with).toEqual({ incident: "${{ inputs.incident }}" });
  });

  it("runs for pull requests, merges, deployments, scheduled and dispatched runs", () => {
    const repository = { name: "service", owner: { login: "acme" } };
    expect(runsOn(everything, "pull_request", { action: "opened", repository })).toBe(true);
    const pull = emulator.openPullRequest({ by: "tina", title: "Fix", body: "Fixes #1" });
    emulator.mergePullRequest({ by: "dave", number: pull.number as number });
    const merged = emulator.webhooks.events.filter((e) => e.event === "pull_request").at(-1)!;
    expect(runsOn(everything, "pull_request_target", merged.payload)).toBe(true);
    for (const action of ["opened", "synchronize", "reopened"]) {
      const payload = { ...(merged.payload as object), action };
      expect(runsOn(everything, "pull_request_target", payload)).toBe(true);
    }
    const deployment = emulator.createDeployment({ by: "dave", ref: "main" });
    emulator.setDeploymentStatus({
      by: "dave",
      deployment: deployment.id,
      state: "success",
    });
    expect(runs("deployment_status", "created")).toBe(true);
    expect(runsOn(everything, "schedule", { schedule: "0 8 * * 1-5", repository })).toBe(true);
    expect(
      runsOn(everything, "workflow_dispatch", {
        inputs: { mode: "backfill", incident: "all-open" },
        repository,
      }),
    ).toBe(true);
  });

  it("runs for the incident label added, an issue opened with it, and /postmortem anywhere but pull requests", () => {
    const number = ordinary();
    emulator.addLabel({ by: "dave", issue: number, label: "incident" });
    expect(runs("issues", "labeled")).toBe(true);
    ordinary(["incident", "P1"]);
    expect(runs("issues", "opened")).toBe(true);
    emulator.comment({ by: "tina", issue: ordinary(), body: "/postmortem" });
    expect(runs("issue_comment", "created")).toBe(true);
  });

  it("runs for a severity label added to or removed from an incident (a maintainer may lower it), not from another issue", () => {
    const incident = ordinary(["incident", "P1"]);
    emulator.addLabel({ by: "dave", issue: incident, label: "P3" });
    expect(runs("issues", "labeled")).toBe(true);
    emulator.removeLabel({ by: "dave", issue: incident, label: "P1" });
    expect(runs("issues", "unlabeled")).toBe(true);
    emulator.addLabel({ by: "dave", issue: incident, label: "needs-info" });
    expect(runs("issues", "labeled")).toBe(false);
    const other = ordinary(["bug", "P2"]);
    emulator.removeLabel({ by: "dave", issue: other, label: "P2" });
    expect(runs("issues", "unlabeled")).toBe(false);
  });

  it("runs for /evidence on a CAPA child, not on another issue", () => {
    const number = child();
    emulator.comment({ by: "dave", issue: number, body: "/evidence https://wiki.example.com/x" });
    expect(runs("issue_comment", "created")).toBe(true);
    emulator.comment({
      by: "dave",
      issue: ordinary(),
      body: "/evidence https://wiki.example.com/x",
    });
    expect(runs("issue_comment", "created")).toBe(false);
  });

  it("runs for /changes on a post-mortem, not on another issue", () => {
    emulator.comment({ by: "dave", issue: postmortem(), body: "/changes 48h" });
    expect(runs("issue_comment", "created")).toBe(true);
    emulator.comment({ by: "dave", issue: ordinary(["incident"]), body: "/changes 48h" });
    expect(runs("issue_comment", "created")).toBe(false);
  });

  it("runs for /culprit on a post-mortem, with or without its label, not on another issue", () => {
    for (const labels of [["postmortem"], []]) {
      emulator.comment({ by: "dave", issue: postmortem(labels), body: "/culprit #4" });
      expect(runs("issue_comment", "created"), JSON.stringify(labels)).toBe(true);
    }
    emulator.comment({ by: "dave", issue: ordinary(), body: "/culprit #4" });
    expect(runs("issue_comment", "created")).toBe(false);
  });

  it("runs for every event a person causes on a CAPA child, with or without its label", () => {
    for (const labels of [["capa"], []]) {
      const number = child(labels);
      emulator.editBody({
        by: "dave",
        issue: number,
        body: `${emulator.issue(number).body as string}\nDue: 2026-12-24\n`,
      });
      expect(runs("issues", "edited"), JSON.stringify(labels)).toBe(true);
      emulator.assign({ by: "dave", issue: number, assignees: ["tina"] });
      expect(runs("issues", "assigned")).toBe(true);
      emulator.closeIssue({ by: "tina", issue: number });
      expect(runs("issues", "closed")).toBe(true);
      emulator.reopenIssue({ by: "tina", issue: number });
      expect(runs("issues", "reopened")).toBe(true);
    }
  });

  it("runs for a post-mortem's edits, closes and commands, not for its assignments", () => {
    const number = postmortem();
    emulator.editBody({ by: "dave", issue: number, body: postmortemBody({ ticket: "OPS-1" }) });
    expect(runs("issues", "edited")).toBe(true);
    emulator.closeIssue({ by: "dave", issue: number });
    expect(runs("issues", "closed")).toBe(true);
    emulator.comment({ by: "tina", issue: number, body: "/approve tl" });
    expect(runs("issue_comment", "created")).toBe(true);
    emulator.assign({ by: "dave", issue: number, assignees: ["tina"] });
    expect(runs("issues", "assigned")).toBe(false);
  });

  it("runs when someone removes the label of a post-mortem the Action opened", () => {
    const number = emulator.openIssue({
      by: ACTIONS_BOT,
      title: "Post-mortem: outage",
      body: postmortemBody(),
      labels: ["postmortem"],
    }).number as number;
    emulator.removeLabel({ by: "dave", issue: number, label: "postmortem" });
    expect(runs("issues", "unlabeled")).toBe(true);
  });

  it("skips /approve on a post-mortem by someone with no role, unless vars.POSTMORTEM_APPROVERS lists them", () => {
    const number = postmortem();
    emulator.comment({ by: "olga", issue: number, body: "/approve" });
    expect(runs("issue_comment", "created")).toBe(false);
    const found = emulator.webhooks.events.at(-1)!;
    expect(
      runsOn(everything, "issue_comment", found.payload, { POSTMORTEM_APPROVERS: '["olga"]' }),
    ).toBe(true);
    emulator.comment({ by: "cole", issue: number, body: "/approve" });
    expect(runs("issue_comment", "created")).toBe(true);
  });

  it("skips what concerns none of it: other labels, plain comments, /approve off a post-mortem, an incident's close", () => {
    const number = ordinary();
    emulator.addLabel({ by: "dave", issue: number, label: "bug" });
    expect(runs("issues", "labeled")).toBe(false);
    ordinary(["bug"]);
    expect(runs("issues", "opened")).toBe(false);
    ordinary();
    expect(runs("issues", "opened")).toBe(false);
    emulator.comment({ by: "tina", issue: number, body: "Fixed in 1.4." });
    expect(runs("issue_comment", "created")).toBe(false);
    emulator.comment({ by: "tina", issue: number, body: "/approve" });
    expect(runs("issue_comment", "created")).toBe(false);
    emulator.comment({ by: "tina", issue: postmortem(), body: "Looks good." });
    expect(runs("issue_comment", "created")).toBe(false);
    const incident = ordinary(["incident"]);
    emulator.closeIssue({ by: "dave", issue: incident });
    expect(runs("issues", "closed")).toBe(false);
  });
});
