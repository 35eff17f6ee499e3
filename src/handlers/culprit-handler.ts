import { randomBytes } from "node:crypto";
import { CULPRIT_SYNTAX } from "../core/culprits/command.js";
import type { CulpritEvent } from "../core/culprits/events.js";
import { trustedIndex } from "../core/culprits/index-plan.js";
import type { IndexedCulprit } from "../core/culprits/path-index.js";
import type { CulpritPull } from "../core/culprits/plan.js";
import {
  contributingLine,
  culpritsOf,
  extraPullComments,
  hasPullComment,
  pullComment,
  pullReference,
  repeatsOf,
  withCulprits,
} from "../core/culprits/plan.js";
import { replyOnce } from "../core/command-reply.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import { isAdopted, isOpenedPostmortem } from "../core/identity.js";
import { findMarker } from "../core/markers.js";
import type { Plan, Step } from "../core/plan.js";
import type { IssueSnapshot } from "../core/snapshots.js";
import type { Writers } from "../core/trust/writers.js";
import type { GitHubGateway, Permission } from "../github/gateway.js";
import { getCulpritPull, readIndexState } from "../github/path-index.js";
import { converge } from "./converge.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { loadConfig } from "./load-config.js";
import { CulpritPaths, entryFor, rebuildPathIndex, writePathIndex } from "./path-index-sync.js";

/** The body (lines and marker), each culprit's comment and its record, a read to see them. */
export const MAX_CULPRIT_ROUNDS = 6;

const MAY_RECORD: readonly Permission[] = ["triage", "write", "maintain", "admin"];

export type CulpritOutcome =
  "ignored" | "refused" | "malformed" | "unknown" | "unreachable" | "recorded";

/** A step on the post-mortem's repository, or (`target`) on the one its pull requests are in. */
type Placed = Step & { target?: true };

/**
 * `/culprit #41 [#42…]` and `/culprit -#41` on a post-mortem, by someone with triage or more (read
 * from GitHub now): the pull requests are checked, recorded in the post-mortem's marker with a
 * line each in Root Cause Analysis, each gets one comment linking the post-mortem, their paths go
 * to the path index, and earlier post-mortems whose culprits changed the same paths are linked as
 * Possibly related both ways. A private post-mortem's pull requests are in its incident's
 * repository (`source`), whose index holds its entry without naming it.
 */
export async function handleCulpritEvent(
  event: CulpritEvent,
  deps: HandlerDeps,
): Promise<CulpritOutcome> {
  const base = deps.gateway.base;
  const loaded = await loadConfig(base);
  if (flowsRunElsewhere(loaded, deps.frontDoor) || !loaded.ok) return "ignored";
  const config = loaded.config;
  const writers = writersFor(config, deps);
  const number = event.issue.number;

  const postmortem = await base.getIssue(number);
  if (!postmortem || !(await isCulpritPostmortem(base, postmortem, writers))) return "ignored";
  // Read from GitHub now; a bot (another App, a workflow) never records culprits.
  const permission: Permission =
    event.sender.type === "Bot" ? "none" : await base.getPermission(event.sender.login);
  const allowed = MAY_RECORD.includes(permission);
  const reply = async (message: string, refused = false) => {
    const comments = await base.listComments(number);
    const command = { commentId: event.commentId, login: event.sender.login };
    await applyAll(
      base,
      replyOnce("culprit-reply", number, command, comments, message, writers, {
        refused,
        mention: false,
      }),
    );
  };
  if (!allowed) {
    await reply(
      "`/culprit` needs triage access or more to this repository, so nothing was recorded.",
      true,
    );
    return "refused";
  }
  const request = event.request;
  if (request === "malformed") {
    await reply(`I could not read that \`/culprit\` command. Write ${CULPRIT_SYNTAX}.`);
    return "malformed";
  }

  // A private post-mortem's pull requests and index are in its incident's repository.
  const marker = findMarker(postmortem.body, "postmortem")!;
  const source = marker.source;
  const target = source ? await reachSource(source.repository, deps) : base;
  if (!target) {
    await reply(
      `I cannot reach \`${source!.repository}\`, where this post-mortem's pull requests are, so nothing was recorded.`,
    );
    return "unreachable";
  }
  const repository = source ? source.repository : undefined;
  const indexKey = source ? (marker.indexKey ?? randomBytes(16).toString("hex")) : undefined;

  // The pull requests to record, checked; already recorded ones are not read again.
  const recorded = new Set(culpritsOf(postmortem.body).map((culprit) => culprit.pr));
  const pulls = new Map<number, CulpritPull>();
  const problems: string[] = [];
  for (const pr of request.add.filter((pr) => !recorded.has(pr))) {
    const pull = await getCulpritPull(target, pr);
    const name = pullReference(pr, repository);
    if (pull === "issue") problems.push(`${name} is an issue, not a pull request`);
    else if (pull === undefined) problems.push(`there is no pull request ${name}`);
    else pulls.set(pr, pull);
  }
  if (problems.length > 0) {
    await reply(`${problems.join("; ")}. Nothing was recorded.`);
    return "unknown";
  }

  const { owner, repo } = target.repository;
  let state = await readIndexState(target.api, owner, repo, writers);
  // Each `/culprit` rebuilds the entries of the repository's other post-mortems that are missing
  // or were touched by anyone else, first, so that repeats are found in what the product wrote.
  if (!source) {
    const rebuilt = await rebuildPathIndex(target, config, writers, deps, {
      refresh: false,
      except: number,
      state,
    });
    if (rebuilt.rebuilt > 0) state = await readIndexState(target.api, owner, repo, writers);
  }
  const trusted = trustedIndex(state.comments, writers);
  const paths = new CulpritPaths(target, trusted.entries);
  const added: IndexedCulprit[] = [];
  for (const pull of pulls.values()) added.push(await paths.of(pull.number, pull.changedFiles));
  // Repeats are linked within one repository only, never to or from a private post-mortem.
  const related = source
    ? []
    : repeatsOf(
        postmortem,
        added,
        trusted.entries.filter((entry) => entry.postmortem !== number),
        config.changes,
        deps.clock(),
      );

  const settled = await settlePostmortem({
    base,
    target,
    number,
    first: postmortem,
    change: {
      add: [...pulls.values()].map((pull) => ({
        pr: pull.number,
        line: contributingLine(pull, config.timezone, repository),
      })),
      remove: request.remove,
      related,
      commented: [],
      ...(indexKey === undefined ? {} : { indexKey }),
    },
    link: source ? { key: indexKey!, private: true } : { number, private: false },
    writers,
    deps,
  });
  if (!settled) return "ignored";

  for (const other of related) {
    await linkRelated(base, other, number, writers, deps);
  }

  const entry = await entryFor(target, settled, paths, writers);
  const owner_ = indexKey === undefined ? { postmortem: number } : { key: indexKey };
  await writePathIndex(target, [{ owner: owner_, entry }], writers, deps, state);
  await base.apply({ kind: "addReaction", commentId: event.commentId, content: "+1" });
  return "recorded";
}

