import { z } from "zod";

/*
 * Registering the App from its manifest (GitHub's App-manifest flow), the decisions only: what
 * manifest to send, where the browser posts it, the page that holds the form, and the `.env` the
 * answer becomes. src/entry/setup.ts serves the page and exchanges the code.
 */

/** What `app.yml` must hold for GitHub to accept it as a manifest (the rest passes through). */
const AppYml = z.looseObject({
  name: z.string().min(1),
  url: z.string().url(),
  hook_attributes: z.looseObject({ url: z.string() }),
  default_events: z.array(z.string()),
  default_permissions: z.record(z.string(), z.string()),
});

export interface ManifestOptions {
  /** Where GitHub sends webhooks: the server's public `/api/github/webhooks`. */
  webhookUrl: string;
  /** Where GitHub sends the browser back with the code (the setup page's `/callback`). */
  redirectUrl: string;
  /** The configuration lists teams in an approval role: team membership must be readable. */
  teamRoles: boolean;
  /** Replaces app.yml's `name` (App names are unique on GitHub). */
  name?: string | undefined;
}

export type ManifestResult =
  { ok: true; manifest: Record<string, unknown> } | { ok: false; problem: string };

/** The manifest GitHub registers: app.yml with this server's webhook and redirect URLs. */
export function appManifest(appYml: unknown, options: ManifestOptions): ManifestResult {
  const parsed = AppYml.safeParse(appYml);
  if (!parsed.success) {
    return {
      ok: false,
      problem: `app.yml is not an App manifest: ${z.prettifyError(parsed.error)}`,
    };
  }
  const webhook = publicHttpUrl(options.webhookUrl);
  if (!webhook.ok) return webhook;
  const yml = parsed.data;
  const permissions = { ...yml.default_permissions };
  // Dropped by default (least privilege); only roles that name teams read membership.
  if (options.teamRoles) permissions.members = "read";
  return {
    ok: true,
    manifest: {
      ...yml,
      ...(options.name ? { name: options.name } : {}),
      hook_attributes: { ...yml.hook_attributes, url: webhook.url, active: true },
      redirect_url: options.redirectUrl,
      default_permissions: permissions,
    },
  };
}

/** GitHub must be able to reach the webhook URL: an absolute http(s) URL, not app.yml's placeholder. */
export function publicHttpUrl(
  text: string,
): { ok: true; url: string } | { ok: false; problem: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return {
      ok: false,
      problem: `"${text}" is not a URL: give the server's public webhook URL, e.g. https://bot.example.org/api/github/webhooks`,
    };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, problem: `the webhook URL must start with https:// (got ${url.protocol})` };
  }
  if (url.hostname === "example.com") {
    return {
      ok: false,
      problem: "example.com is app.yml's placeholder: give the server's public webhook URL",
    };
  }
  return { ok: true, url: url.toString() };
}

export interface RegistrationTarget {
  /** GHES host (`GHE_HOST`); GitHub.com when absent. */
  host?: string | undefined;
  /** `GHE_PROTOCOL` (https unless set). */
  protocol?: string | undefined;
  /** Register under this organization instead of the signed-in user. */
  org?: string | undefined;
}

/** Where the browser posts the manifest: the user's or the organization's "new App" page. */
export function registrationUrl(target: RegistrationTarget, state: string): string {
  const origin = `${target.protocol ?? "https"}://${target.host ?? "github.com"}`;
  const path = target.org
    ? `/organizations/${encodeURIComponent(target.org)}/settings/apps/new`
    : "/settings/apps/new";
  return `${origin}${path}?state=${encodeURIComponent(state)}`;
}

/** The REST base the code is exchanged at (GHES serves REST under /api/v3). */
export function apiBaseUrl(target: RegistrationTarget): string {
  return target.host
    ? `${target.protocol ?? "https"}://${target.host}/api/v3`
    : "https://api.github.com";
}

/** Text made safe inside a double- or single-quoted HTML attribute or as element text. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

/**
 * The one-button page: a form that posts the manifest to GitHub. The manifest goes in an escaped
 * attribute, so an apostrophe in the description ("team's") cannot cut it short.
 */
