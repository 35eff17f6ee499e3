import type { Probot } from "probot";

/**
 * The App's own slug (its bot is `<slug>[bot]`, the one author whose markers the App trusts:
 * src/core/trust/writers.ts). Asked of GitHub once per process, `GET /app` with the App's JWT, and
 * kept; a failed ask is asked again by the next delivery. `known` (the `APP_SLUG` setting, or a
 * test's) saves even that one request.
 */
export function appSlugOf(app: Probot, known?: string): () => Promise<string> {
  let pending: Promise<string> | undefined =
    known === undefined ? undefined : Promise.resolve(known.toLowerCase());
  return () => {
    pending ??= (async () => {
      const octokit = await app.auth();
      const { data } = await octokit.request("GET /app");
      const slug = (data as { slug?: string } | null)?.slug;
      if (!slug) throw new Error("GitHub did not say this App's slug (GET /app)");
      return slug.toLowerCase();
    })().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
