// Shared setup for the emulator's own tests: an emulator plus an Octokit authenticated as the App's installation.
import { generateKeyPairSync } from "node:crypto";
import { ProbotOctokit } from "probot";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { EmulatorOptions, GitHubEmulator, RequestLogEntry } from "../../emulator/index.js";
import { OpenApiValidator } from "../../emulator/openapi-validator.js";

export const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

export const APP_ID = 4242;
export const INSTALLATION_ID = 99;

export async function startEmulator(options: EmulatorOptions = {}): Promise<GitHubEmulator> {
  const emulator = createGitHubEmulator({
    appId: APP_ID,
    installationId: INSTALLATION_ID,
    publicKey: keys.publicKey,
    searchLagMs: 0,
    users: [
      { login: "alice", role: "admin" },
      { login: "bob", role: "write" },
      { login: "tina", role: "triage" },
      { login: "rita", role: "read" },
      { login: "nora", role: "none" },
    ],
    ...options,
  });
  return emulator.start();
}

/** An Octokit acting as the App's installation, without retries or throttling so faults stay visible. */
export function installationOctokit(emulator: GitHubEmulator): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    auth: { appId: APP_ID, privateKey: keys.privateKey, installationId: INSTALLATION_ID },
    baseUrl: emulator.apiUrl,
    throttle: { enabled: false },
    retry: { enabled: false },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

export function appOctokit(emulator: GitHubEmulator): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    auth: { appId: APP_ID, privateKey: keys.privateKey },
    baseUrl: emulator.apiUrl,
    throttle: { enabled: false },
    retry: { enabled: false },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/**
 * Every logged request body (of requests that were answered 2xx) checked against the operation's
 * documented request body; returns the failures.
 */
export function invalidRequests(entries: RequestLogEntry[]): string[] {
  const validator = OpenApiValidator.shared();
  const failures: string[] = [];
  for (const e of entries) {
    if (!e.route || e.route === "/graphql" || e.status >= 300) continue;
    const result = validator.validateRequest(e.method, e.route, e.body);
    if (!result.valid) failures.push(`${e.method} ${e.route}: ${result.errors.join("; ")}`);
  }
  return failures;
}

/** Every logged JSON response checked against GitHub's OpenAPI description; returns the failures. */
export function invalidResponses(entries: RequestLogEntry[]): string[] {
  const validator = OpenApiValidator.shared();
  const failures: string[] = [];
  for (const e of entries) {
    if (!e.route || e.fault || e.contentType?.startsWith("text/plain")) continue;
    // GraphQL is not in the REST description; test/emulator/graphql.test.ts checks its answers.
    if (e.route === "/graphql") continue;
    const result = validator.validate(e.method, e.route, e.status, e.response);
    if (!result.valid)
      failures.push(`${e.method} ${e.route} ${e.status}: ${result.errors.slice(0, 5).join("; ")}`);
  }
  return failures;
}
