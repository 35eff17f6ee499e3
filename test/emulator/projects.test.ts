// The emulator's Projects (v2): the project and its fields, adding an issue (the same item twice),
// setting a date and an option, paging the items, the App's organization_projects permission, a
// user's project, and the webhook a person's edit sends.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import {
  ITEMS_QUERY,
  addItemsMutation,
  projectQuery,
  updateFieldsMutation,
} from "../../src/github/projects.js";
import { installationOctokit, startEmulator } from "./helpers.js";
import { validateWebhook } from "../support/webhooks.js";

let emulator: GitHubEmulator;
beforeEach(async () => {
  emulator = await startEmulator();
  emulator.createProject({
    number: 5,
    fields: [
      { name: "Due", dataType: "DATE" },
      { name: "Status", dataType: "SINGLE_SELECT", options: ["Open", "Done"] },
    ],
  });
});
afterEach(() => emulator.stop());

async function post(body: unknown, token: string) {
  const response = await fetch(`${emulator.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `token ${token}` },
    body: JSON.stringify(body),
  });
  return (await response.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { type?: string; message: string }[];
  };
}

interface ProjectAnswer {
  organization: {
    projectV2: {
      id: string;
      fields: {
        nodes: {
          id: string;
          name: string;
          dataType: string;
          options?: { id: string; name: string }[];
        }[];
      };
    };
  };
}

describe("projects (v2) in the emulator", () => {
  it("answers the project, adds an issue once, sets a date and an option, pages the items", async () => {
    const gh = installationOctokit(emulator);
    const { organization } = await gh.graphql<ProjectAnswer>(projectQuery("organization"), {
      login: "acme",
      number: 5,
    });
    const fields = organization.projectV2.fields.nodes;
    expect(fields.map((f) => [f.name, f.dataType])).toEqual([
      ["Title", "TITLE"],
      ["Due", "DATE"],
      ["Status", "SINGLE_SELECT"],
    ]);
    const options = fields[2]!.options!;
    expect(new Set(options.map((o) => o.id)).size).toBe(2);

    const one = emulator.openIssue({ by: "alice", title: "One" });
    const two = emulator.openIssue({ by: "alice", title: "Two" });
    const projectId = organization.projectV2.id;
    const add = (ids: string[]) =>
      gh.graphql<Record<string, { item: { id: string } }>>(addItemsMutation(ids.length), {
        projectId,
        ...Object.fromEntries(ids.map((id, i) => [`c${i}`, id])),
      });
    const first = await add([one.node_id as string, two.node_id as string]);
    const again = await add([one.node_id as string]);
    expect(again.i0!.item.id).toBe(first.i0!.item.id);

    await gh.graphql(updateFieldsMutation(2), {
      projectId,
      i0: first.i0!.item.id,
      f0: fields[1]!.id,
      v0: { date: "2026-12-15" },
      i1: first.i0!.item.id,
      f1: fields[2]!.id,
      v1: { singleSelectOptionId: options[1]!.id },
    });
    expect(emulator.projectItems({ project: 5 })).toEqual([
      {
        issue: one.number,
        repository: "acme/service",
        title: "One",
        fields: { Due: "2026-12-15", Status: "Done" },
      },
      { issue: two.number, repository: "acme/service", title: "Two", fields: {} },
    ]);

    type Page = {
      node: {
        items: {
          pageInfo: { hasNextPage: boolean; endCursor: string };
          nodes: { id: string; content: { number: number } }[];
        };
      };
    };
    const page = await gh.graphql<Page>(ITEMS_QUERY, { id: projectId, after: null });
    expect(page.node.items.nodes.map((n) => n.content.number)).toEqual([one.number, two.number]);
    expect(page.node.items.pageInfo.hasNextPage).toBe(false);
  });

  it("refuses the App without organization_projects, and a user's project to the App", async () => {
    const token = emulator.tokenFor("postmortem-bot[bot]", { permissions: { issues: "write" } });
    const refused = await post(
      { query: projectQuery("organization"), variables: { login: "acme", number: 5 } },
      token,
    );
    expect(refused.data).toEqual({ organization: { projectV2: null } });
    expect(refused.errors?.map((e) => e.message)).toEqual([
      "Resource not accessible by integration",
    ]);

    emulator.createProject({ owner: "bob", number: 1 });
    const gh = installationOctokit(emulator);
    await expect(gh.graphql(projectQuery("user"), { login: "bob", number: 1 })).rejects.toThrow(
      "Resource not accessible by integration",
    );
    // bob reaches his own project with his token.
    const own = await post(
      { query: projectQuery("user"), variables: { login: "bob", number: 1 } },
      emulator.tokenFor("bob"),
    );
    expect(own.errors).toBeUndefined();
  });

  it("a person's date on an organization's board sends projects_v2_item edited", async () => {
    const issue = emulator.openIssue({ by: "alice", title: "One" });
    const gh = installationOctokit(emulator);
    const { organization } = await gh.graphql<ProjectAnswer>(projectQuery("organization"), {
      login: "acme",
      number: 5,
    });
    await gh.graphql(addItemsMutation(1), {
      projectId: organization.projectV2.id,
      c0: issue.node_id,
    });
    emulator.setProjectField({
      by: "bob",
      project: 5,
      issue: issue.number as number,
      field: "Due",
      date: "2027-01-02",
    });
    const event = emulator.webhooks.events.at(-1)!;
    expect(event.event).toBe("projects_v2_item");
    expect(event.payload).toMatchObject({
      action: "edited",
      projects_v2_item: { project_node_id: organization.projectV2.id, content_type: "Issue" },
      changes: {
        field_value: {
          field_node_id: organization.projectV2.fields.nodes[1]!.id,
          field_type: "date",
        },
      },
      sender: { login: "bob" },
    });
    // As GitHub's published description of the event has it.
    expect(validateWebhook("projects_v2_item.edited", event.payload)).toEqual([]);
  });
});
