// The messages of private post-mortems as GitHub renders them: the neutral public notice and every
// refusal, which must name nothing of the private side and show their code spans as written.
import { describe, expect, it } from "vitest";
import { defaultConfig, parseConfig } from "../../src/core/config.js";
import type { TargetAccess } from "../../src/core/private/plan.js";
import {
  decideTarget,
  parseRepositoryName,
  privateNoticeBody,
} from "../../src/core/private/plan.js";
import { expectReadable } from "./expect.js";

const source = parseRepositoryName("acme/shop");
const configured = (() => {
  const parsed = parseConfig({ private: { repository: "acme/shop-security" } });
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
})();

describe("private post-mortems' messages as GitHub renders them", () => {
  it("the public notice shows no name or number of the private side", () => {
    const page = expectReadable(privateNoticeBody(12));
    expect(page.text).not.toContain("shop-security");
    expect(page.text).not.toMatch(/#\d/);
  });

  it("every refusal reads as written, mentions nobody and names no target", () => {
    const accesses: TargetAccess[] = [
      { kind: "no-token" },
      { kind: "unreachable" },
      { kind: "write-refused" },
      { kind: "reached", visibility: "public", config: defaultConfig },
      { kind: "reached", visibility: "private", config: "invalid" },
    ];
    const problems = accesses.map((access) => {
      const decision = decideTarget(source, configured, access);
      if (decision.kind !== "refuse") throw new Error(`not refused: ${access.kind}`);
      return decision.problem;
    });
    problems.push(
      (() => {
        const other = parseConfig({ private: { repository: "globex/security" } });
        if (!other.ok) throw new Error("config");
        const decision = decideTarget(source, other.config, {
          kind: "reached",
          visibility: "private",
          config: defaultConfig,
        });
        if (decision.kind !== "refuse") throw new Error("another owner was not refused");
        return decision.problem;
      })(),
    );
    for (const problem of problems) {
      const page = expectReadable(problem);
      expect(page.text).not.toContain("shop-security");
      expect(page.text).not.toContain("globex/security");
    }
    expect(expectReadable(problems[0]!).text).toContain("as the private-repository-token input");
  });
});
