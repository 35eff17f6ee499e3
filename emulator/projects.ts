// GitHub Projects (v2) in the emulator: organization and user projects, their fields (date, single
// select with options, text), items holding issues, and the GraphQL GitHub offers for them:
// `organization|user(login) { projectV2(number) { id fields … } }`, `node(id)` on a ProjectV2Item
// (its project, content and field values) or a ProjectV2 (its items, paged),
// `addProjectV2ItemById` (the existing item for an issue already there) and
// `updateProjectV2ItemFieldValue` (date or single select), aliases allowed. A token needs the
// App's `organization_projects` permission for an organization's project (read for questions,
// write for mutations); an App cannot reach a user's project; a person reaches an organization's
// project with write access and their own projects. Else GitHub's "Resource not accessible by
// integration". Anything else gets one error naming what is not understood.
import { createHash } from "node:crypto";
import type { Field, Operation, Selection, Value } from "./graphql-parse.js";
import type { IssueRecord, UserRecord } from "./model.js";
import { nodeId, roleAtLeast } from "./model.js";

export interface ProjectFieldRecord {
  id: number;
  nodeId: string;
  name: string;
  dataType: "TITLE" | "DATE" | "SINGLE_SELECT" | "TEXT";
  options?: { id: string; name: string }[];
}

export interface ProjectValueRecord {
  date?: string;
  optionId?: string;
  text?: string;
  creator: UserRecord;
  updatedAt: string;
}

export interface ProjectItemRecord {
  id: number;
  nodeId: string;
  issue: IssueRecord;
  creator: UserRecord;
  createdAt: string;
  updatedAt: string;
  values: Map<string, ProjectValueRecord>;
}

export interface ProjectRecord {
  id: number;
  nodeId: string;
  number: number;
  title: string;
  owner: UserRecord;
  fields: ProjectFieldRecord[];
  items: ProjectItemRecord[];
}

export interface ProjectSpec {
  /** The organization or user that owns it (created as a user when unknown). */
  owner: UserRecord;
  number?: number;
  title?: string;
  fields?: { name: string; dataType: "DATE" | "SINGLE_SELECT" | "TEXT"; options?: string[] }[];
}

/** What the caller is: a person, or a bot with its token's permissions. */
export interface ProjectActor {
  user: UserRecord;
  permissions: Record<string, string> | undefined;
}

/** An error GitHub reports in `errors` (with `data` for the rest). */
class FieldError extends Error {
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

/** A question or mutation the emulator does not understand. */
export class UnsupportedProjectQuery extends Error {}

const FORBIDDEN = "Resource not accessible by integration";

export class ProjectStore {
  readonly projects: ProjectRecord[] = [];
  private seq = 1000;

  constructor(
    private readonly now: () => string,
    /** Told when a person changed a field of an item (the `projects_v2_item` webhook). */
    private readonly onEdited: (
      project: ProjectRecord,
      item: ProjectItemRecord,
      field: ProjectFieldRecord,
      by: UserRecord,
    ) => void,
  ) {}

  create(spec: ProjectSpec): ProjectRecord {
    const number =
      spec.number ??
      1 + Math.max(0, ...this.projects.filter((p) => p.owner === spec.owner).map((p) => p.number));
    const id = ++this.seq;
    const fields: ProjectFieldRecord[] = [
      { name: "Title", dataType: "TITLE" as const },
      ...(spec.fields ?? []),
    ].map((field) => {
      const fieldId = ++this.seq;
      const prefix = field.dataType === "SINGLE_SELECT" ? "PVTSSF" : "PVTF";
      return {
        id: fieldId,
        nodeId: nodeId(prefix, fieldId),
        name: field.name,
        dataType: field.dataType,
        ...("options" in field && field.options
          ? {
              options: field.options.map((name, i) => ({
                id: createHash("sha256").update(`${fieldId}:${i}`).digest("hex").slice(0, 8),
                name,
              })),
            }
          : {}),
      };
    });
    const project: ProjectRecord = {
      id,
      nodeId: nodeId("PVT", id),
      number,
      title: spec.title ?? `Project ${number}`,
      owner: spec.owner,
      fields,
      items: [],
    };
    this.projects.push(project);
    return project;
  }

