import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config.js";
import type { Config } from "../../../src/core/config.js";
import { formatMarker } from "../../../src/core/markers.js";
import { claimBody, claimWinner, sentBody } from "../../../src/core/notify/claim.js";
import {
  actionEndpoints,
  appEndpoints,
  availability,
  parseNamedValues,
} from "../../../src/core/notify/endpoints.js";
import {
  slackMessage,
  teamsMessage,
  webhookBody,
  webhookDeliveryId,
  webhookHeaders,
} from "../../../src/core/notify/formats.js";
import { messageText } from "../../../src/core/notify/message.js";
import type { Notice } from "../../../src/core/notify/notice.js";
import { receiversFor } from "../../../src/core/notify/route.js";
import { notifyFindings, notifyWorkflowFindings } from "../../../src/core/notify/doctor.js";
import { bot, comment, repository } from "../fixtures.js";
import { appWriters } from "../../support/writers.js";

function configWith(notify: object): Config {
  const result = parseConfig({ notify });
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.config;
}

const notify = configWith({
  receivers: { sre: { kind: "slack" }, teams: { kind: "teams" }, audit: { kind: "webhook" } },
  routes: [
    { severities: ["P1", "P2"], to: ["sre", "teams"] },
    { events: ["opened", "approved"], to: ["audit", "sre"] },
  ],
}).notify;

const HOSTILE =
  "<!channel> <https://evil.example|x> @everyone **bold** [a](https://evil) {{x}} & _i_";

const notice: Notice = {
  event: "opened",
  key: "opened:#12",
  issueNumber: 12,
  postmortem: 12,
  severity: "P1",
  title: `Post-mortem: ${HOSTILE}`,
  url: "https://github.com/acme/shop/issues/12",
  people: ["alice", "bob"],
};

describe("routing", () => {
  it("sends a notice to every matching route's receivers, each once, in the routes' order", () => {
    expect(receiversFor(notify, notice)).toEqual(["sre", "teams", "audit"]);
    expect(receiversFor(notify, { event: "opened", severity: "P3" })).toEqual(["audit", "sre"]);
    expect(receiversFor(notify, { event: "capa-overdue", severity: undefined })).toEqual([]);
    expect(receiversFor(notify, { event: "review-late", severity: "P2" })).toEqual([
      "sre",
      "teams",
    ]);
  });

  it("matches `none` for a notice without severity", () => {
    const config = configWith({
      receivers: { sre: { kind: "slack" } },
      routes: [{ severities: ["none"], to: ["sre"] }],
    }).notify;
    expect(receiversFor(config, { event: "approved", severity: undefined })).toEqual(["sre"]);
    expect(receiversFor(config, { event: "approved", severity: "P4" })).toEqual([]);
  });
});

describe("the message line", () => {
  it("says what happened, the severity, the people and the post-mortem in one line", () => {
    expect(
      messageText(notify, { ...notice, title: "Checkout down\nsecond line" }, repository),
    ).toBe(
      "P1 post-mortem #12 opened in acme/shop: Checkout down second line. To act: @alice, @bob.",
    );
  });

  it("uses the configured snippet with the values as data, never compiled", () => {
    const config = configWith({
      messages: { opened: "New: {{title}} ({{severity}}) {{url}}" },
    }).notify;
    expect(messageText(config, { ...notice, title: "{{severity}} is {{#each}}" }, repository)).toBe(
      "New: {{severity}} is {{#each}} (P1) https://github.com/acme/shop/issues/12",
    );
  });

  it("names no title for a private post-mortem", () => {
    const text = messageText(
      notify,
      { ...notice, private: true, title: "Secret breach" },
      repository,
    );
    expect(text).not.toContain("Secret");
    expect(text).toContain("a private post-mortem");
  });

  it("says `No severity` when there is none and leaves out an empty people list", () => {
    expect(messageText(notify, { ...notice, severity: undefined, people: [] }, repository)).toBe(
      `No severity post-mortem #12 opened in acme/shop: Post-mortem: ${HOSTILE}.`,
    );
  });
});

