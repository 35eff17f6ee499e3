import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config.js";
import { appNeeds } from "../../../src/core/doctor/checks.js";

const config = (projects?: unknown) => {
  const result = parseConfig(projects === undefined ? {} : { projects });
  if (!result.ok) throw new Error("bad config");
  return result.config;
};

describe("what the App needs for projects:", () => {
  it("organization projects write and the projects_v2_item event, for an organization's project only", () => {
    const org = appNeeds(config({ url: "https://github.com/orgs/acme/projects/7" }));
    expect(org.permissions.organization_projects).toBe("write");
    expect(org.events).toContain("projects_v2_item");
    for (const other of [
      appNeeds(config()),
      appNeeds(config({ url: "https://github.com/users/rita/projects/2" })),
    ]) {
      expect(other.permissions.organization_projects).toBeUndefined();
      expect(other.events).not.toContain("projects_v2_item");
    }
  });
});
