import { describe, expect, it } from "vitest";
import type { Config } from "../../../src/core/config.js";
import { parseConfig } from "../../../src/core/config.js";
import { readCulpritCommand } from "../../../src/core/culprits/command.js";
import {
  entryComment,
  planIndexEntry,
  planIndexIssue,
  trustedIndex,
  INDEX_TITLE,
} from "../../../src/core/culprits/index-plan.js";
import type { IndexComment, IndexEntry } from "../../../src/core/culprits/path-index.js";
import { decodeEntry, INDEX_LABEL } from "../../../src/core/culprits/path-index.js";
import {
  contributingLine,
  culpritsOf,
  indexEntryOf,
  pullComment,
  repeatsOf,
  withCulprits,
} from "../../../src/core/culprits/plan.js";
import { renderPostmortem } from "../../../src/core/incident/content.js";
import { findMarker } from "../../../src/core/markers.js";
import { builtInTemplate } from "../../../src/handlers/built-in-template.js";
import { incidentIssue, labeledEvent, repository } from "../fixtures.js";
import { appWriters } from "../../support/writers.js";

const config = (parseConfig({}) as { ok: true; config: Config }).config;
const BOT = { login: "postmortem-bot[bot]", type: "Bot" };

function postmortemBody(): string {
  const incident = incidentIssue();
  const content = renderPostmortem(incident, labeledEvent(incident), config, repository, {
    name: "built-in",
    source: builtInTemplate(),
  });
  if (!content.ok) throw new Error(content.problem);
  return content.body;
}

function rca(body: string): string {
  return body.slice(body.indexOf("## 3. Root Cause"), body.indexOf("## 4."));
}

const PULL = {
  number: 41,
  title: "Cache <script>alert(1)</script> | @everyone\n# heading",
  author: "alice",
  state: "closed" as const,
  mergedAt: "2026-11-20T23:30:00Z",
  changedFiles: 2,
};

describe("/culprit commands", () => {
  it("reads numbers to record and to remove", () => {
    expect(readCulpritCommand("/culprit #41 #42\nbecause")).toEqual({ add: [41, 42], remove: [] });
    expect(readCulpritCommand("/CULPRIT -#41")).toEqual({ add: [], remove: [41] });
    expect(readCulpritCommand("/culprit #41, #41")).toEqual({ add: [41], remove: [] });
    expect(readCulpritCommand("We found the /culprit #41")).toBeUndefined();
    expect(readCulpritCommand("/culprits #41")).toBeUndefined();
  });

  it("calls anything else malformed", () => {
    for (const text of [
      "/culprit",
      "/culprit 41",
      "/culprit #41 x",
      "/culprit #4 -#4",
      "/culprit #0",
    ])
      expect(readCulpritCommand(text)).toBe("malformed");
    expect(readCulpritCommand(`/culprit ${"#1 ".repeat(11)}`)).toBe("malformed");
  });
});

describe("a post-mortem's culprits", () => {
  const body = postmortemBody();

  it("records a culprit in the marker and one inert line at the end of Root Cause Analysis", () => {
    const line = contributingLine(PULL, "Europe/Berlin");
    expect(line).toBe(
      "- **Contributing change:** #41 Cache \\<script\\>alert(1)\\</script\\> \\| `@everyone` # heading by @alice (merged 2026-11-21)",
    );
    const written = withCulprits(body, {
      add: [{ pr: 41, line }],
      remove: [],
      related: [],
      commented: [],
    })!;
    expect(rca(written)).toBe(
      rca(body).replace(
        "  - Monitoring/Alerting gaps?\n",
        `  - Monitoring/Alerting gaps?\n${line}\n`,
      ),
    );
    expect(written.replace(rca(written), "")).toBe(
      body
        .replace(rca(body), "")
        .replace('"gate":2}', '"gate":2,"culprits":[{"pr":41,"commented":false}]}'),
    );
    expect(culpritsOf(written)).toEqual([{ pr: 41, commented: false }]);
    // Again: nothing changes (a redelivery).
    expect(
      withCulprits(written, { add: [{ pr: 41, line }], remove: [], related: [], commented: [] }),
    ).toBe(written);
    // Removed: the line and the record go; the rest is as it was.
    const removed = withCulprits(written, { add: [], remove: [41], related: [], commented: [] })!;
    expect(culpritsOf(removed)).toEqual([]);
    expect(rca(removed)).toBe(rca(body));
  });

  it("marks a culprit commented and links a related post-mortem once", () => {
    const line = contributingLine({ ...PULL, mergedAt: undefined, state: "open" }, "UTC");
    expect(line).toContain("(not merged yet)");
    const once = withCulprits(body, {
      add: [{ pr: 41, line }],
      remove: [],
      related: [7],
      commented: [41],
    })!;
    expect(findMarker(once, "postmortem")).toMatchObject({
      culprits: [{ pr: 41, commented: true }],
      related: [7],
    });
    expect(rca(once)).toContain(
      `${line}\n- **Possibly related:** #7 (its culprits changed some of the same paths)\n`,
    );
    // A person deleted the related line: it is not written again.
    const deleted = once.replace(
      "- **Possibly related:** #7 (its culprits changed some of the same paths)\n",
      "",
    );
    expect(withCulprits(deleted, { add: [], remove: [], related: [7], commented: [] })).toBe(
      deleted,
    );
  });

  it("names a private post-mortem's pull request in its repository, and nothing of it on the pull request", () => {
    expect(contributingLine(PULL, "UTC", "acme/web")).toMatch(
      /^- \*\*Contributing change:\*\* acme\/web#41 /,
    );
    const comment = pullComment({ key: "a".repeat(32), private: true });
    expect(comment).toBe(
      `This pull request was recorded as contributing to a private post-mortem.\n\n<!-- postmortem-bot:culprit {"key":"${"a".repeat(32)}"} -->`,
    );
  });
});

