import { describe, expect, it } from "vitest";
import type { ChangesReads, DeploymentFact, PullFact } from "../../../src/core/changes/block.js";
import {
  CHANGES_END,
  CHANGES_START,
  changesTemplateData,
  changesWindow,
  compareKey,
  decideChanges,
  deploymentEntries,
  deploymentPairs,
  findChangesBlock,
  MAX_DEPLOYMENTS,
  MAX_PULLS_LISTED,
  renderChanges,
} from "../../../src/core/changes/block.js";
import { readChangesCommand } from "../../../src/core/changes/command.js";
import { placeChanges, planChangesWrite, summaryOf } from "../../../src/core/changes/plan.js";
import { findMarker } from "../../../src/core/markers.js";
import { expectReadable } from "../../rendering/expect.js";

const HOUR = 3_600_000;
const START = "2026-11-27T13:00:00Z";
/** The default look-back: 24 hours before Start. */
const WINDOW = changesWindow(START, 24 * HOUR);
const config = { timezone: "UTC" };

let nextId = 100;
function deployment(at: string, overrides: Partial<DeploymentFact> = {}): DeploymentFact {
  const id = nextId++;
  return {
    id,
    createdAt: at,
    environment: "production",
    ref: "main",
    sha: `${id}`.padEnd(40, "a"),
    creator: "carol",
    state: "success",
    stateAt: at,
    ...overrides,
  };
}

function pull(number: number, mergedAt: string | null, mergeSha: string | null = null): PullFact {
  return { number, title: `Change ${number}`, author: "dave", mergedAt, mergeSha };
}

function reads(
  deployments: readonly DeploymentFact[] | undefined,
  pulls: readonly PullFact[],
  compares: Record<string, string[]> = {},
): ChangesReads {
  return {
    ...(deployments === undefined ? {} : { deployments }),
    compares: new Map(Object.entries(compares).map(([key, shas]) => [key, { shas }])),
    pulls,
  };
}

describe("the window and the deployments in it", () => {
  it("is [Start − lookback, Start], both edges included", () => {
    expect(WINDOW).toEqual({ from: "2026-11-26T13:00:00Z", to: START });
    const atStart = deployment(START);
    const atFrom = deployment("2026-11-26T13:00:00Z");
    const before = deployment("2026-11-26T12:59:59Z");
    const after = deployment("2026-11-27T13:00:01Z");
    const pairs = deploymentPairs([after, atStart, atFrom, before], "production", WINDOW);
    expect(pairs.map((pair) => pair.deployment.id)).toEqual([atStart.id, atFrom.id]);
    // The one before the oldest in the window is the base of its compare.
    expect(pairs.map((pair) => pair.base?.id)).toEqual([atFrom.id, before.id]);
  });

  it("ignores failed and unfinished deployments, and other environments", () => {
    const good = deployment("2026-11-27T12:00:00Z");
    const failed = deployment("2026-11-27T12:30:00Z", { state: "failure" });
    const pending = deployment("2026-11-27T12:40:00Z", { state: undefined, stateAt: undefined });
    const staging = deployment("2026-11-27T12:50:00Z", { environment: "staging" });
    const older = deployment("2026-11-27T08:00:00Z", { state: "error" });
    const base = deployment("2026-11-26T10:00:00Z");
    const pairs = deploymentPairs(
      [staging, pending, failed, good, older, base],
      "Production",
      WINDOW,
    );
    expect(pairs).toEqual([{ deployment: good, base }]);
  });

  it("shows at most five, newest first", () => {
    const all = Array.from({ length: 8 }, (_, index) =>
      deployment(`2026-11-27T0${index + 1}:00:00Z`),
    );
    const pairs = deploymentPairs(all, "production", WINDOW);
    expect(pairs).toHaveLength(MAX_DEPLOYMENTS);
    expect(pairs.map((pair) => pair.deployment.createdAt)).toEqual([
      "2026-11-27T08:00:00Z",
      "2026-11-27T07:00:00Z",
      "2026-11-27T06:00:00Z",
      "2026-11-27T05:00:00Z",
      "2026-11-27T04:00:00Z",
    ]);
    expect(pairs[4]!.base?.createdAt).toBe("2026-11-27T03:00:00Z");
  });
});