describe("formats keep hostile text inert", () => {
  const text = messageText(notify, notice, repository);

  it("Slack: `&`, `<` and `>` escaped, so no channel mention and no link but ours", () => {
    const { text: sent } = slackMessage(text, notice);
    expect(sent).toBe(
      "P1 post-mortem #12 opened in acme/shop: Post-mortem: &lt;!channel&gt; &lt;https://evil.example|x&gt; @everyone **bold** [a](https://evil) {{x}} &amp; _i_. To act: @alice, @bob. <https://github.com/acme/shop/issues/12|#12>",
    );
    // The only `<…>` control left is the link to the post-mortem.
    expect(sent.match(/<[^>]*>/g)).toEqual(["<https://github.com/acme/shop/issues/12|#12>"]);
  });

  it("Teams: an Adaptive Card whose TextBlock has markdown escaped and `{{` broken", () => {
    expect(teamsMessage(text, notice)).toEqual({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              {
                type: "TextBlock",
                wrap: true,
                text: "P1 post-mortem #12 opened in acme/shop: Post-mortem: \\<!channel\\> \\<https://evil.example\\|x\\> @everyone \\*\\*bold\\*\\* \\[a\\]\\(https://evil\\) {\u200b{x}} & \\_i\\_. To act: @alice, @bob.",
              },
            ],
            actions: [
              {
                type: "Action.OpenUrl",
                title: "Open #12",
                url: "https://github.com/acme/shop/issues/12",
              },
            ],
          },
        },
      ],
    });
  });

  it("Teams: a line starting like a list or a heading stays text", () => {
    const card = (line: string) =>
      (teamsMessage(line, notice) as { attachments: { content: { body: { text: string }[] } }[] })
        .attachments[0]!.content.body[0]!.text;
    expect(card("- x")).toBe("\\- x");
    expect(card("# x")).toBe("\\# x");
    expect(card("12. x")).toBe("12\\. x");
  });

  it("webhook: JSON with the notice's fields, signed as GitHub signs (HMAC-SHA256 of the raw body)", () => {
    const body = webhookBody(text, notice, repository);
    expect(JSON.parse(body)).toEqual({
      event: "opened",
      key: "opened:#12",
      repository: "acme/shop",
      postmortem: 12,
      issue: 12,
      severity: "P1",
      title: `Post-mortem: ${HOSTILE}`,
      url: "https://github.com/acme/shop/issues/12",
      people: ["alice", "bob"],
      text,
    });
    const headers = webhookHeaders(body, "s3cret", notice, repository);
    expect(headers).toEqual({
      "X-Postmortem-Event": "opened",
      "X-Postmortem-Delivery": webhookDeliveryId(repository, "opened:#12"),
      "X-Postmortem-Signature-256": `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`,
    });
    expect(headers["X-Postmortem-Delivery"]).toMatch(/^[a-f0-9]{32}$/);
    expect(webhookDeliveryId({ owner: "acme", repo: "other" }, "opened:#12")).not.toBe(
      headers["X-Postmortem-Delivery"],
    );
  });

  it("webhook: a private post-mortem's title is not sent", () => {
    const body = JSON.parse(webhookBody("t", { ...notice, private: true }, repository)) as {
      title: string;
    };
    expect(body.title).toBe("a private post-mortem");
  });
});

