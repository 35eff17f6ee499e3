import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { changelogSections, releaseNotes } from "../../scripts/release/changelog.js";

const CHANGELOG = [
  "# Changelog",
  "",
  "Intro text.",
  "",
  "## [Unreleased]",
  "",
  "### Fixed",
  "",
  "- Something pending.",
  "",
  "## [1.1.0] - 2027-02-01",
  "",
  "### Added",
  "",
  "- A feature, with an example:",
  "",
  "  ```md",
  "  ## Not a heading: inside a code block",
  "  ```",
  "",
  "## 1.0.1 - 2027-01-10",
  "",
  "- A fix.",
  "",
  "## [1.0.0] - 2026-11-29",
  "",
  "First.",
  "",
  "[Unreleased]: https://example.com/compare/v1.1.0...HEAD",
  "[1.1.0]: https://example.com/releases/tag/v1.1.0",
  "[1.0.0]: https://example.com/releases/tag/v1.0.0",
  "",
].join("\n");

describe("the changelog's sections", () => {
  it("are read with their version and date, linked or not, newest first", () => {
    expect(changelogSections(CHANGELOG).map(({ version, date }) => ({ version, date }))).toEqual([
      { version: "Unreleased", date: undefined },
      { version: "1.1.0", date: "2027-02-01" },
      { version: "1.0.1", date: "2027-01-10" },
      { version: "1.0.0", date: "2026-11-29" },
    ]);
  });

  it("a version's notes are its section, whole, without the heading, the next section or the link definitions", () => {
    expect(releaseNotes(CHANGELOG, "1.1.0")).toBe(
      [
        "### Added",
        "",
        "- A feature, with an example:",
        "",
        "  ```md",
        "  ## Not a heading: inside a code block",
        "  ```",
      ].join("\n"),
    );
    expect(releaseNotes(CHANGELOG, "1.0.1")).toBe("- A fix.");
    expect(releaseNotes(CHANGELOG, "1.0.0")).toBe("First.");
  });

  it("a version without a section fails and names the sections there are", () => {
    expect(() => releaseNotes(CHANGELOG, "1.2.0")).toThrow(
      'CHANGELOG.md has no section for 1.2.0 (sections: Unreleased, 1.1.0, 1.0.1, 1.0.0). Move the Unreleased entries under "## [1.2.0] - YYYY-MM-DD" before tagging.',
    );
  });

  it("an empty section fails", () => {
    expect(() => releaseNotes("## [2.0.0] - 2027-05-01\n\n## [1.0.0]\n\nx\n", "2.0.0")).toThrow(
      "CHANGELOG.md: the section for 2.0.0 is empty",
    );
  });

  it("a level-2 heading that names no version fails", () => {
    expect(() => changelogSections("## Release notes for the spring\n\n- x\n")).toThrow(
      'CHANGELOG.md: heading "## Release notes for the spring" names no version',
    );
  });

  it("the repository's CHANGELOG.md has notes for package.json's version, below Unreleased", () => {
    const changelog = readFileSync(new URL("../../CHANGELOG.md", import.meta.url), "utf8");
    const { version } = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    const sections = changelogSections(changelog);
    expect(sections[0]!.version).toBe("Unreleased");
    const section = sections.find((candidate) => candidate.version === version);
    expect(section?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(releaseNotes(changelog, version)).toContain("### Added");
  });
});
