import { parseEnv } from "node:util";
import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import {
  appManifest,
  envSettings,
  mergeEnvFile,
  parseConversion,
  registrationUrl,
  setupPage,
} from "../../../src/core/setup/manifest.js";

const APP_YML = {
  name: "postmortem-bot",
  description: `The team's bot "quoted" </form><script>alert(1)</script> & more`,
  url: "https://github.com/postmortem-bot/postmortem-bot",
  hook_attributes: { url: "https://example.com/api/github/webhooks" },
  public: false,
  default_events: ["issues"],
  default_permissions: { issues: "write" },
};
const OPTIONS = {
  webhookUrl: "https://bot.example.org/api/github/webhooks",
  redirectUrl: "http://127.0.0.1:3000/callback",
  teamRoles: false,
};
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\nAAAA==\n-----END RSA PRIVATE KEY-----\n";
const ANSWER = {
  id: 7,
  slug: "pm-bot",
  html_url: "https://github.com/apps/pm-bot",
  client_id: "Iv1.abc",
  client_secret: "s3cret",
  webhook_secret: "abc123",
  pem: PEM,
};

describe("the setup page", () => {
  it("carries the manifest whole through an HTML form, whatever its text holds", () => {
    const made = appManifest(APP_YML, OPTIONS);
    if (!made.ok) throw new Error(made.problem);
    const html = setupPage(made.manifest, registrationUrl({}, "s1"));
    const document = new JSDOM(html).window.document;
    expect(document.querySelectorAll("script")).toHaveLength(0);
    const form = document.querySelector("form")!;
    expect(form.action).toBe("https://github.com/settings/apps/new?state=s1");
    const value = (form.querySelector('input[name="manifest"]') as HTMLInputElement).value;
    expect(JSON.parse(value)).toEqual({
      ...APP_YML,
      hook_attributes: { url: OPTIONS.webhookUrl, active: true },
      redirect_url: OPTIONS.redirectUrl,
    });
  });

  it("posts to an organization's page, and to GHES", () => {
    expect(registrationUrl({ org: "acme corp" }, "s")).toBe(
      "https://github.com/organizations/acme%20corp/settings/apps/new?state=s",
    );
    expect(registrationUrl({ host: "ghe.example.org", org: "acme" }, "s")).toBe(
      "https://ghe.example.org/organizations/acme/settings/apps/new?state=s",
    );
  });

  it("asks for Members: read only when roles name teams", () => {
    const made = appManifest(APP_YML, { ...OPTIONS, teamRoles: true });
    expect(made.ok && made.manifest.default_permissions).toEqual({
      issues: "write",
      members: "read",
    });
  });

  it("refuses an app.yml that is no manifest, and a webhook URL GitHub cannot use", () => {
    const broken = appManifest({ name: "x" }, OPTIONS);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problem).toMatch(/^app.yml is not an App manifest/);
    expect(appManifest(APP_YML, { ...OPTIONS, webhookUrl: "ftp://x.org/h" })).toEqual({
      ok: false,
      problem: "the webhook URL must start with https:// (got ftp:)",
    });
  });
});

describe("the .env setup writes", () => {
  it("replaces the App's settings, multi-line key included, and keeps the others", () => {
    const parsed = parseConversion(ANSWER);
    if (!parsed.ok) throw new Error(parsed.problem);
    const before = `# mine\nLOG_LEVEL=debug\nPRIVATE_KEY="-----BEGIN OLD-----\nZZZ\n-----END OLD-----\n"\nexport APP_ID=3\nPORT=4000\n`;
    const text = mergeEnvFile(before, envSettings(parsed.conversion, { host: "ghe.example.org" }));
    expect(text.startsWith("# mine\nLOG_LEVEL=debug\nPORT=4000\n\nAPP_ID=")).toBe(true);
    expect(parseEnv(text)).toEqual({
      LOG_LEVEL: "debug",
      PORT: "4000",
      APP_ID: "7",
      APP_SLUG: "pm-bot",
      PRIVATE_KEY: PEM,
      WEBHOOK_SECRET: "abc123",
      GITHUB_CLIENT_ID: "Iv1.abc",
      GITHUB_CLIENT_SECRET: "s3cret",
      GHE_HOST: "ghe.example.org",
    });
  });

  it("refuses an answer that would write another setting into .env", () => {
    for (const hostile of [
      { ...ANSWER, webhook_secret: 'x"\nNODE_OPTIONS="--require=/tmp/evil.js' },
      { ...ANSWER, client_secret: "a b" },
      { ...ANSWER, pem: `${PEM}"\nNODE_OPTIONS="x` },
      { ...ANSWER, id: "7" },
    ]) {
      const parsed = parseConversion(hostile);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.problem).toMatch(/^GitHub's answer was not an App's credentials/);
    }
  });
});
