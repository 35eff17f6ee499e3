import { z } from "zod";
import { parseDuration } from "../duration.js";

/** What a severity's policy makes of a pull request touching its culprits' paths. */
export const CULPRIT_CHECK = ["neutral", "blocking"] as const;
export type CulpritCheck = (typeof CULPRIT_CHECK)[number];

const duration = z
  .string()
  .trim()
  .refine((text) => (parseDuration(text) ?? 0) > 0, {
    message: "a duration such as `24h`, `90m` or `2d`",
  });

export const changesConfigSchema = z
  .strictObject({
    lookback: duration
      .default("24h")
      .describe(
        "How far before the incident's Start the **Changes before the incident** block looks for deployments and merged pull requests (`24h`, `2d`).",
      ),
    watchDays: z
      .number()
      .int()
      .positive()
      .max(3650)
      .default(180)
      .describe(
        "Days a post-mortem's culprits stay watched: a pull request touching their paths gets a check run.",
      ),
    repeatOverlap: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        "Share of a culprit's paths that must overlap an earlier post-mortem's culprits to link the two as **Possibly related**; 0 = any overlap.",
      ),
  })
  .prefault({})
  .describe(
    "The changes around an incident: deployments and pull requests before it, culprits (`/culprit`), warnings on later pull requests and repeats.",
  );

export type ChangesConfig = z.infer<typeof changesConfigSchema>;
