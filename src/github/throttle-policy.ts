/**
 * A bounded answer to GitHub's rate limits, shared by the App and the Action. Probot 14's server
 * gives up on secondary limits at once and a bare Octokit retries them forever; we retry a few
 * times, honouring `retry-after`, and give up when GitHub asks for a wait longer than a webhook
 * handler should sleep.
 */
export const MAX_SECONDARY_RETRIES = 3;
export const MAX_PRIMARY_RETRIES = 1;
export const MAX_WAIT_SECONDS = 120;

interface RetriedRequest {
  method: string;
  url: string;
  request: { retryCount: number };
}
interface LogSink {
  log: { warn(message: string): void };
}

export function shouldRetry(retryAfter: number, retryCount: number, maxRetries: number): boolean {
  return retryCount < maxRetries && retryAfter <= MAX_WAIT_SECONDS;
}

export const throttlePolicy = {
  onSecondaryRateLimit(retryAfter: number, options: RetriedRequest, octokit: LogSink): boolean {
    const retry = shouldRetry(retryAfter, options.request.retryCount, MAX_SECONDARY_RETRIES);
    octokit.log.warn(
      `Secondary rate limit on ${options.method} ${options.url}: ${retry ? `retrying in ${retryAfter}s` : "giving up"}`,
    );
    return retry;
  },
  onRateLimit(retryAfter: number, options: RetriedRequest, octokit: LogSink): boolean {
    const retry = shouldRetry(retryAfter, options.request.retryCount, MAX_PRIMARY_RETRIES);
    octokit.log.warn(
      `Rate limit exhausted on ${options.method} ${options.url}: ${retry ? `retrying in ${retryAfter}s` : "giving up"}`,
    );
    return retry;
  },
};
