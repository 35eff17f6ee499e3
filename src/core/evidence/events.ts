import type { Account } from "../snapshots.js";

/** A merged pull request, as its `pull_request.closed` delivery tells it. */
export interface MergedPullRequest {
  number: number;
  nodeId: string;
  url: string;
  mergedAt: string;
  sha: string;
  /** The pull request it reverts (GitHub's revert: title `Revert "…"`, body `Reverts o/r#N`). */
  reverts?: number;
}

/** A successful deployment, as its `deployment_status` delivery tells it. */
export interface Deployment {
  id: number;
  sha: string;
  environment: string;
  /** Where to see it: the status's log, target or environment address, if any. */
  url: string;
  at: string;
}

/** The deliveries that bring evidence to CAPA children. */
export type EvidenceEvent =
  | { kind: "merged"; pullRequest: MergedPullRequest }
  /** A child (a bot's issue with a `capa` marker: the handler checks the product wrote it). */
  | { kind: "childClosed" | "childReopened"; child: number }
  | {
      kind: "command";
      child: number;
      commentId: number;
      sender: Account;
      text: string;
      at: string;
    }
  | { kind: "deployed"; deployment: Deployment };

/** `Reverts owner/repo#12` in the body of GitHub's revert pull request, for this repository. */
export function revertedPullRequest(
  title: string,
  body: string | null | undefined,
  repository: { owner: string; repo: string },
): number | undefined {
  if (!/^Revert "/.test(title)) return undefined;
  const match = /^Reverts ([\w.-]+)\/([\w.-]+)#(\d+)\s*$/m.exec(body ?? "");
  if (!match) return undefined;
  const [, owner, repo, number] = match;
  const here =
    owner!.toLowerCase() === repository.owner.toLowerCase() &&
    repo!.toLowerCase() === repository.repo.toLowerCase();
  return here ? Number(number) : undefined;
}
