// End to end: the real App server (child process) against the GitHub emulator over loopback.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../emulator/index.js";
import { WebhookValidator } from "../../emulator/webhook-validator.js";
import { invalidResponses } from "../emulator/helpers.js";
import type { Stack } from "./stack.js";
import {
  appWrites,
  botComments,
  lastSeq,
  loopbackOnly,
  postmortemsFor,
  startStack,
} from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

function openIncident(s: Stack, opts: { preLabeled?: boolean } = {}): number {
  const issue = s.emulator.openIssue({
    by: "alice",
    title: "Checkout API returns 500s",
    body: "About 30% of checkout requests fail.",
    ...(opts.preLabeled ? { labels: ["incident"] } : {}),
  });
  const number = issue.number as number;
  if (!opts.preLabeled) s.emulator.addLabel({ by: "alice", issue: number, label: "incident" });
  return number;
}

describe("post-mortem on incident label (e2e)", () => {
  it("labeling an incident opens exactly one post-mortem and links it with one comment", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.createLabel({ name: "postmortem", color: "5319e7" });
    const incident = openIncident(stack);
    await emulator.waitForIdle();

    const postmortems = postmortemsFor(emulator, incident);
    expect(postmortems).toHaveLength(1);
    const pm = postmortems[0];
    expect(pm?.title).toBe("Post-mortem: Checkout API returns 500s");
    expect(pm?.state).toBe("open");
    const comments = botComments(emulator, incident);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(`#${pm?.number}`);

    // Exactly the changes the App made, in order.
    expect(appWrites(emulator)).toEqual([
      "POST /repos/acme/service/issues",
      `POST /repos/acme/service/issues/${incident}/comments`,
    ]);
    const created = emulator
      .appRequests()
      .find((r) => r.method === "POST" && r.path === "/repos/acme/service/issues");
    expect(created?.body).toMatchObject({
      title: "Post-mortem: Checkout API returns 500s",
      labels: ["postmortem"],
    });

    // Every delivery was accepted, and every answer and payload had GitHub's shape.
    expect(emulator.deliveries.every((d) => d.status === 200)).toBe(true);
    expect(invalidResponses(emulator.requests)).toEqual([]);
    const validator = WebhookValidator.shared();
    for (const e of emulator.webhooks.events)
      expect(validator.validate(e.event, e.action, e.payload).errors).toEqual([]);
  });

  it("an issue opened with the incident label gets one post-mortem", async () => {
    stack = await startStack();
    const incident = openIncident(stack, { preLabeled: true });
    await stack.emulator.waitForIdle();
    expect(postmortemsFor(stack.emulator, incident)).toHaveLength(1);
    expect(botComments(stack.emulator, incident)).toHaveLength(1);
  });

  it("a redelivery of the same delivery creates nothing new", async () => {
    stack = await startStack();
    const { emulator } = stack;
    const incident = openIncident(stack);
    await emulator.waitForIdle();
    const labeled = emulator.webhooks.events.find(
      (e) =>
        e.event === "issues" &&
        e.action === "labeled" &&
        (e.payload.label as { name: string }).name === "incident",
    );
    expect(labeled).toBeDefined();
    const before = lastSeq(emulator);

    const result = await emulator.redeliver(labeled?.deliveryId ?? "");
    await emulator.waitForIdle();

    expect(result.status).toBe(200);
    expect(appWrites(emulator, before)).toEqual([]);
    expect(postmortemsFor(emulator, incident)).toHaveLength(1);
    expect(botComments(emulator, incident)).toHaveLength(1);
  });

  it("refuses forged and unsigned deliveries and changes nothing", async () => {
    stack = await startStack();
    const { emulator, app } = stack;
    emulator.setWebhookUrl(undefined); // record the events without sending them
    const incident = openIncident(stack);
    const labeled = emulator.webhooks.events.find((e) => e.action === "labeled");
    expect(labeled).toBeDefined();
    const body = labeled?.body ?? "";
    const tampered = body.replace("Checkout API returns 500s", "Tampered title");
    const attempts: { name: string; body: string; signature?: string }[] = [
      { name: "unsigned", body },
      { name: "signed with another secret", body, signature: signBody("not-the-secret", body) },
      { name: "malformed signature", body, signature: "sha256=xyz" },
      {
        name: "body changed after signing",
        body: tampered,
        signature: signBody(emulator.secret, body),
      },
    ];
    for (const attempt of attempts) {
      const res = await fetch(app.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "issues",
          "x-github-delivery": crypto.randomUUID(),
          ...(attempt.signature ? { "x-hub-signature-256": attempt.signature } : {}),
        },
        body: attempt.body,
      });
      expect([400, 401], attempt.name).toContain(res.status);
    }
    await emulator.waitForIdle();
    expect(emulator.appRequests()).toEqual([]);
    expect(postmortemsFor(emulator, incident)).toHaveLength(0);
    expect(emulator.issues({ state: "all" })).toHaveLength(1);
  });

  it.each(["same-id", "new-id"] as const)(
    "the same event delivered twice concurrently (%s) still gives one post-mortem",
    async (duplicate) => {
      stack = await startStack({ delivery: { duplicate, concurrency: 4 } });
      const incident = openIncident(stack);
      await stack.emulator.waitForIdle();
      // Every event (the human's labels and the App's own) was delivered twice.
      const labeledEvents = stack.emulator.webhooks.events.filter((e) => e.action === "labeled");
      const labeledDeliveries = stack.emulator.deliveries.filter((d) => d.action === "labeled");
      expect(labeledDeliveries).toHaveLength(2 * labeledEvents.length);
      expect(labeledDeliveries.every((d) => d.status === 200)).toBe(true);
      expect(postmortemsFor(stack.emulator, incident)).toHaveLength(1);
      expect(botComments(stack.emulator, incident)).toHaveLength(1);
    },
  );

  it("two App replicas receiving the same event at once still give one post-mortem", async () => {
    stack = await startStack({ replicas: 2, delivery: { duplicate: "new-id", concurrency: 2 } });
    const incident = openIncident(stack);
    await stack.emulator.waitForIdle({ timeoutMs: 25_000 });
    const targets = new Set(stack.emulator.deliveries.map((d) => d.target));
    expect(targets.size).toBe(2);
    // Replicas may both create one; the App converges by closing all but one as duplicates.
    expect(postmortemsFor(stack.emulator, incident, "open")).toHaveLength(1);
    const extra = postmortemsFor(stack.emulator, incident).filter((i) => i.state !== "open");
    for (const dup of extra)
      expect(stack.emulator.issue(dup.number).state_reason).toBe("duplicate");
    expect(botComments(stack.emulator, incident)).toHaveLength(1);
  });

  it.each(["502", "drop"] as const)(
    "an answer lost after the issue was created (%s) still leaves exactly one open post-mortem",
    async (loseAnswer) => {
      stack = await startStack();
      const { emulator } = stack;
      const fault = emulator.injectFault({
        method: "POST",
        path: "/repos/{owner}/{repo}/issues",
        loseAnswer,
      });
      const incident = openIncident(stack);
      await emulator.waitForIdle({ timeoutMs: 25_000 });
      expect(fault.hits).toBe(1);
      expect(postmortemsFor(emulator, incident, "open")).toHaveLength(1);
      expect(botComments(emulator, incident)).toHaveLength(1);
    },
  );

  it("a secondary rate limit on the comment is waited out and the comment is made once", async () => {
    stack = await startStack();
    const { emulator } = stack;
    const fault = emulator.faults.secondaryRateLimit({
      method: "POST",
      path: "/repos/{owner}/{repo}/issues/{n}/comments",
      retryAfterSeconds: 1,
    });
    const incident = openIncident(stack);
    await emulator.waitForIdle({ timeoutMs: 25_000 });
    expect(fault.hits).toBe(1);
    expect(postmortemsFor(emulator, incident)).toHaveLength(1);
    expect(botComments(emulator, incident)).toHaveLength(1);
  });

  it("a /postmortem comment opens one post-mortem for triage+ users and none for read users", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setPermission("tina", "triage");
    const byReader = emulator.openIssue({ by: "rita", title: "Search is slow" }).number as number;
    emulator.comment({ by: "rita", issue: byReader, body: "/postmortem" });
    const byTriager = emulator.openIssue({ by: "rita", title: "Login fails" }).number as number;
    emulator.comment({ by: "tina", issue: byTriager, body: "/postmortem" });
    await emulator.waitForIdle({ timeoutMs: 25_000 });

    expect(postmortemsFor(emulator, byReader)).toHaveLength(0);
    expect(postmortemsFor(emulator, byTriager)).toHaveLength(1);
    const permissionChecks = emulator
      .appRequests()
      .filter((r) => r.route === "/repos/{owner}/{repo}/collaborators/{username}/permission")
      .map((r) => r.path.split("/")[5]);
    expect(new Set(permissionChecks)).toEqual(new Set(["rita", "tina"]));
  });
});
