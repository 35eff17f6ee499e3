// The culprit check's decisions (src/core/culprit-check/plan.ts): which post-mortems a pull
// request is implicated in, the check run it gets, and the one write that makes it so.
import { describe, expect, it } from "vitest";
import type { Config } from "../../../src/core/config.js";
import { parseConfig } from "../../../src/core/config.js";
import type { IndexEntry } from "../../../src/core/culprits/path-index.js";
import {
  anyBlocking,
  checkWrite,
  desiredCheck,
  implications,
  watchedEntries,
} from "../../../src/core/culprit-check/plan.js";

const NOW = new Date("2026-11-27T13:00:00Z");
const URL = "https://github.com/acme/web";

function config(raw: unknown = {}): Config {
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
}

function entry(partial: Partial<IndexEntry> = {}): IndexEntry {
  return {
    postmortem: 12,
    title: "Checkout returns 500",
    severity: "P2",
    private: false,
    openedAt: "2026-11-01T10:00:00Z",
    culprits: [{ pr: 41, paths: ["src/checkout.ts", "src/cart.ts"], morePaths: 0 }],
    openCapa: [{ number: 14, title: "Validate checkout config" }],
    ...partial,
  };
}

describe("watchedEntries", () => {
  it("keeps entries opened within changes.watchDays and drops older ones", () => {
    const recent = entry({ openedAt: "2026-06-01T13:00:00Z" }); // 179 days before NOW
    const edge = entry({ postmortem: 13, openedAt: "2026-05-31T13:00:00Z" }); // exactly 180
    const stale = entry({ postmortem: 11, openedAt: "2026-05-31T12:59:59Z" });
    expect(watchedEntries([recent, edge, stale], config(), NOW)).toEqual([recent, edge]);
    expect(watchedEntries([recent], config({ changes: { watchDays: 30 } }), NOW)).toEqual([]);
  });
});

describe("implications", () => {
  it("lists the overlapping paths of each implicated post-mortem, newest first", () => {
    const older = entry({ postmortem: 5, openedAt: "2026-10-01T00:00:00Z" });
    const newer = entry({
      postmortem: 12,
      culprits: [
        { pr: 41, paths: ["src/cart.ts"], morePaths: 0 },
        { pr: 42, paths: ["src/pay.ts"], morePaths: 0 },
      ],
    });
    const untouched = entry({
      postmortem: 7,
      culprits: [{ pr: 3, paths: ["docs/x.md"], morePaths: 0 }],
    });
    const found = implications(
      [older, untouched, newer],
      ["src/pay.ts", "src/cart.ts", "README.md", "src/cart.ts"],
      config(),
    );
    expect(found.map((i) => [i.entry.postmortem, i.paths, i.blocking])).toEqual([
      [12, ["src/cart.ts", "src/pay.ts"], false],
      [5, ["src/cart.ts"], false],
    ]);
  });

  it("marks post-mortems whose severity's policy is blocking", () => {
    const blocking = config({ policy: { P1: { culpritCheck: "blocking" } } });
    const found = implications(
      [entry({ severity: "P1" }), entry({ postmortem: 3, severity: "P2" })],
      ["src/cart.ts"],
      blocking,
    );
    expect(found.map((i) => i.blocking)).toEqual([true, false]);
  });
});

describe("anyBlocking", () => {
  it("is true when any severity, the default's included, is blocking", () => {
    expect(anyBlocking(config())).toBe(false);
    expect(anyBlocking(config({ policy: { P3: { culpritCheck: "neutral" } } }))).toBe(false);
    expect(anyBlocking(config({ policy: { P3: { culpritCheck: "blocking" } } }))).toBe(true);
    expect(anyBlocking(config({ policy: { default: { culpritCheck: "blocking" } } }))).toBe(true);
  });
});

