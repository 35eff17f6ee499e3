/**
 * `npm run setup` / `postmortem-bot setup`: registers the GitHub App from app.yml with GitHub's
 * App-manifest flow. A page on 127.0.0.1 holds one button that posts the manifest to GitHub;
 * GitHub registers the App, sends the browser back with a code, and the code becomes the App's
 * credentials in `.env` (mode 0600). `npm start` never serves this page: it is its own command.
 *
 *   postmortem-bot setup --webhook-url https://bot.example.org/api/github/webhooks [--org ORG]
 *     [--port 3000] [--name NAME] [--env-file .env] [--team-roles]
 *
 * GHE_HOST (and GHE_PROTOCOL) register on GitHub Enterprise Server instead of GitHub.com.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../core/config.js";
import { CONFIG_PATH } from "../core/constants.js";
import type { RegistrationTarget } from "../core/setup/manifest.js";
import {
  apiBaseUrl,
  appManifest,
  envSettings,
  escapeHtml,
  mergeEnvFile,
  nextSteps,
  parseConversion,
  publicHttpUrl,
  registrationUrl,
  setupPage,
} from "../core/setup/manifest.js";
import { convertManifestCode } from "../github/manifest-conversion.js";

export interface SetupIo {
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Asks a question on the terminal; absent when nobody can answer (not a TTY). */
  ask?: ((question: string) => Promise<string>) | undefined;
}

export interface SetupSession {
  /** The page to open in a browser. */
  url: string;
  /** Settles with the exit code once GitHub sent the browser back (or setup failed). */
  done: Promise<number>;
  close: () => Promise<void>;
}

const USAGE =
  "usage: postmortem-bot setup --webhook-url URL [--org ORG] [--port 3000] [--name NAME] [--env-file .env] [--team-roles]";

/** Parses the arguments and starts the page; a usage problem gives exit code 2 at once. */
export async function startSetup(
  args: readonly string[],
  io: SetupIo,
): Promise<SetupSession | number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        "webhook-url": { type: "string" },
        org: { type: "string" },
        port: { type: "string", default: "3000" },
        name: { type: "string" },
        "env-file": { type: "string", default: ".env" },
        "team-roles": { type: "boolean", default: false },
        "app-yml": { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`--port ${values.port} is not a port\n${USAGE}`);
    return 2;
  }
  let webhookUrl = values["webhook-url"];
  if (webhookUrl === undefined && io.ask) {
    webhookUrl = await io.ask(
      "The server's public webhook URL (GitHub must reach it), e.g. https://bot.example.org/api/github/webhooks\n" +
        "  For a trial, a https://smee.io channel forwarded with `npx smee-client --url <channel> --target http://localhost:3000/api/github/webhooks` works.\n> ",
    );
  }
  if (webhookUrl === undefined) {
    io.err(`--webhook-url is missing: GitHub needs to know where to send webhooks.\n${USAGE}`);
    return 2;
  }
  const webhook = publicHttpUrl(webhookUrl);
  if (!webhook.ok) {
    io.err(webhook.problem);
    return 2;
  }

  const appYmlPath = values["app-yml"] ? resolve(io.cwd, values["app-yml"]) : findAppYml();
  if (appYmlPath === undefined) {
    io.err(
      "app.yml was not found next to the package: run setup from a checkout of postmortem-bot.",
    );
    return 2;
  }
  const teamRoles = values["team-roles"] || configUsesTeams(io.cwd);
  const target: RegistrationTarget = {
    host: io.env.GHE_HOST || undefined,
    protocol: io.env.GHE_PROTOCOL || undefined,
    org: values.org,
  };
  const envPath = resolve(io.cwd, values["env-file"]);
  const state = randomBytes(16).toString("hex");

  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((settle) => (finish = settle));
  let manifestPage = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (status: number, html: string) => {
      res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    };
    if (req.method === "GET" && url.pathname === "/") return send(200, manifestPage);
    if (req.method !== "GET" || url.pathname !== "/callback") return send(404, "Not found");
    const code = url.searchParams.get("code") ?? "";
    if (
      !sameText(url.searchParams.get("state") ?? "", state) ||
      !/^[A-Za-z0-9_-]{1,100}$/.test(code)
    ) {
      // Only GitHub, sent back from this page's own form, knows the state.
      return send(
        400,
        page("This link does not come from this setup page. Start again from the setup page."),
      );
    }
    void (async () => {
      const exchanged = await convertManifestCode(apiBaseUrl(target), code, "postmortem-bot-setup");
      const parsed = exchanged.ok ? parseConversion(exchanged.answer) : exchanged;
      if (!parsed.ok) {
        io.err(parsed.problem);
        send(502, page(parsed.problem));
        finish(1);
        return;
      }
      const existing = existsSync(envPath) ? readFileSync(envPath, "utf8") : "";
      writeFileSync(envPath, mergeEnvFile(existing, envSettings(parsed.conversion, target)), {
        mode: 0o600,
      });
      // writeFile's mode applies only to a new file: an older .env is narrowed too.
      chmodSync(envPath, 0o600);
      const steps = nextSteps(parsed.conversion, values["env-file"], webhook.url);
      for (const line of steps) io.out(line);
      send(200, page(steps.map(escapeHtml).join("<br>\n"), true));
      finish(0);
    })().catch((error: unknown) => {
      io.err(`setup failed: ${String(error)}`);
      if (!res.headersSent) send(500, page("Setup failed: see the terminal."));
      finish(1);
    });
  });
  await new Promise<void>((ready) => server.listen(port, "127.0.0.1", ready));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const manifest = appManifest(parseYaml(readFileSync(appYmlPath, "utf8")), {
    webhookUrl: webhook.url,
    redirectUrl: `${origin}/callback`,
    teamRoles,
    name: values.name,
  });
  if (!manifest.ok) {
    server.close();
    io.err(manifest.problem);
    return 2;
  }
  manifestPage = setupPage(manifest.manifest, registrationUrl(target, state));
  io.out(`Open ${origin}/ in a browser signed in to GitHub and press the button.`);
  if (teamRoles)
    io.out("The configuration lists teams in approval roles: the App asks for Members: read.");
  return {
    url: `${origin}/`,
    done,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}

function page(html: string, ok = false): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>postmortem-bot setup</title></head><body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto"><h1>${ok ? "Done" : "Setup"}</h1><p>${ok ? html : escapeHtml(html)}</p></body></html>`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** app.yml at the package's root: two levels up from src/entry, one from dist/. */
function findAppYml(): string | undefined {
  return ["../../app.yml", "../app.yml"]
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((path) => existsSync(path));
}

/** Whether the local configuration (if any) names teams in an approval role. */
function configUsesTeams(cwd: string): boolean {
  const path = resolve(cwd, CONFIG_PATH);
  if (!existsSync(path)) return false;
  try {
    const parsed = parseConfig(parseYaml(readFileSync(path, "utf8")));
    return (
      parsed.ok &&
      Object.values(parsed.config.approvals.roles).some((role) => role.teams.length > 0)
    );
  } catch {
    return false;
  }
}

/** Run from the command line (`npm run setup`). */
export async function runSetupCli(args: readonly string[], io: SetupIo): Promise<number> {
  const session = await startSetup(args, io);
  if (typeof session === "number") return session;
  const code = await session.done;
  await session.close();
  return code;
}
