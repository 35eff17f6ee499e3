import { z } from "zod";
import { configSchema } from "./config.js";

/** The JSON Schema of `.github/postmortem.yml`, as editors read it (input side: defaults optional). */
export function configJsonSchema(): object {
  const schema = z.toJSONSchema(configSchema, { io: "input", target: "draft-07" });
  return {
    ...schema,
    title: "postmortem-bot configuration",
    properties: {
      // Read (and removed) by Probot's config loader before validation.
      _extends: {
        type: "string",
        description:
          "Another repository's config to start from: `repo` or `owner/repo:path/file.yml`.",
      },
      ...schema.properties,
    },
  };
}
