import { z } from "zod";

/** The App `GITHUB_TOKEN` writes as: `github-actions[bot]`. */
export const DEFAULT_ACTION_SLUG = "github-actions";

const appSlug = z
  .string()
  .trim()
  .regex(
    /^[a-z\d](?:[a-z\d-]*[a-z\d])?(?:\[bot\])?$/i,
    "an App's slug, as in https://github.com/apps/<slug>",
  )
  .transform((value) => value.replace(/\[bot\]$/i, "").toLowerCase());

/**
 * Whose hidden markers count (src/core/trust/writers.ts). The App knows its own slug; the Action
 * cannot ask GitHub for it with `GITHUB_TOKEN`, so a repository that runs both names it here.
 */
export const identityConfigSchema = z
  .strictObject({
    app: appSlug
      .optional()
      .describe(
        "The slug of the postmortem-bot App installed on this repository (its bot is `<slug>[bot]`). Needed where the Action runs beside the App: the Action trusts the App's post-mortems and comments only under this name.",
      ),
    action: appSlug
      .default(DEFAULT_ACTION_SLUG)
      .describe(
        "The App whose token the Action writes with: `github-actions` (the default, `GITHUB_TOKEN`) or the slug of the App of an `actions/create-github-app-token` token.",
      ),
  })
  .default({ action: DEFAULT_ACTION_SLUG })
  .describe("Who writes the product's hidden markers, so that no other bot can forge them.");

export type IdentityConfig = z.infer<typeof identityConfigSchema>;
