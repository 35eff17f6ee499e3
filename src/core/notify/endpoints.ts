import type { ReceiverKind } from "./config.js";

/*
 * Where a receiver's messages go. The configuration names receivers, never URLs: the App reads
 * `NOTIFY_<NAME>_URL`, `NOTIFY_<NAME>_SECRET` and `NOTIFY_<NAME>_OWNERS` from its environment (a
 * receiver's name cannot spell any other variable), the Action its `notify-urls` and
 * `notify-secrets` inputs. No value is ever put in a log line, a comment or an error: problems
 * name the variable or the input, never what it holds.
 */

/** One receiver's endpoint as the front door found it, and where each part was looked for. */
export interface Endpoint {
  url?: string;
  secret?: string;
  /** Owners (lower-case logins) whose repositories may use it; undefined: any. */
  owners?: readonly string[];
  /** How the URL is named to people: `NOTIFY_SRE_URL`, or `sre` in the `notify-urls` input. */
  urlFrom: string;
  secretFrom: string;
  ownersFrom?: string;
}

/** Looks a receiver's endpoint up by name. */
export type EndpointSource = (name: string) => Endpoint;

export type Availability =
  { ok: true; url: string; secret?: string } | { ok: false; problem: string; fix: string };

/** The App's environment variable for one part of a receiver. */
export function envVariable(name: string, part: "URL" | "SECRET" | "OWNERS"): string {
  return `NOTIFY_${name.toUpperCase()}_${part}`;
}

/** The App's endpoints: only `NOTIFY_<NAME>_URL`, `_SECRET` and `_OWNERS` of `env` are read. */
export function appEndpoints(env: Readonly<Record<string, string | undefined>>): EndpointSource {
  return (name) => {
    const read = (part: "URL" | "SECRET" | "OWNERS") => {
      const value = env[envVariable(name, part)]?.trim();
      return value === undefined || value === "" ? undefined : value;
    };
    const url = read("URL");
    const secret = read("SECRET");
    const owners = read("OWNERS");
    return {
      ...(url === undefined ? {} : { url }),
      ...(secret === undefined ? {} : { secret }),
      ...(owners === undefined ? {} : { owners: parseOwners(owners) }),
      urlFrom: `\`${envVariable(name, "URL")}\``,
      secretFrom: `\`${envVariable(name, "SECRET")}\``,
      ownersFrom: `\`${envVariable(name, "OWNERS")}\``,
    };
  };
}

function parseOwners(text: string): string[] {
  return text
    .split(",")
    .map((owner) => owner.trim().toLowerCase())
    .filter((owner) => owner !== "");
}

export type NamedValues =
  { ok: true; values: ReadonlyMap<string, string> } | { ok: false; problem: string };

/**
 * An Action input of `name=value` lines (blank lines and `#` comments skipped). A line that is
 * not one is named by its number only: its text may be a secret.
 */
export function parseNamedValues(text: string, input: string): NamedValues {
  const values = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const at = line.indexOf("=");
    const name = at > 0 ? line.slice(0, at).trim() : "";
    const value = at > 0 ? line.slice(at + 1).trim() : "";
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(name) || value === "") {
      return {
        ok: false,
        problem: `Line ${index + 1} of the \`${input}\` input is not \`name=value\` (a receiver's name under \`notify.receivers\`, then its value).`,
      };
    }
    values.set(name, value);
  }
  return { ok: true, values };
}

/** The Action's endpoints, from its `notify-urls` and `notify-secrets` inputs (already parsed). */
export function actionEndpoints(
  urls: ReadonlyMap<string, string>,
  secrets: ReadonlyMap<string, string>,
): EndpointSource {
  return (name) => {
    const url = urls.get(name);
    const secret = secrets.get(name);
    return {
      ...(url === undefined ? {} : { url }),
      ...(secret === undefined ? {} : { secret }),
      urlFrom: `\`${name}\` in the \`notify-urls\` input`,
      secretFrom: `\`${name}\` in the \`notify-secrets\` input`,
    };
  };
}

/** `https:`, or `http:` to this machine (the tests' and the demo's local receiver). */
export function allowedUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.username !== "" || url.password !== "") return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/**
 * Whether a receiver can be sent to from a repository of `owner`: its URL is set and allowed, a
 * `webhook` has its secret (unsigned messages are refused), and `_OWNERS` (when set) lists the owner.
 */
export function availability(
  name: string,
  kind: ReceiverKind,
  endpoint: Endpoint,
  owner: string,
): Availability {
  if (endpoint.url === undefined) {
    return {
      ok: false,
      problem: `Receiver \`${name}\` has no URL: ${endpoint.urlFrom} is not set.`,
      fix: `Set ${endpoint.urlFrom} to the receiver's webhook URL.`,
    };
  }
  if (!allowedUrl(endpoint.url)) {
    return {
      ok: false,
      problem: `Receiver \`${name}\`: ${endpoint.urlFrom} is not an https: URL.`,
      fix: `Set ${endpoint.urlFrom} to an https: URL (http: only to 127.0.0.1 or localhost).`,
    };
  }
  if (kind === "webhook" && endpoint.secret === undefined) {
    return {
      ok: false,
      problem: `Receiver \`${name}\` is a \`webhook\` without a secret: ${endpoint.secretFrom} is not set, and unsigned messages are not sent.`,
      fix: `Set ${endpoint.secretFrom} to the secret the receiver checks signatures with.`,
    };
  }
  if (endpoint.owners !== undefined && !endpoint.owners.includes(owner.toLowerCase())) {
    return {
      ok: false,
      problem: `Receiver \`${name}\` is not for repositories of \`${owner}\`: ${endpoint.ownersFrom ?? "its owners"} does not list it.`,
      fix: `Add \`${owner}\` to ${endpoint.ownersFrom ?? "its owners"}, or route to another receiver.`,
    };
  }
  return {
    ok: true,
    url: endpoint.url,
    ...(kind === "webhook" && endpoint.secret !== undefined ? { secret: endpoint.secret } : {}),
  };
}