  find(owner: string, number: number): ProjectRecord | undefined {
    return this.projects.find(
      (p) => p.owner.login.toLowerCase() === owner.toLowerCase() && p.number === number,
    );
  }

  /** A person sets a field of the item holding `issue` (the board's edit): the webhook follows. */
  setByPerson(
    project: ProjectRecord,
    issue: IssueRecord,
    fieldName: string,
    value: { date?: string; option?: string },
    by: UserRecord,
  ): ProjectItemRecord {
    const item = project.items.find((i) => i.issue === issue);
    if (!item) throw new Error(`#${issue.number} is not on project ${project.number}`);
    const field = project.fields.find((f) => f.name.toLowerCase() === fieldName.toLowerCase());
    if (!field) throw new Error(`project ${project.number} has no field ${fieldName}`);
    const optionId =
      value.option === undefined
        ? undefined
        : field.options?.find((o) => o.name.toLowerCase() === value.option!.toLowerCase())?.id;
    if (value.option !== undefined && optionId === undefined) {
      throw new Error(`field ${fieldName} has no option ${value.option}`);
    }
    this.setValue(item, field, { date: value.date, optionId }, by);
    this.onEdited(project, item, field, by);
    return item;
  }

  private setValue(
    item: ProjectItemRecord,
    field: ProjectFieldRecord,
    value: { date?: string; optionId?: string; text?: string },
    by: UserRecord,
  ): void {
    const at = this.now();
    const clean = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
    item.values.set(field.nodeId, { ...clean, creator: by, updatedAt: at });
    item.updatedAt = at;
  }

  /** What `actor` may do with `project`. */
  private allowed(actor: ProjectActor, project: ProjectRecord, level: "read" | "write"): boolean {
    if (actor.user.type === "Bot") {
      if (project.owner.type !== "Organization" || !actor.permissions) return false;
      const granted = actor.permissions.organization_projects;
      return level === "read" ? granted === "read" || granted === "write" : granted === "write";
    }
    if (project.owner.type === "Organization") {
      return roleAtLeast(actor.user.role, level === "read" ? "read" : "write");
    }
    return project.owner === actor.user;
  }

  // ---- GraphQL ----

  /** Whether this operation is about projects (the caller sends it to `run`). */
  static concerns(op: Operation): boolean {
    const top = op.selections.filter((s): s is Field => s.kind === "field");
    return top.some(
      (f) =>
        f.name === "organization" ||
        f.name === "user" ||
        f.name === "addProjectV2ItemById" ||
        f.name === "updateProjectV2ItemFieldValue" ||
        (f.name === "node" &&
          (f.selections ?? []).some(
            (s) => s.kind === "fragment" && (s.on === "ProjectV2Item" || s.on === "ProjectV2"),
          )),
    );
  }

