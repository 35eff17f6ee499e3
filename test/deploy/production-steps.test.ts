// The production image without Docker (CI has no daemon): the Dockerfile's own steps are performed
// in a temporary directory (scripts/dockerfile-steps.ts reads the Dockerfile, so this cannot drift
// from it), then the image's CMD starts the server there, with nothing but the production files,
// and the emulator sends it signed deliveries. Needs the npm registry (the steps run `npm ci`).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { signBody } from "../../emulator/index.js";
import type { AppProcess } from "../../emulator/app-process.js";
import { startAppProcess } from "../../emulator/app-process.js";
import type { PerformedStage } from "../../scripts/dockerfile-steps.js";
import { inStage, parseDockerfile, performDockerfile } from "../../scripts/dockerfile-steps.js";
import type { LambdaHandler } from "../../src/entry/lambda.js";
import { lastSeq, loopbackOnly } from "../e2e/stack.js";
import { startFunctionUrl } from "./function-url.js";
import {
  APP_ID,
  appEnv,
  credentials,
  expectIncidentHandled,
  requestOnce,
  startEmulator,
} from "./helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
const into = mkdtempSync(join(tmpdir(), "postmortem-image-"));
let stages: PerformedStage[] = [];
let image: PerformedStage;
let emulator: GitHubEmulator;

beforeAll(async () => {
  // The steps reach the npm registry; the test process itself stays on loopback.
  loopbackOnly();
  stages = await performDockerfile({ dockerfile, context: root, into });
  image = stages.at(-1) as PerformedStage;
  emulator = await startEmulator();
}, 240_000);

afterAll(async () => {
  await emulator?.stop();
  rmSync(into, { recursive: true, force: true });
});

describe("the Dockerfile", () => {
  it("builds on Node 24 with the esbuild of package-lock.json, and runs as a non-root user", () => {
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
    const esbuild = lock.packages["node_modules/esbuild"].version as string;
    const args = parseDockerfile(dockerfile).filter((i) => i.keyword === "ARG");
    expect(args.map((i) => i.args)).toContain(`ESBUILD_VERSION=${esbuild}`);
    expect(stages.map((s) => s.image.split(":")[1]?.split("-")[0])).toEqual(["24", "24"]);
    expect(process.versions.node.split(".")[0]).toBe("24");
    expect(image.user).toBe("node");
    expect(image.exposed).toEqual([3000]);
    expect(image.env).toMatchObject({ NODE_ENV: "production", HOST: "0.0.0.0", PORT: "3000" });
  });

  it("leaves only the production files in the image: no sources, no compiler, no dev tools", () => {
    const app = inStage(image, ".");
    expect(readdirSync(app).sort()).toEqual([
      "lib",
      "node_modules",
      "package-lock.json",
      "package.json",
    ]);
    expect(readdirSync(join(app, "lib/server")).filter((f) => !f.endsWith(".map"))).toEqual(
      expect.arrayContaining(["main.mjs", "lambda.mjs"]),
    );
    for (const dev of ["typescript", "tsx", "esbuild", "vitest", "nock", "@octokit/openapi"]) {
      expect(existsSync(join(app, "node_modules", dev)), dev).toBe(false);
    }
    expect(existsSync(join(app, "node_modules/probot"))).toBe(true);
  });
});

describe("the image's server", () => {
  let server: AppProcess | undefined;
  afterAll(async () => server?.stop());

  it("starts with CMD, answers /ping and the HEALTHCHECK, and handles signed deliveries", async () => {
    const [node, ...nodeArgs] = image.cmd ?? [];
    expect(node).toBe("node");
    server = await startAppProcess({
      emulator,
      appId: APP_ID,
      privateKey: credentials.privateKey,
      secret: credentials.secret,
      cwd: inStage(image, "."),
      nodeArgs,
      // The image's ENV, but on a free loopback port.
      env: { NODE_ENV: image.env.NODE_ENV ?? "" },
    });

    const ping = await requestOnce(`http://127.0.0.1:${server.port}/ping`);
    expect(ping).toEqual({ status: 200, body: "PONG" });
    const health = spawnSync("sh", ["-c", image.healthcheck ?? "false"], {
      env: {
        PATH: `${join(process.execPath, "..")}:${process.env.PATH ?? ""}`,
        PORT: `${server.port}`,
      },
      timeout: 10_000,
    });
    expect(health.status).toBe(0);

    await expectIncidentHandled(emulator);

    // A forged delivery is refused and costs no request.
    const before = lastSeq(emulator);
    const body = JSON.stringify({ action: "labeled", issue: { number: 1 } });
    const forged = await requestOnce(server.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": "forged-1",
        "x-hub-signature-256": signBody("not-the-secret", body),
      },
      body,
    });
    expect(forged.status).toBe(400);
    expect(lastSeq(emulator)).toBe(before);
    // The child's log reaches us through a pipe, after the answer: wait for the refusal's line.
    const refusal = "signature does not match event payload and secret";
    const logs = server.logs;
    for (let waited = 0; waited < 10_000 && !logs.some((l) => l.includes(refusal)); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const errors = logs.filter((line) => /"level":(50|60)/.test(line));
    expect(errors.length).toBeGreaterThan(0);
    // The refusal is the only error the whole run logged, by delivery id, never with its payload.
    for (const line of errors) expect(line).toContain(refusal);
    expect(errors.join("\n")).toContain('"delivery":"forged-1"');
  }, 120_000);
});

describe("the image's Lambda handler (lib/server/lambda.mjs)", () => {
  it("handles signed deliveries with the production files alone", async () => {
    const bundle = join(inStage(image, "."), "lib/server/lambda.mjs");
    const { createLambdaHandler } = (await import(bundle)) as {
      createLambdaHandler: (env: Record<string, string>) => LambdaHandler;
    };
    const functionUrl = await startFunctionUrl(createLambdaHandler(appEnv(emulator)), {
      base64: true,
    });
    emulator.setWebhookUrl(functionUrl.url);
    try {
      await expectIncidentHandled(emulator);
      expect(functionUrl.events.every((event) => event.isBase64Encoded)).toBe(true);
    } finally {
      await functionUrl.close();
    }
  }, 120_000);
});
