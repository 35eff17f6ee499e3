import type { GitHubApi } from "./api.js";
import { isStatus } from "./api.js";
import type { ConfigCache } from "./config-cache.js";
import type { GatewayOptions } from "./gateway.js";
import { GitHubGateway } from "./gateway.js";
import { visibilityOf } from "./webhook-events.js";

/** Another repository, reached for a private post-mortem; undefined: it cannot be reached. */
export type RepositoryReach = (repository: {
  owner: string;
  repo: string;
}) => Promise<GitHubGateway | undefined>;

/**
 * A gateway for another repository through a client that can see it (the App's installation
 * there, or the token the Action was given for it). 403 or 404: undefined.
 */
export async function gatewayThrough(
  api: GitHubApi,
  { owner, repo }: { owner: string; repo: string },
  configCache?: ConfigCache,
  gatewayOptions: GatewayOptions = {},
): Promise<GitHubGateway | undefined> {
  try {
    const { data } = await api.request("GET /repos/{owner}/{repo}", { owner, repo });
    return new GitHubGateway(
      api,
      {
        owner: data.owner.login,
        repo: data.name,
        defaultBranch: data.default_branch,
        ...(visibilityOf(data) ? { visibility: visibilityOf(data) } : {}),
      },
      configCache,
      gatewayOptions,
    );
  } catch (error) {
    if (isStatus(error, 403, 404)) return undefined;
    throw error;
  }
}

/** The Action's reach: the token given for the private repository (`private-repository-token`). */
export function tokenRepositoryReach(
  api: GitHubApi,
  gatewayOptions: GatewayOptions = {},
): RepositoryReach {
  return (repository) => gatewayThrough(api, repository, undefined, gatewayOptions);
}
