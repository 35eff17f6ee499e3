import { createHash, createHmac } from "node:crypto";
import type { RepositoryRef } from "../snapshots.js";
import { PRIVATE_TITLE } from "./message.js";
import type { Notice } from "./notice.js";

/*
 * The three message formats. Every line given here is plain text that may hold hostile words (an
 * issue title): each format makes it inert for its reader, so a title can neither mention a whole
 * channel, nor add a link, nor format anything.
 */

/** Slack's own escaping: `&`, `<` and `>` (so no `<!channel>`, `<@U…>` or `<https://…|…>`). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** What `IncomingWebhook.send` is given: the line, then the link Slack shows as `#12`. */
export function slackMessage(
  text: string,
  notice: Pick<Notice, "url" | "issueNumber">,
): {
  text: string;
} {
  return {
    text: `${slackEscape(text)} <${slackEscape(notice.url)}|#${notice.issueNumber}>`,
  };
}

/**
 * Teams renders a TextBlock's text as a subset of markdown and expands `{{DATE(…)}}` functions:
 * markdown punctuation is backslash-escaped and a `{{` is broken by a zero-width space.
 */
export function teamsEscape(text: string): string {
  return text
    .replace(/[\\`*_[\]()~<>|]/g, (char) => `\\${char}`)
    .replace(/^[#+-]/, (start) => `\\${start}`)
    .replace(/^(\d+)([.)])/, "$1\\$2")
    .replace(/\{\{/g, "{\u200b{");
}

export const ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";

/** A Teams Workflows webhook's message: one Adaptive Card with the line and a button to the issue. */
export function teamsMessage(text: string, notice: Pick<Notice, "url" | "issueNumber">): object {
  return {
    type: "message",
    attachments: [
      {
        contentType: ADAPTIVE_CARD,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [{ type: "TextBlock", text: teamsEscape(text), wrap: true }],
          actions: [
            { type: "Action.OpenUrl", title: `Open #${notice.issueNumber}`, url: notice.url },
          ],
        },
      },
    ],
  };
}

/** The generic webhook's JSON body, as sent (the signature covers exactly these bytes). */
export function webhookBody(
  text: string,
  notice: Notice,
  repository: Pick<RepositoryRef, "owner" | "repo">,
): string {
  return JSON.stringify({
    event: notice.event,
    key: notice.key,
    repository: `${repository.owner}/${repository.repo}`,
    postmortem: notice.postmortem,
    issue: notice.issueNumber,
    severity: notice.severity ?? null,
    title: notice.private ? PRIVATE_TITLE : notice.title,
    url: notice.url,
    people: [...notice.people],
    text,
  });
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, as GitHub signs its webhooks. */
export function webhookSignature(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/**
 * The same for every attempt and every sender of one occurrence, so a receiver can drop a repeat:
 * a hash of the repository and the notice's key (keys repeat across repositories).
 */
export function webhookDeliveryId(
  repository: Pick<RepositoryRef, "owner" | "repo">,
  key: string,
): string {
  return createHash("sha256")
    .update(`${repository.owner}/${repository.repo}\n${key}`, "utf8")
    .digest("hex")
    .slice(0, 32);
}

/** The headers of a generic webhook message besides `Content-Type`. */
export function webhookHeaders(
  body: string,
  secret: string,
  notice: Pick<Notice, "event" | "key">,
  repository: Pick<RepositoryRef, "owner" | "repo">,
): Record<string, string> {
  return {
    "X-Postmortem-Event": notice.event,
    "X-Postmortem-Delivery": webhookDeliveryId(repository, notice.key),
    "X-Postmortem-Signature-256": webhookSignature(body, secret),
  };
}