  run(
    op: Operation,
    variables: Record<string, unknown>,
    actor: ProjectActor,
    findIssue: (nodeId: string) => IssueRecord | undefined,
    owner: (login: string) => UserRecord | undefined,
  ): { data: Record<string, unknown> | null; errors: unknown[] } {
    const errors: unknown[] = [];
    const data: Record<string, unknown> = {};
    const arg = (field: Field, name: string): unknown => valueOf(field.args.get(name), variables);
    for (const s of op.selections) {
      if (s.kind !== "field") throw new UnsupportedProjectQuery("a fragment at the top");
      const key = s.alias ?? s.name;
      try {
        if (op.type === "query" && (s.name === "organization" || s.name === "user")) {
          const login = arg(s, "login");
          const account = typeof login === "string" ? owner(login) : undefined;
          const kind = s.name === "organization" ? "Organization" : "User";
          if (!account || (account.type === "Organization") !== (kind === "Organization")) {
            throw new FieldError(
              `Could not resolve to ${kind === "Organization" ? "an Organization" : "a User"} with the login of '${String(login)}'.`,
              "NOT_FOUND",
            );
          }
          data[key] = this.resolve(
            { type: "Owner", account },
            s.selections ?? [],
            variables,
            actor,
            [key],
            errors,
          );
        } else if (op.type === "query" && s.name === "node") {
          const id = arg(s, "id");
          const found = typeof id === "string" ? this.byNodeId(id) : undefined;
          if (!found || !this.allowed(actor, found.project, "read")) {
            if (found) throw new FieldError(FORBIDDEN, "FORBIDDEN");
            throw new FieldError(
              `Could not resolve to a node with the global id of '${String(id)}'`,
              "NOT_FOUND",
            );
          }
          data[key] = this.resolve(found.obj, s.selections ?? [], variables, actor, [key], errors);
        } else if (op.type === "mutation" && s.name === "addProjectV2ItemById") {
          const input = arg(s, "input") as { projectId?: unknown; contentId?: unknown } | undefined;
          const project = this.projects.find((p) => p.nodeId === input?.projectId);
          if (!project) {
            throw new FieldError(
              `Could not resolve to a node with the global id of '${String(input?.projectId)}'`,
              "NOT_FOUND",
            );
          }
          if (!this.allowed(actor, project, "write")) throw new FieldError(FORBIDDEN, "FORBIDDEN");
          const issue =
            typeof input?.contentId === "string" ? findIssue(input.contentId) : undefined;
          if (!issue) {
            throw new FieldError(
              `Could not resolve to a node with the global id of '${String(input?.contentId)}'`,
              "NOT_FOUND",
            );
          }
          let item = project.items.find((i) => i.issue === issue);
          if (!item) {
            const id = ++this.seq;
            const at = this.now();
            item = {
              id,
              nodeId: nodeId("PVTI", id),
              issue,
              creator: actor.user,
              createdAt: at,
              updatedAt: at,
              values: new Map(),
            };
            project.items.push(item);
          }
          data[key] = this.resolve(
            { type: "AddPayload", item, project },
            s.selections ?? [],
            variables,
            actor,
            [key],
            errors,
          );
        } else if (op.type === "mutation" && s.name === "updateProjectV2ItemFieldValue") {
          const input = arg(s, "input") as
            | { projectId?: unknown; itemId?: unknown; fieldId?: unknown; value?: unknown }
            | undefined;
          const project = this.projects.find((p) => p.nodeId === input?.projectId);
          const item = project?.items.find((i) => i.nodeId === input?.itemId);
          const field = project?.fields.find((f) => f.nodeId === input?.fieldId);
          if (!project || !item || !field) {
            throw new FieldError(
              `Could not resolve to a node with the global id of '${String(!project ? input?.projectId : !item ? input?.itemId : input?.fieldId)}'`,
              "NOT_FOUND",
            );
          }
          if (!this.allowed(actor, project, "write")) throw new FieldError(FORBIDDEN, "FORBIDDEN");
          const value = (input?.value ?? {}) as Record<string, unknown>;
          const keys = Object.keys(value);
          if (keys.length !== 1) throw new FieldError("Exactly one value must be given", "INVALID");
          if (field.dataType === "DATE" && typeof value.date === "string") {
            if (!/^\d{4}-\d{2}-\d{2}/.test(value.date)) {
              throw new FieldError(`'${value.date}' is not a valid date`, "INVALID");
            }
            this.setValue(item, field, { date: value.date.slice(0, 10) }, actor.user);
          } else if (
            field.dataType === "SINGLE_SELECT" &&
            typeof value.singleSelectOptionId === "string"
          ) {
            if (!field.options?.some((o) => o.id === value.singleSelectOptionId)) {
              throw new FieldError(
                `The single select option Id does not belong to the field`,
                "INVALID",
              );
            }
            this.setValue(item, field, { optionId: value.singleSelectOptionId }, actor.user);
          } else if (field.dataType === "TEXT" && typeof value.text === "string") {
            this.setValue(item, field, { text: value.text }, actor.user);
          } else {
            throw new FieldError(
              `The field ${field.name} (${field.dataType}) does not take ${keys[0]}`,
              "INVALID",
            );
          }
          data[key] = this.resolve(
            { type: "UpdatePayload", item, project },
            s.selections ?? [],
            variables,
            actor,
            [key],
            errors,
          );
        } else {
          throw new UnsupportedProjectQuery(`field '${s.name}' of a ${op.type}`);
        }
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        errors.push({
          type: error.type,
          path: [key],
          locations: [{ line: 1, column: 1 }],
          message: error.message,
        });
        data[key] = null;
      }
    }
    return { data, errors };
  }

