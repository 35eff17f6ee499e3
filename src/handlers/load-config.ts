import type { Config } from "../core/config.js";
import { incidentLabelsOfBrokenConfig, parseConfig } from "../core/config.js";
import { CONFIG_PATH } from "../core/constants.js";
import type { FlowsRunner } from "../core/flows/config.js";
import { flowsRunnerOfRaw } from "../core/flows/config.js";
import { ExtendsRefused } from "../github/config-extends.js";
import type { GitHubGateway, RawConfig } from "../github/gateway.js";

export type LoadedConfig =
  | { ok: true; config: Config }
  | { ok: false; problem: string; incidentLabels: string[]; flowsRunIn: FlowsRunner };

const PLUGIN_PREFIX = "[@probot/octokit-plugin-config] ";

/**
 * Reads and validates `.github/postmortem.yml` (through the gateway's cache, if it has one); a
 * broken file becomes a problem a person can fix.
 */
export function loadConfig(gateway: GitHubGateway): Promise<LoadedConfig> {
  return gateway.loadConfig(interpretConfig);
}

/** The configuration if the cache holds it fresh, without any request; else undefined. */
export function knownConfig(gateway: GitHubGateway): LoadedConfig | undefined {
  return gateway.knownConfig<LoadedConfig>();
}

async function interpretConfig(readRaw: () => Promise<RawConfig>): Promise<LoadedConfig> {
  let raw;
  try {
    raw = await readRaw();
  } catch (error) {
    if (error instanceof ExtendsRefused) {
      return {
        ok: false,
        problem: `The configuration file \`${CONFIG_PATH}\` cannot be used: ${error.message}`,
        incidentLabels: incidentLabelsOfBrokenConfig(undefined),
        flowsRunIn: flowsRunnerOfRaw(undefined),
      };
    }
    if (!(error instanceof Error) || !error.message.startsWith(PLUGIN_PREFIX)) throw error;
    const cause = error.cause instanceof Error ? `\n\n\`\`\`\n${error.cause.message}\n\`\`\`` : "";
    return {
      ok: false,
      problem: `The configuration file \`${CONFIG_PATH}\` is broken: ${error.message.slice(PLUGIN_PREFIX.length)}.${cause}`,
      incidentLabels: incidentLabelsOfBrokenConfig(undefined),
      flowsRunIn: flowsRunnerOfRaw(undefined),
    };
  }
  const result = parseConfig(raw.value);
  if (result.ok) return result;
  const files =
    raw.files.length > 0 ? raw.files.map((url) => `\`${url}\``).join(", ") : CONFIG_PATH;
  return {
    ok: false,
    problem: `The configuration in ${files} is invalid:\n\n${result.problems.map((problem) => `- ${problem}`).join("\n")}`,
    incidentLabels: incidentLabelsOfBrokenConfig(raw.value),
    flowsRunIn: flowsRunnerOfRaw(raw.value),
  };
}
