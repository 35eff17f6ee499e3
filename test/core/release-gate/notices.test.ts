import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/core/config.js";
import type { GateEntry } from "../../../src/core/release-gate/gate.js";
import { releaseGateNotice } from "../../../src/core/release-gate/notices.js";
import { renderedPostmortem } from "../capa/fixtures.js";
import { postmortemIssue } from "../fixtures.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const url = (n: number) => `https://github.com/acme/shop/issues/${n}`;

function blocking(
  number: number,
  severity: GateEntry["severity"],
  assignees: string[],
  body = renderedPostmortem(),
): GateEntry {
  return {
    postmortem: postmortemIssue(number, { body, title: `Post-mortem ${number}`, assignees }),
    severity,
    reasons: [{ kind: "review-late", deadline: "2026-11-20" }],
  };
}

describe("release-gate-blocking", () => {
  it("one per commit, on the lowest-numbered blocking post-mortem, the most severe severity, all their assignees", () => {
    const notice = releaseGateNotice({
      verdict: {
        passed: false,
        blocking: [
          blocking(25, "P1", ["bob", "pat"]),
          blocking(20, "P3", ["pat"]),
          blocking(22, "default", []),
        ],
      },
      release: SHA,
      config: defaultConfig,
      url,
    });
    expect(notice).toEqual({
      event: "release-gate-blocking",
      key: `release-gate-blocking:${SHA}`,
      issueNumber: 20,
      postmortem: 20,
      severity: "P1",
      title: "Post-mortem 20",
      url: "https://github.com/acme/shop/issues/20",
      people: ["pat", "bob"],
      detail: "3 post-mortems block the release of 0123456: #20, #22, #25",
    });
  });

  it("a ref when there is no commit; one post-mortem; no severity when none is known", () => {
    expect(
      releaseGateNotice({
        verdict: { passed: false, blocking: [blocking(20, "default", [])] },
        release: "refs/heads/main",
        config: defaultConfig,
        url,
      }),
    ).toMatchObject({
      key: "release-gate-blocking:refs/heads/main",
      severity: undefined,
      people: [],
      detail: "1 post-mortem blocks the release of refs/heads/main: #20",
    });
  });

  it("nothing when the gate passes (waived post-mortems block nothing)", () => {
    expect(
      releaseGateNotice({
        verdict: { passed: true, blocking: [] },
        release: SHA,
        config: defaultConfig,
        url,
      }),
    ).toBeUndefined();
  });

  it("a private post-mortem first: no title", () => {
    const body = renderedPostmortem().replace(
      /<!-- postmortem-bot:postmortem \{[^}]*\} -->/,
      '<!-- postmortem-bot:postmortem {"source":{"repository":"acme/shop","incident":12}} -->',
    );
    expect(
      releaseGateNotice({
        verdict: { passed: false, blocking: [blocking(20, "P2", [], body)] },
        release: SHA,
        config: defaultConfig,
        url,
      }),
    ).toMatchObject({ private: true, title: "", severity: "P2" });
  });
});
