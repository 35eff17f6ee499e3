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
  openIncident,
  postmortemsFor,
  startStack,
} from "./stack.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

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

    // Exactly the changes the App made, in order. The label exists, but no post-mortem shows it
    // yet, so the App creates it and GitHub answers 422: one request, as a GET would cost.
    expect(appWrites(emulator)).toEqual([
      "POST /repos/acme/service/labels",
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

  it("reads its configuration from the repository, extending the organization's .github repository", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setFile(
      ".github/postmortem.yml",
      'incidentLabels: [outage]\ntitleTemplate: "PM: {{incident.title}}"\n',
      {
        repo: ".github",
      },
    );
    emulator.setFile(".github/postmortem.yml", "_extends: .github\npostmortemLabels: [retro]\n");
    const incident = emulator.openIssue({ by: "alice", title: "Queue stalled" }).number as number;
    emulator.addLabel({ by: "alice", issue: incident, label: "incident" }); // not a trigger here
    emulator.addLabel({ by: "alice", issue: incident, label: "outage" });
    await emulator.waitForIdle({ timeoutMs: 25_000 });

    const found = postmortemsFor(emulator, incident, "all", "retro");
    expect(found.map((i) => i.title)).toEqual(["PM: Queue stalled"]);
    expect(postmortemsFor(emulator, incident)).toHaveLength(0);
    const configReads = emulator
      .appRequests()
      .filter((r) => r.route === "/repos/{owner}/{repo}/contents/{path}");
    expect(new Set(configReads.map((r) => decodeURIComponent(r.path)))).toEqual(
      new Set([
        "/repos/acme/service/contents/.github/postmortem.yml",
        "/repos/acme/.github/contents/.github/postmortem.yml",
      ]),
    );
  });
});
