import type { Config } from "../config.js";
import { sameLabel } from "../config.js";
import { closeAsDuplicate } from "../duplicates.js";
import type { FormPrefill } from "../forms/prefill.js";
import type { IncidentEvent } from "../incident/events.js";
import type { TemplateSource } from "../incident/content.js";
import { renderPostmortem } from "../incident/content.js";
import { openPostmortemSteps } from "../incident/plan.js";
import { findMarker, formatMarker } from "../markers.js";
import type { Plan } from "../plan.js";
import type { Account, CommentSnapshot, IssueSnapshot, RepositoryRef } from "../snapshots.js";
import type { Writers } from "../trust/writers.js";
import { wroteIt } from "../trust/writers.js";
import type { Visibility } from "../incident/config.js";
import { CLASSIFICATIONS } from "./config.js";

/*
 * Private post-mortems: the post-mortem of some incidents is opened in another repository
 * (`private.repository`), and the public incident gets at most one neutral comment that names
 * nothing of it. Everything here is decided without I/O; the shell (src/handlers/private-handler.ts)
 * reads and writes.
 */

export interface RepositoryName {
  owner: string;
  repo: string;
}

export function parseRepositoryName(name: string): RepositoryName {
  const [owner = "", repo = ""] = name.split("/");
  return { owner, repo };
}

export function fullName(repository: RepositoryName): string {
  return `${repository.owner}/${repository.repo}`;
}