  private byNodeId(id: string): { obj: Obj; project: ProjectRecord } | undefined {
    for (const project of this.projects) {
      if (project.nodeId === id) return { obj: { type: "ProjectV2", project }, project };
      const item = project.items.find((i) => i.nodeId === id);
      if (item) return { obj: { type: "ProjectV2Item", item, project }, project };
    }
    return undefined;
  }

  private resolve(
    obj: Obj,
    selections: Selection[],
    variables: Record<string, unknown>,
    actor: ProjectActor,
    path: (string | number)[],
    errors: unknown[],
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of fieldsOf(selections, typeOf(obj))) {
      const key = field.alias ?? field.name;
      if (field.name === "__typename") {
        out[key] = typeOf(obj);
        continue;
      }
      const sub = (o: Obj | null, at: (string | number)[] = [...path, key]) =>
        o === null ? null : this.resolve(o, field.selections ?? [], variables, actor, at, errors);
      const arg = (name: string) => valueOf(field.args.get(name), variables);
      out[key] = this.value(obj, field, sub, arg, actor, [...path, key], errors);
    }
    return out;
  }

  private value(
    obj: Obj,
    field: Field,
    sub: (o: Obj | null, at?: (string | number)[]) => unknown,
    arg: (name: string) => unknown,
    actor: ProjectActor,
    path: (string | number)[],
    errors: unknown[],
  ): unknown {
    const unsupported = () => {
      throw new UnsupportedProjectQuery(`field '${field.name}' on type '${typeOf(obj)}'`);
    };
    switch (obj.type) {
      case "Owner": {
        if (field.name === "login") return obj.account.login;
        if (field.name !== "projectV2") return unsupported();
        const number = arg("number");
        const project = this.projects.find((p) => p.owner === obj.account && p.number === number);
        if (!project || !this.allowed(actor, project, "read")) {
          errors.push({
            type: project ? "FORBIDDEN" : "NOT_FOUND",
            path,
            locations: [{ line: 1, column: 1 }],
            message: project
              ? FORBIDDEN
              : `Could not resolve to a ProjectV2 with the number ${String(number)}.`,
          });
          return null;
        }
        return sub({ type: "ProjectV2", project });
      }
      case "ProjectV2": {
        const p = obj.project;
        switch (field.name) {
          case "id":
            return p.nodeId;
          case "number":
            return p.number;
          case "title":
            return p.title;
          case "url":
            return `https://github.com/${p.owner.type === "Organization" ? "orgs" : "users"}/${p.owner.login}/projects/${p.number}`;
          case "fields": {
            const first = Math.min(Number(arg("first") ?? 0), 100);
            return sub({ type: "FieldConnection", fields: p.fields.slice(0, first) });
          }
          case "items": {
            const first = Math.min(Number(arg("first") ?? 0), 100);
            const after = arg("after");
            const start =
              typeof after === "string"
                ? Number(
                    Buffer.from(after, "base64")
                      .toString()
                      .replace(/^item:/, ""),
                  ) + 1
                : 0;
            return sub({ type: "ItemConnection", project: p, start, first });
          }
          default:
            return unsupported();
        }
      }
      case "FieldConnection":
        if (field.name === "totalCount") return obj.fields.length;
        if (field.name !== "nodes") return unsupported();
        return obj.fields.map((f) => sub({ type: "Field", field: f }));
      case "Field":
        switch (field.name) {
          case "id":
            return obj.field.nodeId;
          case "name":
            return obj.field.name;
          case "dataType":
            return obj.field.dataType;
          case "options":
            return (obj.field.options ?? []).map((o) => sub({ type: "Option", option: o }));
          default:
            return unsupported();
        }
      case "Option":
        if (field.name === "id") return obj.option.id;
        if (field.name === "name") return obj.option.name;
        return unsupported();
      case "ItemConnection": {
        const all = obj.project.items;
        const page = all.slice(obj.start, obj.start + obj.first);
        const end = obj.start + page.length - 1;
        if (field.name === "totalCount") return all.length;
        if (field.name === "nodes") {
          return page.map((item) => sub({ type: "ProjectV2Item", item, project: obj.project }));
        }
        if (field.name === "pageInfo") {
          return sub({
            type: "PageInfo",
            hasNextPage: obj.start + page.length < all.length,
            endCursor: page.length > 0 ? Buffer.from(`item:${end}`).toString("base64") : null,
          });
        }
        return unsupported();
      }
      case "PageInfo":
        if (field.name === "hasNextPage") return obj.hasNextPage;
        if (field.name === "endCursor") return obj.endCursor;
        return unsupported();
      case "AddPayload":
        if (field.name !== "item") return unsupported();
        return sub({ type: "ProjectV2Item", item: obj.item, project: obj.project });
      case "UpdatePayload":
        if (field.name !== "projectV2Item") return unsupported();
        return sub({ type: "ProjectV2Item", item: obj.item, project: obj.project });
      case "ProjectV2Item": {
        const item = obj.item;
        switch (field.name) {
          case "id":
            return item.nodeId;
          case "type":
            return "ISSUE";
          case "project":
            return sub({ type: "ProjectV2", project: obj.project });
          case "content":
            return sub({ type: "Issue", issue: item.issue });
          case "fieldValues": {
            const first = Math.min(Number(arg("first") ?? 0), 100);
            const values = obj.project.fields
              .filter((f) => f.dataType === "TITLE" || item.values.has(f.nodeId))
              .slice(0, first)
              .map((f) => ({ field: f, value: item.values.get(f.nodeId) }));
            return sub({ type: "ValueConnection", item, values });
          }
          default:
            return unsupported();
        }
      }
      case "ValueConnection":
        if (field.name !== "nodes") return unsupported();
        return obj.values.map(({ field: f, value }) =>
          sub({ type: valueType(f), field: f, value, item: obj.item }),
        );
      case "ProjectV2ItemFieldDateValue":
      case "ProjectV2ItemFieldSingleSelectValue":
      case "ProjectV2ItemFieldTextValue":
        switch (field.name) {
          case "date":
            return obj.value?.date ?? null;
          case "optionId":
            return obj.value?.optionId ?? null;
          case "name":
            return obj.field.options?.find((o) => o.id === obj.value?.optionId)?.name ?? null;
          case "text":
            return obj.value?.text ?? null;
          case "updatedAt":
            return obj.value?.updatedAt ?? null;
          case "creator":
            return obj.value ? sub({ type: "Actor", user: obj.value.creator }) : null;
          case "field":
            return sub({ type: "Field", field: obj.field });
          default:
            return unsupported();
        }
      case "ProjectV2ItemFieldTitleValue":
        if (field.name === "text") return obj.item.issue.title;
        if (field.name === "field") return sub({ type: "Field", field: obj.field });
        return unsupported();
      case "Actor":
        if (field.name === "login") return obj.user.login.replace(/\[bot\]$/, "");
        return unsupported();
      case "Issue": {
        const issue = obj.issue;
        switch (field.name) {
          case "id":
            return nodeId("I", issue.id);
          case "number":
            return issue.number;
          case "title":
            return issue.title;
          case "state":
            return issue.state.toUpperCase();
          case "repository":
            return sub({ type: "Repository", issue });
          default:
            return unsupported();
        }
      }
      case "Repository":
        if (field.name === "nameWithOwner") {
          return `${obj.issue.repo.owner.login}/${obj.issue.repo.name}`;
        }
        return unsupported();
    }
  }
}

