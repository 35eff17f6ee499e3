// The Action's entry decides from the event alone (action/triage.ts) and its configuration check
// looks at postmortemLabels alone (action/postmortem-labels.ts), both without importing more of
// src/ than its constants. These hold them to the flow list they stand in for (src/handlers/flows.ts,
// as the Action runs it): whatever they skip, no flow of the Action acts on.
import { describe, expect, it } from "vitest";
import { flowsRunInOf, postmortemLabelsOf } from "../../action/postmortem-labels.js";
import { isApprovalCommand, mayConcernFlows, triageEvent } from "../../action/triage.js";
import { CAPA_CHILD_ACTIONS } from "../../src/core/constants.js";
import { flowsRunnerOfRaw } from "../../src/core/flows/config.js";
import { parseApprovalCommand } from "../../src/core/approvals/ledger.js";
import { defaultConfig, parseConfig } from "../../src/core/config.js";
import { isPostmortem } from "../../src/core/identity.js";
import type { FlowPayload } from "../../src/handlers/flows.js";
import { approvalFlow, workFor } from "../../src/handlers/flows.js";
import type { Writers } from "../../src/core/trust/writers.js";

/** The Action's flows that want this event, as its dispatch (action/flows.ts) finds them. */
function actionWork(name: string, payload: unknown) {
  return workFor("action", name, payload as FlowPayload, undefined);
}

const COMMAND_BODIES = [
  "/approve",
  "/approve tl",
  "  /APPROVE Tech Lead  ",
  "\n\n/unapprove product\nthanks",
  "/Unapprove",
  "/approve\r\nsecond line",
  "/approved",
  "/approvetl",
  "please /approve",
  "LGTM\n/approve",
  " / approve",
  "/approve\ttl",
  "/approve\u00a0tl",
  "\u2028/approve",
  "/approve tl\u2028more",
  "",
  "hello",
  null,
  undefined,
];

