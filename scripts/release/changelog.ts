/**
 * Reads CHANGELOG.md (Keep a Changelog: one `## [X.Y.Z] - YYYY-MM-DD` section per release, newest
 * first, `## [Unreleased]` on top) with a real markdown parser, so a `##` inside a code block or a
 * link reference definition at the bottom is never mistaken for part of a section.
 */
import type { Root } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { toString } from "mdast-util-to-string";

export interface ChangelogSection {
  /** `1.0.0`, or `Unreleased`. */
  version: string;
  /** `YYYY-MM-DD` where the heading gives one. */
  date: string | undefined;
  /** The section's markdown below its heading, trimmed. */
  notes: string;
}

/** `[1.0.0] - 2026-11-29`, `1.0.0 - 2026-11-29`, `[Unreleased]` (brackets gone when a link). */
const HEADING = /^\[?v?([^\]\s]+)\]?(?:\s+[-–—]\s+(\d{4}-\d{2}-\d{2}))?\s*$/;

/** Every `##` section of the changelog, in file order. */
export function changelogSections(changelog: string): ChangelogSection[] {
  const tree: Root = fromMarkdown(changelog);
  const sections: ChangelogSection[] = [];
  const children = tree.children;
  children.forEach((node, index) => {
    if (node.type !== "heading" || node.depth !== 2) return;
    const heading = toString(node).trim();
    const match = HEADING.exec(heading);
    if (!match) throw new Error(`CHANGELOG.md: heading "## ${heading}" names no version`);
    // The section runs to the next heading of its level or above, or to the link definitions.
    const end = children
      .slice(index + 1)
      .find((next) => (next.type === "heading" && next.depth <= 2) || next.type === "definition");
    const from = node.position!.end.offset!;
    const to = end?.position?.start.offset ?? changelog.length;
    sections.push({ version: match[1]!, date: match[2], notes: changelog.slice(from, to).trim() });
  });
  return sections;
}

/** The release notes of `version`: its section's text. Fails, naming the versions there are. */
export function releaseNotes(changelog: string, version: string): string {
  const sections = changelogSections(changelog);
  const section = sections.find((candidate) => candidate.version === version);
  if (!section) {
    const known = sections.map((candidate) => candidate.version).join(", ") || "none";
    throw new Error(
      `CHANGELOG.md has no section for ${version} (sections: ${known}). Move the Unreleased entries under "## [${version}] - YYYY-MM-DD" before tagging.`,
    );
  }
  if (section.notes === "") throw new Error(`CHANGELOG.md: the section for ${version} is empty`);
  return section.notes;
}
