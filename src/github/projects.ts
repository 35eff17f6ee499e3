// GitHub Projects (v2) through GraphQL: REST has no Projects v2 writes (nor item field values), so
// every read and write here is a GraphQL question or mutation. The pure side is
// src/core/projects/plan.ts.
import type { Octokit } from "@octokit/rest";
import type { ProjectAddress } from "../core/projects/config.js";
import { projectAddress } from "../core/projects/config.js";
import type {
  FieldValue,
  FieldWrite,
  ProjectField,
  ProjectItem,
  ResolvedProject,
} from "../core/projects/plan.js";
import type { RepositoryRef } from "../core/snapshots.js";
import type { GitHubGateway } from "./gateway.js";

export type ProjectsApi = Pick<Octokit, "graphql">;

/** How many fields of a project are read: GitHub allows 50 per project. */
export const PROJECT_FIELDS = 50;
/** How many children one `addProjectV2ItemById` mutation adds (aliases), and items per page. */
export const ITEMS_PER_REQUEST = 50;

const FIELDS_SELECTION = `fields(first: ${PROJECT_FIELDS}) { nodes { ... on ProjectV2FieldCommon { id name dataType } ... on ProjectV2SingleSelectField { options { id name } } } }`;
const VALUES_SELECTION = `fieldValues(first: ${PROJECT_FIELDS}) { nodes { ... on ProjectV2ItemFieldDateValue { date creator { __typename login } field { ... on ProjectV2FieldCommon { id } } } ... on ProjectV2ItemFieldSingleSelectValue { optionId field { ... on ProjectV2FieldCommon { id } } } } }`;

/** The project and its fields, by owner (organization or user) and number. */
export function projectQuery(ownerKind: ProjectAddress["ownerKind"]): string {
  return `query($login: String!, $number: Int!) { ${ownerKind}(login: $login) { projectV2(number: $number) { id ${FIELDS_SELECTION} } } }`;
}

