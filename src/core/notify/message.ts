import { plainLine } from "../markdown-text.js";
import type { RepositoryRef } from "../snapshots.js";
import { renderTemplate } from "../template.js";
import type { NotifyConfig, NotifyEvent } from "./config.js";
import type { Notice } from "./notice.js";

/** The longest message line sent (a title can be long; chat shows one line). */
export const MAX_MESSAGE_LENGTH = 500;

/**
 * The built-in one-liners, plain text: each format makes the whole line inert for itself (Slack's
 * `<…>` controls, Teams' markdown) and adds the link its own way. Variables: event, severity,
 * title, number, url, people, repository, detail.
 */
export const DEFAULT_MESSAGES: Readonly<Record<NotifyEvent, string>> = {
  opened:
    "{{severity}} post-mortem #{{number}} opened in {{repository}}: {{title}}.{{#if people}} To act: {{people}}.{{/if}}",
  "close-blocked":
    "{{severity}} post-mortem #{{number}} in {{repository}} cannot close yet: {{title}}.{{#if detail}} {{detail}}{{/if}}{{#if people}} To act: {{people}}.{{/if}}",
  approved: "{{severity}} post-mortem #{{number}} in {{repository}} approved: {{title}}.",
  "capa-overdue":
    "Corrective action #{{number}} in {{repository}} is overdue: {{title}}.{{#if detail}} {{detail}}{{/if}}{{#if people}} To act: {{people}}.{{/if}}",
  "review-late":
    "{{severity}} post-mortem #{{number}} in {{repository}} is late for review: {{title}}.{{#if detail}} {{detail}}{{/if}}{{#if people}} To act: {{people}}.{{/if}}",
  "release-gate-blocking":
    "Release gate blocking in {{repository}}: {{title}}.{{#if detail}} {{detail}}{{/if}}{{#if people}} To act: {{people}}.{{/if}}",
};

/** How the claim comment on GitHub names each event. */
export const EVENT_WORDS: Readonly<Record<NotifyEvent, string>> = {
  opened: "post-mortem opened",
  "close-blocked": "close blocked",
  approved: "post-mortem approved",
  "capa-overdue": "corrective action overdue",
  "review-late": "review late",
  "release-gate-blocking": "release gate blocking",
};

/** What a private post-mortem's message says instead of its title. */
export const PRIVATE_TITLE = "a private post-mortem";

/**
 * The message's one line of plain text: the configured snippet (`notify.messages.<event>`) or the
 * built-in one, rendered with the notice's values as data (never compiled), on one line. A private
 * post-mortem's title is never named.
 */
export function messageText(
  config: Pick<NotifyConfig, "messages">,
  notice: Notice,
  repository: Pick<RepositoryRef, "owner" | "repo">,
): string {
  const data = {
    event: notice.event,
    severity: notice.severity ?? "No severity",
    title: notice.private ? PRIVATE_TITLE : plainLine(notice.title, 200),
    number: notice.issueNumber,
    url: notice.url,
    people: notice.people.map((login) => `@${login}`).join(", "),
    repository: `${repository.owner}/${repository.repo}`,
    detail: notice.detail === undefined ? "" : plainLine(notice.detail, 200),
  };
  const configured = config.messages[notice.event];
  // A configured snippet was checked when the configuration loaded; should it still fail on these
  // values, the built-in line is sent rather than nothing.
  const custom = configured === undefined ? undefined : renderTemplate(configured, data);
  const rendered = custom?.ok ? custom : renderTemplate(DEFAULT_MESSAGES[notice.event], data);
  return plainLine(rendered.ok ? rendered.text : notice.key, MAX_MESSAGE_LENGTH);
}
