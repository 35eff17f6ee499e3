// What the evidence flow writes, as GitHub renders it: a maintainer's `/evidence` text shows as
// written and mentions nobody; the comments mention only the child's assignees.
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/core/config.js";
import { planChildEvidence, withEvidence } from "../../src/core/evidence/index.js";
import { MANUAL_TEXT_MAX } from "../../src/core/evidence/model.js";
import { findMarker } from "../../src/core/markers.js";
import { child } from "../core/capa/fixtures.js";
import { appWriters } from "../support/writers.js";
import { expectReadable } from "./expect.js";
import { HOSTILE_TEXTS } from "./hostile.js";

const fix = {
  pr: 41,
  url: "https://github.com/acme/shop/pull/41",
  at: "2026-11-20T10:00:00Z",
  sha: "a".repeat(40),
};

describe("evidence as GitHub renders it", () => {
  it.each(HOSTILE_TEXTS.filter((text) => text.length <= MANUAL_TEXT_MAX))(
    "a maintainer's /evidence text shows as written, mentions nobody, and the marker stays whole: %s",
    (text) => {
      const manual = { by: "maria", text, at: "2026-11-21T10:00:00Z", comment: 9001 };
      const body = withEvidence(child(31, "k").body, { merged: [fix], manual }, "UTC");
      const page = expectReadable(body, { shows: [text], mentions: ["@carol", "@maria"] });
      expect(page.text).toContain("Fixed by #41 (merged 2026-11-20)");
      expect(findMarker(body, "capa")?.evidence?.manual?.text).toBe(text);
    },
  );

  it("the comments about missing and reverted evidence mention only the assignees", () => {
    const closed = child(31, "k", {
      state: "closed",
      stateReason: "completed",
      assignees: ["carol", "dana"],
    });
    const config = { ...defaultConfig, evidence: { ...defaultConfig.evidence } };
    const comments = [
      ...planChildEvidence(config, {
        child: closed,
        evidence: {},
        comments: [],
        writers: appWriters,
        required: "merged",
      }),
      ...planChildEvidence(config, {
        child: closed,
        evidence: { merged: [fix], reverted: [{ pr: 41, by: 45 }] },
        comments: [],
        writers: appWriters,
        required: "merged",
        revert: { pr: 41, by: 45 },
      }),
    ].flatMap((step) => (step.kind === "createComment" ? [step.body] : []));
    expect(comments).toHaveLength(2);
    for (const comment of comments) {
      const page = expectReadable(comment, { mentions: ["@carol", "@dana"] });
      expect(page.mentions).toEqual(["@carol", "@dana"]);
    }
  });
});