describe("endpoints", () => {
  const env = {
    NOTIFY_SRE_URL: "https://hooks.slack.com/services/T/B/X",
    NOTIFY_AUDIT_URL: "https://audit.example/hook",
    NOTIFY_AUDIT_SECRET: "hush",
    NOTIFY_AUDIT_OWNERS: "Acme, other",
    NOTIFY_PLAIN_URL: "http://chat.example/hook",
    NOTIFY_LOCAL_URL: "http://127.0.0.1:9/hook",
    PRIVATE_KEY: "never read",
  };
  const endpoints = appEndpoints(env);

  it("the App reads only NOTIFY_<NAME>_URL, _SECRET and _OWNERS", () => {
    expect(availability("sre", "slack", endpoints("sre"), "acme")).toEqual({
      ok: true,
      url: "https://hooks.slack.com/services/T/B/X",
    });
    expect(availability("audit", "webhook", endpoints("audit"), "ACME")).toEqual({
      ok: true,
      url: "https://audit.example/hook",
      secret: "hush",
    });
    expect(availability("local", "teams", endpoints("local"), "acme").ok).toBe(true);
  });

  it("refuses without naming any value: no URL, not https, unsigned webhook, owner not listed", () => {
    const refusals = [
      availability("teams", "teams", endpoints("teams"), "acme"),
      availability("plain", "slack", endpoints("plain"), "acme"),
      availability("sre", "webhook", endpoints("sre"), "acme"),
      availability("audit", "webhook", endpoints("audit"), "evil"),
    ];
    expect(refusals.map((r) => (r.ok ? "ok" : r.problem))).toEqual([
      "Receiver `teams` has no URL: `NOTIFY_TEAMS_URL` is not set.",
      "Receiver `plain`: `NOTIFY_PLAIN_URL` is not an https: URL.",
      "Receiver `sre` is a `webhook` without a secret: `NOTIFY_SRE_SECRET` is not set, and unsigned messages are not sent.",
      "Receiver `audit` is not for repositories of `evil`: `NOTIFY_AUDIT_OWNERS` does not list it.",
    ]);
    const said = JSON.stringify(refusals);
    for (const value of Object.values(env)) expect(said).not.toContain(value);
  });

  it("the Action reads `name=value` lines, naming a bad line by number only", () => {
    const urls = parseNamedValues(
      "sre=https://hooks.example/a\n\n# comment\naudit = https://b.example/x=1\n",
      "notify-urls",
    );
    expect(urls).toEqual({
      ok: true,
      values: new Map([
        ["sre", "https://hooks.example/a"],
        ["audit", "https://b.example/x=1"],
      ]),
    });
    const bad = parseNamedValues("sre=https://a\nhttps://secret.example/token", "notify-urls");
    expect(bad).toEqual({
      ok: false,
      problem:
        "Line 2 of the `notify-urls` input is not `name=value` (a receiver's name under `notify.receivers`, then its value).",
    });
    const secrets = new Map([["audit", "hush"]]);
    const source = actionEndpoints(urls.ok ? urls.values : new Map(), secrets);
    expect(availability("audit", "webhook", source("audit"), "anyone")).toEqual({
      ok: true,
      url: "https://b.example/x=1",
      secret: "hush",
    });
    expect(availability("teams", "teams", source("teams"), "acme")).toEqual({
      ok: false,
      problem: "Receiver `teams` has no URL: `teams` in the `notify-urls` input is not set.",
      fix: "Set `teams` in the `notify-urls` input to the receiver's webhook URL.",
    });
  });
});

