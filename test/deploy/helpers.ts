// What the deployment tests share: an emulator with the App installed, and the one flow they drive
// through each way of running the App (incident labeled → one post-mortem, one linking comment).
import { request } from "node:http";
import { expect } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { generateAppCredentials } from "../../emulator/app-process.js";
import { invalidResponses } from "../emulator/helpers.js";
import { appWrites, lastSeq, postmortemsFor } from "../e2e/stack.js";

export const APP_ID = 4242;
export const credentials = generateAppCredentials();

export async function startEmulator(): Promise<GitHubEmulator> {
  const emulator = createGitHubEmulator({
    appId: APP_ID,
    publicKey: credentials.publicKey,
    webhookSecret: credentials.secret,
    users: [{ login: "alice", role: "maintain" }],
  });
  await emulator.start();
  return emulator;
}

/** Probot's environment variables for an App pointed at the emulator. */
export function appEnv(emulator: GitHubEmulator): Record<string, string> {
  return {
    APP_ID: String(APP_ID),
    PRIVATE_KEY: credentials.privateKey,
    WEBHOOK_SECRET: credentials.secret,
    GHE_HOST: emulator.gheHost,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "warn",
  };
}

/**
 * A human labels an issue `incident`; the App must answer every delivery 200 and make exactly the
 * changes of a first post-mortem, each request in GitHub's published shape.
 */
export async function expectIncidentHandled(emulator: GitHubEmulator): Promise<void> {
  const before = lastSeq(emulator);
  const deliveriesBefore = emulator.deliveries.length;
  const issue = emulator.openIssue({ by: "alice", title: "Checkout API returns 500s" });
  const incident = issue.number as number;
  emulator.addLabel({ by: "alice", issue: incident, label: "incident" });
  await emulator.waitForIdle();

  const delivered = emulator.deliveries.slice(deliveriesBefore);
  expect(delivered.map((d) => `${d.event}.${d.action ?? ""} ${d.status ?? d.error}`)).toContain(
    "issues.labeled 200",
  );
  expect(delivered.every((d) => d.status === 200)).toBe(true);
  expect(appWrites(emulator, before)).toEqual([
    "POST /repos/acme/service/labels",
    "POST /repos/acme/service/issues",
    `POST /repos/acme/service/issues/${incident}/comments`,
  ]);
  const postmortems = postmortemsFor(emulator, incident);
  expect(postmortems.map((p) => p.title)).toEqual(["Post-mortem: Checkout API returns 500s"]);
  expect(invalidResponses(emulator.requests)).toEqual([]);
}

/**
 * A request on a connection of its own: fetch would reuse a kept-alive connection that the server
 * may be closing after its idle timeout, and fail with EPIPE by bad timing.
 */
export function requestOnce(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  const { method = "GET", headers = {}, body } = opts;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.once("error", reject);
    req.end(body);
  });
}
