import { z } from "zod";

const labelList = z.array(z.string().trim().min(1).max(50));
const login = z.string().regex(/^[a-z\d](?:[a-z\d-]*[a-z\d])?$/i, "not a GitHub login");
/** `org/team` or `@org/team`, stored without the `@`. */
const teamSlug = z
  .string()
  .regex(/^@?[a-z\d][\w.-]*\/[\w.-]+$/i, "not a team (`org/team`)")
  .transform((team) => team.replace(/^@/, "").toLowerCase());

export const capaConfigSchema = z
  .strictObject({
    labels: labelList
      .min(1)
      .default(["capa"])
      .describe("Labels on every CAPA child issue; the first one is how the App finds them again."),
    categoryLabels: z
      .record(z.string().min(1), labelList)
      .default({})
      .describe(
        'Subsection of section 6 → extra labels, e.g. {"Technical Fixes": [tech-debt]}; keys match the heading without its "A. " prefix.',
      ),
    titlePrefix: z
      .string()
      .default("CAPA: ")
      .describe("Put before the item's text in the child's title."),
    defaultOwners: z
      .enum(["postmortem-assignees", "incident-assignees", "codeowners", "none"])
      .default("postmortem-assignees")
      .describe(
        "Who owns an item whose line names nobody. `codeowners`: the CODEOWNERS owners of the paths the incident implicates (its culprits' paths, else `servicePaths` of its services), users assigned and teams named, else the post-mortem's assignees.",
      ),
    servicePaths: z
      .record(z.string().trim().min(1).max(100), z.array(z.string().trim().min(1).max(300)).min(1))
      .default({})
      .describe(
        "Service (as written on the post-mortem's `Service:` line or the template's `Systems/Services Affected:`, comma-separated, any case) → repository paths (a file, or a directory as `dir/`), for `defaultOwners: codeowners` when the incident has no culprits.",
      ),
    teamAssignees: z
      .record(teamSlug, z.array(login))
      .default({})
      .describe("Team on a CAPA line (`@org/team`) → the people assigned to its child issue."),
    dueDays: z
      .strictObject({
        P1: z.number().int().positive(),
        P2: z.number().int().positive(),
        P3: z.number().int().positive(),
        P4: z.number().int().positive(),
        default: z.number().int().positive(),
      })
      .default({ P1: 14, P2: 30, P3: 60, P4: 90, default: 30 })
      .describe(
        "Days from checking the box to the due date, by severity, when the line gives no date.",
      ),
    maxChildrenPerEdit: z
      .number()
      .int()
      .positive()
      .max(100)
      .default(20)
      .describe(
        "Most child issues one edit of the post-mortem opens; the rest wait for the next edit by someone with write access, and a comment says how many.",
      ),
  })
  .prefault({})
  .describe("Corrective and preventive actions: checked boxes in section 6 become child issues.");

export type CapaConfig = z.infer<typeof capaConfigSchema>;
