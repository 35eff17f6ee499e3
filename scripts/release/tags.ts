/**
 * What a release tag means and which tags move with it. Users pin `@v1`, so `v1` must always name
 * the newest stable 1.x.y:
 * - a prerelease (`v1.2.0-rc.1`) is published as a GitHub prerelease and moves nothing;
 * - a fix on an older line (`v1.4.3` after `v1.5.0` exists) moves nothing either, so `v1` never
 *   goes back; nor is it marked the repository's latest release when a newer version exists.
 */
import semver from "semver";

export interface ReleaseTag {
  tag: string;
  /** The version without the `v`: `1.2.3`, `1.2.0-rc.1`. */
  version: string;
  major: number;
  prerelease: boolean;
}

/** `vX.Y.Z` or `vX.Y.Z-pre`, nothing else (no build metadata, no leading zeros, no `v1`). */
export function parseReleaseTag(tag: string): ReleaseTag {
  const version = tag.startsWith("v") ? semver.valid(tag.slice(1)) : null;
  if (version === null || `v${version}` !== tag || semver.parse(version)!.build.length > 0) {
    throw new Error(
      `"${tag}" is no release tag: release tags are vMAJOR.MINOR.PATCH (v1.2.3), optionally with a prerelease (v1.2.3-rc.1)`,
    );
  }
  return {
    tag,
    version,
    major: semver.major(version),
    prerelease: semver.prerelease(version) !== null,
  };
}

export interface TagPlan {
  /** The major tag to point at this release (`v1`), or undefined when it stays. */
  majorTag: string | undefined;
  /** Why the major tag moves or stays, for the log. */
  reason: string;
  /** Whether GitHub should show this release as the repository's latest. */
  latest: boolean;
}

/**
 * Which moving tags follow `release`, given the repository's tags (any; those that are no release
 * tag, such as `v1` itself, are ignored).
 */
export function planTags(release: ReleaseTag, existingTags: readonly string[]): TagPlan {
  const stable = existingTags
    .map((tag) => (tag.startsWith("v") ? semver.valid(tag.slice(1)) : null))
    .filter((version): version is string => version !== null && !semver.prerelease(version));
  const newer = (versions: string[]) =>
    versions.filter((other) => semver.gt(other, release.version));
  const majorTag = `v${release.major}`;
  if (release.prerelease) {
    return {
      majorTag: undefined,
      reason: `${release.tag} is a prerelease: ${majorTag} stays`,
      latest: false,
    };
  }
  const latest = newer(stable).length === 0;
  const newerInMajor = newer(stable.filter((version) => semver.major(version) === release.major));
  if (newerInMajor.length > 0) {
    return {
      majorTag: undefined,
      reason: `v${semver.rsort(newerInMajor)[0]} is newer than ${release.tag}: ${majorTag} stays there`,
      latest,
    };
  }
  return { majorTag, reason: `${majorTag} moves to ${release.tag}`, latest };
}