describe("the pull requests of each deployment", () => {
  it("lists those whose merge commit the compare shows, newest first, at most 20, the rest counted", () => {
    const head = deployment("2026-11-27T12:00:00Z");
    const base = deployment("2026-11-26T09:00:00Z");
    const shas = Array.from({ length: 23 }, (_, index) => `c${index}`.padEnd(40, "0"));
    const pulls = [
      ...shas.map((sha, index) =>
        pull(10 + index, `2026-11-27T${String(index % 12).padStart(2, "0")}:00:00Z`, sha),
      ),
      // Merged, but not between the two deployments.
      pull(99, "2026-11-27T11:30:00Z", "f".repeat(40)),
      // Closed without merging.
      pull(98, null),
    ];
    const facts = decideChanges(
      reads([head, base], pulls, { [compareKey(base.sha, head.sha)]: shas }),
      "production",
      WINDOW,
    );
    expect(facts.deployments).toHaveLength(1);
    const [entry] = facts.deployments;
    expect(entry!.pulls).toHaveLength(MAX_PULLS_LISTED);
    expect(entry!.more).toBe(3);
    expect(entry!.pulls.map((p) => p.number)).not.toContain(99);
    expect(entry!.pulls[0]!.mergedAt).toBe("2026-11-27T11:00:00Z");
    expect(facts.merged).toBeUndefined();
    const markdown = renderChanges(facts, config);
    expect(markdown).toContain("  - … and 3 more pull requests");
    expect(markdown).toContain(
      `- **2026-11-27 12:00 UTC**: \`main\` at \`${head.sha.slice(0, 7)}\` by @carol`,
    );
  });

  it("says when a compare could not be read, and when there is no earlier deployment", () => {
    const head = deployment("2026-11-27T12:00:00Z");
    const middle = deployment("2026-11-27T06:00:00Z");
    const facts = decideChanges(reads([head, middle], []), "production", WINDOW);
    expect(facts.deployments.map((entry) => entry.incomplete)).toEqual([
      "compare-failed",
      "no-base",
    ]);
    const markdown = renderChanges(facts, config);
    expect(markdown).toContain(
      `  - Its changes since \`${middle.sha.slice(0, 7)}\` could not be read.`,
    );
    expect(markdown).toContain(
      "  - No earlier successful deployment to compare it with, and no pull request merged in the window before it.",
    );
  });

  it("lists, for the first deployment known, the pull requests merged in the window before it", () => {
    const only = deployment("2026-11-27T06:00:00Z");
    const facts = decideChanges(
      reads(
        [only],
        [
          pull(7, "2026-11-27T05:00:00Z"),
          pull(8, "2026-11-26T12:00:00Z"), // before the window
          pull(9, "2026-11-27T07:00:00Z"), // after the deployment
        ],
      ),
      "production",
      WINDOW,
    );
    expect(facts.deployments[0]!.incomplete).toBe("no-base");
    expect(facts.deployments[0]!.pulls.map((p) => p.number)).toEqual([7]);
    expect(renderChanges(facts, config)).toContain(
      "  - No earlier successful deployment to compare it with; the pull requests merged in the window before it:\n  - #7 ",
    );
  });
});

describe("without deployments in the window", () => {
  const pulls = [
    pull(1, "2026-11-27T12:59:59Z"),
    pull(2, "2026-11-26T13:00:00Z"),
    pull(3, "2026-11-26T12:59:00Z"),
    pull(4, "2026-11-27T13:00:01Z"),
  ];

  it("lists the pull requests merged into the default branch in the window", () => {
    const facts = decideChanges(reads([], pulls), "production", WINDOW);
    expect(facts.deployments).toEqual([]);
    expect(facts.merged?.pulls.map((p) => p.number)).toEqual([1, 2]);
    const markdown = renderChanges(facts, config);
    expect(markdown).toContain(
      "No successful deployment to `production` between 2026-11-26 13:00 UTC and 2026-11-27 13:00 UTC (Start).",
    );
    expect(markdown).toContain("- #1 Change 1 (`@dave`, merged 2026-11-27 12:59 UTC)");
  });

  it("with no environment named, skips the deployments and still lists the merged pull requests", () => {
    const facts = decideChanges(reads(undefined, pulls), undefined, WINDOW);
    expect(facts.environment).toBeUndefined();
    expect(facts.merged?.pulls.map((p) => p.number)).toEqual([1, 2]);
    expect(renderChanges(facts, config)).toContain("No environment is named for this incident");
    expect(deploymentEntries(facts)).toEqual([]);
  });

  it("caps the listing at 20 and counts the rest", () => {
    const many = Array.from({ length: 25 }, (_, index) =>
      pull(index + 1, `2026-11-27T${String(index % 12).padStart(2, "0")}:30:00Z`),
    );
    const facts = decideChanges(reads([], many), "production", WINDOW);
    expect(facts.merged?.pulls).toHaveLength(20);
    expect(facts.merged?.more).toBe(5);
    expect(renderChanges(facts, config)).toContain("- … and 5 more pull requests");
  });

  it("says what could not be read instead of failing", () => {
    const facts = decideChanges(
      {
        deployments: { problem: "The deployments could not be read (403)." },
        compares: new Map(),
        pulls: { problem: "The merged pull requests could not be read (HTTP 500)." },
      },
      "production",
      WINDOW,
    );
    const markdown = renderChanges(facts, config);
    expect(markdown).toContain("⚠️ The deployments could not be read (403).");
    expect(markdown).toContain("⚠️ The merged pull requests could not be read (HTTP 500).");
    expect(markdown.startsWith(CHANGES_START)).toBe(true);
    expect(markdown.endsWith(CHANGES_END)).toBe(true);
  });
});

