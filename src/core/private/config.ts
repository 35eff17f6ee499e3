import { z } from "zod";

/** `owner/name`, as GitHub spells repositories (compared without regard to case). */
const repositoryName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, "must be `owner/name`");

export const CLASSIFICATIONS = ["security", "dataLoss", "thirdParty"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const PUBLIC_NOTICES = ["neutral", "none"] as const;
export type PublicNotice = (typeof PUBLIC_NOTICES)[number];

export const privateConfigSchema = z
  .strictObject({
    repository: repositoryName.describe(
      "The repository (`owner/name`) where these incidents' post-mortems and their corrective actions are opened. The App must be installed there; a repository of another owner must list this one in its `acceptsFrom`.",
    ),
    when: z
      .strictObject({
        labels: z
          .array(z.string().trim().min(1).max(50))
          .default([])
          .describe("Incident labels that send the post-mortem there (any one of them)."),
        classifications: z
          .array(z.enum(CLASSIFICATIONS))
          .default([])
          .describe(
            "Classifications that send the post-mortem there: `security`, `dataLoss`, `thirdParty`, checked by `classificationLabels` or the issue form's boxes.",
          ),
      })
      .optional()
      .describe("Which incidents go there; without it, every incident."),
    publicNotice: z
      .enum(PUBLIC_NOTICES)
      .default("neutral")
      .describe(
        "What the public incident gets: `neutral`, one comment saying the post-mortem is kept privately (no name, number or link), or `none`.",
      ),
  })
  .optional()
  .describe(
    "Open the post-mortems of some incidents (or all) in another, private repository, whose configuration then governs them.",
  );

export type PrivateConfig = NonNullable<z.infer<typeof privateConfigSchema>>;

export const acceptsFromSchema = z
  .array(repositoryName)
  .default([])
  .describe(
    "In a private repository: the repositories of other owners whose `private.repository` may name this one.",
  );
