// The notifier (src/handlers/notify.ts): claim-then-send against a fake GitHub that keeps the
// issue's comments (exact requests asserted) and the local chat receiver (emulator/chat-receiver.ts).
import { createHmac } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatReceiver } from "../../emulator/chat-receiver.js";
import { startChatReceiver } from "../../emulator/chat-receiver.js";
import { parseConfig } from "../../src/core/config.js";
import type { Config } from "../../src/core/config.js";
import { formatMarker } from "../../src/core/markers.js";
import { appEndpoints } from "../../src/core/notify/endpoints.js";
import type { Notice } from "../../src/core/notify/notice.js";
import { GitHubGateway } from "../../src/github/gateway.js";
import { makeNotifier } from "../../src/handlers/notify.js";
import type { RetryPolicy } from "../../src/notify/send.js";
import type { IncomingRequest } from "../support/github-api.js";
import { useFakeGitHub } from "../support/github-api.js";

const BOT = { login: "postmortem-bot[bot]", type: "Bot" };
const AT = "2026-11-02T10:00:00Z";
const REPOSITORY = { owner: "acme", repo: "shop", defaultBranch: "main" };
const COMMENTS = "/repos/acme/shop/issues/12/comments";
const OURS = "a".repeat(32);
const THEIRS = "b".repeat(32);
const HOSTILE = "<!channel> @everyone **x** [a](https://evil) {{x}}";

const NOTICE: Notice = {
  event: "opened",
  key: "opened:#12",
  issueNumber: 12,
  postmortem: 12,
  severity: "P1",
  title: `Post-mortem: ${HOSTILE}`,
  url: "https://github.com/acme/shop/issues/12",
  people: ["alice"],
};

function configWith(notify: object): Config {
  const result = parseConfig({ notify });
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.config;
}

const CONFIG = configWith({
  receivers: { sre: { kind: "slack" }, ops: { kind: "teams" }, audit: { kind: "webhook" } },
  routes: [{ to: ["sre", "ops", "audit"] }],
});

interface StoredComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

