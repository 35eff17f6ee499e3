// GitHub's App-manifest flow: the web page a browser posts a manifest to (GitHub registers the App
// and sends the browser back with a code), and the REST call that turns the code into credentials.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { ApiError } from "../errors.js";
import { timestamp } from "../model.js";
import type { RouteContext, Router } from "../router.js";

/** An App registered from a manifest, kept until its code is exchanged (once, as GitHub does). */
export interface ManifestRegistration {
  code: string;
  id: number;
  slug: string;
  owner: string;
  manifest: Record<string, unknown>;
  createdAt: Date;
  exchanged: boolean;
}

function webPage(status: number, text: string) {
  return { status, raw: text, headers: { "content-type": "text/html; charset=utf-8" } };
}

/** Registers the routes; returns the list of Apps registered through them, for tests to inspect. */
export function registerManifestRoutes(router: Router): ManifestRegistration[] {
  const registrations: ManifestRegistration[] = [];
  const register = (ctx: RouteContext, owner: string) => {
    const form = ctx.body as Record<string, unknown> | undefined;
    const text = typeof form?.manifest === "string" ? form.manifest : undefined;
    let manifest: unknown;
    try {
      manifest = text === undefined ? undefined : JSON.parse(text);
    } catch {
      manifest = undefined;
    }
    // GitHub shows an error page for a manifest it cannot read, and registers nothing.
    if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
      return webPage(422, "Invalid GitHub App manifest: it is not a JSON object");
    }
    const m = manifest as Record<string, unknown>;
    const hook = m.hook_attributes as { url?: unknown } | undefined;
    if (
      typeof m.url !== "string" ||
      typeof hook?.url !== "string" ||
      typeof m.redirect_url !== "string"
    ) {
      return webPage(
        422,
        "Invalid GitHub App manifest: url, hook_attributes.url and redirect_url are required",
      );
    }
    const name = typeof m.name === "string" && m.name !== "" ? m.name : "app";
    const registration: ManifestRegistration = {
      code: randomBytes(10).toString("hex"),
      id: 90_000 + registrations.length + 1,
      slug: name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
      owner,
      manifest: m,
      createdAt: new Date(),
      exchanged: false,
    };
    registrations.push(registration);
    const back = new URL(m.redirect_url);
    back.searchParams.set("code", registration.code);
    const state = ctx.query.get("state");
    if (state !== null) back.searchParams.set("state", state);
    return { status: 302, raw: "", headers: { location: back.toString() } };
  };
  router
    .on("POST", "/settings/apps/new", (ctx) => register(ctx, "octocat"))
    .on("POST", "/organizations/{org}/settings/apps/new", (ctx) => register(ctx, ctx.params.org!))
    .on("POST", "/app-manifests/{code}/conversions", (ctx) => {
      const found = registrations.find((r) => r.code === ctx.params.code);
      if (!found || found.exchanged || Date.now() - found.createdAt.getTime() > 3_600_000) {
        throw new ApiError(404, "Not Found");
      }
      found.exchanged = true;
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const m = found.manifest;
      const at = timestamp(found.createdAt);
      return {
        status: 201,
        body: {
          id: found.id,
          slug: found.slug,
          node_id: `A_${found.id}`,
          owner: { login: found.owner, id: 1, type: "Organization" },
          name: m.name,
          description: m.description ?? null,
          external_url: m.url,
          html_url: `${ctx.state.webUrl}/apps/${found.slug}`,
          created_at: at,
          updated_at: at,
          permissions: m.default_permissions ?? {},
          events: m.default_events ?? [],
          client_id: `Iv1.${randomBytes(8).toString("hex")}`,
          client_secret: randomBytes(20).toString("hex"),
          webhook_secret: randomBytes(20).toString("hex"),
          pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        },
      };
    });
  return registrations;
}
