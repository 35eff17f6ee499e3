import { z } from "zod";
import { renderTemplate } from "../template.js";

export const DEFAULT_OVERDUE_MESSAGE =
  "⏰ {{owners}}: this corrective action was due on **{{due}}** and {{#if missing}}still counts as open: {{missing}}, the evidence its severity's policy asks for{{else}}is still open{{/if}} ({{daysOverdue}} {{#if oneDay}}day{{else}}days{{/if}} overdue). It comes from post-mortem #{{postmortem}}.\n\n{{#if missing}}Link the pull request that fixes it (`Fixes #{{issue}}` in its description, or the issue's Development sidebar) and see it merged and deployed as asked, or ask a maintainer to record other evidence with `/evidence <link or text>`.{{else}}Close it when it is done (as not planned if it will not be done), or change its `Due:` line if the date has moved.{{/if}}";

export const DEFAULT_REVIEW_MESSAGE =
  "⏰ {{people}}: this post-mortem's incident was closed on {{closed}}, and its review is still not complete. Missing: {{missing}}.\n\nApprovers comment `/approve <role>` here; fill in the other fields in section 9.";

/** A Handlebars snippet that must compile and render with sample values. */
const message = z
  .string()
  .min(1)
  .refine(
    (source) =>
      renderTemplate(source, { owners: "@a", due: "2026-01-01", daysOverdue: 1, postmortem: 1 }).ok,
    { message: "not a valid Handlebars template" },
  );

export const remindersConfigSchema = z
  .strictObject({
    every: z
      .number()
      .int()
      .positive()
      .default(7)
      .describe("Whole days between two reminders of the same action or review."),
    reviewAfterDays: z
      .strictObject({
        P1: z.number().int().nonnegative(),
        P2: z.number().int().nonnegative(),
        P3: z.number().int().nonnegative(),
        P4: z.number().int().nonnegative(),
        default: z.number().int().nonnegative(),
      })
      .default({ P1: 3, P2: 5, P3: 10, P4: 0, default: 7 })
      .describe(
        "Days after the incident closed that a post-mortem without complete approvals gets a reminder, by severity; 0 = never.",
      ),
    messages: z
      .strictObject({
        overdue: message
          .default(DEFAULT_OVERDUE_MESSAGE)
          .describe(
            "Handlebars text of the reminder on an overdue CAPA child: {{owners}}, {{due}}, {{daysOverdue}}, {{postmortem}}, {{title}}, {{issue}} (the child's number), {{missing}} (for a child closed without the evidence its policy asks for: what is missing, such as `closed without a merged fix`; empty for an open one).",
          ),
        review: message
          .default(DEFAULT_REVIEW_MESSAGE)
          .describe(
            "Handlebars text of the reminder on an unfinished review: {{people}}, {{closed}}, {{missing}}, {{postmortem}}.",
          ),
      })
      .prefault({})
      .describe("Reminder texts, as Handlebars snippets."),
  })
  .prefault({})
  .describe(
    "Reminders for overdue corrective actions (the Action on `schedule:`, or the App's timer).",
  );

export type RemindersConfig = z.infer<typeof remindersConfigSchema>;
