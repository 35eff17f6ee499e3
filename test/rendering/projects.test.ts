import { describe, expect, it } from "vitest";
import { findMarker } from "../../src/core/markers.js";
import { problemComment } from "../../src/core/projects/plan.js";
import { appWriters } from "../support/writers.js";
import { expectReadable } from "./expect.js";
import { HOSTILE_CASES } from "./hostile.js";

describe("the project comment as GitHub renders it", () => {
  it.each(HOSTILE_CASES.filter((c) => c.text.length <= 200))(
    "hostile field, option and GitHub message stay inert: $name",
    ({ text }) => {
      const step = problemComment(
        2,
        [
          { kind: "unreachable", url: "https://github.com/orgs/acme/projects/3", message: text },
          { kind: "field-missing", role: "due", name: text },
          { kind: "option-missing", role: "status", name: text, option: text },
        ],
        [],
        appWriters,
      );
      expect(step?.kind).toBe("createComment");
      const body = step?.kind === "createComment" ? step.body : "";
      // A marker spelled in a name is broken up: the comment holds its own marker only.
      const page = expectReadable(body, { shows: [text.replace(/<!--/g, "<!- -")] });
      expect(page.text).toContain("The project has no field");
      expect(findMarker(body, "notice")).toBeDefined();
      expect(body.match(/<!--/g)).toHaveLength(1);
    },
  );
});