describe("claims", () => {
  const claim = (id: number, nonce: string, author = bot, key = "opened:#12") =>
    comment(id, `📣\n\n${formatMarker("notify", { key, nonce, state: "sending" })}`, author);
  const person = { login: "mallory", type: "User" };
  const workflow = { login: "github-actions[bot]", type: "Bot" };

  it("the lowest trusted claim of the key wins; people's, other workflows' and other keys' do not count", () => {
    const comments = [
      claim(1, "a".repeat(32), person),
      claim(2, "b".repeat(32), workflow),
      claim(3, "c".repeat(32), bot, "opened:#13"),
      claim(5, "e".repeat(32)),
      claim(4, "d".repeat(32)),
    ];
    expect(claimWinner(comments, "opened:#12", "opened", appWriters)).toEqual({
      commentId: 4,
      nonce: "d".repeat(32),
      state: "sending",
    });
    // The gate's part is the Action's by default: its claim counts for a close-blocked key.
    expect(
      claimWinner([claim(2, "b".repeat(32), workflow, "k")], "k", "close-blocked", appWriters),
    ).toMatchObject({ commentId: 2 });
    expect(claimWinner(comments, "opened:#14", "opened", appWriters)).toBeUndefined();
  });

  it("the claim says what is sent where, and once over, what was not delivered and why", () => {
    const nonce = "f".repeat(32);
    expect(claimBody("opened:#12", "opened", ["sre", "audit"], nonce)).toBe(
      `📣 Sending to chat: post-mortem opened → \`sre\`, \`audit\`\n\n<!-- postmortem-bot:notify {"key":"opened:#12","nonce":"${nonce}","state":"sending"} -->`,
    );
    const outcomes = new Map([
      ["sre", { ok: true } as const],
      ["audit", { ok: false, reason: "HTTP 500 after 3 attempts" } as const],
    ]);
    expect(sentBody("opened:#12", "opened", outcomes, nonce)).toBe(
      `📣 Sent to chat: post-mortem opened → \`sre\`\n\n⚠️ Not delivered to \`audit\` (HTTP 500 after 3 attempts).\n\n<!-- postmortem-bot:notify {"key":"opened:#12","nonce":"${nonce}","state":"sent"} -->`,
    );
    expect(
      sentBody(
        "opened:#12",
        "opened",
        new Map([["audit", { ok: false, reason: "timed out after 3 attempts" }]]),
        nonce,
      ),
    ).toMatch(
      /^📣 Not sent to chat: post-mortem opened\n\n⚠️ Not delivered to `audit` \(timed out after 3 attempts\)\./,
    );
  });
});

describe("doctor", () => {
  it("the App: each routed receiver without its URL, secret or owner is one warning naming the variable", () => {
    const env = {
      NOTIFY_SRE_URL: "https://hooks.slack.com/services/T/B/X",
      NOTIFY_AUDIT_URL: "https://audit.example/hook",
      NOTIFY_TEAMS_URL: "https://teams.example/hook",
      NOTIFY_TEAMS_OWNERS: "other",
    };
    const findings = notifyFindings(notify, appEndpoints(env), "acme");
    expect(findings).toEqual([
      {
        level: "warning",
        problem:
          "Receiver `teams` is not for repositories of `acme`: `NOTIFY_TEAMS_OWNERS` does not list it. No chat message goes there.",
        fix: "Add `acme` to `NOTIFY_TEAMS_OWNERS`, or route to another receiver.",
      },
      {
        level: "warning",
        problem:
          "Receiver `audit` is a `webhook` without a secret: `NOTIFY_AUDIT_SECRET` is not set, and unsigned messages are not sent. No chat message goes there.",
        fix: "Set `NOTIFY_AUDIT_SECRET` to the secret the receiver checks signatures with.",
      },
    ]);
    const said = JSON.stringify(findings);
    for (const value of Object.values(env))
      if (value !== "other") expect(said).not.toContain(value);
    expect(
      notifyFindings(
        notify,
        appEndpoints({ ...env, NOTIFY_TEAMS_OWNERS: "ACME", NOTIFY_AUDIT_SECRET: "x" }),
        "acme",
      ),
    ).toEqual([]);
  });

  it("the Action: a workflow must pass `notify-urls` (and `notify-secrets` for a webhook)", () => {
    const step = (text: string) => [{ path: ".github/workflows/postmortem.yml", text }];
    expect(
      notifyWorkflowFindings(notify, step("uses: acme/postmortem-bot@v1")).map((f) => f.problem),
    ).toEqual([
      "`notify` routes to `sre`, `teams`, `audit`, but no workflow passes the `notify-urls` input: the Action sends no chat messages.",
      "`audit` is a `webhook`, but no workflow passes the `notify-secrets` input: unsigned messages are not sent.",
    ]);
    expect(notifyWorkflowFindings(notify, step("notify-urls: x\nnotify-secrets: y"))).toEqual([]);
    expect(notifyWorkflowFindings(configWith({}).notify, step(""))).toEqual([]);
  });
});
