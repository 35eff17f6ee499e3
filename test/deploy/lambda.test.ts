// The AWS Lambda handler (src/entry/lambda.ts) against the emulator: deliveries arrive as function URL /
// API Gateway v2 events, signed by the emulator, with plain and base64 bodies.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { signBody } from "../../emulator/index.js";
import { createLambdaHandler } from "../../src/entry/lambda.js";
import { appWrites, lastSeq, loopbackOnly, postmortemsFor } from "../e2e/stack.js";
import type { FunctionUrl } from "./function-url.js";
import { functionUrlEvent, startFunctionUrl } from "./function-url.js";
import { appEnv, credentials, expectIncidentHandled, startEmulator } from "./helpers.js";
import { startChatReceiver } from "../../emulator/chat-receiver.js";

let emulator: GitHubEmulator;
let functionUrl: FunctionUrl | undefined;

beforeAll(async () => {
  loopbackOnly();
  emulator = await startEmulator();
});
afterEach(async () => {
  await functionUrl?.close();
  functionUrl = undefined;
});
afterAll(async () => emulator.stop());

/** The headers GitHub sends with a delivery, signed with `secret`. */
function deliveryHeaders(name: string, id: string, body: string, secret = credentials.secret) {
  return {
    "content-type": "application/json",
    "x-github-event": name,
    "x-github-delivery": id,
    "x-hub-signature-256": signBody(secret, body),
  };
}

