import { appWriters } from "../../support/writers.js";
import { describe, expect, it } from "vitest";
import type { Config } from "../../../src/core/config.js";
import { defaultConfig, parseConfig } from "../../../src/core/config.js";
import { NO_PREFILL } from "../../../src/core/forms/prefill.js";
import { findMarker } from "../../../src/core/markers.js";
import type { TargetAccess } from "../../../src/core/private/plan.js";
import {
  decideTarget,
  goesPrivate,
  handledPrivately,
  planPrivatePostmortem,
  planPublicSide,
  privateNoticeBody,
  privatePostmortemsOf,
} from "../../../src/core/private/plan.js";
import { builtInTemplate } from "../../../src/handlers/built-in-template.js";
import {
  comment,
  commandEvent,
  incidentIssue,
  labeledEvent,
  postmortemIssue,
  repository,
} from "../fixtures.js";

const template = { name: "templates/postmortem.md.hbs", source: builtInTemplate() };

function config(yaml: object): Config {
  const parsed = parseConfig(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
}

const source = config({
  private: { repository: "acme/shop-security", when: { labels: ["security"] } },
});
const reached = (over: Partial<Extract<TargetAccess, { kind: "reached" }>> = {}): TargetAccess => ({
  kind: "reached",
  visibility: "private",
  config: defaultConfig,
  ...over,
});

describe("private configuration", () => {
  it("is validated: a name that is not owner/name and unknown keys are problems", () => {
    expect(parseConfig({ private: { repository: "shop-security", publicNotice: "loud" } })).toEqual(
      {
        ok: false,
        problems: [
          "private.repository: must be `owner/name`",
          'private.publicNotice: Invalid option: expected one of "neutral"|"none"',
        ],
      },
    );
    expect(parseConfig({ acceptsFrom: ["acme"] })).toEqual({
      ok: false,
      problems: ["acceptsFrom[0]: must be `owner/name`"],
    });
    expect(source.private).toEqual({
      repository: "acme/shop-security",
      when: { labels: ["security"], classifications: [] },
      publicNotice: "neutral",
    });
  });
});

describe("goesPrivate", () => {
  it("follows `when`: a label, a classification label or the form's box; every incident without it", () => {
    const security = incidentIssue({ labels: ["incident", "Security"] });
    const plain = incidentIssue();
    expect(goesPrivate(security, NO_PREFILL, source)).toBe(true);
    expect(goesPrivate(plain, NO_PREFILL, source)).toBe(false);
    expect(goesPrivate(plain, NO_PREFILL, defaultConfig)).toBe(false);

    const byClass = config({
      private: { repository: "acme/x", when: { classifications: ["dataLoss"] } },
    });
    expect(
      goesPrivate(incidentIssue({ labels: ["incident", "data-loss"] }), NO_PREFILL, byClass),
    ).toBe(true);
    const boxed = {
      ...NO_PREFILL,
      classification: { ...NO_PREFILL.classification, dataLoss: true },
    };
    expect(goesPrivate(plain, boxed, byClass)).toBe(true);
    expect(goesPrivate(security, NO_PREFILL, byClass)).toBe(false);

    expect(goesPrivate(plain, NO_PREFILL, config({ private: { repository: "acme/x" } }))).toBe(
      true,
    );
  });
});

describe("decideTarget", () => {
  it("opens in a private repository of the same owner, under the target's configuration", () => {
    const targetConfig = config({ postmortemLabels: ["sec-pm"] });
    expect(decideTarget(repository, source, reached({ config: targetConfig }))).toEqual({
      kind: "open",
      target: { owner: "acme", repo: "shop-security" },
      config: targetConfig,
    });
  });

  it("refuses another owner's repository unless its acceptsFrom lists this one", () => {
    const foreign = config({ private: { repository: "globex/incidents" } });
    const refused = decideTarget(repository, foreign, reached());
    expect(refused.kind).toBe("refuse");
    expect(refused.kind === "refuse" && refused.problem).toContain(
      "must list `acme/shop` in `acceptsFrom`",
    );
    const accepting = config({ acceptsFrom: ["ACME/Shop"] });
    expect(decideTarget(repository, foreign, reached({ config: accepting })).kind).toBe("open");
  });

  it("refuses a public target, a broken target configuration, no access, no token, itself", () => {
    const problem = (decision: ReturnType<typeof decideTarget>) =>
      decision.kind === "refuse" ? decision.problem : "opened";
    expect(problem(decideTarget(repository, source, reached({ visibility: "public" })))).toContain(
      "is not private",
    );
    expect(problem(decideTarget(repository, source, reached({ visibility: undefined })))).toContain(
      "is not private",
    );
    expect(problem(decideTarget(repository, source, reached({ config: "invalid" })))).toContain(
      "is invalid",
    );
    expect(problem(decideTarget(repository, source, { kind: "unreachable" }))).toContain(
      "install the App on that repository too",
    );
    expect(problem(decideTarget(repository, source, { kind: "write-refused" }))).toContain(
      "Issues: read & write there",
    );
    expect(problem(decideTarget(repository, source, { kind: "no-token" }))).toContain(
      "`private-repository-token`",
    );
    const itself = config({ private: { repository: "acme/shop" } });
    expect(problem(decideTarget(repository, itself, reached()))).toBe(
      "`private.repository` names this repository itself.",
    );
    // No refusal names the target: the incident is public.
    for (const access of [reached({ visibility: "public" }), { kind: "unreachable" as const }]) {
      expect(problem(decideTarget(repository, source, access))).not.toContain("shop-security");
    }
  });
});

describe("the target's post-mortem", () => {
  const state = {
    incident: incidentIssue({ labels: ["incident", "security"] }),
    postmortems: [],
    postmortemLabelExists: false,
    template,
    form: NO_PREFILL,
  };

  it("is opened with the target's labels, naming the incident with its repository", () => {
    const target = config({ postmortemLabels: ["sec-pm"] });
    const plan = planPrivatePostmortem(labeledEvent(), repository, target, state);
    if (!("steps" in plan)) throw new Error(plan.problem);
    expect(plan.steps.map((step) => step.kind)).toEqual(["ensureLabel", "createIssue"]);
    const create = plan.steps[1]!;
    if (create.kind !== "createIssue") throw new Error("no create");
    expect(create.labels).toEqual(["sec-pm"]);
    expect(create.body).toContain("acme/shop#12");
    expect(findMarker(create.body, "postmortem")).toEqual({
      source: { repository: "acme/shop", incident: 12 },
      gate: 2,
    });
  });

  it("is found by its marker's source (one per incident); later ones are closed as duplicates", () => {
    const marker = (repo: string, incident: number) =>
      `x\n\n<!-- postmortem-bot:postmortem {"source":{"repository":"${repo}","incident":${incident}}} -->\n`;
    const mine = postmortemIssue(3, { body: marker("acme/shop", 12) });
    const twin = postmortemIssue(4, { body: marker("Acme/Shop", 12) });
    const other = postmortemIssue(5, { body: marker("acme/other", 12) });
    const local = postmortemIssue(6);
    const forged = postmortemIssue(7, {
      body: marker("acme/shop", 12),
      author: { login: "mallory", type: "User" },
    });
    const found = privatePostmortemsOf(
      [mine, twin, other, local, forged],
      repository,
      12,
      appWriters,
    );
    expect(found.map((issue) => issue.number)).toEqual([3, 4]);
    const plan = planPrivatePostmortem(labeledEvent(), repository, defaultConfig, {
      ...state,
      postmortems: found,
      template: undefined,
    });
    expect(
      "steps" in plan &&
        plan.steps.map((step) => [step.kind, "issueNumber" in step && step.issueNumber]),
    ).toEqual([["closeIssue", 4]]);
  });

  it("a template that cannot be read is a problem that names nothing of the target", () => {
    const plan = planPrivatePostmortem(labeledEvent(), repository, defaultConfig, {
      ...state,
      template: { problem: "docs/secret-template.hbs not found" },
    });
    expect(plan).toEqual({
      problem:
        "The template of the repository named in `private.repository` (`.github/postmortem.yml`) cannot be read: fix it there.",
    });
  });
});

describe("the public side", () => {
  it("one neutral comment, no name or number of the private side; the unconfirmed label goes", () => {
    const incident = incidentIssue({ labels: ["incident", "security", "unconfirmed"] });
    expect(planPublicSide(labeledEvent(), incident, source, [], appWriters)).toEqual([
      { kind: "removeLabel", issueNumber: 12, name: "unconfirmed" },
      { kind: "createComment", issueNumber: 12, body: privateNoticeBody(12) },
    ]);
    expect(privateNoticeBody(12)).toBe(
      '🔒 The post-mortem of this incident is kept privately, with the people who follow it up.\n\n<!-- postmortem-bot:private {"incident":12} -->',
    );
  });

  it("said once: a second notice (two replicas) is deleted; a person's copy counts for nothing", () => {
    const notices = [comment(8, privateNoticeBody(12)), comment(7, privateNoticeBody(12))];
    expect(planPublicSide(commandEvent(), incidentIssue(), source, notices, appWriters)).toEqual([
      { kind: "deleteComment", commentId: 8 },
    ]);
    expect(handledPrivately(12, notices, appWriters)).toBe(true);
    const typed = [comment(9, privateNoticeBody(12), { login: "mallory", type: "User" })];
    expect(handledPrivately(12, typed, appWriters)).toBe(false);
    expect(planPublicSide(labeledEvent(), incidentIssue(), source, typed, appWriters)).toHaveLength(
      1,
    );
  });

  it("`publicNotice: none` writes nothing", () => {
    const quiet = config({ private: { repository: "acme/x", publicNotice: "none" } });
    expect(planPublicSide(labeledEvent(), incidentIssue(), quiet, [], appWriters)).toEqual([]);
  });
});
