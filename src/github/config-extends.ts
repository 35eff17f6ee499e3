// Where a repository's configuration may come from. `_extends` in `.github/postmortem.yml` (or in
// the owner's `.github` repository) names another file to start from; Probot's loader follows it
// to any repository its token can read, which includes every public repository on GitHub.
//
// Who controls what:
// - `_extends` is written by whoever can push to the default branch (a writer), or to the owner's
//   `.github` repository. A writer governs the configuration anyway; but a file of the same owner
//   stays under that owner's own rules (branch protection, rulesets, CODEOWNERS), while a file of
//   another owner can be changed at any time by people the owner never let near its repositories:
//   the roles that may approve, the required approvals, who may force-close, the release gate.
// - So by default `_extends` may name the repository's own owner only, and the list of further
//   owners is kept out of every configuration file: a file could otherwise widen where the next
//   file is read from. It is set by whoever runs the App (`CONFIG_EXTENDS_OWNERS`, the operator of
//   the installation) or in the workflow that runs the Action (the `config-extends-owners` input,
//   changed through the same review as any workflow).
// - Tokens do not bound this on their own: an installation token, like the Action's
//   GITHUB_TOKEN, reads any public repository of any owner.
//
// The loader is not asked to trust anything: every read it makes goes through `guardConfigReads`,
// which refuses a file of an owner not allowed before a request is sent.

/** GitHub's rule for a user or organization login (as the loader reads an `_extends` owner). */
const LOGIN = /^[a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38}$/i;

/**
 * The owners named by `CONFIG_EXTENDS_OWNERS` or the `config-extends-owners` input: logins
 * separated by commas, spaces or new lines, compared without case. Anything that is no login is
 * a mistake worth stopping for, so it is returned as a problem.
 */
export function parseExtendsOwners(
  text: string | undefined,
  setting: string,
): { ok: true; owners: string[] } | { ok: false; problem: string } {
  const names = (text ?? "").split(/[\s,]+/).filter((name) => name !== "");
  const wrong = names.filter((name) => !LOGIN.test(name));
  if (wrong.length > 0) {
    return {
      ok: false,
      problem: `${setting} names ${wrong.map((name) => `"${name}"`).join(", ")}: write GitHub owners (users or organizations), separated by commas, such as acme,acme-platform.`,
    };
  }
  return { ok: true, owners: [...new Set(names.map((name) => name.toLowerCase()))] };
}

/** A configuration file the loader was about to read from an owner it may not read from. */
export class ExtendsRefused extends Error {
  constructor(
    readonly owner: string,
    readonly file: string,
    repositoryOwner: string,
  ) {
    super(
      `\`_extends\` names \`${file}\`, a file of \`${owner}\`: the configuration is read from \`${repositoryOwner}\`'s repositories only. To read it from \`${owner}\` too, the App's \`CONFIG_EXTENDS_OWNERS\` (or the Action's \`config-extends-owners\` input) must list \`${owner}\`; a configuration file cannot allow it.`,
    );
    this.name = "ExtendsRefused";
  }
}

interface ConfigRead {
  owner?: unknown;
  repo?: unknown;
  path?: unknown;
}

/** What Probot's loader uses of an Octokit: `request`, and `request.endpoint` to name a file. */
interface LoaderApi {
  request: ((options: never) => unknown) & { endpoint: unknown };
}

/**
 * `api` for the configuration loader, with every read of a file of an owner other than
 * `repositoryOwner` and the `allowed` ones refused (ExtendsRefused) before it is sent. The
 * repository's own file and its owner's `.github` repository are always of `repositoryOwner`.
 */
export function guardConfigReads(
  api: LoaderApi,
  repositoryOwner: string,
  allowed: readonly string[] = [],
): LoaderApi {
  const owners = new Set([repositoryOwner, ...allowed].map((owner) => owner.toLowerCase()));
  const send = api.request as unknown as (options: ConfigRead) => unknown;
  const request = (options: ConfigRead) => {
    const owner = typeof options.owner === "string" ? options.owner : "";
    if (!owners.has(owner.toLowerCase())) {
      throw new ExtendsRefused(
        owner,
        `${owner}/${String(options.repo)}:${String(options.path)}`,
        repositoryOwner,
      );
    }
    return send(options);
  };
  return { request: Object.assign(request, { endpoint: api.request.endpoint }) };
}
