import { z } from "zod";
import { renderTemplate } from "../template.js";

/** What the product tells chat about. One claim, and at most one message per receiver, per occurrence. */
export const NOTIFY_EVENTS = [
  "opened",
  "close-blocked",
  "approved",
  "capa-overdue",
  "review-late",
  "release-gate-blocking",
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export const RECEIVER_KINDS = ["slack", "teams", "webhook"] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

/**
 * A receiver's name becomes part of an environment variable's name (`NOTIFY_<NAME>_URL`), so it is
 * kept to what cannot spell another variable: no configuration can reach `PRIVATE_KEY`.
 */
export const receiverName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, "lower-case letters, digits and `_`, starting with a letter");

const severity = z.enum(["P1", "P2", "P3", "P4", "none"]);

/** A Handlebars snippet that must compile and render with sample values. */
const message = z
  .string()
  .min(1)
  .refine(
    (source) =>
      renderTemplate(source, {
        event: "opened",
        severity: "P1",
        title: "Post-mortem: checkout down",
        number: 1,
        url: "https://github.com/o/r/issues/1",
        people: "@a",
        repository: "o/r",
        detail: "2 approvals missing",
      }).ok,
    { message: "not a valid Handlebars template" },
  );

export const notifyConfigSchema = z
  .strictObject({
    receivers: z
      .record(
        receiverName,
        z.strictObject({
          kind: z
            .enum(RECEIVER_KINDS)
            .describe(
              "`slack` (incoming webhook), `teams` (Workflows webhook taking an Adaptive Card) or `webhook` (JSON signed with HMAC-SHA256).",
            ),
        }),
      )
      .default({})
      .describe(
        "Chat receivers by name. The URL (and a `webhook`'s secret) is never in this file: the App reads `NOTIFY_<NAME>_URL` / `NOTIFY_<NAME>_SECRET` from its environment, the Action its `notify-urls` / `notify-secrets` inputs.",
      ),
    routes: z
      .array(
        z.strictObject({
          events: z
            .array(z.enum(NOTIFY_EVENTS))
            .min(1)
            .optional()
            .describe("Events this route sends; omitted: all of them."),
          severities: z
            .array(severity)
            .min(1)
            .optional()
            .describe("Severities this route sends (`none` = no severity); omitted: all."),
          to: z.array(receiverName).min(1).describe("Receivers (names under `receivers`)."),
        }),
      )
      .default([])
      .describe(
        "Which events go where. Every matching route sends; a receiver gets one message per event even when several routes name it.",
      ),
    messages: z
      .partialRecord(z.enum(NOTIFY_EVENTS), message)
      .default({})
      .describe(
        "Handlebars one-liners per event replacing the built-in ones; variables: event, severity, title, number, url, people, repository, detail.",
      ),
  })
  .superRefine((value, context) => {
    value.routes.forEach((route, index) => {
      route.to.forEach((name, at) => {
        if (!(name in value.receivers)) {
          context.addIssue({
            code: "custom",
            path: ["routes", index, "to", at],
            message: `\`${name}\` is not one of \`notify.receivers\``,
          });
        }
      });
    });
  })
  .prefault({})
  .describe("Chat notifications: Slack, Microsoft Teams and signed JSON webhooks.");

export type NotifyConfig = z.infer<typeof notifyConfigSchema>;
