import type { CodeownersFile } from "../core/capa/codeowners.js";
import { CODEOWNERS_MAX_BYTES, CODEOWNERS_PATHS } from "../core/capa/codeowners.js";
import type { GitHubApi } from "./api.js";
import { isStatus } from "./api.js";
import type { GitHubGateway } from "./gateway.js";

/** The CODEOWNERS file's cache key beside the repository's configuration. */
export const CODEOWNERS_ASIDE = "codeowners";

/**
 * The repository's CODEOWNERS file on the default branch, where GitHub looks for it
 * (`.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`: the first found counts), through the
 * configuration cache: no request while fresh, conditional requests (304) after; without a cache
 * (the Action) a plain read. One request when it is in `.github/`, up to three when there is none.
 * A push that changes it drops the cached copy (src/github/webhook-events.ts).
 */
export async function readCodeowners(gateway: GitHubGateway): Promise<CodeownersFile | undefined> {
  const found = await gateway.cachedRead(CODEOWNERS_ASIDE, (api) => findCodeowners(api, gateway));
  // The cache holds no `undefined` (it reads as "not cached"): none is `null` there.
  return found ?? undefined;
}

async function findCodeowners(
  api: GitHubApi,
  gateway: GitHubGateway,
): Promise<CodeownersFile | null> {
  const { owner, repo, defaultBranch } = gateway.repository;
  for (const path of CODEOWNERS_PATHS) {
    let text: unknown;
    try {
      ({ data: text } = await api.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner,
        repo,
        path,
        ref: defaultBranch,
        mediaType: { format: "raw" },
      }));
    } catch (error) {
      if (isStatus(error, 404)) continue;
      throw error;
    }
    if (typeof text !== "string") continue;
    // GitHub does not use a file this large: neither does the product.
    return text.length > CODEOWNERS_MAX_BYTES ? null : { path, text };
  }
  return null;
}
