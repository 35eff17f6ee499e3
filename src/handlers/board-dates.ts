// The way back from the project's board (`projects:`): a due date a person moved there comes back
// to the child's `Due:` line and the post-mortem's row. `applyBoardDate` for the App's
// `projects_v2_item` delivery, `pullBoardDates` for the sweep and the Action's scheduled run.
import type { Config } from "../core/config.js";
import { capaParentOf } from "../core/evidence/plan.js";
import { flowsRunElsewhere } from "../core/flows/config.js";
import { bindFields, movedDueBody } from "../core/projects/plan.js";
import type { Permission } from "../github/gateway.js";
import type { BoardItem, KnownProjects, ProjectsApi } from "../github/projects.js";
import { readBoardItem } from "../github/projects.js";
import type { RepositoryRef } from "../core/snapshots.js";
import { handleCapaEvent } from "./capa-handler.js";
import type { HandlerDeps } from "./deps.js";
import { writersFor } from "./deps.js";
import { loadConfig } from "./load-config.js";
import { isGraphqlAnswer, projectsOf, resolveProject } from "./projects-sync.js";

const MAY_MOVE: readonly Permission[] = ["write", "maintain", "admin"];

/**
 * A date on the board (`date`, undefined when cleared) for a child of this repository: its `Due:`
 * line follows when `sender` (the person who moved it, or who set the date last) may write here,
 * then the post-mortem's row through the CAPA flow. A date equal to the child's is nothing (our
 * own field writes come back as board events).
 */
export async function applyBoardDate(
  deps: HandlerDeps,
  childNumber: number,
  date: string | undefined,
  sender: { login: string; type: string },
): Promise<"moved" | "ignored" | "refused"> {
  if (date === undefined) return "ignored";
  const base = deps.gateway.base;
  const loaded = await loadConfig(base);
  // Only the front door `flows.runIn` names writes (the Action's scheduled run, or the App).
  if (flowsRunElsewhere(loaded, deps.frontDoor)) return "ignored";
  if (!loaded.ok || loaded.config.projects === undefined) return "ignored";
  const writers = writersFor(loaded.config, deps);
  const child = await base.getIssue(childNumber);
  const parent = child ? capaParentOf(child, writers) : undefined;
  if (!child || parent === undefined) return "ignored";
  const body = movedDueBody(child.body, date);
  if (body === undefined) return "ignored";
  // A bot's date (ours, now stale, or another App's) is not a person's decision.
  const permission = sender.type === "Bot" ? "none" : await base.getPermission(sender.login);
  if (!MAY_MOVE.includes(permission)) {
    deps.log.info(
      `CAPA child #${childNumber}: a board date from @${sender.login} (${permission}) was not taken`,
    );
    return "refused";
  }
  await base.apply({ kind: "updateIssueBody", issueNumber: childNumber, body });
  deps.log.info(`CAPA child #${childNumber}: due ${date}, moved on the board`);
  await handleCapaEvent({ kind: "childChanged", postmortem: parent }, deps);
  return "moved";
}

/**
 * The sweep's way back (the App's reconcile sweep, the Action's scheduled run): the project's
 * items, page by page; each child of this repository whose board date differs from its `Due:`
 * line gets the board's date. Returns how many moved. No `projects:` or no due field: no request.
 */
export async function pullBoardDates(config: Config, deps: HandlerDeps): Promise<number> {
  if (config.projects?.fields.due === undefined) return 0;
  let resolved;
  try {
    resolved = await resolveProject(config, deps);
  } catch (error) {
    if (isGraphqlAnswer(error)) return 0;
    throw error;
  }
  if (!resolved || !("id" in resolved)) return 0;
  const due = bindFields(resolved, config.projects.fields).bound.due;
  if (!due) return 0;
  const { owner, repo } = deps.gateway.repository;
  const here = `${owner}/${repo}`.toLowerCase();
  let items: BoardItem[];
  try {
    items = await projectsOf(deps).listItems(resolved.id);
  } catch (error) {
    if (isGraphqlAnswer(error)) return 0;
    throw error;
  }
  const children = new Map(
    (await deps.gateway.base.listIssuesWithLabel(config.capa.labels[0]!)).map((child) => [
      child.number,
      child,
    ]),
  );
  let moved = 0;
  for (const item of items) {
    if (item.repository?.toLowerCase() !== here || item.number === undefined) continue;
    const value = item.values.get(due.id);
    const child = children.get(item.number);
    if (!value || !("date" in value) || !child) continue;
    // Only a child whose `Due:` differs costs more: the setter's permission, the writes.
    if (movedDueBody(child.body, value.date) === undefined) continue;
    const setBy = item.setBy.get(due.id) ?? { login: "ghost", type: "Bot" };
    if ((await applyBoardDate(deps, item.number, value.date, setBy)) === "moved") moved++;
  }
  return moved;
}

/** A person's edit of a field of an item on a board, as its `projects_v2_item.edited` delivery says. */
export interface BoardEdit {
  itemId: string;
  projectId: string;
  fieldId: string | undefined;
  sender: { login: string; type: string };
}

/**
 * The App's `projects_v2_item` delivery. A project no configuration named (in this process), a
 * field other than the due one, or a bot's edit (ours echo back): ignored without a request. Else
 * the item is read (its issue and date) and, for a child of a repository naming the project,
 * handled by `applyBoardDate` with the deps `depsFor` makes for that repository.
 */
export async function handleBoardEdit(
  edit: BoardEdit,
  known: KnownProjects,
  api: ProjectsApi,
  depsFor: (repository: RepositoryRef) => HandlerDeps,
): Promise<"moved" | "ignored" | "refused"> {
  const project = known.get(edit.projectId);
  if (!project || project.dueFieldId === undefined || edit.sender.type === "Bot") return "ignored";
  if (edit.fieldId !== undefined && edit.fieldId !== project.dueFieldId) return "ignored";
  const item = await readBoardItem(api, edit.itemId);
  if (!item || item.projectId !== edit.projectId || item.number === undefined) return "ignored";
  const repository = project.repositories.get(item.repository?.toLowerCase() ?? "");
  if (!repository) return "ignored";
  const value = item.values.get(project.dueFieldId);
  const date = value && "date" in value ? value.date : undefined;
  return applyBoardDate(depsFor(repository), item.number, date, edit.sender);
}
