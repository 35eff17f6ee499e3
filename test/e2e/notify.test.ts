// End to end: chat notifications from the real App server (child processes) against the GitHub
// emulator and the local chat receiver (emulator/chat-receiver.ts), all over loopback.
import { createHmac } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatReceiver } from "../../emulator/chat-receiver.js";
import { startChatReceiver } from "../../emulator/chat-receiver.js";
import type { Stack } from "./stack.js";
import { botComments, loopbackOnly, openIncident, postmortemsFor, startStack } from "./stack.js";

const CONFIG = `notify:
  receivers:
    sre: { kind: slack }
    ops: { kind: teams }
    audit: { kind: webhook }
  routes:
    - to: [sre, ops, audit]
`;
const SECRET = "e2e-signing-secret";

let stack: Stack | undefined;
let receiver: ChatReceiver | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  await receiver?.stop();
  stack = undefined;
  receiver = undefined;
});

function notifyEnv(chat: ChatReceiver): Record<string, string> {
  return {
    NOTIFY_SRE_URL: chat.url("slack"),
    NOTIFY_OPS_URL: chat.url("teams"),
    NOTIFY_AUDIT_URL: chat.url("hook"),
    NOTIFY_AUDIT_SECRET: SECRET,
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The product's claim comments on an issue. */
function claims(s: Stack, issue: number) {
  return botComments(s.emulator, issue).filter((c) =>
    (c.body ?? "").includes("postmortem-bot:notify"),
  );
}

function theOnePostmortem(s: Stack, incident: number): number {
  const open = postmortemsFor(s.emulator, incident, "open");
  expect(open).toHaveLength(1);
  return open[0]!.number;
}

describe("chat notifications through the server (e2e)", () => {
  it("an opened post-mortem is one message per receiver, in each format; a redelivery sends nothing more", async () => {
    receiver = await startChatReceiver();
    stack = await startStack({ env: notifyEnv(receiver) });
    const { emulator } = stack;
    emulator.setFile(".github/postmortem.yml", CONFIG);
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    const pm = theOnePostmortem(stack, incident);
    await until("the claim marked sent", () =>
      claims(stack!, pm).some((c) => (c.body ?? "").includes('"state":"sent"')),
    );

    expect(receiver.received.map((m) => `${m.method} ${m.path} ${m.status}`).sort()).toEqual([
      "POST /hook 200",
      "POST /slack 200",
      "POST /teams 200",
    ]);
    const line = `No severity post-mortem #${pm} opened in acme/service: Post-mortem: Checkout API returns 500s.`;
    const slack = JSON.parse(receiver.delivered("slack")[0]!.body) as { text: string };
    expect(slack.text).toMatch(
      new RegExp(
        `^No severity post-mortem #${pm} opened in acme/service: .*<http[^|]+/issues/${pm}\\|#${pm}>$`,
      ),
    );
    const hook = receiver.delivered("hook")[0]!;
    expect(hook.headers["x-postmortem-signature-256"]).toBe(
      `sha256=${createHmac("sha256", SECRET).update(hook.body).digest("hex")}`,
    );
    expect(JSON.parse(hook.body)).toMatchObject({
      event: "opened",
      key: `opened:#${pm}`,
      repository: "acme/service",
      postmortem: pm,
      severity: null,
      text: line,
    });
    const [claim] = claims(stack, pm);
    expect(claims(stack, pm)).toHaveLength(1);
    expect(claim!.body).toMatch(
      /^📣 Sent to chat: post-mortem opened → `sre`, `ops`, `audit`\n\n<!-- postmortem-bot:notify \{"key":"opened:#\d+","nonce":"[a-f0-9]{32}","state":"sent"\} -->$/,
    );

    // GitHub redelivers the label event: the flow converges on what is there, and no message goes.
    const labeled = emulator.webhooks.events.find((e) => e.action === "labeled");
    await emulator.redeliver(labeled!.deliveryId);
    await emulator.waitForIdle();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(3);
    expect(claims(stack, pm)).toHaveLength(1);
    // No value of a receiver's endpoint is ever in the App's log.
    const logs = stack.app.logs.join("\n");
    expect(logs).not.toContain(receiver.baseUrl);
    expect(logs).not.toContain(SECRET);
  });

  it("the answer to opening the post-mortem is lost: the post-mortem opens once and is still told once", async () => {
    receiver = await startChatReceiver();
    stack = await startStack({ env: notifyEnv(receiver) });
    const { emulator } = stack;
    emulator.setFile(".github/postmortem.yml", CONFIG);
    // GitHub creates the post-mortem, but its answer never reaches the App.
    const lost = emulator.injectFault({
      method: "POST",
      path: "/repos/{owner}/{repo}/issues",
      loseAnswer: "502",
    });
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    expect(lost.hits).toBe(1);
    const pm = theOnePostmortem(stack, incident);
    await until("the claim marked sent", () =>
      claims(stack!, pm).some((c) => (c.body ?? "").includes('"state":"sent"')),
    );
    expect(receiver.received.map((m) => m.path).sort()).toEqual(["/hook", "/slack", "/teams"]);
    expect(claims(stack, pm)).toHaveLength(1);
  });

  it("two replicas and every event delivered twice: still one message per receiver", async () => {
    receiver = await startChatReceiver();
    stack = await startStack({
      env: notifyEnv(receiver),
      replicas: 2,
      delivery: { duplicate: "new-id", concurrency: 4 },
    });
    const { emulator } = stack;
    emulator.setFile(".github/postmortem.yml", CONFIG);
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    const pm = theOnePostmortem(stack, incident);
    await until("the claim marked sent", () =>
      claims(stack!, pm).some((c) => (c.body ?? "").includes('"state":"sent"')),
    );
    await emulator.waitForIdle();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.map((m) => m.path).sort()).toEqual(["/hook", "/slack", "/teams"]);
    expect(claims(stack, pm)).toHaveLength(1);
  });

  it("a failing receiver harms nothing: the post-mortem opens, the others get theirs, one note", async () => {
    receiver = await startChatReceiver();
    receiver.fail(10, 500, "teams");
    stack = await startStack({ env: notifyEnv(receiver) });
    const { emulator } = stack;
    emulator.setFile(".github/postmortem.yml", CONFIG);
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    const pm = theOnePostmortem(stack, incident);
    // The incident's own link comment was written at once, whatever the receiver does.
    expect(botComments(emulator, incident)).toHaveLength(1);
    await until(
      "the claim marked sent",
      () => claims(stack!, pm).some((c) => (c.body ?? "").includes('"state":"sent"')),
      30_000,
    );
    expect(receiver.received.filter((m) => m.path === "/teams").map((m) => m.status)).toEqual([
      500, 500, 500,
    ]);
    expect(receiver.delivered("slack")).toHaveLength(1);
    expect(receiver.delivered("hook")).toHaveLength(1);
    const [claim] = claims(stack, pm);
    expect(claims(stack, pm)).toHaveLength(1);
    expect(claim!.body).toContain(
      "📣 Sent to chat: post-mortem opened → `sre`, `audit`\n\n⚠️ Not delivered to `ops` (HTTP 500 after 3 attempts).",
    );
    expect(
      stack.app.logs.filter((l) =>
        l.includes("not delivered to `ops` (HTTP 500 after 3 attempts)"),
      ),
    ).toHaveLength(1);
    expect(stack.app.logs.join("\n")).not.toContain(receiver.baseUrl);
  });

  it("a slow receiver never holds the flow, and a shutdown waits for the message", async () => {
    receiver = await startChatReceiver();
    // The first attempt to Teams gets no answer: the notifier waits out its 5 s limit, then retries.
    receiver.hang(1, "teams");
    stack = await startStack({ env: notifyEnv(receiver) });
    const { emulator } = stack;
    emulator.setFile(".github/postmortem.yml", CONFIG);
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    // The flow finished and every delivery was answered while the message was still on its way.
    const pm = theOnePostmortem(stack, incident);
    expect(botComments(emulator, incident)).toHaveLength(1);
    expect(emulator.deliveries.every((d) => d.status === 200)).toBe(true);
    await until("the hanging attempt", () => receiver!.received.some((m) => m.path === "/teams"));
    expect(claims(stack, pm).map((c) => c.body)).toEqual([
      expect.stringContaining('"state":"sending"'),
    ]);

    // A deploy stops the App (SIGTERM): it waits for the notifier as for a delivery.
    await stack.app.stop({ killAfterMs: 20_000 });
    expect(
      stack.app.logs.some((line) =>
        line.includes("SIGTERM: no new deliveries; finishing 1 in hand"),
      ),
    ).toBe(true);
    expect(receiver.delivered("teams")).toHaveLength(1);
    expect(receiver.received.filter((m) => m.path === "/teams")).toHaveLength(2);
    expect(claims(stack, pm).map((c) => c.body)).toEqual([
      expect.stringMatching(/^📣 Sent to chat: post-mortem opened → `sre`, `ops`, `audit`\n/),
    ]);
  });

  it("a post-mortem the start-up sweep opens (its delivery was lost) is told once too", async () => {
    receiver = await startChatReceiver();
    stack = await startStack({ env: notifyEnv(receiver) });
    const { emulator } = stack;
    emulator.setSearchLag(0);
    emulator.setFile(".github/postmortem.yml", CONFIG);
    // The label's delivery goes nowhere: no App hears it.
    emulator.setWebhookUrl("http://127.0.0.1:9/api/github/webhooks");
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    expect(postmortemsFor(emulator, incident)).toHaveLength(0);

    await stack.restart({ ...notifyEnv(receiver), RECONCILE_INTERVAL: "10m" });
    await until(
      "the sweep's post-mortem",
      () => postmortemsFor(emulator, incident).length === 1,
      60_000,
    );
    const pm = theOnePostmortem(stack, incident);
    await until("the claim marked sent", () =>
      claims(stack!, pm).some((c) => (c.body ?? "").includes('"state":"sent"')),
    );
    expect(receiver.received.map((m) => m.path).sort()).toEqual(["/hook", "/slack", "/teams"]);
  }, 120_000);

  it("a private post-mortem is told by its repository's own `notify:`, claimed there, naming no title", async () => {
    receiver = await startChatReceiver();
    stack = await startStack({ env: notifyEnv(receiver) });
    const { emulator } = stack;
    emulator.addRepository("service-security", { private: true });
    emulator.setFile(
      ".github/postmortem.yml",
      "notify:\n  receivers:\n    sre: { kind: slack }\n  routes:\n    - to: [sre]\n",
      { repo: "service-security" },
    );
    // The public repository's own routes are not the private post-mortem's.
    emulator.setFile(
      ".github/postmortem.yml",
      "private:\n  repository: acme/service-security\n  when:\n    labels: [security]\n" +
        "notify:\n  receivers:\n    audit: { kind: webhook }\n  routes:\n    - to: [audit]\n",
    );
    const incident = emulator.openIssue({
      by: "alice",
      title: "Token leak in checkout logs",
      body: "Session tokens were written to the checkout service's logs.",
      labels: ["security"],
    }).number as number;
    emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
    await emulator.waitForIdle({ timeoutMs: 30_000 });
    const [pm] = emulator.issues({ state: "all", repo: "service-security" }) as unknown as {
      number: number;
    }[];
    expect(pm).toBeDefined();
    const privateClaims = () =>
      emulator
        .commentsOn(pm!.number, "service-security")
        .filter((c) => c.body.includes("postmortem-bot:notify"));
    await until("the claim marked sent", () =>
      privateClaims().some((c) => c.body.includes('"state":"sent"')),
    );

    expect(receiver.received.map((m) => m.path)).toEqual(["/slack"]);
    const text = (JSON.parse(receiver.received[0]!.body) as { text: string }).text;
    expect(text).toMatch(
      new RegExp(
        `^No severity post-mortem #${pm!.number} opened in acme/service-security: a private post-mortem\\. <`,
      ),
    );
    expect(text).not.toContain("Token leak");
    expect(privateClaims()).toHaveLength(1);
    // Nothing about chat on the public side.
    expect(botComments(emulator, incident).map((c) => c.body)).not.toContainEqual(
      expect.stringContaining("chat"),
    );
  }, 60_000);

  it("a close blocked for missing approvals is one close-blocked message; its redelivery sends none", async () => {
    receiver = await startChatReceiver();
    stack = await startStack({ env: notifyEnv(receiver) });
    const { emulator } = stack;
    emulator.setFile(
      ".github/postmortem.yml",
      `gate:\n  enforceInApp: true\nnotify:\n  receivers:\n    audit: { kind: webhook }\n  routes:\n    - { events: [close-blocked], to: [audit] }\n`,
    );
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    const pm = theOnePostmortem(stack, incident);
    // Only close-blocked is routed: opening the post-mortem told nobody and claimed nothing.
    expect(receiver.received).toEqual([]);
    expect(claims(stack, pm)).toEqual([]);

    emulator.closeIssue({ by: "bob", issue: pm });
    await emulator.waitForIdle({ timeoutMs: 30_000 });
    await until("the claim marked sent", () =>
      claims(stack!, pm).some((c) => (c.body ?? "").includes('"state":"sent"')),
    );
    expect(emulator.issue(pm).state).toBe("open");
    expect(receiver.received.map((m) => m.path)).toEqual(["/hook"]);
    const hook = JSON.parse(receiver.received[0]!.body) as { event: string; key: string };
    expect(hook.event).toBe("close-blocked");
    expect(hook.key).toMatch(new RegExp(`^close-blocked:#${pm}:\\d{4}-\\d{2}-\\d{2}T`));

    // GitHub redelivers the close: the post-mortem is open again, nothing more is told.
    const closed = emulator.webhooks.events.find((e) => e.action === "closed");
    await emulator.redeliver(closed!.deliveryId);
    await emulator.waitForIdle();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(1);
    expect(claims(stack, pm)).toHaveLength(1);
  }, 60_000);
});