describe("the entry's rules match the full Action's", () => {
  it("sees an /approve or /unapprove command exactly where parseApprovalCommand does", () => {
    for (const body of COMMAND_BODIES) {
      expect(isApprovalCommand(body), JSON.stringify(body)).toBe(
        parseApprovalCommand(body) !== undefined,
      );
    }
  });

  it("skips exactly the events the gate's flow does not read, and only 'other' events on issues that cannot be post-mortems", () => {
    const names = ["issues", "issue_comment", "workflow_dispatch", "push", ""];
    const actions = [
      "opened",
      "closed",
      "reopened",
      "edited",
      "labeled",
      "unlabeled",
      "assigned",
      "transferred",
      "created",
      "deleted",
      "",
      undefined,
    ];
    const labelSets: unknown[] = [
      [],
      undefined,
      ["bug"],
      [{ name: "PostMortem" }],
      [{ name: "" }, ""],
    ];
    const issueBodies = [
      null,
      "Steps to reproduce",
      '<!-- postmortem-bot:postmortem {"incident":1} -->',
    ];
    const comments: unknown[] = [
      undefined,
      { id: 9, body: "/approve tl", user: { login: "tina", type: "User" }, created_at: "x" },
      { id: 9, body: " /unapprove", user: null, created_at: "x" },
      { id: 9, body: "/approve", user: { login: "bot[bot]", type: "Bot" }, created_at: "x" },
      { id: 9, body: "Thanks", user: { login: "tina" }, created_at: "x" },
      { id: 9, body: null, user: { login: "tina" }, created_at: "x" },
    ];
    const senders: unknown[] = [
      { login: "dave", type: "User" },
      { login: "b[bot]", type: "Bot" },
      undefined,
    ];
    const authors: unknown[] = [
      { login: "dave", type: "User" },
      { login: "postmortem-bot[bot]", type: "Bot" },
    ];
    const customConfig = parseConfig({ postmortemLabels: ["bug", "postmortem"] });
    if (!customConfig.ok) throw new Error("test config");

    let count = 0;
    const seen = new Set<string>();
    for (const name of names)
      for (const action of actions)
        for (const labels of labelSets)
          for (const body of issueBodies)
            for (const author of authors)
              for (const comment of comments)
                for (const sender of senders)
                  for (const pullRequest of [undefined, null, { url: "u" }]) {
                    const payload = {
                      ...(action === undefined ? {} : { action }),
                      issue: {
                        id: 1,
                        number: 7,
                        title: "Issue",
                        body,
                        user: author,
                        ...(labels === undefined ? {} : { labels }),
                        assignees: [],
                        created_at: "2026-11-27T10:00:00Z",
                        ...(pullRequest === undefined ? {} : { pull_request: pullRequest }),
                      },
                      ...(comment === undefined ? {} : { comment }),
                      ...(sender === undefined ? {} : { sender }),
                      repository: { name: "service", owner: { login: "acme" } },
                    };
                    const triage = triageEvent(name, payload);
                    const event = approvalFlow.read(name, payload as never);
                    const gateWork = actionWork(name, payload).filter(
                      (work) => work.flow === approvalFlow,
                    );
                    expect(gateWork, "the Action's gate wants every event it reads").toHaveLength(
                      event === undefined ? 0 : 1,
                    );
                    const where = JSON.stringify({ name, payload });
                    count++;
                    seen.add(triage.kind);
                    if (event === undefined) {
                      expect(triage, where).toEqual({
                        kind: "skip",
                        message: `${name}.${action ?? ""}: nothing for the approval gate.`,
                        reason: expect.any(String),
                      });
                      continue;
                    }
                    if (event.kind !== "other") {
                      expect(triage, where).toEqual({ kind: "run" });
                      continue;
                    }
                    // Triage lets any bot's post-mortem through; the full Action then decides
                    // whether that bot is one of its writers. Here: as if it were.
                    const trusting: Writers = {
                      app: event.issue.author.login.toLowerCase(),
                      action: { login: "github-actions[bot]", parts: new Set() },
                    };
                    if (triage.kind === "skip") {
                      // Not a post-mortem under any configuration: postmortemLabels is never empty.
                      expect(event.issue.labels, where).toEqual([]);
                      expect(isPostmortem(event.issue, defaultConfig, trusting), where).toBe(false);
                      expect(isPostmortem(event.issue, customConfig.config, trusting), where).toBe(
                        false,
                      );
                      expect(triage.message).toBe(`#${event.issue.number} is not a post-mortem`);
                    } else if (triage.kind === "run") {
                      // A bot's post-mortem, whatever its labels: the full Action judges it.
                      expect(
                        isPostmortem({ ...event.issue, labels: [] }, defaultConfig, trusting),
                        where,
                      ).toBe(true);
                    } else {
                      // Labels, and not a bot's post-mortem: the configuration's labels decide.
                      expect(
                        isPostmortem({ ...event.issue, labels: [] }, defaultConfig, trusting),
                        where,
                      ).toBe(false);
                      expect(triage, where).toEqual({
                        kind: "labels",
                        issueNumber: event.issue.number,
                        labels: event.issue.labels,
                      });
                    }
                  }
    expect(count).toBeGreaterThan(10_000);
    expect([...seen].sort()).toEqual(["labels", "run", "skip"]);
  }, 90_000);

  it("leaves pull requests and anything malformed to the full Action", () => {
    const issue = { id: 1, number: 7, title: "t", user: null, created_at: "x" };
    const sender = { login: "dave" };
    for (const [name, payload] of [
      ["pull_request", { action: "opened", pull_request: { number: 1 } }],
      ["pull_request_target", { action: "opened" }],
      ["issues", null],
      ["issues", "text"],
      ["issues", { action: "edited", issue, sender, repository: { name: "service", owner: null } }],
      ["issues", { action: "edited", issue, sender, repository: "acme/service" }],
      ["issues", { action: 3, issue, sender }],
      ["issues", { action: "edited", issue: { ...issue, labels: [null] }, sender }],
      ["issues", { action: "edited", issue: { ...issue, labels: "bug" }, sender }],
      ["issues", { action: "edited", issue: { ...issue, assignees: [null] }, sender }],
      ["issues", { action: "edited", issue: { ...issue, body: 5 }, sender }],
      ["issues", { action: "edited", issue: { ...issue, number: "7" }, sender }],
      ["issue_comment", { action: "created", issue, sender, comment: { body: 5 } }],
      ["issue_comment", { action: "created", issue, sender, comment: "text" }],
      // A deployment may ship CAPA children's fixes (the evidence flow).
      [
        "deployment_status",
        {
          action: "created",
          deployment: { id: 7, sha: "a".repeat(40), environment: "production" },
          deployment_status: { state: "success", created_at: "2026-11-27T10:00:00Z" },
          sender,
          repository: { name: "service", owner: { login: "acme" } },
        },
      ],
    ] as const) {
      expect(triageEvent(name, payload), JSON.stringify(payload)).toEqual({ kind: "run" });
    }
  });
});

