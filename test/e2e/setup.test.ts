// `postmortem-bot setup` against the emulator's App-manifest flow, as a browser would go through it:
// open the page, press its button (post the form to GitHub), follow GitHub's redirect back. Then
// `npm start` in that directory, with nothing else set, answers /ping from the .env it wrote.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { JSDOM } from "jsdom";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { createGitHubEmulator } from "../../emulator/index.js";
import { startAppProcess } from "../../emulator/app-process.js";
import type { SetupSession } from "../../src/entry/setup.js";
import { startSetup } from "../../src/entry/setup.js";
import { CLOCK_PRELOAD } from "../support/clock.js";
import { requestOnce } from "../deploy/helpers.js";
import { STACK_START, loopbackOnly } from "./stack.js";

const LOOPBACK_GUARD = fileURLToPath(new URL("./loopback-guard.ts", import.meta.url));
interface Manifest {
  description: string;
  hook_attributes: unknown;
  redirect_url: string;
  default_permissions: Record<string, string>;
  default_events: string[];
}
const WEBHOOK = "https://bot.example.org/api/github/webhooks";

let emulator: GitHubEmulator;
let dir: string;
let session: SetupSession | undefined;
const out: string[] = [];
const err: string[] = [];

beforeAll(async () => {
  loopbackOnly();
  emulator = await createGitHubEmulator().start();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pmb-setup-"));
  out.length = 0;
  err.length = 0;
});
afterEach(async () => {
  await session?.close();
  session = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[]): Promise<SetupSession> {
  const started = await startSetup(["--port", "0", ...args], {
    cwd: dir,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { GHE_HOST: emulator.gheHost, GHE_PROTOCOL: "http" },
  });
  if (typeof started === "number") throw new Error(`setup exited ${started}: ${err.join("\n")}`);
  session = started;
  return started;
}

/** What a browser does with the page: reads the form as HTML and posts it as a form. */
async function pressTheButton(pageUrl: string): Promise<{ manifest: Manifest; redirect: string }> {
  const html = await (await fetch(pageUrl)).text();
  const form = new JSDOM(html).window.document.querySelector("form")!;
  const manifestText = (form.querySelector('input[name="manifest"]') as HTMLInputElement).value;
  const posted = await fetch(form.action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ manifest: manifestText }).toString(),
    redirect: "manual",
  });
  expect(posted.status).toBe(302);
  return {
    manifest: JSON.parse(manifestText) as Manifest,
    redirect: posted.headers.get("location")!,
  };
}

