import { z } from "zod";

/** `https://github.com/orgs/<org>/projects/<n>` or `https://github.com/users/<user>/projects/<n>`. */
export const PROJECT_URL =
  /^https:\/\/github\.com\/(orgs|users)\/([A-Za-z\d](?:[A-Za-z\d-]*[A-Za-z\d])?)\/projects\/(\d+)\/?$/;

export interface ProjectAddress {
  ownerKind: "organization" | "user";
  owner: string;
  number: number;
}

export function projectAddress(url: string): ProjectAddress | undefined {
  const match = PROJECT_URL.exec(url);
  if (match === null) return undefined;
  return {
    ownerKind: match[1] === "orgs" ? "organization" : "user",
    owner: match[2]!,
    number: Number(match[3]),
  };
}

const fieldName = z.string().trim().min(1).max(100);

export const projectsConfigSchema = z
  .strictObject({
    url: z
      .string()
      .regex(
        PROJECT_URL,
        "a project's URL: https://github.com/orgs/<org>/projects/<n> (or /users/<user>/projects/<n>)",
      )
      .describe("The GitHub Project (v2) every CAPA child is added to."),
    fields: z
      .strictObject({
        due: fieldName
          .optional()
          .describe(
            "Date field set from the child's `Due:` line; moving it on the board moves the due date.",
          ),
        status: fieldName
          .optional()
          .describe(
            "Single-select field mirrored from the child's state (Open, Fix merged, Shipped, Done, Not planned).",
          ),
        severity: fieldName
          .optional()
          .describe("Single-select field set from the post-mortem's severity (P1–P4)."),
      })
      .prefault({})
      .describe("Names of the project's fields to fill; an omitted one is left alone."),
  })
  .optional()
  .describe(
    "Corrective actions on a GitHub Project (v2): each CAPA child is an item with its dates.",
  );

export type ProjectsConfig = z.infer<typeof projectsConfigSchema>;
