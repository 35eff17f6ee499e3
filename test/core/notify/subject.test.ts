import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config.js";
import { defaultConfig } from "../../../src/core/config.js";
import { issueUrl, mayNotify, noticeSubject } from "../../../src/core/notify/subject.js";
import { postmortemIssue } from "../fixtures.js";

describe("what a notice says of its post-mortem", () => {
  it("its link on github.com, or on the server the run names", () => {
    expect(issueUrl({ owner: "acme", repo: "web" }, 4)).toBe(
      "https://github.com/acme/web/issues/4",
    );
    expect(issueUrl({ owner: "acme", repo: "web" }, 4, "https://ghe.example/")).toBe(
      "https://ghe.example/acme/web/issues/4",
    );
  });

  it("its severity by the one rule (marker, incident labels), and a private one's title left out", () => {
    const url = (n: number) => `u/${n}`;
    const answered = postmortemIssue(20, {
      body: '<!-- postmortem-bot:postmortem {"incident":12,"severity":"P3"} -->',
    });
    expect(noticeSubject(answered, defaultConfig, url)).toEqual({
      postmortem: 20,
      severity: "P3",
      title: "Post-mortem: Checkout returns 500",
      url: "u/20",
    });
    expect(noticeSubject(answered, defaultConfig, url, ["incident", "P1"]).severity).toBe("P1");
    const secret = postmortemIssue(21, {
      title: "Post-mortem: credentials leaked",
      body: '<!-- postmortem-bot:postmortem {"source":{"repository":"acme/web","incident":12}} -->',
    });
    expect(noticeSubject(secret, defaultConfig, url)).toEqual({
      postmortem: 21,
      severity: undefined,
      title: "",
      url: "u/21",
      private: true,
    });
  });
});

describe("mayNotify", () => {
  it("whether any route may send the event: none without routes, a route without events sends all", () => {
    expect(mayNotify(defaultConfig, "capa-overdue")).toBe(false);
    const parsed = parseConfig({
      notify: {
        receivers: { sre: { kind: "slack" }, hook: { kind: "webhook" } },
        routes: [
          { events: ["opened"], to: ["sre"] },
          { events: ["review-late"], severities: ["P1"], to: ["hook"] },
        ],
      },
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    expect(mayNotify(parsed.config, "review-late")).toBe(true);
    expect(mayNotify(parsed.config, "capa-overdue")).toBe(false);
    const all = parseConfig({
      notify: { receivers: { sre: { kind: "slack" } }, routes: [{ to: ["sre"] }] },
    });
    if (!all.ok) throw new Error(all.problems.join("; "));
    expect(mayNotify(all.config, "capa-overdue")).toBe(true);
  });
});