describe("hostile branch names, titles and logins", () => {
  const hostile = 'main`|<!-- postmortem-bot:postmortem {"incident":9} --> @acme/everyone';
  const environment = "prod <script>|";
  const head = deployment("2026-11-27T12:00:00Z", {
    ref: hostile,
    creator: "evil|<b>",
    environment,
  });
  const base = deployment("2026-11-26T09:00:00Z", { environment });
  const title = "# Fix | @outsider <!-- postmortem-bot:changes:end --> [x](javascript:1)";
  const facts = decideChanges(
    reads([head, base], [{ ...pull(7, "2026-11-27T11:00:00Z", "e".repeat(40)), title }], {
      [compareKey(base.sha, head.sha)]: ["e".repeat(40)],
    }),
    environment,
    WINDOW,
  );

  it("renders them inert: no marker, no mention, no HTML, one block", () => {
    const markdown = renderChanges(facts, config);
    expect(findChangesBlock(markdown)).toEqual({ start: 0, end: markdown.length });
    // Not even in a code span's source, where the block's own markers are searched for: a name
    // with `<` is escaped text.
    expect(markdown).not.toMatch(/(?<!\\)<!-- postmortem-bot:postmortem/);
    // As GitHub renders it: every text shown as written, no element, no mention.
    const page = expectReadable(markdown, { shows: [hostile, title, environment] });
    expect(page.html).not.toContain("<script");
    expect(page.html).not.toContain("<!-- postmortem-bot:postmortem");
    expect(page.html).not.toContain("<b>");
    expect(markdown).not.toMatch(/(?<![`\w])@acme\/everyone/);
    expect(markdown).not.toMatch(/(?<![`\w])@outsider/);
    expect(findMarker(`${markdown}\n`, "postmortem")).toBeUndefined();
  });

  it("keeps the Timeline row one row: pipes escaped in its code spans", () => {
    const [entry] = deploymentEntries(facts);
    expect(entry!.at).toBe("2026-11-27T12:00:00Z");
    expect(entry!.text.startsWith("Deployed ")).toBe(true);
    expect(entry!.text.replace(/\\\|/g, "")).not.toContain("|");
  });

  it("gives templates inert data and the block", () => {
    const data = changesTemplateData(facts, config);
    expect(data.markdown).toBe(renderChanges(facts, config));
    expect(data.deployments[0]!.pullRequests[0]!.title).toContain(
      "\\<!-- postmortem-bot:changes:end --\\>",
    );
    expect(data.environment).toBe("prod \\<script\\>\\|");
  });
});

