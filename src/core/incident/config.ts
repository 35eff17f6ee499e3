import { z } from "zod";

/** Who may declare an incident (open it with an incident label, or add one). */
export const DECLARERS = ["triage", "read"] as const;
export type Declarer = (typeof DECLARERS)[number];

export const DEFAULT_UNCONFIRMED_LABEL = "unconfirmed";

export const incidentsConfigSchema = z
  .strictObject({
    openedBy: z
      .enum(DECLARERS)
      .optional()
      .describe(
        "Who may declare an incident: `triage` (triage access or more) or `read`. By default `triage` on public repositories and `read` on private and internal ones. An incident declared by anyone below it gets no post-mortem until someone with triage access confirms it (`/postmortem`, or the incident label removed and added again).",
      ),
    unconfirmedLabel: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .default(DEFAULT_UNCONFIRMED_LABEL)
      .describe(
        "Label put on an incident waiting for confirmation; the report leaves such incidents out. Removed when a post-mortem is opened.",
      ),
  })
  .default({ unconfirmedLabel: DEFAULT_UNCONFIRMED_LABEL })
  .describe("Who may declare incidents.");

export type IncidentsConfig = z.infer<typeof incidentsConfigSchema>;

/** Repository visibility as GitHub reports it; unknown is judged as public. */
export type Visibility = "public" | "private" | "internal";

/** The least permission that declares an incident here. */
export function declarerLevel(
  config: IncidentsConfig,
  visibility: Visibility | undefined,
): Declarer {
  if (config.openedBy) return config.openedBy;
  return visibility === "private" || visibility === "internal" ? "read" : "triage";
}
