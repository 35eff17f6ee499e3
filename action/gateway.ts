import type { Config } from "../src/core/config.js";
import { parseConfig } from "../src/core/config.js";
import { ApprovalGateway } from "../src/github/approval-gateway.js";
import { cacheKey, ConfigCache } from "../src/github/config-cache.js";
import { parseExtendsOwners } from "../src/github/config-extends.js";
import type { GatewayOptions } from "../src/github/gateway.js";
import type { LoadedConfig } from "../src/handlers/load-config.js";
import type { HandlerDeps } from "../src/handlers/deps.js";
import { tokenRepositoryReach } from "../src/github/reach.js";
import { tokenOctokit } from "../src/github/token-octokit.js";
import type { RunContext } from "./context.js";
import { actionNotify, notifyEndpoints } from "./notify.js";

/**
 * The gateway of one run. Its configuration is read once (or taken from the entry's read) and
 * shared by the flows and the gate, so one event sees one configuration.
 */
export async function runGateway(context: RunContext): Promise<ApprovalGateway> {
  const { octokit, repository } = context;
  const configCache = new ConfigCache({ maxAgeMs: Number.POSITIVE_INFINITY });
  const config = validEntryConfig(context);
  if (config) {
    const loaded: LoadedConfig = { ok: true, config };
    await configCache.get(cacheKey(repository.owner, repository.repo), octokit, () =>
      Promise.resolve(loaded),
    );
  }
  return new ApprovalGateway(
    octokit,
    repository,
    context.log,
    configCache,
    gatewayOptions(context),
  );
}

/**
 * How this run's gateways read the configuration: `_extends` may name the owners of the
 * `config-extends-owners` input besides the repository's own (src/github/config-extends.ts).
 */
export function gatewayOptions(context: Pick<RunContext, "inputs">): GatewayOptions {
  const parsed = parseExtendsOwners(
    context.inputs["config-extends-owners"],
    "The `config-extends-owners` input",
  );
  if (!parsed.ok) throw new Error(parsed.problem);
  return { extendsOwners: parsed.owners };
}

/** The configuration the entry read, if it is valid (a broken one is read and reported as ever). */
function validEntryConfig(context: RunContext): Config | undefined {
  if (!context.entryConfig) return undefined;
  const parsed = parseConfig(context.entryConfig.value);
  return parsed.ok ? parsed.config : undefined;
}

/** What the handlers are given in a run of the Action: its gateway, the clock and its log. */
export async function runDeps(context: RunContext): Promise<HandlerDeps> {
  const token = context.inputs["private-repository-token"];
  const projectsToken = context.inputs["projects-token"];
  const gateway = await runGateway(context);
  const endpoints = notifyEndpoints(context);
  return {
    gateway,
    clock: () => new Date(),
    log: context.log,
    frontDoor: "action",
    // Links in notices point at the run's GitHub (GitHub Enterprise Server included).
    ...(context.env.GITHUB_SERVER_URL ? { serverUrl: context.env.GITHUB_SERVER_URL } : {}),
    // Chat (`notify:`), from the `notify-urls` and `notify-secrets` inputs (masked here, once).
    notify: actionNotify(context, endpoints, gateway.base, undefined),
    notifyIn: (target) => actionNotify(context, endpoints, target, undefined),
    // Another repository (`private.repository`) only with a token given for it.
    ...(token === undefined
      ? {}
      : { reach: tokenRepositoryReach(privateClient(context, token), gatewayOptions(context)) }),
    // The project (`projects:`) with its own token: GITHUB_TOKEN cannot reach a project.
    ...(projectsToken === undefined ? {} : { projectsApi: privateClient(context, projectsToken) }),
  };
}

function privateClient(context: RunContext, token: string) {
  return tokenOctokit({
    token,
    baseUrl: context.env.GITHUB_API_URL ?? "https://api.github.com",
    userAgent: "postmortem-bot-action",
    writePacing: context.env.WRITE_PACING,
    warn: (message) => context.log.warn(message),
  }).octokit;
}