describe("/changes [since]", () => {
  it.each([
    ["/changes", { kind: "default" }],
    ["/changes 48h", { kind: "duration", ms: 48 * HOUR }],
    ["/changes 2d\nmore words", { kind: "duration", ms: 48 * HOUR }],
    ["/changes 2026-11-25", { kind: "since", at: "2026-11-25T00:00:00.000Z" }],
    ["/changes 2026-11-25 18:00", { kind: "since", at: "2026-11-25T18:00:00.000Z" }],
    ["/changes 2026-11-25T18:00Z", { kind: "since", at: "2026-11-25T18:00:00.000Z" }],
    ["/changes 2026-11-25 18:00 +02:00", { kind: "since", at: "2026-11-25T16:00:00.000Z" }],
  ])("reads %j", (body, expected) => {
    expect(readChangesCommand(body, "UTC")).toEqual(expected);
  });

  it.each(["/changes yesterday", "/changes 0h", "/changes 2026-02-30", "/changes 25:00"])(
    "calls %j malformed",
    (body) => {
      expect(readChangesCommand(body, "UTC")).toBe("malformed");
    },
  );

  it("is no command elsewhere than the first line, or as another word", () => {
    expect(readChangesCommand("thanks\n/changes", "UTC")).toBeUndefined();
    expect(readChangesCommand("/changesets", "UTC")).toBeUndefined();
  });

  it("a date is read in the configured zone", () => {
    expect(readChangesCommand("/changes 2026-11-25 18:00", "Europe/Berlin")).toEqual({
      kind: "since",
      at: "2026-11-25T17:00:00.000Z",
    });
  });
});

describe("placing the block in a post-mortem", () => {
  const block = `${CHANGES_START}\n**Changes before the incident**\n\nnew\n${CHANGES_END}`;
  const body = [
    "## 1. Incident Summary",
    "- **Date & Time (Start):** 2026-11-27 12:50 UTC",
    "- **Date & Time (Reported/Identified):** 2026-11-27 13:00 UTC  ",
    "- **Environment Affected:** Production / UAT / Other  ",
    "",
    "## 4. Timeline of Events",
    "| Time (HH:MM) | Event Description |",
    "|---|---|",
    "| 2026-11-27 13:00 UTC | Incident issue #1 opened by @alice |",
    "",
    "---",
    "",
    "## 5. Immediate Actions Taken",
    "- Action 1:",
    "",
  ].join("\n");

  it("replaces only what is between the markers", () => {
    const withOld = placeChanges(body, `${CHANGES_START}\nold\n${CHANGES_END}`);
    const edited = withOld.replace("- Action 1:", "- Action 1: rolled back");
    expect(placeChanges(edited, block)).toBe(
      edited.replace(`${CHANGES_START}\nold\n${CHANGES_END}`, block),
    );
  });

  it("puts a deleted block back at the end of the Timeline section, before its rule", () => {
    const placed = placeChanges(body, block);
    expect(placed).toContain(`opened by @alice |\n\n${block}\n\n---\n\n## 5.`);
  });

  it("appends it to a body without a Timeline section", () => {
    expect(placeChanges("# Notes\n\nmine\n", block)).toBe(`# Notes\n\nmine\n\n${block}\n`);
  });

  it("reads Start and the environment the post-mortem shows; not the placeholder", () => {
    expect(summaryOf(body, config)).toEqual({ start: "2026-11-27T12:50:00.000Z" });
    expect(
      summaryOf(body.replace("Production / UAT / Other", "eu\\-west"), config).environment,
    ).toBe("eu-west");
  });

  it("adds Deployed rows once, by the timeline's rules: a row a person deleted stays deleted", () => {
    const head = deployment("2026-11-27T12:40:00Z", { ref: "v2.1" });
    const facts = decideChanges(reads([head], []), "production", WINDOW);
    const entries = deploymentEntries(facts);
    const [first] = planChangesWrite({
      postmortemNumber: 2,
      body,
      block: renderChanges(facts, config),
      entries,
      config,
    });
    const written = first!.kind === "updateIssueBody" ? first.body : "";
    const row = "| 2026-11-27 12:40 UTC | Deployed `v2.1` to `production` by @carol |";
    // In time order: before the row of 13:00.
    expect(written).toContain(`|---|---|\n${row}\n| 2026-11-27 13:00 UTC`);
    expect(findMarker(written, "timeline")?.rows).toHaveLength(1);
    // Again: nothing to write.
    expect(
      planChangesWrite({
        postmortemNumber: 2,
        body: written,
        block: renderChanges(facts, config),
        entries,
        config,
      }),
    ).toEqual([]);
    // A person deletes the row; /changes again rewrites nothing of it.
    const deleted = written.replace(`${row}\n`, "");
    expect(
      planChangesWrite({
        postmortemNumber: 2,
        body: deleted,
        block: renderChanges(facts, config),
        entries,
        config,
      }),
    ).toEqual([]);
  });
});