const entry = (
  postmortem: number,
  paths: string[],
  openedAt = "2026-11-01T00:00:00.000Z",
): IndexEntry => ({
  postmortem,
  title: `Post-mortem ${postmortem}`,
  private: false,
  openedAt,
  culprits: [{ pr: postmortem * 10, paths, morePaths: 0 }],
  openCapa: [],
});

describe("repeats", () => {
  const now = new Date("2026-11-27T13:00:00Z");
  const changes = { watchDays: 180, repeatOverlap: 0 };

  it("links earlier post-mortems sharing any path, within watchDays, never a private one", () => {
    const mine = [{ pr: 99, paths: ["src/a.ts", "src/b.ts"], morePaths: 0 }];
    const others: IndexEntry[] = [
      entry(3, ["src/b.ts"]),
      entry(4, ["src/c.ts"]),
      entry(5, ["src/a.ts"], "2026-01-01T00:00:00.000Z"), // older than 180 days
      entry(20, ["src/a.ts"]), // later
      {
        ...entry(6, ["src/a.ts"]),
        postmortem: undefined,
        title: undefined,
        private: true,
        key: "b".repeat(32),
      },
    ];
    expect(repeatsOf({ number: 12 }, mine, others, changes, now)).toEqual([3]);
    expect(
      repeatsOf({ number: 12 }, mine, others, { ...changes, repeatOverlap: 0.6 }, now),
    ).toEqual([]);
    expect(
      repeatsOf({ number: 12 }, mine, others, { ...changes, repeatOverlap: 0.5 }, now),
    ).toEqual([3]);
  });
});

function comment(id: number, body: string, over: Partial<IndexComment> = {}): IndexComment {
  return {
    id,
    author: BOT,
    createdAt: "2026-11-27T12:00:00Z",
    updatedAt: "2026-11-27T12:00:00Z",
    body,
    ...over,
  };
}