/** Adds the children (GitHub returns the existing item for one already there) with their values. */
export function addItemsMutation(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$c${i}: ID!`).join(", ");
  const adds = Array.from(
    { length: count },
    (_, i) =>
      `i${i}: addProjectV2ItemById(input: { projectId: $projectId, contentId: $c${i} }) { item { id ${VALUES_SELECTION} } }`,
  ).join(" ");
  return `mutation($projectId: ID!, ${vars}) { ${adds} }`;
}

/** Sets all the fields in one mutation (aliases). */
export function updateFieldsMutation(count: number): string {
  const vars = Array.from(
    { length: count },
    (_, i) => `$i${i}: ID!, $f${i}: ID!, $v${i}: ProjectV2FieldValue!`,
  ).join(", ");
  const sets = Array.from(
    { length: count },
    (_, i) =>
      `u${i}: updateProjectV2ItemFieldValue(input: { projectId: $projectId, itemId: $i${i}, fieldId: $f${i}, value: $v${i} }) { projectV2Item { id } }`,
  ).join(" ");
  return `mutation($projectId: ID!, ${vars}) { ${sets} }`;
}

/** One item with its content (an issue and its repository) and values: the way back from the board. */
export const ITEM_QUERY = `query($id: ID!) { node(id: $id) { ... on ProjectV2Item { id project { id } content { ... on Issue { number repository { nameWithOwner } } } ${VALUES_SELECTION} } } }`;

/** A project's items, a page at a time, with their content and values (the Action's scheduled run). */
export const ITEMS_QUERY = `query($id: ID!, $after: String) { node(id: $id) { ... on ProjectV2 { items(first: ${ITEMS_PER_REQUEST}, after: $after) { pageInfo { hasNextPage endCursor } nodes { id content { ... on Issue { number repository { nameWithOwner } } } ${VALUES_SELECTION} } } } } }`;

interface ValueNode {
  date?: string | null;
  creator?: { __typename?: string; login?: string } | null;
  optionId?: string | null;
  field?: { id?: string } | null;
}
interface ItemNode {
  id: string;
  content?: { number?: number; repository?: { nameWithOwner?: string } } | null;
  fieldValues?: { nodes?: (ValueNode | null)[] } | null;
}

/** An item on the board with the issue it holds. */
export interface BoardItem extends ProjectItem {
  /** `owner/name` and number of the issue; undefined for a draft or a pull request. */
  repository: string | undefined;
  number: number | undefined;
  /** Who last set each date field (field id → account): a board date is taken from a person only. */
  setBy: Map<string, { login: string; type: string }>;
}

/** The project could not be read: GitHub's message (a missing permission, a wrong URL). */
export class ProjectUnreachable extends Error {}

function valuesOf(node: ItemNode): Map<string, FieldValue> {
  const values = new Map<string, FieldValue>();
  for (const value of node.fieldValues?.nodes ?? []) {
    const fieldId = value?.field?.id;
    if (!fieldId) continue;
    if (typeof value.date === "string") values.set(fieldId, { date: value.date.slice(0, 10) });
    else if (typeof value.optionId === "string") {
      values.set(fieldId, { singleSelectOptionId: value.optionId });
    }
  }
  return values;
}

function boardItem(node: ItemNode): BoardItem {
  const setBy = new Map<string, { login: string; type: string }>();
  for (const value of node.fieldValues?.nodes ?? []) {
    const login = value?.creator?.login;
    if (value?.field?.id && typeof value.date === "string" && login) {
      setBy.set(value.field.id, { login, type: value.creator?.__typename ?? "User" });
    }
  }
  return {
    setBy,
    id: node.id,
    values: valuesOf(node),
    repository: node.content?.repository?.nameWithOwner,
    number: node.content?.number,
  };
}

/** GraphQL's message from an error answer (Octokit's GraphqlResponseError), else undefined. */
function graphqlMessage(error: unknown): string | undefined {
  if (error instanceof Error && error.name === "GraphqlResponseError") {
    const errors = (error as Error & { errors?: { message?: string }[] }).errors ?? [];
    return errors.map((e) => e.message ?? "").join("; ") || error.message;
  }
  return undefined;
}

/**
 * Reads and writes one project. The project (id and fields) is resolved once and kept beside the
 * configuration in the cache (`CONFIG_MAX_AGE`), so a flow costs no request for it while fresh.
 */
export class ProjectsGateway {
  constructor(
    private readonly api: ProjectsApi,
    private readonly base: Pick<GitHubGateway, "cachedRead" | "forgetCachedRead">,
  ) {}

  /** The project, or why it cannot be read (GitHub's message); cached per repository and URL. */
  async resolve(url: string): Promise<ResolvedProject | { unreachable: string }> {
    const address = projectAddress(url);
    if (!address) return { unreachable: "not a project URL" };
    return this.base.cachedRead(`project:${url}`, () => this.read(address, url));
  }

  /** Forgets the resolved project (after a field or option turned out missing). */
  forget(url: string): void {
    this.base.forgetCachedRead(`project:${url}`);
  }

  private async read(
    address: ProjectAddress,
    url: string,
  ): Promise<ResolvedProject | { unreachable: string }> {
    type Answer = Record<
      string,
      { projectV2?: { id: string; fields?: { nodes?: (Partial<ProjectField> | null)[] } } | null }
    >;
    let data: Answer | null | undefined;
    try {
      data = await this.api.graphql<Answer>(projectQuery(address.ownerKind), {
        login: address.owner,
        number: address.number,
      });
    } catch (error) {
      const message = graphqlMessage(error);
      if (message === undefined) throw error;
      return { unreachable: message };
    }
    const project = data?.[address.ownerKind]?.projectV2;
    if (!project) return { unreachable: "no such project" };
    const fields = (project.fields?.nodes ?? [])
      .filter((node): node is Partial<ProjectField> => !!node?.id && !!node.name)
      .map((node) => ({
        id: node.id!,
        name: node.name!,
        dataType: node.dataType ?? "",
        ...(node.options ? { options: node.options } : {}),
      }));
    return { id: project.id, url, fields };
  }

  /** Adds the issues (node ids) to the project; the items in the same order, with their values. */
  async addItems(projectId: string, contentIds: readonly string[]): Promise<ProjectItem[]> {
    const items: ProjectItem[] = [];
    for (let start = 0; start < contentIds.length; start += ITEMS_PER_REQUEST) {
      const chunk = contentIds.slice(start, start + ITEMS_PER_REQUEST);
      const variables: Record<string, string> = { projectId };
      chunk.forEach((id, i) => (variables[`c${i}`] = id));
      const data = await this.api.graphql<Record<string, { item: ItemNode }>>(
        addItemsMutation(chunk.length),
        variables,
      );
      chunk.forEach((_, i) => {
        const node = data[`i${i}`]!.item;
        items.push({ id: node.id, values: valuesOf(node) });
      });
    }
    return items;
  }

  /** Writes the fields, all in one mutation (per 50). */
  async updateFields(projectId: string, writes: readonly FieldWrite[]): Promise<void> {
    for (let start = 0; start < writes.length; start += ITEMS_PER_REQUEST) {
      const chunk = writes.slice(start, start + ITEMS_PER_REQUEST);
      const variables: Record<string, unknown> = { projectId };
      chunk.forEach((write, i) => {
        variables[`i${i}`] = write.itemId;
        variables[`f${i}`] = write.fieldId;
        variables[`v${i}`] = write.value;
      });
      await this.api.graphql(updateFieldsMutation(chunk.length), variables);
    }
  }

  /** Every item of the project, page by page. */
  async listItems(projectId: string): Promise<BoardItem[]> {
    const items: BoardItem[] = [];
    let after: string | null = null;
    for (;;) {
      type Page = {
        node?: {
          items?: {
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
            nodes: (ItemNode | null)[];
          };
        } | null;
      };
      const data: Page = await this.api.graphql<Page>(ITEMS_QUERY, { id: projectId, after });
      const page = data.node?.items;
      if (!page) return items;
      for (const node of page.nodes) if (node) items.push(boardItem(node));
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return items;
      after = page.pageInfo.endCursor;
    }
  }
}

/** One item with its issue, values and project's id; undefined when it is gone or unreadable. */
export async function readBoardItem(
  api: ProjectsApi,
  itemId: string,
): Promise<(BoardItem & { projectId: string }) | undefined> {
  let data: { node?: (ItemNode & { project?: { id?: string } }) | null } | undefined;
  try {
    data = await api.graphql(ITEM_QUERY, { id: itemId });
  } catch (error) {
    if (graphqlMessage(error) === undefined) throw error;
    return undefined;
  }
  const node = data?.node;
  if (!node?.id || !node.project?.id) return undefined;
  return { ...boardItem(node), projectId: node.project.id };
}

/** What the process learnt of a configured project: enough to tell a board edit worth reading. */
export interface KnownProject {
  url: string;
  dueFieldId: string | undefined;
  /** The repositories whose configuration names it, by `owner/name` in lower case. */
  repositories: Map<string, RepositoryRef>;
}

/**
 * The projects some configuration names, learnt when a flow or the sweep resolves one. A board
 * event for any other project costs no request; after a restart the set is empty until then.
 */
export class KnownProjects {
  private readonly byId = new Map<string, KnownProject>();

  learn(project: ResolvedProject, dueFieldId: string | undefined, repository: RepositoryRef): void {
    const name = `${repository.owner}/${repository.repo}`.toLowerCase();
    const known = this.byId.get(project.id);
    if (known) {
      known.dueFieldId = dueFieldId;
      known.repositories.set(name, repository);
    } else {
      this.byId.set(project.id, {
        url: project.url,
        dueFieldId,
        repositories: new Map([[name, repository]]),
      });
    }
  }

  get(projectId: string): KnownProject | undefined {
    return this.byId.get(projectId);
  }
}