type Obj =
  | { type: "Owner"; account: UserRecord }
  | { type: "ProjectV2"; project: ProjectRecord }
  | { type: "FieldConnection"; fields: ProjectFieldRecord[] }
  | { type: "Field"; field: ProjectFieldRecord }
  | { type: "Option"; option: { id: string; name: string } }
  | { type: "ItemConnection"; project: ProjectRecord; start: number; first: number }
  | { type: "PageInfo"; hasNextPage: boolean; endCursor: string | null }
  | { type: "AddPayload"; item: ProjectItemRecord; project: ProjectRecord }
  | { type: "UpdatePayload"; item: ProjectItemRecord; project: ProjectRecord }
  | { type: "ProjectV2Item"; item: ProjectItemRecord; project: ProjectRecord }
  | {
      type: "ValueConnection";
      item: ProjectItemRecord;
      values: { field: ProjectFieldRecord; value: ProjectValueRecord | undefined }[];
    }
  | {
      type:
        | "ProjectV2ItemFieldDateValue"
        | "ProjectV2ItemFieldSingleSelectValue"
        | "ProjectV2ItemFieldTextValue"
        | "ProjectV2ItemFieldTitleValue";
      field: ProjectFieldRecord;
      value: ProjectValueRecord | undefined;
      item: ProjectItemRecord;
    }
  | { type: "Actor"; user: UserRecord }
  | { type: "Issue"; issue: IssueRecord }
  | { type: "Repository"; issue: IssueRecord };

