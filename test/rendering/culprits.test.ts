// What `/culprit` writes, fed hostile pull request titles, logins and paths, rendered with
// cmark-gfm as GitHub does: the words show as written, no mention or structure escapes.
import { describe, expect, it } from "vitest";
import { contributingLine, relatedLine, withCulprits } from "../../src/core/culprits/plan.js";
import { renderReportMarkdown } from "../../src/core/report/render.js";
import type { ReliabilityReport } from "../../src/core/report/compute.js";
import { renderedPostmortem } from "../core/capa/fixtures.js";
import { expectReadable, tableWith } from "./expect.js";
import { HOSTILE_TEXTS, visible } from "./hostile.js";
import { truncate } from "../../src/core/markdown-text.js";
import { renderGfm } from "./render.js";

describe("culprit lines as GitHub renders them", () => {
  it("show a hostile title as written, in one list item, mentioning only the author", () => {
    for (const title of HOSTILE_TEXTS) {
      const line = contributingLine(
        {
          number: 41,
          title,
          author: "alice",
          state: "closed",
          mergedAt: "2026-11-26T10:00:00Z",
          changedFiles: 1,
        },
        "UTC",
      );
      const body = withCulprits(renderedPostmortem(), {
        add: [{ pr: 41, line }],
        remove: [],
        related: [7],
        commented: [],
      })!;
      const rendered = expectReadable(line, {
        shows: [truncate(visible(title), 200)],
        mentions: ["@alice"],
      });
      expect(rendered.html.match(/<li>/g)).toHaveLength(1);
      const whole = renderGfm(body);
      expect(whole.text).toContain("Contributing change:");
      expect(whole.text).toContain(
        relatedLine(7).replace(/^- \*\*Possibly related:\*\* /, "Possibly related: "),
      );
    }
  });

  it("an odd login is written inert, not mentioned", () => {
    const line = contributingLine(
      {
        number: 41,
        title: "t",
        author: "a b @everyone",
        state: "open",
        mergedAt: undefined,
        changedFiles: 0,
      },
      "UTC",
    );
    expectReadable(line, { shows: ["@a b @everyone"] });
  });
});

describe("the report's implicated paths as GitHub renders them", () => {
  it("keep two cells per row whatever the path", () => {
    const report = {
      period: { since: "2026-08-01", until: "2026-10-31", timezone: "UTC" },
      generatedAt: "2026-11-29T12:00:00.000Z",
      incidents: { total: 0, bySeverity: { P1: 0, P2: 0, P3: 0, P4: 0, default: 0 }, byMonth: [] },
      timeToResolve: { count: 0, medianHours: null, p90Hours: null },
      timeToApproval: { count: 0, medianHours: null, p90Hours: null },
      actions: {
        opened: 0,
        done: 0,
        wontDo: 0,
        open: 0,
        overdue: 0,
        doneWithDueDate: 0,
        doneOnTime: 0,
        onTimePercent: null,
        closedWithoutEvidence: 0,
      },
      evidence: {
        timeToMerge: { count: 0, medianHours: null, p90Hours: null },
        timeToShip: { count: 0, medianHours: null, p90Hours: null },
        closedAsCompleted: 0,
        byKind: { shipped: 0, merged: 0, manual: 0, none: 0 },
        percentByKind: { shipped: null, merged: null, manual: null, none: null },
      },
      oldestOpenActions: [],
      culprits: {
        withCulprits: 1,
        repeats: [],
        implicatedPaths: HOSTILE_TEXTS.map((path) => ({ path, postmortems: 1 })),
      },
    } satisfies ReliabilityReport;
    const rendered = expectReadable(renderReportMarkdown(report, "acme/web"), {
      shows: HOSTILE_TEXTS.map((text) => truncate(visible(text), 200)),
    });
    expect(tableWith(rendered, ["Path", "Post-mortems"]).rows).toHaveLength(HOSTILE_TEXTS.length);
  });
});
