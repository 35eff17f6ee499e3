import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import {
  FIXTURES_DIR,
  fixtureEventName,
  fixtureNames,
  loadWebhookPayload,
  packageExamples,
  signPayload,
  validateWebhook,
  webhook,
} from "./webhooks.js";

describe("fixtures", () => {
  it("cover the events @octokit/webhooks-examples lacks", () => {
    expect(fixtureNames()).toEqual([
      "issues.closed",
      "issues.edited.body-changed",
      "issues.edited.title-changed",
      "pull_request.synchronize",
      "push",
      "sub_issues.parent_issue_added",
      "sub_issues.parent_issue_removed",
      "sub_issues.sub_issue_added",
      "sub_issues.sub_issue_removed",
    ]);
    expect(packageExamples("issues.closed")).toEqual([]);
    expect(packageExamples("sub_issues.sub_issue_added")).toEqual([]);
    expect(packageExamples("push").every((e) => validateWebhook("push", e).length > 0)).toBe(true);
    const synchronize = packageExamples("pull_request.synchronize");
    expect(
      synchronize.every((e) => validateWebhook("pull_request.synchronize", e).length > 0),
    ).toBe(true);
    expect(
      packageExamples("issues.edited").every((e) => Object.keys(e.changes ?? {}).length === 0),
    ).toBe(true);
  });

  it.each(fixtureNames())("%s validates against @octokit/openapi-webhooks", (name) => {
    const payload = JSON.parse(readFileSync(`${FIXTURES_DIR}${name}.json`, "utf8")) as unknown;
    expect(validateWebhook(fixtureEventName(name), payload)).toEqual([]);
  });

  it("the validator uses ajv's 2020 draft and does reject bad payloads", () => {
    expect(new Ajv2020().getSchema("https://json-schema.org/draft/2020-12/schema")).toBeDefined();
    const payload = loadWebhookPayload("sub_issues.sub_issue_added") as unknown as Record<
      string,
      unknown
    >;
    payload.sub_issue_id = "12";
    delete (payload.sub_issue as Record<string, unknown>).id;
    expect(validateWebhook("sub_issues.sub_issue_added", payload)).toEqual([
      'sub_issues.sub_issue_added/sub_issue_id must be number (got "12")',
      "sub_issues.sub_issue_added/sub_issue must have required property 'id'",
    ]);
    expect(validateWebhook("issues.nope", {})).toEqual([
      "no schema webhook-issues-nope in @octokit/openapi-webhooks",
    ]);
  });
});

describe("loadWebhookPayload", () => {
  it("returns a deep copy of a real, schema-valid example", () => {
    const a = loadWebhookPayload("issues.opened");
    const b = loadWebhookPayload("issues.opened");
    expect(a).toEqual(b);
    a.issue.title = "changed";
    expect(b.issue.title).not.toBe("changed");
    expect(packageExamples("issues.opened")[0]).not.toMatchObject({ issue: { title: "changed" } });
    expect(validateWebhook("issues.opened", a)).toEqual([]);
  });

  it("falls back to our fixtures, and picks variants or examples on request", () => {
    expect(loadWebhookPayload("issues.closed").issue.state).toBe("closed");
    expect(
      loadWebhookPayload("issues.edited", { fixture: "issues.edited.body-changed" }).changes,
    ).toEqual({
      body: { from: "The old body." },
    });
    expect(loadWebhookPayload("issue_comment.created", { example: 1 })).toEqual(
      packageExamples("issue_comment.created")[1],
    );
    expect(() => loadWebhookPayload("issues.typed")).toThrow(/no example of issues.typed/);
  });
});

describe("webhook() editing", () => {
  it("edits repository, issue, sender, installation and stays valid", () => {
    const builder = webhook("issues.opened")
      .repo("acme", "web")
      .issue({
        number: 42,
        title: "Incident: DB down",
        body: "SEV1",
        labels: ["incident", "sev 1"],
        assignees: ["alice"],
        user: "bob",
      })
      .sender("postmortem-bot[bot]")
      .installation(7);
    const { payload } = builder;
    expect(payload.repository).toMatchObject({
      name: "web",
      full_name: "acme/web",
      owner: { login: "acme", url: "https://api.github.com/users/acme" },
      html_url: "https://github.com/acme/web",
    });
    expect(payload.issue).toMatchObject({
      number: 42,
      url: "https://api.github.com/repos/acme/web/issues/42",
      html_url: "https://github.com/acme/web/issues/42",
      title: "Incident: DB down",
      body: "SEV1",
      user: { login: "bob", type: "User" },
      assignee: { login: "alice" },
    });
    expect(payload.issue.labels?.map((l) => [l.name, l.url])).toEqual([
      ["incident", "https://api.github.com/repos/acme/web/labels/incident"],
      ["sev 1", "https://api.github.com/repos/acme/web/labels/sev%201"],
    ]);
    expect(payload.sender).toMatchObject({ login: "postmortem-bot[bot]", type: "Bot" });
    expect(payload.installation).toEqual({ id: 7, node_id: expect.any(String) as unknown });
    expect(builder.validate()).toEqual([]);
    expect(builder.event("delivery-1")).toEqual({ id: "delivery-1", name: "issues", payload });
  });

  it("edits comments, changes, sub-issues", () => {
    const comment = webhook("issue_comment.created").comment({
      body: "/postmortem",
      user: "carol",
      id: 555,
    });
    expect(comment.payload.comment).toMatchObject({
      id: 555,
      body: "/postmortem",
      user: { login: "carol" },
    });
    expect(comment.validate()).toEqual([]);

    const edited = webhook("issues.edited").changes({ body: { from: "old" } });
    expect(edited.payload.changes).toEqual({ body: { from: "old" } });
    expect(edited.validate()).toEqual([]);

    const sub = webhook("sub_issues.sub_issue_added")
      .repo("acme", "web")
      .issue({ id: 9001, number: 5 }, "sub_issue")
      .installation(1);
    expect(sub.payload).toMatchObject({
      sub_issue_id: 9001,
      sub_issue: { id: 9001, number: 5, url: "https://api.github.com/repos/acme/web/issues/5" },
      sub_issue_repo: { full_name: "acme/web", name: "web", owner: { login: "acme" } },
    });
    expect(sub.validate()).toEqual([]);
    expect(sub.edit((p) => (p.sub_issue.title = "x")).payload.sub_issue.title).toBe("x");
  });
});

describe("signPayload", () => {
  it("computes the X-Hub-Signature-256 value", () => {
    // HMAC-SHA256("It's a Secret to Everybody", "Hello, World!") from GitHub's docs
    expect(signPayload("It's a Secret to Everybody", "Hello, World!")).toBe(
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
  });
});