function sameRepository(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * A comment or issue the product wrote (src/core/trust/writers.ts): a marker typed by a person,
 * or written by another bot or workflow, proves nothing.
 */
function byProduct(item: { author: Account }, writers: Writers): boolean {
  return wroteIt(item.author, "flows", writers);
}

/**
 * Whether this incident's post-mortem goes to `private.repository`: every incident without `when`,
 * else one with a `when.labels` label or a `when.classifications` box (a classification label or
 * the issue form's box).
 */
export function goesPrivate(incident: IssueSnapshot, form: FormPrefill, config: Config): boolean {
  const setting = config.private;
  if (!setting) return false;
  const when = setting.when;
  if (!when) return true;
  const labeled = incident.labels.some((label) =>
    when.labels.some((wanted) => sameLabel(label, wanted)),
  );
  const classified = CLASSIFICATIONS.filter(
    (key) =>
      form.classification[key] ||
      incident.labels.some((label) =>
        config.classificationLabels[key].some((name) => sameLabel(label, name)),
      ),
  );
  return labeled || classified.some((key) => when.classifications.includes(key));
}

/** Whether the App's neutral comment on the incident says its post-mortem is private already. */
export function handledPrivately(
  incidentNumber: number,
  comments: readonly CommentSnapshot[],
  writers: Writers,
) {
  return comments.some(
    (comment) =>
      byProduct(comment, writers) &&
      findMarker(comment.body, "private")?.incident === incidentNumber,
  );
}

/** What the shell learnt of the target repository before anything is written there. */
export type TargetAccess =
  /** The Action was given no token that can write there. */
  | { kind: "no-token" }
  /** The App is not installed there, or the token cannot see it. */
  | { kind: "unreachable" }
  /** GitHub refused a write there (the installation or token lacks Issues: write, say). */
  | { kind: "write-refused" }
  | {
      kind: "reached";
      visibility: Visibility | undefined;
      /** Its own configuration, or `invalid` when it is broken. */
      config: Config | "invalid";
    };

export type PrivateDecision =
  { kind: "open"; target: RepositoryName; config: Config } | { kind: "refuse"; problem: string };

const WHERE = "the repository named in `private.repository` (`.github/postmortem.yml`)";

/**
 * Whether the post-mortem may be opened in the target. No confused deputy: a repository of
 * another owner takes post-mortems only from the repositories its own `acceptsFrom` lists, and a
 * public one takes none. A refusal says what to fix without naming the target (the incident is
 * public).
 */
export function decideTarget(
  source: RepositoryName,
  config: Config,
  access: TargetAccess,
): PrivateDecision {
  const named = config.private?.repository ?? "";
  const target = parseRepositoryName(named);
  if (sameRepository(named, fullName(source))) {
    return { kind: "refuse", problem: "`private.repository` names this repository itself." };
  }
  switch (access.kind) {
    case "no-token":
      return {
        kind: "refuse",
        problem: `This workflow's token cannot write to ${WHERE}. Give the Action a GitHub App token for it as the \`private-repository-token\` input ("Private post-mortems" in the docs' features page shows how, with \`actions/create-github-app-token\`).`,
      };
    case "unreachable":
      return {
        kind: "refuse",
        problem: `postmortem-bot cannot reach ${WHERE}: install the App on that repository too (Issues: write, Contents: read), or correct the name.`,
      };
    case "write-refused":
      return {
        kind: "refuse",
        problem: `GitHub refused postmortem-bot's write to ${WHERE}: give the App (or the Action's \`private-repository-token\`) Issues: read & write there.`,
      };
    case "reached":
      break;
  }
  if (access.visibility !== "private" && access.visibility !== "internal") {
    return {
      kind: "refuse",
      problem: `${upperFirst(WHERE)} is not private: a private post-mortem needs a private repository.`,
    };
  }
  if (access.config === "invalid") {
    return {
      kind: "refuse",
      problem: `The configuration of ${WHERE} is invalid: fix its \`.github/postmortem.yml\` (the App reports the details there on its own incidents).`,
    };
  }
  const sameOwner = target.owner.toLowerCase() === source.owner.toLowerCase();
  const accepted = access.config.acceptsFrom.some((name) => sameRepository(name, fullName(source)));
  if (!sameOwner && !accepted) {
    return {
      kind: "refuse",
      problem: `${upperFirst(WHERE)} belongs to another owner and does not accept post-mortems from this repository: its own \`.github/postmortem.yml\` must list \`${fullName(source)}\` in \`acceptsFrom\`.`,
    };
  }
  return { kind: "open", target, config: access.config };
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The target's post-mortems of this incident among its issues with the post-mortem label:
 * bot-authored ones whose marker names this source repository and incident.
 */
export function privatePostmortemsOf(
  labeled: readonly IssueSnapshot[],
  source: RepositoryName,
  incidentNumber: number,
  writers: Writers,
): IssueSnapshot[] {
  return labeled.filter((issue) => {
    const origin = findMarker(issue.body, "postmortem")?.source;
    return (
      byProduct(issue, writers) &&
      origin !== undefined &&
      origin.incident === incidentNumber &&
      sameRepository(origin.repository, fullName(source))
    );
  });
}

/** What the shell read in the target, fresh, before asking for the target's plan. */
export interface PrivateState {
  incident: IssueSnapshot;
  /** The target's post-mortems of this incident (`privatePostmortemsOf`). */
  postmortems: readonly IssueSnapshot[];
  postmortemLabelExists: boolean;
  /** The target's template; read only when no post-mortem exists there yet. */
  template: TemplateSource | { problem: string } | undefined;
  form: FormPrefill;
}

export type PrivatePlan = { steps: Plan } | { problem: string };

/**
 * The target's side: exactly one post-mortem of the incident there (the lowest number wins, later
 * ones are closed as duplicates), rendered with the target's configuration and template.
 */
export function planPrivatePostmortem(
  event: IncidentEvent,
  source: RepositoryRef,
  targetConfig: Config,
  state: PrivateState,
): PrivatePlan {
  const sorted = [...state.postmortems].sort((a, b) => a.number - b.number);
  const winner = sorted.find((issue) => issue.stateReason !== "duplicate") ?? sorted[0];
  if (winner) {
    return {
      steps: sorted
        .filter((issue) => issue.number !== winner.number && issue.state === "open")
        .map((issue) => closeAsDuplicate(issue, winner.number, "This post-mortem")),
    };
  }
  const template = state.template;
  if (template === undefined) throw new Error("planPrivatePostmortem needs the template");
  if ("problem" in template) {
    return { problem: `The template of ${WHERE} cannot be read: fix it there.` };
  }
  const content = renderPostmortem(
    state.incident,
    event,
    targetConfig,
    source,
    template,
    state.form,
    fullName(source),
  );
  if (!content.ok) {
    return { problem: `The template of ${WHERE} cannot be rendered: fix it there.` };
  }
  return {
    steps: openPostmortemSteps(content, state.incident, targetConfig, state.postmortemLabelExists),
  };
}

export const PRIVATE_NOTICE_TEXT =
  "🔒 The post-mortem of this incident is kept privately, with the people who follow it up.";

export function privateNoticeBody(incidentNumber: number): string {
  return `${PRIVATE_NOTICE_TEXT}\n\n${formatMarker("private", { incident: incidentNumber })}`;
}

/**
 * The public incident's side once its post-mortem is open in the target: at most one neutral
 * comment (`publicNotice`), which names neither the target nor the post-mortem; the unconfirmed
 * label goes; a `/postmortem` command is acknowledged with a reaction.
 */
export function planPublicSide(
  event: IncidentEvent,
  incident: IssueSnapshot,
  config: Config,
  comments: readonly CommentSnapshot[],
  writers: Writers,
): Plan {
  const steps: Plan = [];
  const unconfirmed = incident.labels.find((name) =>
    sameLabel(name, config.incidents.unconfirmedLabel),
  );
  if (unconfirmed !== undefined) {
    steps.push({ kind: "removeLabel", issueNumber: incident.number, name: unconfirmed });
  }
  if (config.private?.publicNotice !== "none") {
    const notices = comments
      .filter(
        (comment) =>
          byProduct(comment, writers) &&
          findMarker(comment.body, "private")?.incident === incident.number,
      )
      .sort((a, b) => a.id - b.id);
    const [kept, ...extra] = notices;
    if (!kept) {
      steps.push({
        kind: "createComment",
        issueNumber: incident.number,
        body: privateNoticeBody(incident.number),
      });
    }
    // Two replicas both wrote one: the oldest stays.
    for (const comment of extra) steps.push({ kind: "deleteComment", commentId: comment.id });
  }
  return steps;
}
