import { IncomingWebhook, IncomingWebhookHTTPError } from "@slack/webhook";
import type { ReceiverKind } from "../core/notify/config.js";
import { slackMessage, teamsMessage, webhookBody, webhookHeaders } from "../core/notify/formats.js";
import type { Notice } from "../core/notify/notice.js";
import type { RepositoryRef } from "../core/snapshots.js";

/*
 * The only code that talks to chat. One message to one receiver, with bounded retries. Results
 * name a status or a timeout, never the address or the secret, and no error text from the
 * network is passed on (it could quote the URL).
 */

export interface Delivery {
  kind: ReceiverKind;
  url: string;
  /** A `webhook`'s signing secret. */
  secret?: string;
  notice: Notice;
  /** The message line (src/core/notify/message.ts). */
  text: string;
  repository: Pick<RepositoryRef, "owner" | "repo">;
}

export type AttemptResult =
  | { ok: true }
  /** `retry`: worth another attempt (5xx, 429, a timeout or a network error). */
  | { ok: false; reason: string; retry: boolean };

export interface RetryPolicy {
  /** Attempts in all (3). */
  attempts: number;
  /** Waits between attempts (1 s, then 2 s). */
  delaysMs: readonly number[];
  /** Each attempt's limit (5 s). */
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 3,
  delaysMs: [1000, 2000],
  timeoutMs: 5000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type SendResult = { ok: true; attempts: number } | { ok: false; reason: string };

/** Sends with bounded retries: 4xx other than 429 is not retried. */
export async function send(
  delivery: Delivery,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<SendResult> {
  let last: AttemptResult = { ok: false, reason: "not sent", retry: false };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    last = await sendOnce(delivery, policy.timeoutMs);
    if (last.ok) return { ok: true, attempts: attempt };
    if (!last.retry) {
      return {
        ok: false,
        reason: attempt === 1 ? last.reason : `${last.reason} after ${attempt} attempts`,
      };
    }
    if (attempt < policy.attempts) await policy.sleep(policy.delaysMs[attempt - 1] ?? 0);
  }
  return {
    ok: false,
    reason: `${last.ok ? "sent" : last.reason} after ${policy.attempts} attempts`,
  };
}

/** One attempt, in the receiver's format. */
export async function sendOnce(delivery: Delivery, timeoutMs: number): Promise<AttemptResult> {
  try {
    if (delivery.kind === "slack") return await sendSlack(delivery, timeoutMs);
    const body =
      delivery.kind === "teams"
        ? JSON.stringify(teamsMessage(delivery.text, delivery.notice))
        : webhookBody(delivery.text, delivery.notice, delivery.repository);
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "User-Agent": "postmortem-bot",
      ...(delivery.kind === "webhook"
        ? webhookHeaders(body, delivery.secret ?? "", delivery.notice, delivery.repository)
        : {}),
    };
    const response = await fetch(delivery.url, {
      method: "POST",
      headers,
      body,
      // A redirect could lead the message (and its signature) anywhere: refused.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => {});
    return statusResult(response.status);
  } catch (error) {
    return thrownResult(error);
  }
}

async function sendSlack(delivery: Delivery, timeoutMs: number): Promise<AttemptResult> {
  // Slack's own client, without its retries (ours are above) and without `link_names`.
  const webhook = new IncomingWebhook(delivery.url, { timeout: timeoutMs });
  try {
    await webhook.send(slackMessage(delivery.text, delivery.notice));
    return { ok: true };
  } catch (error) {
    // 4xx comes wrapped in p-retry's AbortError (`originalError`), 5xx as it is.
    const http = [error, (error as { originalError?: unknown }).originalError].find(
      (candidate) => candidate instanceof IncomingWebhookHTTPError,
    );
    if (http) return statusResult(http.statusCode);
    const original = (error as { original?: unknown }).original;
    return thrownResult(original ?? error);
  }
}

function statusResult(status: number): AttemptResult {
  if (status >= 200 && status < 300) return { ok: true };
  return { ok: false, reason: `HTTP ${status}`, retry: status >= 500 || status === 429 };
}

function thrownResult(error: unknown): AttemptResult {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return { ok: false, reason: "timed out", retry: true };
  }
  return { ok: false, reason: "no answer", retry: true };
}
