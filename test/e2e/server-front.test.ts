// The server's HTTP front through the real server (src/entry/main.ts as a child process) and the
// emulator: what it refuses before reading, what it logs of a delivery, how it keeps connections,
// and that it never starts without the App's identity.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { signBody } from "../../emulator/index.js";
import type { AppProcess } from "../../emulator/app-process.js";
import { startAppProcess } from "../../emulator/app-process.js";
import { CLOCK_PRELOAD, useFixedClock } from "../support/clock.js";
import type { Answer } from "../support/kept-connection.js";
import { keptConnection } from "../support/kept-connection.js";
import { APP_ID, credentials, requestOnce, startEmulator } from "../deploy/helpers.js";
import { STACK_START, lastSeq, loopbackOnly } from "./stack.js";

const LOOPBACK_GUARD = fileURLToPath(new URL("./loopback-guard.ts", import.meta.url));
const LIMIT = 25 * 1024 * 1024;
/** No log line is longer than this: a payload never goes into one. */
const LONGEST_LINE = 4096;

let emulator: GitHubEmulator;
let app: AppProcess;

function startApp(env: Record<string, string> = {}): Promise<AppProcess> {
  return startAppProcess({
    emulator,
    appId: APP_ID,
    privateKey: credentials.privateKey,
    secret: credentials.secret,
    preload: [LOOPBACK_GUARD, CLOCK_PRELOAD],
    env: { POSTMORTEM_TEST_CLOCK: STACK_START, ...env },
  });
}

beforeAll(async () => {
  loopbackOnly();
  useFixedClock(STACK_START);
  emulator = await startEmulator();
  app = await startApp();
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await emulator?.stop();
  vi.useRealTimers();
});

function deliveryHeaders(name: string, id: string, body: string, secret = credentials.secret) {
  return {
    "content-type": "application/json",
    "x-github-event": name,
    "x-github-delivery": id,
    "x-hub-signature-256": signBody(secret, body),
  };
}