/** Opened by the product, or a person's post-mortem it adopted (its own comment says so). */
async function isCulpritPostmortem(
  base: GitHubGateway,
  issue: IssueSnapshot,
  writers: Writers,
): Promise<boolean> {
  if (issue.isPullRequest || !findMarker(issue.body, "postmortem")) return false;
  if (isOpenedPostmortem(issue, writers)) return true;
  return isAdopted(issue, await base.listComments(issue.number), writers);
}

async function reachSource(name: string, deps: HandlerDeps): Promise<GitHubGateway | undefined> {
  const [owner = "", repo = ""] = name.split("/");
  return deps.reach ? deps.reach({ owner, repo }) : undefined;
}

/**
 * The post-mortem's body with the change (marker and lines) and, in the same round, one comment on
 * each culprit not yet commented (unless the product's comment is there already: a lost answer)
 * with the marker's `commented` set. Returns the post-mortem as last read.
 */
async function settlePostmortem(input: {
  base: GitHubGateway;
  target: GitHubGateway;
  number: number;
  first: IssueSnapshot;
  change: Parameters<typeof withCulprits>[1];
  link: Parameters<typeof pullComment>[0];
  writers: Writers;
  deps: HandlerDeps;
}): Promise<IssueSnapshot | undefined> {
  const { base, target, number, change, writers } = input;
  let first: IssueSnapshot | undefined = input.first;
  const commented = new Set<number>();
  const settled = await converge<Placed, IssueSnapshot | undefined>({
    what: `Post-mortem #${number}, culprits`,
    maxRounds: MAX_CULPRIT_ROUNDS,
    log: input.deps.log,
    apply: (step) => (step.target ? target : base).apply(step),
    plan: async () => {
      const postmortem = first ?? (await base.getIssue(number));
      first = undefined;
      if (!postmortem) return { done: undefined };
      const changed = withCulprits(postmortem.body, change);
      if (changed === undefined) return { done: undefined };
      // Each culprit's comment goes with the write that records it (or the next round's, after a
      // failure); the product's comment found on the pull request is not written twice.
      const pending = culpritsOf(changed).filter((culprit) => !culprit.commented);
      const steps: Placed[] = [];
      for (const culprit of pending) {
        const comments = await target.listComments(culprit.pr);
        if (!hasPullComment(comments, input.link, writers)) {
          commented.add(culprit.pr);
          steps.push({
            kind: "createComment",
            issueNumber: culprit.pr,
            body: pullComment(input.link),
            target: true,
          });
        }
      }
      const body =
        pending.length === 0
          ? changed
          : withCulprits(changed, {
              add: [],
              remove: [],
              related: [],
              commented: pending.map((culprit) => culprit.pr),
            })!;
      if (body !== postmortem.body) {
        steps.push({ kind: "updateIssueBody", issueNumber: number, body });
      }
      if (steps.length === 0) return { done: postmortem };
      return { write: steps };
    },
  });
  // Another replica handling the same command at the same moment may have written one too: the
  // pull requests commented on here are read once more and later copies deleted.
  for (const pr of commented) {
    const extra = extraPullComments(await target.listComments(pr), input.link, writers);
    for (const id of extra) await target.apply({ kind: "deleteComment", commentId: id });
  }
  return settled;
}

/** The earlier post-mortem linked back, once (its marker's `related`). */
async function linkRelated(
  base: GitHubGateway,
  other: number,
  number: number,
  writers: Writers,
  deps: HandlerDeps,
): Promise<void> {
  await converge<Step, "done">({
    what: `Post-mortem #${other}, possibly related`,
    maxRounds: 3,
    log: deps.log,
    apply: (step) => base.apply(step),
    plan: async () => {
      const issue = await base.getIssue(other);
      if (!issue || !isOpenedPostmortem(issue, writers)) return { done: "done" };
      const body = withCulprits(issue.body, {
        add: [],
        remove: [],
        related: [number],
        commented: [],
      });
      if (body === undefined || body === issue.body) return { done: "done" };
      return { write: [{ kind: "updateIssueBody", issueNumber: other, body }] };
    },
  });
}

async function applyAll(gateway: GitHubGateway, plan: Plan): Promise<void> {
  for (const step of plan) await gateway.apply(step);
}
