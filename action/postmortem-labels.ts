// The entry's second, still light step (dist/postmortem-labels.js): reads the configuration as
// the full Action does (Probot's loader: the repository's file, else the org's `.github`
// repository, `_extends`) over `fetch`, without Octokit or the schema, for `flows.runIn` and
// `postmortemLabels`; what it cannot settle (a broken file, a failed request) goes to dist/run.js.
import { composeConfigGet } from "@probot/octokit-plugin-config";
import { CONFIG_PATH, DEFAULT_POSTMORTEM_LABELS } from "../src/core/constants.js";
import { guardConfigReads, parseExtendsOwners } from "../src/github/config-extends.js";
import type { RawConfig } from "../src/github/gateway.js";

export type LabelsDecision =
  /** None of the issue's labels is a post-mortem label: `message` is what the full Action logs. */
  | { kind: "skip"; message: string }
  /** Run the full Action; with `rawConfig` it need not read the configuration again. */
  | { kind: "run"; rawConfig?: RawConfig; reason: string };

export interface LabelsInput {
  issueNumber: number;
  labels: readonly string[];
  repository: { owner: string; repo: string };
  /** The configuration files, where the entry already read them (see decideFlows). */
  rawConfig?: RawConfig;
}

export async function decideByLabels(
  env: NodeJS.ProcessEnv,
  input: LabelsInput,
): Promise<LabelsDecision> {
  let rawConfig: RawConfig;
  try {
    rawConfig = input.rawConfig ?? (await readRawConfig(env, input.repository));
  } catch (error) {
    // A failed request (the full Action retries those), or a configuration the loader rejects
    // (the full Action reports it): either way, the full Action reads it again.
    return { kind: "run", reason: error instanceof Error ? error.message : String(error) };
  }
  const names = postmortemLabelsOf(rawConfig.value);
  if (names === undefined) {
    return { kind: "run", rawConfig, reason: "postmortemLabels is not a valid list of labels" };
  }
  const lower = names.map((name) => name.toLowerCase());
  // sameLabel: GitHub compares label names without regard to case.
  if (input.labels.some((label) => lower.includes(label.toLowerCase()))) {
    return { kind: "run", rawConfig, reason: "a post-mortem" };
  }
  return { kind: "skip", message: `#${input.issueNumber} is not a post-mortem` };
}

export type FlowsDecision =
  /** `flows.runIn: action`: the full Action runs the incident and CAPA flows for this event. */
  | { kind: "run"; rawConfig: RawConfig }
  /** The flows are the App's (the default): the entry goes on as for the gate alone. */
  | { kind: "app"; rawConfig: RawConfig }
  /** The configuration could not be read here: the full Action reads it again and decides. */
  | { kind: "unknown"; reason: string };

/** For an event that may belong to the incident or CAPA flows: whether the Action runs them. */
export async function decideFlows(
  env: NodeJS.ProcessEnv,
  repository: { owner: string; repo: string },
): Promise<FlowsDecision> {
  let rawConfig: RawConfig;
  try {
    rawConfig = await readRawConfig(env, repository);
  } catch (error) {
    return { kind: "unknown", reason: error instanceof Error ? error.message : String(error) };
  }
  return { kind: flowsRunInOf(rawConfig.value) === "action" ? "run" : "app", rawConfig };
}

/**
 * `flows.runIn` as flowsRunnerOfRaw (src/core/flows/config.ts) reads it, valid file or not:
 * `action` only where the file says so literally.
 */
export function flowsRunInOf(value: unknown): "app" | "action" {
  if (typeof value !== "object" || value === null) return "app";
  const flows = (value as { flows?: unknown }).flows;
  if (typeof flows !== "object" || flows === null) return "app";
  return (flows as { runIn?: unknown }).runIn === "action" ? "action" : "app";
}

/**
 * `postmortemLabels` as the configuration's schema reads it (absent: the default; names trimmed),
 * or undefined where the schema might not accept it.
 */
