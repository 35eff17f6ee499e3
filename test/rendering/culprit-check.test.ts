// The culprit check's run, as GitHub renders its summary: post-mortem titles, CAPA titles and
// paths (all hostile text) show as written and mention nobody.
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/core/config.js";
import { desiredCheck, implications } from "../../src/core/culprit-check/plan.js";
import { expectReadable } from "./expect.js";
import { HOSTILE_TEXTS } from "./hostile.js";

describe("the culprit check's summary as GitHub renders it", () => {
  it.each(HOSTILE_TEXTS.filter((text) => text.length <= 80))(
    "a hostile post-mortem title, CAPA title and path show as written: %s",
    (text) => {
      const path = `src/${text}`;
      const entry = {
        postmortem: 12,
        title: text,
        severity: "P1" as const,
        private: false,
        openedAt: "2026-11-01T00:00:00Z",
        culprits: [{ pr: 41, paths: [path], morePaths: 0 }],
        openCapa: [{ number: 14, title: text }],
      };
      const check = desiredCheck(
        implications([entry], [path], defaultConfig),
        defaultConfig,
        "https://github.com/acme/web",
      )!;
      const page = expectReadable(check.summary, { shows: [text, path] });
      expect(page.mentions).toEqual([]);
      expect(page.text).toContain("Severity: P1");
    },
  );
});
