import { Octokit } from "@octokit/rest";

/**
 * Exchanges the code GitHub gave the setup page for the new App's credentials
 * (`POST /app-manifests/{code}/conversions`, no authentication; a code works once, within an hour).
 */
export async function convertManifestCode(
  baseUrl: string,
  code: string,
  userAgent: string,
): Promise<{ ok: true; answer: unknown } | { ok: false; problem: string }> {
  // Quiet: the caller reports a refused code in its own words.
  const quiet = () => {};
  const octokit = new Octokit({
    baseUrl,
    userAgent,
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  try {
    const response = await octokit.request("POST /app-manifests/{code}/conversions", { code });
    return { ok: true, answer: response.data };
  } catch (error) {
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return {
        ok: false,
        problem: `GitHub refused the code (${status}): a code works once and for an hour; run setup again.`,
      };
    }
    return { ok: false, problem: `GitHub could not be reached at ${baseUrl}: ${String(error)}` };
  }
}