/** Waits (up to 10 s) for a log line that passes `test`: the child's log arrives through a pipe. */
async function logLine(test: (line: string) => boolean): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const line = app.logs.find(test);
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no such log line; the last ones:\n${app.logs.slice(-10).join("\n")}`);
}

function longLines(): number[] {
  return app.logs.filter((line) => line.length > LONGEST_LINE).map((line) => line.length);
}

/** A request's head as a client writes it, asking to keep the connection. */
function head(path: string, headers: Record<string, string>): string {
  const lines = [`POST ${path} HTTP/1.1`, "host: 127.0.0.1", "connection: keep-alive"];
  for (const [key, value] of Object.entries(headers)) lines.push(`${key}: ${value}`);
  return [...lines, "", ""].join("\r\n");
}

describe("bodies over GitHub's 25 MB", () => {
  it("are refused 413 on their Content-Length, before any of the body is read", async () => {
    // 150 MB announced, 64 KB sent: the answer cannot wait for the rest.
    const headers = {
      ...deliveryHeaders("issues", "huge-1", "x"),
      "content-length": String(150 * 1024 * 1024),
    };
    const [answer] = await keptConnection(app.port, [
      { write: head("/api/github/webhooks", headers) + "a".repeat(65_536) },
      { read: 5000 },
    ]);
    expect(answer).toMatchObject({ status: 413, headers: { connection: "close" } });
    expect(JSON.parse((answer as Answer).body)).toEqual({
      error: `Payload too large: the limit is ${LIMIT} bytes`,
    });
    await logLine((line) => line.includes("huge-1") && line.includes("413"));
    expect(longLines()).toEqual([]);
  });

  it("are refused 413 when sent chunked, as soon as the bytes counted pass the limit", async () => {
    const before = lastSeq(emulator);
    const headers = deliveryHeaders("issues", "chunked-1", "{}");
    const [answer] = await keptConnection(app.port, [
      { write: head("/api/github/webhooks", { ...headers, "transfer-encoding": "chunked" }) },
      { writeChunked: LIMIT + 8 * 1024 * 1024 },
      { read: 10_000 },
    ]);
    if (!answer || !("status" in answer)) throw new Error(`no answer: ${JSON.stringify(answer)}`);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      error: `Payload too large: the limit is ${LIMIT} bytes`,
    });
    await logLine((line) => line.includes("chunked-1") && line.includes("413"));
    expect(longLines()).toEqual([]);
    expect(lastSeq(emulator)).toBe(before);
  }, 30_000);

  it("a body of exactly the limit is still read (and, forged, refused for its signature)", async () => {
    const body = JSON.stringify({ pad: "a".repeat(LIMIT - 10) });
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    const answer = await requestOnce(app.webhookUrl, {
      method: "POST",
      headers: deliveryHeaders("issues", "at-limit-1", body, "not-the-secret"),
      body,
    });
    expect(answer.status).toBe(400);
  }, 30_000);
});

describe("a forged delivery", () => {
  it("is refused 400 on its signature, before it is parsed, and logged by id and event only", async () => {
    const before = lastSeq(emulator);
    const text = "FORGED-INCIDENT-TEXT";
    const body = JSON.stringify({
      action: "labeled",
      issue: { number: 1, body: text.repeat(100_000) },
      label: { name: "incident" },
      repository: { name: "service", owner: { login: "acme" } },
    });
    const answer = await requestOnce(app.webhookUrl, {
      method: "POST",
      headers: deliveryHeaders("issues", "forged-1", body, "not-the-secret"),
      body,
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      error: "Error: [@octokit/webhooks] signature does not match event payload and secret",
    });
    const line = await logLine((l) => l.includes("refused a delivery") && l.includes("forged-1"));
    expect(JSON.parse(line)).toMatchObject({ level: 50, delivery: "forged-1", event: "issues" });
    expect(app.logs.filter((l) => l.includes(text))).toEqual([]);
    expect(longLines()).toEqual([]);
    expect(lastSeq(emulator)).toBe(before);
  });
});

describe("a genuine delivery that fails", () => {
  it("is logged with its id, event, repository and issue number, never the incident's text", async () => {
    emulator.state.addRepo("vault", { private: true });
    const secretBody = "The vault key was exposed in build log 4411";
    const secretTitle = "Vault key leaked through CI";
    const fault = emulator.injectFault({
      method: "POST",
      path: "/repos/{owner}/vault/issues",
      respond: { status: 422, body: { message: "Validation Failed" } },
      times: Infinity,
    });
    try {
      const mark = emulator.deliveries.length;
      const incident = emulator.openIssue({
        by: "alice",
        repo: "vault",
        title: secretTitle,
        body: secretBody,
      }).number as number;
      emulator.addLabel({ by: "alice", repo: "vault", issue: incident, label: "incident" });
      await emulator.waitForIdle();
      const labeled = emulator.deliveries.slice(mark).find((d) => d.action === "labeled");
      expect(fault.hits).toBeGreaterThan(0);
      const id = labeled?.deliveryId ?? "";
      const failure = JSON.parse(
        await logLine((l) => l.includes(id) && l.includes('"level":50')),
      ) as Record<string, unknown>;
      // Every line about the delivery has come through the pipe by now.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const leaks = app.logs.filter(
        (l) => l.includes(secretBody) || l.includes(secretTitle) || l.includes("build log 4411"),
      );
      expect(leaks).toEqual([]);
      expect(longLines()).toEqual([]);
      expect(failure).toMatchObject({
        err: {
          type: "DeliveryFailed",
          message: "Validation Failed",
          status: 422,
          event: { delivery: id, event: "issues", repository: "acme/vault", issue: incident },
        },
      });
      expect(failure.err).not.toHaveProperty("request");
      expect(failure.err).not.toHaveProperty("response");
      // GitHub's delivery log shows the status and message it showed before.
      expect(labeled?.status).toBe(422);
      expect(labeled?.responseBody).toBe(JSON.stringify({ error: "HttpError: Validation Failed" }));
    } finally {
      fault.remaining = 0;
    }
  }, 60_000);
});

describe("a connection kept open by a pooling client", () => {
  it("still answers a delivery sent on it 6 s after a delivery answered 202 still processing", async () => {
    const url = emulator.webhooks.url;
    emulator.setWebhookUrl(undefined);
    // The post-mortem's creation takes 10 s: its delivery is answered 202 after 9 s.
    const slow = emulator.injectFault({
      method: "POST",
      path: "/repos/{owner}/{repo}/issues",
      delayMs: 10_000,
    });
    try {
      const incident = emulator.openIssue({ by: "alice", title: "Slow checkout" }).number as number;
      emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
      await emulator.waitForIdle();
      const labeled = emulator.webhooks.events.findLast((e) => e.action === "labeled");
      const opened = emulator.webhooks.events.findLast((e) => e.action === "opened");
      if (!labeled || !opened) throw new Error("no events");
      const delivery = (event: typeof labeled) =>
        head("/api/github/webhooks", {
          ...deliveryHeaders("issues", event.deliveryId, event.body),
          "content-length": String(Buffer.byteLength(event.body)),
        }) + event.body;

      const [first, next] = await keptConnection(app.port, [
        { write: delivery(labeled) },
        { read: 12_000 },
        // Longer than Node's default idle timeout (5 s), shorter than the server's (65 s).
        { sleep: 6000 },
        { write: delivery(opened) },
        { read: 5000 },
      ]);
      expect(first).toMatchObject({ status: 202, body: "still processing\n" });
      expect(next).toMatchObject({ status: 200, body: "ok\n" });
      // The server says how long it keeps the connection: longer than the pools that reuse it.
      expect(first).toMatchObject({ headers: { "keep-alive": "timeout=65" } });
      expect(slow.hits).toBe(1);
    } finally {
      emulator.setWebhookUrl(url);
    }
  }, 40_000);
});

describe("without the App's identity", () => {
  it.each([
    ["APP_ID", { APP_ID: "" }],
    ["a private key", { PRIVATE_KEY: "" }],
  ])(
    "without %s the server refuses to start (exit 1) and serves no setup wizard",
    async (_, env) => {
      await expect(startApp(env)).rejects.toThrow(
        /^the App exited \(1\) before answering \/ping:\nAPP_ID and PRIVATE_KEY \(or PRIVATE_KEY_PATH\) must be set: refusing to start without the App's identity\.$/,
      );
    },
  );
});

describe("WRITE_PACING", () => {
  it("=off is refused against a GitHub that is not on this machine (exit 1, says why)", async () => {
    await expect(
      startApp({ WRITE_PACING: "off", GHE_HOST: "github.example.com", GHE_PROTOCOL: "https" }),
    ).rejects.toThrow(
      /^the App exited \(1\) before answering \/ping:\nWRITE_PACING=off is only for an emulator on this machine; the API is https:\/\/github\.example\.com\.$/,
    );
  });
});

describe("a .env in the working directory", () => {
  it("gives the server what the environment leaves out, as Probot's own start did", async () => {
    const dir = mkdtempSync(join(tmpdir(), "postmortem-dotenv-"));
    try {
      writeFileSync(
        join(dir, ".env"),
        `APP_ID=${APP_ID}\nPRIVATE_KEY="${credentials.privateKey.replaceAll("\n", "\\n")}"\nWEBHOOK_SECRET=${credentials.secret}\n`,
        { mode: 0o600 },
      );
      const fromFile = await startAppProcess({
        emulator,
        appId: APP_ID,
        privateKey: credentials.privateKey,
        secret: credentials.secret,
        cwd: dir,
        // Run from elsewhere: the loader and the entry by their full paths.
        nodeArgs: [
          "--import",
          import.meta.resolve("tsx"),
          "--import",
          LOOPBACK_GUARD,
          "--import",
          CLOCK_PRELOAD,
          fileURLToPath(new URL("../../src/entry/main.ts", import.meta.url)),
        ],
        unsetIdentity: true,
        env: { POSTMORTEM_TEST_CLOCK: STACK_START },
      });
      try {
        expect(await requestOnce(`http://127.0.0.1:${fromFile.port}/ping`)).toEqual({
          status: 200,
          body: "PONG",
        });
      } finally {
        await fromFile.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