describe("the Lambda handler", () => {
  it("handles the emulator's signed deliveries through a function URL", async () => {
    const handler = createLambdaHandler(appEnv(emulator));
    functionUrl = await startFunctionUrl(handler);
    emulator.setWebhookUrl(functionUrl.url);
    await expectIncidentHandled(emulator);
    expect(functionUrl.events.length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it("reads base64 bodies: a labeled delivery as an API Gateway v2 event opens the post-mortem", async () => {
    const handler = createLambdaHandler(appEnv(emulator));
    // The events happen with no App listening; the labeled one is then handed to the handler.
    emulator.setWebhookUrl(undefined);
    const incident = emulator.openIssue({ by: "alice", title: "Search is down" }).number as number;
    emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
    await emulator.waitForIdle();
    const labeled = emulator.webhooks.events.findLast(
      (e) => e.event === "issues" && e.action === "labeled",
    );
    expect(labeled?.payload).toMatchObject({ issue: { number: incident } });
    const body = labeled?.body ?? "";
    const before = lastSeq(emulator);

    const event = functionUrlEvent(
      deliveryHeaders("issues", labeled?.deliveryId ?? "", body),
      Buffer.from(body),
      true,
    );
    expect(event.body).toBe(Buffer.from(body).toString("base64"));
    const result = await handler(event);

    // Answered once the work is done: the post-mortem and its link are there.
    expect(result.statusCode).toBe(200);
    expect(appWrites(emulator, before)).toEqual([
      "POST /repos/acme/service/labels",
      "POST /repos/acme/service/issues",
      `POST /repos/acme/service/issues/${incident}/comments`,
    ]);
    expect(postmortemsFor(emulator, incident)).toHaveLength(1);
  }, 120_000);

  it("tells chat before it answers (a function is frozen once it answers)", async () => {
    const receiver = await startChatReceiver();
    emulator.setFile(
      ".github/postmortem.yml",
      "notify:\n  receivers:\n    sre: { kind: slack }\n  routes:\n    - to: [sre]\n",
    );
    try {
      const handler = createLambdaHandler({
        ...appEnv(emulator),
        NOTIFY_SRE_URL: receiver.url("slack"),
      });
      emulator.setWebhookUrl(undefined);
      const incident = emulator.openIssue({ by: "alice", title: "Login is down" }).number as number;
      emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
      await emulator.waitForIdle();
      const labeled = emulator.webhooks.events.findLast(
        (e) => e.event === "issues" && e.action === "labeled",
      );
      const body = labeled?.body ?? "";
      const result = await handler(
        functionUrlEvent(
          deliveryHeaders("issues", labeled?.deliveryId ?? "", body),
          Buffer.from(body),
          false,
        ),
      );

      expect(result.statusCode).toBe(200);
      const [pm] = postmortemsFor(emulator, incident);
      // Already sent, and the claim already says so, when the delivery is answered.
      expect(receiver.delivered("slack")).toHaveLength(1);
      expect(emulator.commentsOn(pm!.number).map((c) => c.body.split("\n")[0])).toEqual([
        "📣 Sent to chat: post-mortem opened → `sre`",
      ]);
    } finally {
      emulator.deleteFile(".github/postmortem.yml");
      await receiver.stop();
    }
  }, 120_000);

  it("refuses a forged delivery with 401 and makes no request", async () => {
    const handler = createLambdaHandler(appEnv(emulator));
    const body = JSON.stringify({
      action: "labeled",
      issue: { number: 1 },
      label: { name: "incident" },
    });
    const before = lastSeq(emulator);
    // API Gateway REST (v1) events keep the header names' case.
    const headers = {
      "Content-Type": "application/json",
      "X-GitHub-Event": "issues",
      "X-GitHub-Delivery": "forged-1",
      "X-Hub-Signature-256": signBody("not-the-secret", body),
    };
    const result = await handler({ headers, body, isBase64Encoded: false });
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toEqual({
      error: "signature does not match event payload and secret",
    });
    expect(lastSeq(emulator)).toBe(before);
  });

  it("answers 400 when GitHub's headers are missing", async () => {
    const handler = createLambdaHandler(appEnv(emulator));
    const before = lastSeq(emulator);
    const result = await handler({ headers: { "content-type": "application/json" }, body: "{}" });
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toMatch(/^Required headers missing/);
    expect(lastSeq(emulator)).toBe(before);
  });

  it("refuses a body over 25 MB with 413 before decoding it, plain or base64", async () => {
    const handler = createLambdaHandler(appEnv(emulator));
    const before = lastSeq(emulator);
    const big = "a".repeat(25 * 1024 * 1024 + 1);
    const headers = deliveryHeaders("issues", "big-1", big);
    const plain = await handler({ headers, body: big, isBase64Encoded: false });
    const encoded = Buffer.from(big).toString("base64");
    const base64 = await handler({ headers, body: encoded, isBase64Encoded: true });
    for (const result of [plain, base64]) {
      expect([result.statusCode, JSON.parse(result.body)]).toEqual([
        413,
        { error: "Payload too large: the limit is 26214400 bytes" },
      ]);
    }
    // Exactly the limit is read (and refused for its signature, as it is forged).
    const atLimit = "a".repeat(25 * 1024 * 1024);
    const forged = deliveryHeaders("issues", "at-limit", atLimit, "not-the-secret");
    const read = await handler({ headers: forged, body: atLimit });
    expect(read.statusCode).toBe(401);
    expect(lastSeq(emulator)).toBe(before);
  });

  it("answers 500 naming no setting, logs the reason, and makes no request, when it is not configured", async () => {
    const before = lastSeq(emulator);
    const body = "{}";
    const headers = deliveryHeaders("issues", "d-1", body);
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const noSecret = { ...appEnv(emulator), WEBHOOK_SECRET: "" };
      const unsecured = await createLambdaHandler(noSecret)({ headers, body });
      const badMaxAge = { ...appEnv(emulator), CONFIG_MAX_AGE: "soon" };
      const unparsed = await createLambdaHandler(badMaxAge)({ headers, body });
      const noKey = { ...appEnv(emulator), PRIVATE_KEY: "" };
      const keyless = await createLambdaHandler(noKey)({ headers, body });
      for (const result of [unsecured, unparsed, keyless]) {
        expect([result.statusCode, JSON.parse(result.body)]).toEqual([
          500,
          { error: "The App is not configured correctly: see the function's log." },
        ]);
      }
      expect(logged.mock.calls).toEqual([
        ["WEBHOOK_SECRET is not set: refusing to accept webhooks that anyone could forge."],
        ['CONFIG_MAX_AGE is "soon": write a duration such as 60s, 5m or 0 (no cache).'],
        ["APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set."],
      ]);
    } finally {
      logged.mockRestore();
    }
    expect(lastSeq(emulator)).toBe(before);
  });
});