function valueType(
  field: ProjectFieldRecord,
):
  | "ProjectV2ItemFieldDateValue"
  | "ProjectV2ItemFieldSingleSelectValue"
  | "ProjectV2ItemFieldTextValue"
  | "ProjectV2ItemFieldTitleValue" {
  switch (field.dataType) {
    case "DATE":
      return "ProjectV2ItemFieldDateValue";
    case "SINGLE_SELECT":
      return "ProjectV2ItemFieldSingleSelectValue";
    case "TEXT":
      return "ProjectV2ItemFieldTextValue";
    default:
      return "ProjectV2ItemFieldTitleValue";
  }
}

function typeOf(obj: Obj): string {
  if (obj.type === "Field") {
    return obj.field.dataType === "SINGLE_SELECT" ? "ProjectV2SingleSelectField" : "ProjectV2Field";
  }
  if (obj.type === "Owner") return obj.account.type === "Organization" ? "Organization" : "User";
  if (obj.type === "Actor") return obj.user.type === "Bot" ? "Bot" : "User";
  return obj.type;
}

/** Interfaces each type implements, for inline fragments. */
const IMPLEMENTS: Record<string, string[]> = {
  ProjectV2Field: ["ProjectV2FieldCommon", "ProjectV2FieldConfiguration"],
  ProjectV2SingleSelectField: ["ProjectV2FieldCommon", "ProjectV2FieldConfiguration"],
  ProjectV2ItemFieldDateValue: ["ProjectV2ItemFieldValueCommon", "ProjectV2ItemFieldValue"],
  ProjectV2ItemFieldSingleSelectValue: ["ProjectV2ItemFieldValueCommon", "ProjectV2ItemFieldValue"],
  ProjectV2ItemFieldTextValue: ["ProjectV2ItemFieldValueCommon", "ProjectV2ItemFieldValue"],
  ProjectV2ItemFieldTitleValue: ["ProjectV2ItemFieldValueCommon", "ProjectV2ItemFieldValue"],
  Issue: ["ProjectV2ItemContent", "Node"],
  ProjectV2Item: ["Node"],
  ProjectV2: ["Node"],
  User: ["Actor", "ProjectV2Owner"],
  Bot: ["Actor"],
  Organization: ["ProjectV2Owner"],
};

function fieldsOf(selections: Selection[], type: string): Field[] {
  const out: Field[] = [];
  for (const s of selections) {
    if (s.kind === "field") out.push(s);
    else if (s.on === type || IMPLEMENTS[type]?.includes(s.on)) {
      out.push(...fieldsOf(s.selections, type));
    }
  }
  return out;
}

function valueOf(value: Value | undefined, variables: Record<string, unknown>): unknown {
  if (!value || value.kind === "null") return undefined;
  switch (value.kind) {
    case "variable":
      return variables[value.name] ?? undefined;
    case "enum":
      return value.value;
    case "list":
      return value.values.map((v) => valueOf(v, variables));
    case "object":
      return Object.fromEntries([...value.fields].map(([k, v]) => [k, valueOf(v, variables)]));
    default:
      return value.value;
  }
}