describe("postmortemLabelsOf", () => {
  it("reads postmortemLabels as the configuration's schema does, or gives up", () => {
    const values: unknown[] = [
      {},
      { postmortemLabels: ["retro"] },
      { postmortemLabels: [" Retro ", "PM"] },
      { postmortemLabels: ["x".repeat(50)] },
      { postmortemLabels: ["x".repeat(51)] },
      { postmortemLabels: [` ${"x".repeat(49)} `] },
      { postmortemLabels: [] },
      { postmortemLabels: [""] },
      { postmortemLabels: ["  "] },
      { postmortemLabels: "retro" },
      { postmortemLabels: null },
      { postmortemLabels: [3] },
      { postmortemLabels: ["retro", null] },
      { timezone: "Europe/Berlin", postmortemLabels: ["retro"] },
      [],
      null,
      "text",
    ];
    let decided = 0;
    for (const value of values) {
      const names = postmortemLabelsOf(value);
      const parsed = parseConfig(value);
      if (names === undefined) {
        // Given up on: the full Action decides (it may find the file broken, or not).
        continue;
      }
      decided++;
      expect(parsed.ok, JSON.stringify(value)).toBe(true);
      if (parsed.ok) expect(names, JSON.stringify(value)).toEqual(parsed.config.postmortemLabels);
    }
    expect(decided).toBe(5);
  });

  it("does not need the rest of the file to be valid (events on other issues do not report it)", () => {
    expect(
      postmortemLabelsOf({ postmortemLabels: ["retro"], approvals: { required: ["cto"] } }),
    ).toEqual(["retro"]);
  });
});

