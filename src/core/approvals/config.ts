import { z } from "zod";

/**
 * Configuration of the approval gate (`approvals`, `gate`, `files` in `.github/postmortem.yml`).
 * The fields of section 9 that are not roles have fixed keys; roles are configurable.
 */

export const PERMISSIONS = ["none", "read", "triage", "write", "maintain", "admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Section 9's fields that are not approver roles, by the key `approvals.required` uses. */
export const PLAIN_FIELDS = {
  finalReviewDate: "Date of Final Review",
  ticket: "Related JIRA/Incident Ticket",
  communicationSent: "Communication Sent to Team (Yes/No)",
} as const;
export type PlainFieldKey = keyof typeof PLAIN_FIELDS;

const login = z
  .string()
  .trim()
  .regex(/^@?[a-z\d](?:[a-z\d-]*[a-z\d])?$/i, "not a GitHub login")
  .transform((value) => value.replace(/^@/, ""));
const teamSlug = z
  .string()
  .trim()
  .regex(/^(?:[\w.-]+\/)?[\w.-]+$/, "write a team as `slug` or `org/slug`");

export const roleSchema = z.strictObject({
  field: z.string().trim().min(1).describe("The field of section 9 this role fills."),
  aliases: z
    .array(z.string().trim().min(1))
    .default([])
    .describe("Words that name the role in `/approve <alias>` (case-insensitive)."),
  users: z.array(login).default([]).describe("Logins allowed to fill the role."),
  teams: z
    .array(teamSlug)
    .default([])
    .describe("Teams (`slug` in the repository's organization, or `org/slug`) whose members may."),
  permission: z
    .enum(PERMISSIONS)
    .exclude(["none"])
    .optional()
    .describe(
      "Minimum repository permission. Default `write` when no users or teams are listed; with users or teams, an extra condition only if set.",
    ),
});
export type RoleConfig = z.infer<typeof roleSchema>;

const DEFAULT_ROLES = {
  techLead: {
    field: "Approved By (Tech Lead)",
    aliases: ["tech lead", "tech-lead", "tl"],
    users: [],
    teams: [],
  },
  product: {
    field: "Approved By (Product/Business)",
    aliases: ["product", "business"],
    users: [],
    teams: [],
  },
};
const DEFAULT_REQUIRED = ["techLead", "product", "finalReviewDate", "ticket", "communicationSent"];

export const approvalsConfigSchema = z
  .strictObject({
    required: z
      .array(z.string().min(1))
      .default(DEFAULT_REQUIRED)
      .describe(
        "Fields of section 9 that must be complete before a close stands: role keys and `finalReviewDate`, `ticket`, `communicationSent`.",
      ),
    roles: z
      .record(z.string().regex(/^[A-Za-z][\w-]*$/, "a role key is a word"), roleSchema)
      .default(DEFAULT_ROLES)
      .describe("Approver roles: the field each fills and who may fill it."),
    distinctApprovers: z.boolean().default(true).describe("One person cannot fill two roles."),
    forceCloseLabel: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .default("postmortem:force-close")
      .describe("Label that lets a close stand without approvals, if a maintainer added it."),
    forceClosePermission: z
      .enum(["maintain", "admin"])
      .default("maintain")
      .describe("Permission the person who added the force-close label needs."),
  })
  .superRefine((value, context) => {
    value.required.forEach((key, index) => {
      if (!(key in value.roles) && !(key in PLAIN_FIELDS)) {
        context.addIssue({
          code: "custom",
          path: ["required", index],
          message: `\`${key}\` is neither a role (${Object.keys(value.roles).join(", ")}) nor one of ${Object.keys(PLAIN_FIELDS).join(", ")}`,
        });
      }
    });
    const seen = new Map<string, string>();
    for (const [key, role] of Object.entries(value.roles)) {
      for (const alias of [key, ...role.aliases].map(normalizeAlias)) {
        const other = seen.get(alias);
        if (other !== undefined && other !== key) {
          context.addIssue({
            code: "custom",
            path: ["roles", key, "aliases"],
            message: `the alias \`${alias}\` also names the role \`${other}\``,
          });
        }
        seen.set(alias, key);
      }
    }
  })
  .default({
    required: DEFAULT_REQUIRED,
    roles: DEFAULT_ROLES,
    distinctApprovers: true,
    forceCloseLabel: "postmortem:force-close",
    forceClosePermission: "maintain",
  })
  .describe("Approvals of section 9 and the close gate.");
export type ApprovalsConfig = z.infer<typeof approvalsConfigSchema>;

export const gateConfigSchema = z
  .strictObject({
    enforceInApp: z
      .boolean()
      .default(false)
      .describe(
        "The App (not the Action) enforces the close gate and handles `/approve`; with both installed only one of them writes.",
      ),
  })
  .default({ enforceInApp: false })
  .describe("Who enforces the close gate.");

export const filesConfigSchema = z
  .strictObject({
    paths: z
      .array(z.string().trim().min(1))
      .min(1)
      .default(["docs/postmortems/**/*.md"])
      .describe("Globs of post-mortems kept as files, checked on pull requests."),
  })
  .default({ paths: ["docs/postmortems/**/*.md"] })
  .describe("Post-mortems kept as markdown files in the repository.");

/** `Tech  Lead` → `tech lead`: aliases compare without regard to case and spacing. */
export function normalizeAlias(alias: string): string {
  return alias.trim().toLowerCase().replace(/\s+/g, " ");
}
