import { visibilityOf } from "./webhook-events.js";
import type { Probot } from "probot";
import type { Logger } from "../core/logger.js";
import { ApprovalGateway } from "./approval-gateway.js";
import type { ConfigCache } from "./config-cache.js";
import type { GatewayOptions } from "./gateway.js";
import { isStatus } from "./api.js";
import type { RepositoryReach } from "./reach.js";
import { gatewayThrough } from "./reach.js";

// The App's own runs (timers) reach repositories through here: which installations and
// repositories there are, and which have recent incident or post-mortem activity.

/**
 * Calls `work` for every repository of every installation of the App (archived ones left out),
 * with a gateway authenticated as that installation. One repository's failure is logged and the
 * others go on.
 */
export async function forEachRepository(
  app: Probot,
  configCache: ConfigCache,
  log: Logger,
  work: (gateway: ApprovalGateway) => Promise<void>,
  gatewayOptions: GatewayOptions = {},
): Promise<void> {
  const appOctokit = await app.auth();
  const installations = await appOctokit.paginate("GET /app/installations", { per_page: 100 });
  for (const installation of installations) {
    const octokit = await app.auth(installation.id);
    const repositories = await octokit.paginate("GET /installation/repositories", {
      per_page: 100,
    });
    for (const repository of repositories) {
      if (repository.archived) continue;
      const gateway = new ApprovalGateway(
        octokit,
        {
          owner: repository.owner.login,
          repo: repository.name,
          defaultBranch: repository.default_branch ?? "main",
          ...(visibilityOf(repository) ? { visibility: visibilityOf(repository) } : {}),
        },
        log,
        configCache,
        gatewayOptions,
      );
      try {
        await work(gateway);
      } catch (error) {
        log.error(
          `${repository.full_name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}

/**
 * Calls `work` for each repository of each installation that has an open issue carrying one of
 * `labels` updated since `since`, found with one issue search per installation (search is
 * eventually consistent and separately rate limited: fine for finding candidates, which the
 * handlers then re-check with consistent reads).
 */
export async function forEachRepositoryWithRecentIssues(
  app: Probot,
  configCache: ConfigCache,
  log: Logger,
  search: { labels: readonly string[]; since: Date },
  work: (gateway: ApprovalGateway) => Promise<void>,
  gatewayOptions: GatewayOptions = {},
): Promise<void> {
  const appOctokit = await app.auth();
  const installations = await appOctokit.paginate("GET /app/installations", { per_page: 100 });
  const labels = [...new Set(search.labels.map((label) => label.toLowerCase()))]
    // Quoted only where needed: `label:a,b` means either, `"help wanted"` keeps its space.
    .map((label) => (/\s/.test(label) ? `"${label.replace(/"/g, "")}"` : label))
    .join(",");
  const since = search.since.toISOString().replace(/\.\d{3}Z$/, "Z");
  for (const installation of installations) {
    const account =
      installation.account && "login" in installation.account
        ? installation.account.login
        : undefined;
    if (!account) continue;
    const octokit = await app.auth(installation.id);
    const repositories = new Set<string>();
    // Paged by hand: Octokit's paginate mistakes the answer's extra keys (`search_type`) for
    // its items. Search gives at most 1,000 results; enough for candidates.
    for (let page = 1; page <= 10; page++) {
      const { data } = await octokit.request("GET /search/issues", {
        // Closed issues too: a post-mortem closed while its delivery was lost has a close to judge.
        q: `user:${account} is:issue label:${labels} updated:>=${since}`,
        per_page: 100,
        page,
      });
      for (const issue of data.items) {
        repositories.add(issue.repository_url.replace(/^.*\/repos\//, ""));
      }
      if (data.items.length < 100) break;
    }
    for (const fullName of repositories) {
      const [owner = "", repo = ""] = fullName.split("/");
      try {
        // The default branch, where the configuration and the template are read.
        const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner, repo });
        const gateway = new ApprovalGateway(
          octokit,
          {
            owner,
            repo,
            defaultBranch: data.default_branch,
            ...(visibilityOf(data) ? { visibility: visibilityOf(data) } : {}),
          },
          log,
          configCache,
          gatewayOptions,
        );
        await work(gateway);
      } catch (error) {
        log.error(`${fullName}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/**
 * How the App reaches another repository: its installation there (`GET /repos/{owner}/{repo}/
 * installation`, with the App's JWT), then that installation's token. Not installed (404), or the
 * repository not among the installation's: undefined.
 */
export function appRepositoryReach(
  app: Probot,
  configCache: ConfigCache,
  gatewayOptions: GatewayOptions = {},
): RepositoryReach {
  return async (repository) => {
    let installationId: number;
    try {
      const appOctokit = await app.auth();
      const { data } = await appOctokit.request("GET /repos/{owner}/{repo}/installation", {
        ...repository,
      });
      installationId = data.id;
    } catch (error) {
      if (isStatus(error, 403, 404)) return undefined;
      throw error;
    }
    const octokit = await app.auth(installationId);
    return gatewayThrough(octokit, repository, configCache, gatewayOptions);
  };
}