export function postmortemLabelsOf(value: unknown): string[] | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const labels = (value as { postmortemLabels?: unknown }).postmortemLabels;
  if (labels === undefined) return [...DEFAULT_POSTMORTEM_LABELS];
  if (!Array.isArray(labels) || labels.length === 0) return undefined;
  const names: string[] = [];
  for (const label of labels as unknown[]) {
    if (typeof label !== "string" || label.length > 50) return undefined;
    const name = label.trim();
    if (name === "") return undefined;
    names.push(name);
  }
  return names;
}

/** The repository's configuration files, read as GitHubGateway.loadRawConfig reads them. */
export async function readRawConfig(
  env: NodeJS.ProcessEnv,
  repository: { owner: string; repo: string },
): Promise<RawConfig> {
  // As the full Action: `_extends` may name only the owners the input allows (an input the full
  // Action would refuse allows none here; it fails there).
  const allowed = parseExtendsOwners(env["INPUT_CONFIG-EXTENDS-OWNERS"], "config-extends-owners");
  const api = guardConfigReads(fetchApi(env), repository.owner, allowed.ok ? allowed.owners : []);
  const { config, files } = await composeConfigGet(api as never, {
    ...repository,
    path: CONFIG_PATH,
  });
  return {
    value: config,
    files: files.filter((file) => file.config !== null).map((file) => file.url),
  };
}

/** A request failure that is not the 404 of an absent file. */
class RequestFailed extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface Endpoint {
  method: string;
  url: string;
  owner: string;
  repo: string;
  path: string;
  ref?: string;
}

/**
 * What the configuration loader uses of Octokit (`request` and `request.endpoint`, for one GET
 * route), with the URL, authorization and answers Octokit would give for it.
 */
function fetchApi(env: NodeJS.ProcessEnv) {
  const baseUrl = env.GITHUB_API_URL ?? "https://api.github.com";
  // As the full Action: the `github-token` input (core.getInput trims it), else GITHUB_TOKEN.
  const token = (env["INPUT_GITHUB-TOKEN"] ?? "").trim() || env.GITHUB_TOKEN;
  const headers: Record<string, string> = {
    accept: "application/vnd.github.v3.raw",
    "user-agent": "postmortem-bot-action",
  };
  // @octokit/auth-token: a JWT is a bearer token, anything else a `token`.
  if (token)
    headers.authorization = `${token.split(".").length === 3 ? "bearer" : "token"} ${token}`;

  const endpoint = (options: Endpoint) => {
    if (options.method !== "GET" || options.url !== "/repos/{owner}/{repo}/contents/{path}") {
      throw new RequestFailed(`unexpected request ${options.method} ${options.url}`);
    }
    const query = options.ref ? `?ref=${encodeUnreserved(options.ref)}` : "";
    const url = `${baseUrl}/repos/${encodeUnreserved(options.owner)}/${encodeUnreserved(options.repo)}/contents/${encodeUnreserved(options.path)}${query}`;
    return { method: "GET", url };
  };
  const request = async (options: Endpoint) => {
    const { url } = endpoint(options);
    const response = await fetch(url, { headers });
    if (response.status === 404) throw new RequestFailed("Not Found", 404);
    if (response.status !== 200)
      throw new RequestFailed(`${url}: ${response.status}`, response.status);
    const contentType = response.headers.get("content-type") ?? "";
    // Only what Octokit hands over as text; anything else (a directory's JSON listing) is the
    // full Action's to report.
    if (!isText(contentType)) throw new RequestFailed(`${url}: content type ${contentType}`);
    return {
      status: 200,
      url,
      data: await response.text(),
      headers: Object.fromEntries(response.headers),
    };
  };
  return { request: Object.assign(request, { endpoint }) };
}

/** @octokit/request's choice of text: no content type, `text/*`, or a UTF-8 charset (not JSON). */
function isText(contentType: string): boolean {
  if (contentType === "") return true;
  const [type = "", ...parameters] = contentType.toLowerCase().split(";");
  const mime = type.trim();
  if (mime === "application/json" || mime.endsWith("+json")) return false;
  if (mime.startsWith("text/")) return true;
  return (
    mime !== "application/octet-stream" &&
    parameters.some((parameter) => parameter.trim().replace(/"/g, "") === "charset=utf-8")
  );
}

/** @octokit/endpoint's encoding of a `{name}` in a route. */
function encodeUnreserved(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
