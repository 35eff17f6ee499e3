import { z } from "zod";

/** What a severity's policy asks of a CAPA child closed as completed (`policy.<severity>.capaEvidence`). */
export const CAPA_EVIDENCE = ["none", "merged", "shipped"] as const;
export type CapaEvidence = (typeof CAPA_EVIDENCE)[number];

const label = z.string().trim().min(1).max(50);

export const evidenceConfigSchema = z
  .strictObject({
    environment: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe(
        "Deployment environment whose successful deployments ship a merged fix (`production`, say); unset: nothing is ever shipped.",
      ),
    labels: z
      .strictObject({
        awaitingShip: label
          .default("capa:awaiting-ship")
          .describe(
            "On a CAPA child whose fix is merged but not yet deployed to `evidence.environment`: how a deployment finds it again.",
          ),
        noEvidence: label
          .default("capa:no-evidence")
          .describe(
            "On a CAPA child closed as completed without the evidence its severity's `capaEvidence` asks for.",
          ),
      })
      .prefault({})
      .describe("Labels the App keeps on CAPA children, each findable by one paged listing."),
  })
  .prefault({})
  .describe(
    "Evidence that a corrective action is done: its merged pull requests, their deployment, or a maintainer's `/evidence`.",
  );

export type EvidenceConfig = z.infer<typeof evidenceConfigSchema>;
