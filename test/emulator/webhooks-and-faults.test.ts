// Webhook deliveries (signing, order, redelivery, duplicates), fault injection, search lag, contents and config.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { installationOctokit, startEmulator } from "./helpers.js";

const o = { owner: "acme", repo: "service" };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver that records what it got and answers with `status`. */
async function receiver(
  status = 200,
  delayMs = 0,
): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      setTimeout(() => res.writeHead(status).end("ok"), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, got, server };
}

let emulator: GitHubEmulator;
let servers: Server[] = [];

beforeEach(async () => {
  emulator = await startEmulator({ webhookSecret: "s3cret" });
});
afterEach(async () => {
  await emulator.stop();
  for (const s of servers) s.close();
  servers = [];
});

async function listen(status = 200, delayMs = 0) {
  const r = await receiver(status, delayMs);
  servers.push(r.server);
  emulator.setWebhookUrl(r.url);
  return r;
}

describe("webhook deliveries", () => {
  it("signs each delivery with HMAC-SHA256 of the raw body and sends GitHub's headers", async () => {
    const { got } = await listen();
    emulator.openIssue({ by: "alice", title: "DB down", labels: ["incident", "sev1"] });
    await emulator.waitForIdle();
    expect(got.map((g) => JSON.parse(g.body).action)).toEqual(["opened", "labeled", "labeled"]);
    for (const g of got) {
      const expected = `sha256=${createHmac("sha256", "s3cret").update(g.body).digest("hex")}`;
      expect(g.headers["x-hub-signature-256"]).toBe(expected);
      expect(g.headers["x-github-event"]).toBe("issues");
      expect(g.headers["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(g.headers["content-type"]).toBe("application/json");
      const payload = JSON.parse(g.body);
      expect(payload.installation).toMatchObject({ id: 99 });
      expect(payload.installation.node_id).toEqual(expect.any(String));
      expect(payload.sender.login).toBe("alice");
    }
    expect(JSON.parse(got[1]?.body ?? "{}").label.name).toBe("incident");
    expect(emulator.deliveries.map((d) => [d.event, d.action, d.status])).toEqual([
      ["issues", "opened", 200],
      ["issues", "labeled", 200],
      ["issues", "labeled", 200],
    ]);
  });

  it("sends webhooks for the App's own changes with the bot as sender", async () => {
    const { got } = await listen();
    await installationOctokit(emulator).rest.issues.create({
      ...o,
      title: "Post-mortem",
      labels: ["postmortem"],
    });
    await emulator.waitForIdle();
    const payloads = got.map((g) => JSON.parse(g.body));
    expect(payloads.map((p) => p.action)).toEqual(["opened", "labeled"]);
    expect(payloads[0].sender).toMatchObject({ login: "postmortem-bot[bot]", type: "Bot" });
  });

  it("reports edits with changes.body.from and changes.title.from", () => {
    emulator.openIssue({ by: "alice", title: "old title", body: "old body" });
    emulator.editBody({ by: "bob", issue: 1, body: "new body" });
    emulator.editTitle({ by: "bob", issue: 1, title: "new title" });
    const edits = emulator.webhooks.events
      .filter((e) => e.action === "edited")
      .map((e) => e.payload.changes);
    expect(edits).toEqual([{ body: { from: "old body" } }, { title: { from: "old title" } }]);
  });

  it("does not wait on a delivery when the App's own request causes it", async () => {
    await listen(200, 1500);
    const started = Date.now();
    await installationOctokit(emulator).rest.issues.create({ ...o, title: "t" });
    expect(Date.now() - started).toBeLessThan(1000);
    await emulator.waitForIdle();
    expect(emulator.deliveries).toHaveLength(1);
  });

  it("redelivers with the same delivery id and the same body", async () => {
    const { got } = await listen();
    emulator.openIssue({ by: "alice", title: "t" });
    await emulator.waitForIdle();
    const first = emulator.deliveries[0];
    const again = await emulator.redeliver(first?.deliveryId ?? "");
    expect(again).toMatchObject({ deliveryId: first?.deliveryId, redelivery: true, status: 200 });
    expect(got[1]?.headers["x-github-delivery"]).toBe(got[0]?.headers["x-github-delivery"]);
    expect(got[1]?.body).toBe(got[0]?.body);
    expect(got[1]?.headers["x-hub-signature-256"]).toBe(got[0]?.headers["x-hub-signature-256"]);
  });

  it("can deliver every event twice, with the same or a new delivery id", async () => {
    const { got } = await listen();
    emulator.webhooks.behaviour.duplicate = "same-id";
    emulator.openIssue({ by: "alice", title: "t" });
    await emulator.waitForIdle();
    expect(new Set(got.map((g) => g.headers["x-github-delivery"])).size).toBe(1);
    emulator.webhooks.behaviour.duplicate = "new-id";
    emulator.openIssue({ by: "alice", title: "u" });
    await emulator.waitForIdle();
    expect(new Set(got.slice(2).map((g) => g.headers["x-github-delivery"])).size).toBe(2);
    expect(got[2]?.body).toBe(got[3]?.body);
  });

  it("can deliver concurrently and in shuffled order", async () => {
    const { got } = await listen(200, 50);
    emulator.webhooks.behaviour.concurrency = 10;
    emulator.webhooks.behaviour.shuffle = true;
    const labels = Array.from({ length: 20 }, (_, i) => `l${i}`);
    emulator.openIssue({ by: "alice", title: "t", labels });
    const started = Date.now();
    await emulator.waitForIdle({ quietMs: 0 });
    expect(got).toHaveLength(21);
    expect(Date.now() - started).toBeLessThan(21 * 50);
    const order = got.map((g) => JSON.parse(g.body).label?.name ?? "opened");
    expect([...order].sort()).toEqual(["opened", ...labels].sort());
  });

  it("gives up on a delivery the App does not answer in time, as GitHub does after 10 s", async () => {
    await listen(200, 500);
    emulator.webhooks.behaviour.timeoutMs = 100;
    emulator.openIssue({ by: "alice", title: "t" });
    await emulator.waitForIdle();
    expect(emulator.deliveries[0]).toMatchObject({
      status: null,
      error: expect.stringMatching(/timeout|abort/i),
    });
  });

  it("waitForIdle gives up at its deadline even while deliveries are still in flight", async () => {
    await listen(200, 2_000);
    emulator.openIssue({ by: "alice", title: "t" });
    const started = Date.now();
    await expect(emulator.waitForIdle({ timeoutMs: 200 })).rejects.toThrow(/not idle after 200 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("logs refused deliveries with the App's status", async () => {
    await listen(401);
    emulator.openIssue({ by: "alice", title: "t" });
    await emulator.waitForIdle();
    expect(emulator.deliveries[0]?.status).toBe(401);
  });
});

describe("fault injection", () => {
  it("answers with a status for the next N matching requests, then recovers", async () => {
    const gh = installationOctokit(emulator);
    emulator.openIssue({ by: "alice", title: "t" });
    const fault = emulator.injectFault({
      method: "GET",
      path: "/repos/{owner}/{repo}/issues/{n}",
      respond: { status: 502 },
      times: 2,
    });
    await expect(gh.rest.issues.get({ ...o, issue_number: 1 })).rejects.toMatchObject({
      status: 502,
    });
    await expect(gh.rest.issues.get({ ...o, issue_number: 1 })).rejects.toMatchObject({
      status: 502,
    });
    expect((await gh.rest.issues.get({ ...o, issue_number: 1 })).status).toBe(200);
    expect(fault.hits).toBe(2);
    expect(emulator.requests.filter((r) => r.fault === "responded")).toHaveLength(2);
  });

  it("simulates secondary rate limits with retry-after", async () => {
    const gh = installationOctokit(emulator);
    emulator.faults.secondaryRateLimit({
      method: "POST",
      path: "/repos/{owner}/{repo}/issues",
      retryAfterSeconds: 7,
    });
    await expect(gh.rest.issues.create({ ...o, title: "t" })).rejects.toMatchObject({
      status: 403,
      response: { headers: { "retry-after": "7" } },
    });
    expect(emulator.issues()).toHaveLength(0);
  });

  it("loses the answer after the write: the issue exists although the client saw 502 or a dropped connection", async () => {
    const gh = installationOctokit(emulator);
    emulator.injectFault({
      method: "POST",
      path: "/repos/{owner}/{repo}/issues",
      loseAnswer: "502",
    });
    await expect(gh.rest.issues.create({ ...o, title: "first" })).rejects.toMatchObject({
      status: 502,
    });
    emulator.injectFault({
      method: "POST",
      path: "/repos/{owner}/{repo}/issues",
      loseAnswer: "drop",
    });
    await expect(gh.rest.issues.create({ ...o, title: "second" })).rejects.toThrow();
    expect(emulator.issues().map((i) => i.title)).toEqual(["first", "second"]);
    expect(emulator.requests.map((r) => r.fault).filter(Boolean)).toEqual([
      "lost-answer-502",
      "dropped",
    ]);
  });

  it("delays matching requests", async () => {
    const gh = installationOctokit(emulator);
    emulator.openIssue({ by: "alice", title: "t" });
    emulator.injectFault({ path: "/repos/{owner}/{repo}/issues/1", delayMs: 200 });
    const started = Date.now();
    await gh.rest.issues.get({ ...o, issue_number: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("holds matching requests until the test lets them go", async () => {
    const gh = installationOctokit(emulator);
    emulator.openIssue({ by: "alice", title: "t" });
    let release!: () => void;
    const fault = emulator.injectFault({
      method: "PATCH",
      path: "/repos/{owner}/{repo}/issues/1",
      hold: new Promise<void>((resolve) => (release = resolve)),
    });
    const write = gh.rest.issues.update({ ...o, issue_number: 1, title: "held" });
    while (fault.hits === 0) await new Promise((resolve) => setImmediate(resolve));
    // Arrived, not handled: reads still see the old title.
    expect((await gh.rest.issues.get({ ...o, issue_number: 1 })).data.title).toBe("t");
    release();
    await write;
    expect(emulator.issue(1).title).toBe("held");
  });
});

describe("search", () => {
  it("only finds new and changed issues after the configured lag", async () => {
    const gh = installationOctokit(emulator);
    emulator.setSearchLag(1500);
    emulator.openIssue({
      by: "alice",
      title: "Checkout down",
      body: '<!-- postmortem-bot:postmortem {"incident":1} -->',
    });
    const search = async (q: string) => (await gh.rest.search.issuesAndPullRequests({ q })).data;
    expect((await search("repo:acme/service is:issue checkout")).total_count).toBe(0);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await search("repo:acme/service is:issue checkout")).total_count).toBe(1);
    expect(
      (await search('repo:acme/service "postmortem-bot:postmortem" in:body')).total_count,
    ).toBe(1);
    emulator.closeIssue({ by: "alice", issue: 1 });
    expect((await search("repo:acme/service is:issue is:open checkout")).total_count).toBe(1); // stale
    await new Promise((r) => setTimeout(r, 1600));
    expect((await search("repo:acme/service is:issue is:open checkout")).total_count).toBe(0);
    expect((await search("repo:acme/service is:closed checkout")).items[0]?.number).toBe(1);
  });
});

describe("contents and Probot's config loader", () => {
  it("serves raw and JSON forms, 404 for missing files, and org-level config from the .github repository", async () => {
    const gh = installationOctokit(emulator);
    emulator.setFile(".github/postmortem.yml", "_extends: .github\nlabel: incident\n");
    emulator.setFile(".github/postmortem.yml", "label: sev\ntemplate: org\n", { repo: ".github" });
    const raw = await gh.rest.repos.getContent({
      ...o,
      path: ".github/postmortem.yml",
      mediaType: { format: "raw" },
    });
    expect(raw.data).toBe("_extends: .github\nlabel: incident\n");
    const json = await gh.rest.repos.getContent({
      ...o,
      path: ".github/postmortem.yml",
      ref: "main",
    });
    const file = json.data as { content: string; encoding: string };
    expect(Buffer.from(file.content, "base64").toString("utf8")).toBe(
      "_extends: .github\nlabel: incident\n",
    );
    await expect(gh.rest.repos.getContent({ ...o, path: "nope.yml" })).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      gh.rest.repos.getContent({ ...o, path: ".github/postmortem.yml", ref: "no-such-branch" }),
    ).rejects.toMatchObject({ status: 404 });

    const { config } = await gh.config.get({ ...o, path: ".github/postmortem.yml" });
    expect(config).toEqual({ label: "incident", template: "org" });
    emulator.deleteFile(".github/postmortem.yml");
    const fallback = await gh.config.get({ ...o, path: ".github/postmortem.yml" });
    expect(fallback.config).toEqual({ label: "sev", template: "org" });
  });
});

describe("control endpoint", () => {
  it("scripts humans, injects faults and reads the logs over HTTP", async () => {
    const control = `${emulator.url}/_emulator`;
    const post = (path: string, body: unknown) =>
      fetch(`${control}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const opened = await post("/script/openIssue", {
      by: "alice",
      title: "From curl",
      labels: ["incident"],
    });
    expect(opened.status).toBe(200);
    expect((await post("/idle", {})).status).toBe(200);
    expect(
      (
        await post("/faults", {
          method: "GET",
          path: "/repos/{owner}/{repo}",
          respond: { status: 503 },
        })
      ).status,
    ).toBe(200);
    expect((await fetch(`${emulator.apiUrl}/repos/acme/service`)).status).toBe(503);
    const issues = (await (await fetch(`${control}/issues`)).json()) as { title: string }[];
    expect(issues.map((i) => i.title)).toEqual(["From curl"]);
    const requests = (await (await fetch(`${control}/requests`)).json()) as { status: number }[];
    expect(requests.map((r) => r.status)).toEqual([503]);
    expect(emulator.webhooks.events.map((e) => e.payload.sender)).toMatchObject([
      { login: "alice" },
      { login: "alice" },
    ]);
  });
});
