import { describe, expect, it } from "vitest";
import { parseReleaseTag, planTags } from "../../scripts/release/tags.js";

describe("a release tag", () => {
  it("is vMAJOR.MINOR.PATCH, optionally a prerelease", () => {
    expect(parseReleaseTag("v1.2.3")).toEqual({
      tag: "v1.2.3",
      version: "1.2.3",
      major: 1,
      prerelease: false,
    });
    expect(parseReleaseTag("v2.0.0-rc.1")).toEqual({
      tag: "v2.0.0-rc.1",
      version: "2.0.0-rc.1",
      major: 2,
      prerelease: true,
    });
  });

  it.each([
    "v1",
    "v1.2",
    "1.2.3",
    "v01.2.3",
    "v1.2.3+build.5",
    "V1.2.3",
    "v1.2.3 ",
    "release-1.2.3",
  ])("%j is refused with what a release tag looks like", (tag) => {
    expect(() => parseReleaseTag(tag)).toThrow(
      `"${tag}" is no release tag: release tags are vMAJOR.MINOR.PATCH (v1.2.3), optionally with a prerelease (v1.2.3-rc.1)`,
    );
  });
});

describe("the major tag", () => {
  const plan = (tag: string, existing: string[]) => planTags(parseReleaseTag(tag), existing);

  it("moves to the first release, and to each newer one of its major version", () => {
    expect(plan("v1.0.0", ["v1.0.0"])).toEqual({
      majorTag: "v1",
      reason: "v1 moves to v1.0.0",
      latest: true,
    });
    expect(plan("v1.3.0", ["v1", "v1.0.0", "v1.2.9", "v1.3.0", "v1.4.0-rc.1"])).toEqual({
      majorTag: "v1",
      reason: "v1 moves to v1.3.0",
      latest: true,
    });
  });

  it("stays for a prerelease, which is never the latest release", () => {
    expect(plan("v1.4.0-rc.1", ["v1", "v1.3.0", "v1.4.0-rc.1"])).toEqual({
      majorTag: undefined,
      reason: "v1.4.0-rc.1 is a prerelease: v1 stays",
      latest: false,
    });
  });

  it("stays on a newer release of its major version when a fix is made on an older line", () => {
    expect(plan("v1.4.3", ["v1", "v1.4.2", "v1.4.3", "v1.5.0", "v1.5.1"])).toEqual({
      majorTag: undefined,
      reason: "v1.5.1 is newer than v1.4.3: v1 stays there",
      latest: false,
    });
  });

  it("moves for the newest release of an older major version, which is then not the latest", () => {
    expect(plan("v1.6.0", ["v1", "v1.5.1", "v1.6.0", "v2", "v2.0.0"])).toEqual({
      majorTag: "v1",
      reason: "v1 moves to v1.6.0",
      latest: false,
    });
    expect(plan("v2.0.0", ["v1", "v1.6.0", "v2.0.0"])).toMatchObject({
      majorTag: "v2",
      latest: true,
    });
  });
});