describe("the path index", () => {
  it("creates the index issue, then closes and locks it; the lowest-numbered one wins", () => {
    expect(planIndexIssue([], appWriters).steps).toEqual([
      {
        kind: "createIssue",
        title: INDEX_TITLE,
        body: expect.any(String),
        labels: [INDEX_LABEL],
        assignees: [],
      },
    ]);
    const issue = (number: number, over = {}) => ({
      number,
      state: "open" as const,
      stateReason: null,
      locked: false,
      author: BOT,
      body: "b",
      ...over,
    });
    const forged = issue(1, { author: { login: "mallory", type: "User" } });
    const planned = planIndexIssue([forged, issue(9), issue(8)], appWriters);
    expect(planned.winner?.number).toBe(8);
    expect(planned.steps).toEqual([
      { kind: "closeIssue", issueNumber: 8, stateReason: "completed" },
      { kind: "lockIssue", issueNumber: 8 },
      {
        kind: "closeIssue",
        issueNumber: 9,
        stateReason: "duplicate",
        body: expect.stringMatching(
          /^<!-- postmortem-bot:duplicate \{"of":8\} -->\n> \*\*Duplicate of #8\.\*\*/,
        ),
      },
      { kind: "removeLabel", issueNumber: 9, name: INDEX_LABEL },
    ]);
    expect(planIndexIssue([issue(8, { state: "closed", locked: true })], appWriters).steps).toEqual(
      [],
    );
  });

  it("trusts only the product's unedited comments, newest first", () => {
    const a = entry(12, ["src/a.ts"]);
    const b = entry(12, ["src/b.ts"]);
    const comments = [
      comment(1, entryComment(a)),
      comment(2, entryComment(b)),
      comment(3, entryComment(entry(13, ["x"])), { updatedAt: "2026-11-27T12:05:00Z" }),
      comment(4, entryComment(entry(14, ["y"])), { author: { login: "mallory", type: "User" } }),
    ];
    expect(trustedIndex(comments, appWriters)).toEqual({ entries: [b], untrusted: [13, 14] });
    expect(entryComment(b)).toMatch(
      /^Post-mortem #12: culprits #120, 1 path\.\n\n<!-- postmortem-bot:path-index \{"v":1,"data":"[A-Za-z0-9+/=]+"\} -->$/,
    );
    expect(decodeEntry(findMarker(entryComment(b), "path-index"))).toEqual(b);
  });

  it("writes a new comment, never an edit, then deletes the older ones", () => {
    const a = entry(12, ["src/a.ts"]);
    const b = entry(12, ["src/b.ts"]);
    const edited = comment(3, entryComment(b), { updatedAt: "2026-11-27T12:05:00Z" });
    expect(
      planIndexEntry(5, [comment(1, entryComment(a)), edited], { postmortem: 12 }, b, appWriters),
    ).toEqual([{ kind: "createComment", issueNumber: 5, body: entryComment(b) }]);
    const after = [comment(1, entryComment(a)), edited, comment(4, entryComment(b))];
    expect(planIndexEntry(5, after, { postmortem: 12 }, b, appWriters)).toEqual([
      { kind: "deleteComment", commentId: 1 },
      { kind: "deleteComment", commentId: 3 },
    ]);
    expect(
      planIndexEntry(5, [comment(4, entryComment(b))], { postmortem: 12 }, b, appWriters),
    ).toEqual([]);
    expect(
      planIndexEntry(5, [comment(4, entryComment(b))], { postmortem: 12 }, undefined, appWriters),
    ).toEqual([{ kind: "deleteComment", commentId: 4 }]);
  });

  it("names nothing of a private post-mortem in its entry", () => {
    const built = indexEntryOf({
      postmortem: {
        id: 1,
        number: 12,
        title: "Leaked keys",
        body: "",
        state: "open",
        stateReason: null,
        author: BOT,
        labels: [],
        assignees: [],
        createdAt: "2026-11-27T12:00:00Z",
        isPullRequest: false,
      },
      severity: "P1",
      key: "c".repeat(32),
      culprits: [{ pr: 41, paths: ["src/a.ts"], morePaths: 0 }],
      openCapa: [{ number: 13, title: "Rotate keys" }],
    });
    expect(built).toEqual({
      private: true,
      key: "c".repeat(32),
      severity: "P1",
      openedAt: "2026-11-27T12:00:00.000Z",
      culprits: [{ pr: 41, paths: ["src/a.ts"], morePaths: 0 }],
      openCapa: [],
    });
    expect(entryComment(built)).toMatch(/^A private post-mortem: 1 culprit, 1 path\./);
  });

  it("fits an entry of many culprits with hundreds of odd paths into one comment, the rest counted", () => {
    let seed = 7;
    const word = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed.toString(36);
    };
    const culprits = Array.from({ length: 30 }, (_, i) => ({
      pr: i + 1,
      paths: Array.from({ length: 300 }, () => `src/${word()}/${word()}${word()}.ts`),
      morePaths: 5,
    }));
    const built = indexEntryOf({
      postmortem: {
        id: 1,
        number: 12,
        title: "Big",
        body: "",
        state: "open",
        stateReason: null,
        author: BOT,
        labels: [],
        assignees: [],
        createdAt: "2026-11-27T12:00:00Z",
        isPullRequest: false,
      },
      severity: "P2",
      culprits,
      openCapa: [],
    });
    expect(entryComment(built).length).toBeLessThanOrEqual(65_536);
    const kept = built.culprits.reduce((sum, c) => sum + c.paths.length, 0);
    const counted = built.culprits.reduce((sum, c) => sum + c.morePaths, 0);
    expect(kept).toBeLessThan(9000);
    expect(kept + counted).toBe(9000 + 30 * 5);
  });
});