describe("mayConcernFlows", () => {
  it("is true wherever a flow of the Action other than the gate wants the event, and false for most others", () => {
    const names = ["issues", "issue_comment", "workflow_dispatch"];
    const actions = [
      "opened",
      "labeled",
      "unlabeled",
      ...CAPA_CHILD_ACTIONS,
      "created",
      "pinned",
      undefined,
    ];
    const authors = [
      { login: "dave", type: "User" },
      { login: "github-actions[bot]", type: "Bot" },
    ];
    const bodies = [
      "Checkout fails",
      '<!-- postmortem-bot:postmortem {"incident":1} -->',
      '<!-- postmortem-bot:capa {"parent":2,"item":"x"} -->',
      '<!-- postmortem-bot:capa {"parent":2,"key":"k"} -->',
      null,
    ];
    const comments: unknown[] = [
      undefined,
      { id: 9, body: "/postmortem", user: { login: "tina", type: "User" }, created_at: "x" },
      { id: 9, body: "\n  /PostMortem please", user: null, created_at: "x" },
      { id: 9, body: "/postmortems", user: { login: "tina" }, created_at: "x" },
      { id: 9, body: "We need a /postmortem", user: { login: "tina" }, created_at: "x" },
      // `/evidence` on a CAPA child (the evidence flow).
      { id: 9, body: "/evidence https://wiki.example.com/x", user: null, created_at: "x" },
      { id: 9, body: "  /evidence\n", user: { login: "tina", type: "User" }, created_at: "x" },
      // `/changes` on a post-mortem (the changes flow).
      { id: 9, body: "/changes 48h", user: { login: "tina", type: "User" }, created_at: "x" },
      { id: 9, body: "\n/Changes", user: null, created_at: "x" },
      // `/culprit` on a post-mortem (the culprit flow).
      { id: 9, body: "/culprit #41 -#7", user: { login: "tina", type: "User" }, created_at: "x" },
      { id: 9, body: "/culprit", user: null, created_at: "x" },
    ];
    const senders = [
      { login: "dave", type: "User" },
      { login: "github-actions[bot]", type: "Bot" },
    ];
    let count = 0;
    const seen = new Set<boolean>();
    for (const name of names)
      for (const action of actions)
        for (const author of authors)
          for (const body of bodies)
            for (const labels of [[], [{ name: "incident" }]])
              for (const comment of comments)
                for (const sender of senders)
                  for (const changes of [
                    undefined,
                    { body: { from: "before" } },
                    { body: { from: '<!-- postmortem-bot:postmortem {"incident":1} -->' } },
                  ])
                    for (const pullRequest of [undefined, { url: "u" }]) {
                      const payload = {
                        ...(action === undefined ? {} : { action }),
                        issue: {
                          id: 1,
                          number: 7,
                          title: "Issue",
                          body,
                          user: author,
                          labels,
                          assignees: [],
                          created_at: "2026-11-27T10:00:00Z",
                          ...(pullRequest === undefined ? {} : { pull_request: pullRequest }),
                        },
                        ...(action === "labeled" ? { label: { name: "incident" } } : {}),
                        ...(action === "unlabeled" ? { label: { name: "postmortem" } } : {}),
                        ...(comment === undefined ? {} : { comment }),
                        ...(changes === undefined ? {} : { changes }),
                        sender,
                        repository: { name: "service", owner: { login: "acme" } },
                      };
                      // With the configuration unknown, as the entry sees it; an incident opened
                      // without labels is let go unseen by the incident flow itself.
                      const found = actionWork(name, payload).some(
                        (work) => work.flow !== approvalFlow,
                      );
                      const may = mayConcernFlows(name, payload);
                      count++;
                      seen.add(may);
                      if (found) expect(may, JSON.stringify({ name, payload })).toBe(true);
                    }
    expect(count).toBeGreaterThan(10_000);
    expect([...seen].sort()).toEqual([false, true]);
    // The events the gate alone cared about stay cheap: no config read for them.
    const plain = { action: "assigned", issue: { number: 7, user: authors[0], labels: [] } };
    expect(mayConcernFlows("issues", { ...plain, sender: senders[0] })).toBe(false);
  });

  it("leaves out events without an issue or a sender", () => {
    expect(mayConcernFlows("issues", { action: "labeled" })).toBe(false);
    expect(mayConcernFlows("issues", { action: "labeled", issue: { number: 1 } })).toBe(false);
    expect(mayConcernFlows("schedule", {})).toBe(false);
    expect(mayConcernFlows("issues", null)).toBe(false);
  });
});

describe("flowsRunInOf", () => {
  it("reads flows.runIn as flowsRunnerOfRaw does, valid file or not", () => {
    const values: unknown[] = [
      undefined,
      null,
      {},
      [],
      "flows",
      { flows: null },
      { flows: "action" },
      { flows: {} },
      { flows: { runIn: "app" } },
      { flows: { runIn: "action" } },
      { flows: { runIn: "Action" } },
      { flows: { runIn: "action", extra: 1 }, approvals: { required: ["cto"] } },
    ];
    for (const value of values) {
      expect(flowsRunInOf(value), JSON.stringify(value)).toBe(flowsRunnerOfRaw(value));
    }
    expect(values.filter((value) => flowsRunInOf(value) === "action")).toHaveLength(2);
  });
});