describe("the notifier", () => {
  const api = useFakeGitHub({ passThrough: /^(https?:\/\/)?127\.0\.0\.1/ });
  let receiver: ChatReceiver;
  let comments: StoredComment[];
  let nextId: number;
  let logs: string[];
  let sleeps: number[];
  let env: Record<string, string>;

  beforeEach(async () => {
    receiver = await startChatReceiver();
    comments = [];
    nextId = 100;
    logs = [];
    sleeps = [];
    env = {
      NOTIFY_SRE_URL: receiver.url("slack"),
      NOTIFY_OPS_URL: receiver.url("teams"),
      NOTIFY_AUDIT_URL: receiver.url("hook"),
      NOTIFY_AUDIT_SECRET: "hush-hush",
    };
    api.expect(`GET ${COMMENTS}`, { persist: true, reply: () => [200, comments] });
    api.expect(`POST ${COMMENTS}`, {
      persist: true,
      reply: (request: IncomingRequest) => {
        const created = comment(nextId++, (request.body as { body: string }).body);
        comments.push(created);
        return [201, created];
      },
    });
    api.expect("PATCH /repos/acme/shop/issues/comments/{comment_id}", {
      persist: true,
      reply: (request: IncomingRequest) => {
        const found = comments.find((c) => c.id === Number(request.params.comment_id))!;
        found.body = (request.body as { body: string }).body;
        return [200, found];
      },
    });
    api.expect("DELETE /repos/acme/shop/issues/comments/{comment_id}", {
      persist: true,
      reply: (request: IncomingRequest) => {
        comments = comments.filter((c) => c.id !== Number(request.params.comment_id));
        return [204];
      },
    });
  });

  afterEach(async () => {
    await receiver.stop();
  });

  function comment(id: number, body: string, user = BOT): StoredComment {
    return { id, body, user, created_at: AT, updated_at: AT };
  }

  function notifier(options: { nonce?: string; retry?: Partial<RetryPolicy> } = {}) {
    const octokit = new Octokit({
      auth: "ghs_test",
      request: { retries: 0 },
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    return makeNotifier({
      gateway: new GitHubGateway(octokit, REPOSITORY),
      endpoints: appEndpoints(env),
      log: {
        info: (line) => logs.push(`info: ${line}`),
        warn: (line) => logs.push(`warn: ${line}`),
        error: (line) => logs.push(`error: ${line}`),
      },
      frontDoor: "app",
      appSlug: "postmortem-bot",
      nonce: () => options.nonce ?? OURS,
      retry: {
        attempts: 3,
        delaysMs: [1000, 2000],
        timeoutMs: 2000,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
        ...options.retry,
      },
    });
  }

  const claim = (nonce: string, state: "sending" | "sent") =>
    formatMarker("notify", { key: "opened:#12", nonce, state });

  it("claims, reads the claim back, sends one message per receiver, then marks the claim sent", async () => {
    await notifier()(CONFIG, [NOTICE]);

    expect(api.requests).toEqual([
      { method: "GET", path: COMMENTS, query: { per_page: "100" } },
      {
        method: "POST",
        path: COMMENTS,
        body: {
          body: `📣 Sending to chat: post-mortem opened → \`sre\`, \`ops\`, \`audit\`\n\n${claim(OURS, "sending")}`,
        },
      },
      { method: "GET", path: COMMENTS, query: { per_page: "100" } },
      {
        method: "PATCH",
        path: "/repos/acme/shop/issues/comments/100",
        body: {
          body: `📣 Sent to chat: post-mortem opened → \`sre\`, \`ops\`, \`audit\`\n\n${claim(OURS, "sent")}`,
        },
      },
    ]);
    const line = `P1 post-mortem #12 opened in acme/shop: Post-mortem: ${HOSTILE}. To act: @alice.`;
    const [slack] = receiver.delivered("slack");
    expect(JSON.parse(slack!.body)).toEqual({
      text: `P1 post-mortem #12 opened in acme/shop: Post-mortem: &lt;!channel&gt; @everyone **x** [a](https://evil) {{x}}. To act: @alice. <https://github.com/acme/shop/issues/12|#12>`,
    });
    const [teams] = receiver.delivered("teams");
    const card = JSON.parse(teams!.body) as {
      attachments: {
        contentType: string;
        content: { body: { text: string }[]; actions: unknown[] };
      }[];
    };
    expect(card.attachments[0]!.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card.attachments[0]!.content.body[0]!.text).toBe(
      "P1 post-mortem #12 opened in acme/shop: Post-mortem: \\<!channel\\> @everyone \\*\\*x\\*\\* \\[a\\]\\(https://evil\\) {\u200b{x}}. To act: @alice.",
    );
    expect(card.attachments[0]!.content.actions).toEqual([
      { type: "Action.OpenUrl", title: "Open #12", url: "https://github.com/acme/shop/issues/12" },
    ]);
    const [hook] = receiver.delivered("hook");
    expect(hook!.headers["x-postmortem-signature-256"]).toBe(
      `sha256=${createHmac("sha256", "hush-hush").update(hook!.body).digest("hex")}`,
    );
    expect(hook!.headers["x-postmortem-event"]).toBe("opened");
    expect(hook!.headers["x-postmortem-delivery"]).toMatch(/^[a-f0-9]{32}$/);
    expect(JSON.parse(hook!.body)).toMatchObject({
      event: "opened",
      key: "opened:#12",
      text: line,
    });
    expect(receiver.received.map((m) => `${m.method} ${m.path} ${m.status}`)).toEqual(
      expect.arrayContaining(["POST /slack 200", "POST /teams 200", "POST /hook 200"]),
    );
    expect(receiver.received).toHaveLength(3);
  });

  it("costs no request when no routed receiver can be sent to, and says why without any value", async () => {
    env = {
      NOTIFY_AUDIT_URL: "http://chat.example/hook",
      NOTIFY_OPS_URL: receiver.url("teams"),
      NOTIFY_OPS_OWNERS: "other",
    };
    await notifier()(CONFIG, [NOTICE]);
    expect(api.requests).toEqual([]);
    expect(receiver.received).toEqual([]);
    expect(logs).toEqual([
      "warn: Chat opened:#12: not sent to `sre`. Receiver `sre` has no URL: `NOTIFY_SRE_URL` is not set.",
      "warn: Chat opened:#12: not sent to `ops`. Receiver `ops` is not for repositories of `acme`: `NOTIFY_OPS_OWNERS` does not list it.",
      "warn: Chat opened:#12: not sent to `audit`. Receiver `audit`: `NOTIFY_AUDIT_URL` is not an https: URL.",
    ]);
    expect(logs.join("\n")).not.toContain(receiver.baseUrl);
    expect(logs.join("\n")).not.toContain("chat.example");
  });

  it("a redelivery finds the claim and sends nothing", async () => {
    comments = [comment(50, `📣 Sent to chat\n\n${claim(THEIRS, "sent")}`)];
    await notifier()(CONFIG, [NOTICE]);
    expect(api.requests).toEqual([{ method: "GET", path: COMMENTS, query: { per_page: "100" } }]);
    expect(receiver.received).toEqual([]);
    expect(logs).toEqual(["info: Chat opened:#12: already claimed and sent (comment 50)."]);
  });

  it("a claim left at Sending (a crash between claim and send) is logged as maybe lost, never resent", async () => {
    comments = [comment(50, `📣 Sending to chat\n\n${claim(THEIRS, "sending")}`)];
    await notifier()(CONFIG, [NOTICE]);
    expect(api.requests).toHaveLength(1);
    expect(receiver.received).toEqual([]);
    expect(logs).toEqual([
      "warn: Chat opened:#12: already claimed (comment 50) but never marked sent: the sender stopped between claim and send, so the message may be lost. It is not sent again.",
    ]);
  });

  it("a claim a person or another bot typed does not count", async () => {
    comments = [
      comment(50, claim(THEIRS, "sent"), { login: "mallory", type: "User" }),
      comment(51, claim(THEIRS, "sent"), { login: "other-app[bot]", type: "Bot" }),
    ];
    await notifier()(CONFIG, [NOTICE]);
    expect(receiver.received).toHaveLength(3);
  });

  it("loses to a lower claim written meanwhile: deletes its own and sends nothing", async () => {
    // Another sender's claim lands between our first read and our write (a lower id).
    let first = true;
    api.expect(`GET ${COMMENTS}`, {
      reply: () => {
        if (first) {
          first = false;
          const snapshot = [...comments];
          comments.push(comment(99, claim(THEIRS, "sending")));
          return [200, snapshot];
        }
        return [200, comments];
      },
      times: 1,
    });
    await notifier()(CONFIG, [NOTICE]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${COMMENTS}`,
      `POST ${COMMENTS}`,
      `GET ${COMMENTS}`,
      "DELETE /repos/acme/shop/issues/comments/100",
    ]);
    expect(receiver.received).toEqual([]);
    expect(comments.map((c) => c.id)).toEqual([99]);
  });

  it("two notifiers at once: one message per receiver", async () => {
    await Promise.all([
      notifier({ nonce: OURS })(CONFIG, [NOTICE]),
      notifier({ nonce: THEIRS })(CONFIG, [NOTICE]),
    ]);
    expect(receiver.received.map((m) => m.path).sort()).toEqual(["/hook", "/slack", "/teams"]);
    const left = comments.filter((c) => c.body.includes("postmortem-bot:notify"));
    expect(left).toHaveLength(1);
    expect(left[0]!.body).toContain('"state":"sent"');
  });

  it("a failing receiver: 3 attempts with 1 s and 2 s between, one log line, one note on the claim; the others get theirs", async () => {
    receiver.fail(3, 500, "hook");
    await notifier()(CONFIG, [NOTICE]);
    expect(receiver.received.filter((m) => m.path === "/hook").map((m) => m.status)).toEqual([
      500, 500, 500,
    ]);
    expect(receiver.delivered("slack")).toHaveLength(1);
    expect(receiver.delivered("teams")).toHaveLength(1);
    expect(sleeps).toEqual([1000, 2000]);
    expect(api.requests.at(-1)).toEqual({
      method: "PATCH",
      path: "/repos/acme/shop/issues/comments/100",
      body: {
        body: `📣 Sent to chat: post-mortem opened → \`sre\`, \`ops\`\n\n⚠️ Not delivered to \`audit\` (HTTP 500 after 3 attempts).\n\n${claim(OURS, "sent")}`,
      },
    });
    expect(logs.filter((line) => line.startsWith("warn"))).toEqual([
      "warn: Chat opened:#12: not delivered to `audit` (HTTP 500 after 3 attempts).",
    ]);
    const said = [...logs, ...api.requests.map((r) => JSON.stringify(r.body ?? ""))].join("\n");
    expect(said).not.toContain(receiver.baseUrl);
    expect(said).not.toContain("hush-hush");
  });

  it("a receiver that recovers is sent to once; 4xx other than 429 is not retried; 429 is", async () => {
    receiver.fail(1, 503, "slack");
    receiver.fail(1, 400, "teams");
    receiver.fail(1, 429, "hook");
    await notifier()(CONFIG, [NOTICE]);
    expect(receiver.received.filter((m) => m.path === "/slack").map((m) => m.status)).toEqual([
      503, 200,
    ]);
    expect(receiver.received.filter((m) => m.path === "/teams").map((m) => m.status)).toEqual([
      400,
    ]);
    expect(receiver.received.filter((m) => m.path === "/hook").map((m) => m.status)).toEqual([
      429, 200,
    ]);
    expect((api.requests.at(-1)!.body as { body: string }).body).toContain(
      "⚠️ Not delivered to `ops` (HTTP 400).",
    );
  });

  it("Slack's client: a 4xx is not retried, and says its status", async () => {
    receiver.fail(1, 404, "slack");
    await notifier()(CONFIG, [NOTICE]);
    expect(receiver.received.filter((m) => m.path === "/slack").map((m) => m.status)).toEqual([
      404,
    ]);
    expect((api.requests.at(-1)!.body as { body: string }).body).toContain(
      "⚠️ Not delivered to `sre` (HTTP 404).",
    );
  });

  it("a slow receiver times out after the per-attempt limit and is given up after 3 attempts", async () => {
    receiver.hang(3, "teams");
    const started = Date.now();
    await notifier({ retry: { timeoutMs: 100 } })(CONFIG, [NOTICE]);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(receiver.received.filter((m) => m.path === "/teams")).toHaveLength(3);
    expect((api.requests.at(-1)!.body as { body: string }).body).toContain(
      "⚠️ Not delivered to `ops` (timed out after 3 attempts).",
    );
  });

  it("never throws: GitHub failing is one log line", async () => {
    api.expect(`GET ${COMMENTS}`, { reply: [500, { message: "boom" }], times: 1 });
    await expect(notifier()(CONFIG, [NOTICE])).resolves.toBeUndefined();
    expect(receiver.received).toEqual([]);
    expect(logs).toEqual([
      "warn: Chat opened:#12: stopped (HTTP 500); nothing more is sent for it here.",
    ]);
  });
});