describe("desiredCheck", () => {
  it("gives no check when nothing is implicated and nothing is blocking", () => {
    expect(desiredCheck([], config(), URL)).toBeUndefined();
  });

  it("gives success to a clean pull request where a severity is blocking", () => {
    const check = desiredCheck([], config({ policy: { P1: { culpritCheck: "blocking" } } }), URL);
    expect(check).toEqual({
      conclusion: "success",
      title: "No post-mortem implicates this change",
      summary:
        "No path this pull request changes was changed by a culprit of a post-mortem of the last 180 days.",
    });
  });

  it("names the post-mortem, its severity, paths and open CAPA children; neutral by default", () => {
    const found = implications([entry()], ["src/cart.ts", "src/checkout.ts"], config());
    expect(desiredCheck(found, config(), URL)).toEqual({
      conclusion: "neutral",
      title: "Touches code implicated in a post-mortem",
      summary: [
        "This pull request changes paths that the culprits of a post-mortem of the last 180 days changed.",
        "",
        "### [#12](https://github.com/acme/web/issues/12) Checkout returns 500",
        "",
        "- Severity: P2",
        "- Paths: `src/cart.ts`, `src/checkout.ts`",
        "- Open corrective actions: [#14](https://github.com/acme/web/issues/14) Validate checkout config",
      ].join("\n"),
    });
  });

  it("fails when an implicated severity is blocking", () => {
    const blocking = config({ policy: { P2: { culpritCheck: "blocking" } } });
    const check = desiredCheck(implications([entry()], ["src/cart.ts"], blocking), blocking, URL);
    expect(check?.conclusion).toBe("failure");
    expect(check?.summary).toContain("- Severity: P2 (blocking)");
  });

  it("shows 10 paths, then counts the rest", () => {
    const paths = Array.from({ length: 13 }, (_, i) => `src/f${String(i).padStart(2, "0")}.ts`);
    const wide = entry({ culprits: [{ pr: 41, paths, morePaths: 0 }], openCapa: [] });
    const check = desiredCheck(implications([wide], paths, config()), config(), URL)!;
    const line = check.summary.split("\n").find((l) => l.startsWith("- Paths:"));
    expect(line).toBe(
      `- Paths: ${paths
        .slice(0, 10)
        .map((p) => `\`${p}\``)
        .join(", ")} and 3 more`,
    );
    expect(check.summary).toContain("- Open corrective actions: none");
  });

  it("says of a private post-mortem only that it is implicated", () => {
    const secret = entry({
      postmortem: undefined,
      title: undefined,
      private: true,
      openCapa: [],
      culprits: [{ pr: 41, paths: ["src/secret-name.ts"], morePaths: 0 }],
    });
    const check = desiredCheck(
      implications([secret], ["src/secret-name.ts"], config()),
      config(),
      URL,
    )!;
    expect(check).toEqual({
      conclusion: "neutral",
      title: "Implicated in a private post-mortem",
      summary:
        "This pull request changes paths that the culprits of a post-mortem of the last 180 days changed.\n\nThis change is implicated in a private post-mortem.",
    });
  });

  it("makes hostile titles and paths inert", () => {
    const hostile = entry({
      title: "## Pwned @org/team <img src=x> [link](https://evil.example)",
      culprits: [{ pr: 41, paths: ["a`b\n- [x] c.ts"], morePaths: 0 }],
      openCapa: [{ number: 14, title: "@alice <!-- hidden -->" }],
    });
    const check = desiredCheck(
      implications([hostile], ["a`b\n- [x] c.ts"], config()),
      config(),
      URL,
    )!;
    // Escaped (`\<`), in code spans, or cut to one line: nothing renders as HTML, a mention or an item.
    expect(check.summary).not.toMatch(/(?<!\\)<img|(?<!\\)<!--|(?<!`)@org|(?<!`)@alice|\n- \[x\]/);
    expect(check.summary).toContain("\\## Pwned");
    expect(check.summary).toContain("`@org/team`");
    expect(check.summary).toContain("``a`b - [x] c.ts``");
  });
});

describe("checkWrite", () => {
  const desired = { conclusion: "neutral" as const, title: "T", summary: "S" };
  it("creates where none of ours exists", () => {
    expect(checkWrite([], desired)).toEqual({ kind: "create-check-run", output: desired });
  });
  it("writes nothing where the newest already says it", () => {
    const run = { id: 5, status: "completed", conclusion: "neutral", title: "T", summary: "S" };
    expect(checkWrite([run], desired)).toBeUndefined();
  });
  it("updates the newest where it differs", () => {
    const old = { id: 5, status: "completed", conclusion: "neutral", title: "T", summary: "old" };
    const newer = { ...old, id: 9 };
    expect(checkWrite([newer, old], desired)).toEqual({
      kind: "update-check-run",
      id: 9,
      output: desired,
    });
  });
});
