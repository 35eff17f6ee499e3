import type { DeliveryFact, HookFacts } from "../core/doctor/checks.js";
import type { RepositoryRef } from "../core/snapshots.js";
import type { GitHubApi } from "./api.js";
import { isStatus } from "./api.js";

/*
 * The reads `postmortem-bot doctor` makes beyond a repository's files: the App as registered, its
 * installation on the repository, its webhook and recent deliveries (all with the App's JWT).
 */

export interface Grant {
  permissions: Record<string, string | undefined>;
  events: string[];
  settingsUrl: string;
}

export interface AppFacts {
  slug: string;
  app: Grant;
  /** Undefined when the App is not installed on the repository. */
  installation: (Grant & { id: number }) | undefined;
  hook: HookFacts;
  deliveries: DeliveryFact[];
}

export async function readAppFacts(
  appApi: GitHubApi,
  repository: { owner: string; repo: string },
): Promise<AppFacts> {
  const app = (await appApi.request("GET /app")).data;
  if (!app) throw new Error("GitHub answered GET /app with nothing");
  let installation: AppFacts["installation"];
  try {
    const found = (await appApi.request("GET /repos/{owner}/{repo}/installation", repository)).data;
    installation = {
      id: found.id,
      permissions: { ...found.permissions },
      events: found.events,
      settingsUrl: found.html_url,
    };
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
  const hook = (await appApi.request("GET /app/hook/config")).data;
  const deliveries = (await appApi.request("GET /app/hook/deliveries", { per_page: 30 })).data;
  return {
    slug: app.slug ?? "",
    app: {
      permissions: { ...app.permissions },
      events: app.events,
      settingsUrl: `${app.html_url}`,
    },
    installation,
    hook: {
      url: hook.url,
      insecureSsl: hook.insecure_ssl === undefined ? undefined : String(hook.insecure_ssl),
    },
    deliveries: deliveries.map((delivery) => ({
      event: delivery.event,
      statusCode: delivery.status_code,
      deliveredAt: delivery.delivered_at,
    })),
  };
}

/** The repository as doctor needs it (its default branch holds the files), or undefined if unseen. */
export async function readRepository(
  api: GitHubApi,
  repository: { owner: string; repo: string },
): Promise<RepositoryRef | undefined> {
  try {
    const data = (await api.request("GET /repos/{owner}/{repo}", repository)).data;
    return {
      owner: repository.owner,
      repo: repository.repo,
      defaultBranch: data.default_branch,
      ...(data.visibility === "public" ||
      data.visibility === "private" ||
      data.visibility === "internal"
        ? { visibility: data.visibility }
        : {}),
    };
  } catch (error) {
    if (isStatus(error, 404, 403)) return undefined;
    throw error;
  }
}