export function setupPage(manifest: Record<string, unknown>, postTo: string): string {
  const name = typeof manifest.name === "string" ? manifest.name : "the App";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Register ${escapeHtml(name)}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Register ${escapeHtml(name)} on GitHub</h1>
<p>GitHub will show the App's name, permissions and events before anything is created.</p>
<form method="post" action="${escapeHtml(postTo)}">
<input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
<button type="submit">Register the GitHub App</button>
</form>
</body>
</html>
`;
}

/** GitHub's answer to `POST /app-manifests/{code}/conversions`: the fields `.env` needs. */
const Conversion = z.looseObject({
  id: z.number().int().positive(),
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  html_url: z.string().url(),
  client_id: z.string().regex(/^[A-Za-z0-9._-]+$/),
  client_secret: z.string().regex(/^[A-Za-z0-9._-]+$/),
  webhook_secret: z.string().regex(/^[A-Za-z0-9._~+/=-]+$/),
  pem: z.string().regex(/^-----BEGIN [A-Z ]+-----\n[A-Za-z0-9+/=\n]+-----END [A-Z ]+-----\n?$/),
});
export type Conversion = z.infer<typeof Conversion>;

export function parseConversion(
  answer: unknown,
): { ok: true; conversion: Conversion } | { ok: false; problem: string } {
  const parsed = Conversion.safeParse(answer);
  // The answer is written into a file that is later read as settings: nothing else may pass.
  if (!parsed.success)
    return {
      ok: false,
      problem: `GitHub's answer was not an App's credentials: ${z.prettifyError(parsed.error)}`,
    };
  return { ok: true, conversion: parsed.data };
}

/** The settings setup writes, in the order `.env` lists them. */
export function envSettings(
  conversion: Conversion,
  target: RegistrationTarget,
): [string, string][] {
  return [
    ["APP_ID", String(conversion.id)],
    ["APP_SLUG", conversion.slug],
    ["PRIVATE_KEY", conversion.pem.endsWith("\n") ? conversion.pem : `${conversion.pem}\n`],
    ["WEBHOOK_SECRET", conversion.webhook_secret],
    ["GITHUB_CLIENT_ID", conversion.client_id],
    ["GITHUB_CLIENT_SECRET", conversion.client_secret],
    ...(target.host ? ([["GHE_HOST", target.host]] as [string, string][]) : []),
    ...(target.protocol ? ([["GHE_PROTOCOL", target.protocol]] as [string, string][]) : []),
  ];
}

/**
 * The new `.env`: the existing file's other lines kept as they were, the settings written (double
 * quoted, as Node's parseEnv and dotenv read a multi-line key) in place of any older ones.
 */
export function mergeEnvFile(existing: string, settings: readonly [string, string][]): string {
  const replaced = new Set(settings.map(([key]) => key));
  const kept: string[] = [];
  let skippingQuoted = false;
  for (const line of existing.split("\n")) {
    if (skippingQuoted) {
      // The rest of an older multi-line value (a PRIVATE_KEY) goes with its key.
      if (line.includes('"')) skippingQuoted = false;
      continue;
    }
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (key !== undefined && replaced.has(key)) {
      const value = line.slice(line.indexOf("=") + 1).trim();
      skippingQuoted = value.startsWith('"') && value.indexOf('"', 1) === -1;
      continue;
    }
    kept.push(line);
  }
  while (kept.length > 0 && kept.at(-1)!.trim() === "") kept.pop();
  const written = settings.map(([key, value]) => `${key}="${value}"`);
  return [...kept, ...(kept.length > 0 ? [""] : []), ...written, ""].join("\n");
}

/** What to do once the App exists: install it, then start the server. */
export function nextSteps(conversion: Conversion, envPath: string, webhookUrl: string): string[] {
  return [
    `Registered the GitHub App "${conversion.slug}" (id ${conversion.id}); its credentials are in ${envPath} (mode 0600: keep it out of git).`,
    `1. Install it on the repositories it should watch: ${conversion.html_url}/installations/new`,
    "2. Start the server: npm start (it reads .env)",
    `3. GitHub sends webhooks to ${webhookUrl}: that address must reach this server's /api/github/webhooks.`,
  ];
}