describe("npm run setup", () => {
  it("registers the App from app.yml and writes its credentials to .env (0600), keeping other settings", async () => {
    writeFileSync(
      join(dir, ".env"),
      'LOG_LEVEL=debug\nAPP_ID="1"\nPRIVATE_KEY="-----BEGIN OLD-----\nAAA\n-----END OLD-----\n"\n',
      {
        mode: 0o644,
      },
    );
    const setup = await start(["--webhook-url", WEBHOOK]);
    const { manifest, redirect } = await pressTheButton(setup.url);

    // The manifest GitHub got is app.yml whole (its description's apostrophe did not cut it).
    expect(manifest.description).toContain("team's");
    expect(manifest.hook_attributes).toEqual({ url: WEBHOOK, active: true });
    expect(manifest.redirect_url).toBe(`${setup.url}callback`);
    expect(manifest.default_permissions.members).toBeUndefined();
    expect(manifest.default_events).toContain("issue_comment");
    expect(emulator.appRegistrations).toHaveLength(1);
    expect(emulator.appRegistrations[0]!.manifest).toEqual(manifest);

    const back = await fetch(redirect);
    expect(back.status).toBe(200);
    expect(await setup.done).toBe(0);
    const registered = emulator.appRegistrations[0]!;
    const conversion = emulator.requests.find(
      (r) => r.route === "/app-manifests/{code}/conversions",
    )!;
    expect(conversion).toMatchObject({ method: "POST", status: 201, actor: null });
    expect(conversion.path).toBe(`/app-manifests/${registered.code}/conversions`);

    const text = readFileSync(join(dir, ".env"), "utf8");
    expect(statSync(join(dir, ".env")).mode & 0o777).toBe(0o600);
    const answer = conversion.response as Record<string, string>;
    expect(parseEnv(text)).toEqual({
      LOG_LEVEL: "debug",
      APP_ID: String(registered.id),
      APP_SLUG: registered.slug,
      PRIVATE_KEY: answer.pem,
      WEBHOOK_SECRET: answer.webhook_secret,
      GITHUB_CLIENT_ID: answer.client_id,
      GITHUB_CLIENT_SECRET: answer.client_secret,
      GHE_HOST: emulator.gheHost,
      GHE_PROTOCOL: "http",
    });
    expect(text).not.toContain("BEGIN OLD");
    expect(out.join("\n")).toContain(`${answer.html_url}/installations/new`);
    expect(err).toEqual([]);

    // `npm start` there, with nothing else set, reads .env and serves.
    const app = await startAppProcess({
      emulator,
      appId: 0,
      privateKey: "",
      secret: "",
      cwd: dir,
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
      registerWebhook: false,
    });
    try {
      expect(await requestOnce(`http://127.0.0.1:${app.port}/ping`)).toEqual({
        status: 200,
        body: "PONG",
      });
    } finally {
      await app.stop();
    }
  }, 60_000);

  it("registers under an organization, with Members: read when the configuration's roles name teams", async () => {
    const setup = await start(["--webhook-url", WEBHOOK, "--org", "acme", "--team-roles"]);
    const html = await (await fetch(setup.url)).text();
    const form = new JSDOM(html).window.document.querySelector("form")!;
    expect(new URL(form.action).pathname).toBe("/organizations/acme/settings/apps/new");
    const { manifest, redirect } = await pressTheButton(setup.url);
    expect(manifest.default_permissions.members).toBe("read");
    expect(emulator.appRegistrations.at(-1)!.owner).toBe("acme");
    await fetch(redirect);
    expect(await setup.done).toBe(0);
    expect(out.join("\n")).toContain("Members: read");
  }, 30_000);

  it("ignores a callback that does not carry the page's state, and writes nothing", async () => {
    const setup = await start(["--webhook-url", WEBHOOK]);
    const { redirect } = await pressTheButton(setup.url);
    const forged = new URL(redirect);
    forged.searchParams.set("state", "0".repeat(32));
    const before = emulator.requests.length;
    const answer = await fetch(forged);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("does not come from this setup page");
    // No code was exchanged, no file written; the real callback still works afterwards.
    expect(emulator.requests.slice(before)).toEqual([]);
    expect(() => statSync(join(dir, ".env"))).toThrow();
    await fetch(redirect);
    expect(await setup.done).toBe(0);
  }, 30_000);

  it("says so and exits 1 when GitHub refuses the code (used twice), leaving .env as it was", async () => {
    const setup = await start(["--webhook-url", WEBHOOK]);
    const { redirect } = await pressTheButton(setup.url);
    const code = new URL(redirect).searchParams.get("code")!;
    // Someone exchanged the code first: GitHub answers 404 to the second exchange.
    const first = await fetch(`${emulator.apiUrl}/app-manifests/${code}/conversions`, {
      method: "POST",
    });
    expect(first.status).toBe(201);
    writeFileSync(join(dir, ".env"), "LOG_LEVEL=debug\n");
    const back = await fetch(redirect);
    expect(back.status).toBe(502);
    expect(await setup.done).toBe(1);
    expect(err).toEqual([
      "GitHub refused the code (404): a code works once and for an hour; run setup again.",
    ]);
    expect(readFileSync(join(dir, ".env"), "utf8")).toBe("LOG_LEVEL=debug\n");
  }, 30_000);

  it("refuses app.yml's placeholder URL and a missing one, before serving anything", async () => {
    const io = {
      cwd: dir,
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      env: {},
    };
    expect(await startSetup(["--webhook-url", "https://example.com/api/github/webhooks"], io)).toBe(
      2,
    );
    expect(await startSetup([], io)).toBe(2);
    expect(err[0]).toBe(
      "example.com is app.yml's placeholder: give the server's public webhook URL",
    );
    expect(err[1]).toMatch(/^--webhook-url is missing/);
    expect(out).toEqual([]);
  });
});
