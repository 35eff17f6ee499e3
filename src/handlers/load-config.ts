import type { Config } from "../core/config.js";
import { CONFIG_PATH, incidentLabelsOfBrokenConfig, parseConfig } from "../core/config.js";
import type { GitHubGateway } from "../github/gateway.js";

export type LoadedConfig =
  { ok: true; config: Config } | { ok: false; problem: string; incidentLabels: string[] };

const PLUGIN_PREFIX = "[@probot/octokit-plugin-config] ";

/** Reads and validates `.github/postmortem.yml`; a broken file becomes a problem a person can fix. */
export async function loadConfig(gateway: GitHubGateway): Promise<LoadedConfig> {
  let raw;
  try {
    raw = await gateway.loadRawConfig();
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith(PLUGIN_PREFIX)) throw error;
    const cause = error.cause instanceof Error ? `\n\n\`\`\`\n${error.cause.message}\n\`\`\`` : "";
    return {
      ok: false,
      problem: `The configuration file \`${CONFIG_PATH}\` is broken: ${error.message.slice(PLUGIN_PREFIX.length)}.${cause}`,
      incidentLabels: incidentLabelsOfBrokenConfig(undefined),
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
  };
}
