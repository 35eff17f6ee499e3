// CAPA children on the GitHub Project (v2) `projects.url` names: the CAPA flow puts each child on
// the board with its Due, Severity and Status (`syncProjectItems`). The way back is
// src/handlers/board-dates.ts.
import type { Config } from "../core/config.js";
import { requiredFor } from "../core/evidence/plan.js";
import type { ProjectProblem, ResolvedProject } from "../core/projects/plan.js";
import {
  bindFields,
  childWants,
  planItemWrites,
  postmortemSeverity,
  problemComment,
} from "../core/projects/plan.js";
import type { CommentSnapshot, IssueSnapshot } from "../core/snapshots.js";
import type { Writers } from "../core/trust/writers.js";
import type { HandlerDeps } from "./deps.js";
import { ProjectsGateway } from "../github/projects.js";

/** Whether an error is GraphQL's answer of errors (a permission, a field): not worth a retry. */
export function isGraphqlAnswer(
  error: unknown,
): error is Error & { errors?: { message?: string }[] } {
  return error instanceof Error && error.name === "GraphqlResponseError";
}

function messageOf(error: Error & { errors?: { message?: string }[] }): string {
  return (error.errors ?? []).map((e) => e.message ?? "").join("; ") || error.message;
}

/** The project's reads and writes, with the Action's `projects-token` when given. */
export function projectsOf(deps: HandlerDeps): ProjectsGateway {
  return deps.projectsApi
    ? new ProjectsGateway(deps.projectsApi, deps.gateway.base)
    : deps.gateway.projects;
}

/** The configured project, resolved, and remembered in `deps.projects` (a board event's filter). */
export async function resolveProject(
  config: Config,
  deps: HandlerDeps,
): Promise<ResolvedProject | { unreachable: string } | undefined> {
  const url = config.projects?.url;
  if (url === undefined) return undefined;
  const resolved = await projectsOf(deps).resolve(url);
  if ("id" in resolved) {
    const due = bindFields(resolved, config.projects!.fields).bound.due;
    deps.projects?.learn(resolved, due?.id, deps.gateway.repository);
  }
  return resolved;
}

/**
 * Puts the post-mortem's CAPA children on the project with their fields: one mutation adds them
 * all (GitHub returns the existing item for one already there, with its values), one more sets
 * the fields that differ (none: no request). What the project lacks (a permission, a field, an
 * option) is said once in a comment on the post-mortem. No `projects:`: no request.
 */
export async function syncProjectItems(
  config: Config,
  deps: HandlerDeps,
  postmortem: IssueSnapshot,
  children: readonly IssueSnapshot[],
  comments: readonly CommentSnapshot[],
  writers: Writers,
): Promise<void> {
  if (config.projects === undefined) return;
  const onBoard = children.filter((child) => child.nodeId !== undefined);
  if (onBoard.length === 0) return;
  const problems: ProjectProblem[] = [];
  const url = config.projects.url;
  try {
    const resolved = await resolveProject(config, deps);
    if (resolved === undefined) return;
    if (!("id" in resolved)) {
      problems.push({ kind: "unreachable", url, message: resolved.unreachable });
    } else {
      const { bound, problems: fieldProblems } = bindFields(resolved, config.projects.fields);
      problems.push(...fieldProblems);
      const projects = projectsOf(deps);
      const items = await projects.addItems(
        resolved.id,
        onBoard.map((child) => child.nodeId!),
      );
      const severity = postmortemSeverity(config, postmortem);
      const required = requiredFor(config, postmortem.body);
      const writes = onBoard.flatMap((child, i) => {
        const planned = planItemWrites(bound, items[i]!, childWants(child, severity, required));
        problems.push(...planned.problems);
        return planned.writes;
      });
      if (writes.length > 0) await projects.updateFields(resolved.id, writes);
      // A field or option to be created: read the project afresh next time.
      if (problems.length > 0) projects.forget(url);
    }
  } catch (error) {
    if (!isGraphqlAnswer(error)) throw error;
    problems.push({ kind: "unreachable", url, message: messageOf(error) });
  }
  const comment = problemComment(postmortem.number, problems, comments, writers);
  if (comment) {
    deps.log.warn(`Post-mortem #${postmortem.number}: the project ${url} lacks something`);
    await deps.gateway.base.apply(comment);
  }
}
