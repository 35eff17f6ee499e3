// CAPA children on a GitHub Project (v2): the exact GraphQL the App sends, the one comment when the
// project lacks something, and a date moved on the board coming back to the child.
import { describe, expect, it } from "vitest";
import type { FakeGitHub, RecordedRequest } from "../support/github-api.js";
import { webhook } from "../support/webhooks.js";
import {
  addItemsMutation,
  projectQuery,
  updateFieldsMutation,
  ITEM_QUERY,
} from "../../src/github/projects.js";
import { useFakeGitHub } from "../support/github-api.js";
import { childrenIn, personEdits, VALIDATION, RUNBOOKS, withPostmortem } from "./capa-harness.js";
import { BOT } from "./harness.js";

const CONFIG = `projects:
  url: https://github.com/orgs/acme/projects/7
  fields: { due: Due, status: Status, severity: Severity }
`;

const PROJECT = {
  id: "PVT_7",
  fields: {
    nodes: [
      { id: "PVTF_title", name: "Title", dataType: "TITLE" },
      { id: "PVTF_due", name: "Due", dataType: "DATE" },
      {
        id: "PVTSSF_status",
        name: "Status",
        dataType: "SINGLE_SELECT",
        options: ["Open", "Fix merged", "Shipped", "Done", "Not planned"].map((name) => ({
          id: `opt_${name}`,
          name,
        })),
      },
      {
        id: "PVTSSF_sev",
        name: "Severity",
        dataType: "SINGLE_SELECT",
        options: ["P1", "P2", "P3", "P4"].map((name) => ({ id: `sev_${name}`, name })),
      },
    ],
  },
};

interface Graphql {
  query: string;
  variables: Record<string, unknown>;
}
const graphqlBodies = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.path === "/graphql").map((r) => r.body as Graphql);

/** The project as GitHub answers it; `project` null for no such project. */
function serveProject(api: FakeGitHub, project: unknown = PROJECT, times = 1) {
  api.expect("POST /graphql", {
    name: "the project",
    times,
    body: (body: unknown) => (body as Graphql).query.includes("projectV2(number"),
    reply: [200, { data: { organization: { projectV2: project } } }],
  });
}

/** addProjectV2ItemById for `count` children: items `PVTI_<n>` with `values` already set. */
function serveAdd(api: FakeGitHub, count: number, values: unknown[] = []) {
  api.expect("POST /graphql", {
    name: "add items",
    body: (body: unknown) => (body as Graphql).query.includes("addProjectV2ItemById"),
    reply: [
      200,
      {
        data: Object.fromEntries(
          Array.from({ length: count }, (_, i) => [
            `i${i}`,
            { item: { id: `PVTI_${i}`, fieldValues: { nodes: values } } },
          ]),
        ),
      },
    ],
  });
}

function serveUpdate(api: FakeGitHub, count: number) {
  api.expect("POST /graphql", {
    name: "update fields",
    body: (body: unknown) => (body as Graphql).query.includes("updateProjectV2ItemFieldValue"),
    reply: [
      200,
      {
        data: Object.fromEntries(
          Array.from({ length: count }, (_, i) => [`u${i}`, { projectV2Item: { id: "x" } }]),
        ),
      },
    ],
  });
}

describe("CAPA children on a GitHub Project", () => {
  const api = useFakeGitHub();

  it("adds each new child in one mutation and sets Due, Severity and Status in one more", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api, [], {}, CONFIG);
    serveProject(api);
    serveAdd(api, 2);
    serveUpdate(api, 6);

    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body
          .replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates) due 2026-12-15")
          .replace(RUNBOOKS, "- [x] Update runbooks/playbooks due 2026-12-20")
          .replace("- [ ] P2 - High Impact Degradation", "- [x] P2 - High Impact Degradation"),
      ),
    );

    const [three, four] = childrenIn(repo);
    expect(graphqlBodies(requestsSince())).toEqual([
      { query: projectQuery("organization"), variables: { login: "acme", number: 7 } },
      {
        query: addItemsMutation(2),
        variables: { projectId: "PVT_7", c0: three!.node_id, c1: four!.node_id },
      },
      {
        query: updateFieldsMutation(6),
        variables: {
          projectId: "PVT_7",
          i0: "PVTI_0",
          f0: "PVTF_due",
          v0: { date: "2026-12-15" },
          i1: "PVTI_0",
          f1: "PVTSSF_sev",
          v1: { singleSelectOptionId: "sev_P2" },
          i2: "PVTI_0",
          f2: "PVTSSF_status",
          v2: { singleSelectOptionId: "opt_Open" },
          i3: "PVTI_1",
          f3: "PVTF_due",
          v3: { date: "2026-12-20" },
          i4: "PVTI_1",
          f4: "PVTSSF_sev",
          v4: { singleSelectOptionId: "sev_P2" },
          i5: "PVTI_1",
          f5: "PVTSSF_status",
          v5: { singleSelectOptionId: "opt_Open" },
        },
      },
    ]);
    expect(addItemsMutation(1)).toBe(
      "mutation($projectId: ID!, $c0: ID!) { i0: addProjectV2ItemById(input: { projectId: $projectId, contentId: $c0 }) { item { id fieldValues(first: 50) { nodes { ... on ProjectV2ItemFieldDateValue { date creator { __typename login } field { ... on ProjectV2FieldCommon { id } } } ... on ProjectV2ItemFieldSingleSelectValue { optionId field { ... on ProjectV2FieldCommon { id } } } } } } } }",
    );
    expect(updateFieldsMutation(1)).toBe(
      "mutation($projectId: ID!, $i0: ID!, $f0: ID!, $v0: ProjectV2FieldValue!) { u0: updateProjectV2ItemFieldValue(input: { projectId: $projectId, itemId: $i0, fieldId: $f0, value: $v0 }) { projectV2Item { id } } }",
    );
  });

  it("writes only the fields that differ, and nothing when the item already shows the child", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api, [], {}, CONFIG);
    serveProject(api);
    serveAdd(api, 1, [
      {
        date: "2026-12-15",
        creator: { __typename: "Bot", login: "postmortem-bot" },
        field: { id: "PVTF_due" },
      },
      { optionId: "sev_P2", field: { id: "PVTSSF_sev" } },
      { optionId: "opt_Done", field: { id: "PVTSSF_status" } },
    ]);
    serveUpdate(api, 1);
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(
          VALIDATION,
          "- [x] Add automated validation checks (CI/CD gates) due 2026-12-15",
        ),
      ),
    );
    expect(graphqlBodies(requestsSince()).at(-1)).toEqual({
      query: updateFieldsMutation(1),
      variables: {
        projectId: "PVT_7",
        i0: "PVTI_0",
        f0: "PVTSSF_status",
        v0: { singleSelectOptionId: "opt_Open" },
      },
    });

    // The item as it now is: another delivery adds (GitHub returns the item) and writes nothing.
    const mark = requestsSince().length;
    serveAdd(api, 1, [
      { date: "2026-12-15", field: { id: "PVTF_due" } },
      { optionId: "sev_P2", field: { id: "PVTSSF_sev" } },
      { optionId: "opt_Open", field: { id: "PVTSSF_status" } },
    ]);
    await deliver(personEdits(repo, postmortem.number, (body) => `${body}\n`));
    expect(graphqlBodies(requestsSince().slice(mark)).map((b) => b.query)).toEqual([
      addItemsMutation(1),
    ]);
  });

  it("says once what to create when a field or an option is missing", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api, [], {}, CONFIG);
    const lacking = {
      id: "PVT_7",
      fields: {
        nodes: [
          { id: "PVTF_due", name: "Due", dataType: "DATE" },
          {
            id: "PVTSSF_status",
            name: "Status",
            dataType: "SINGLE_SELECT",
            options: [{ id: "opt_Done", name: "Done" }],
          },
        ],
      },
    };
    serveProject(api, lacking, 2);
    serveAdd(api, 1);
    serveUpdate(api, 1);
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(
          VALIDATION,
          "- [x] Add automated validation checks (CI/CD gates) due 2026-12-15",
        ),
      ),
    );
    serveAdd(api, 1, [{ date: "2026-12-15", field: { id: "PVTF_due" } }]);
    await deliver(personEdits(repo, postmortem.number, (body) => `${body}\n`));

    const notes = (repo.comments.get(2) ?? []).filter((c) => c.body.startsWith("🗂️"));
    expect(notes.map((c) => c.body.split("\n\n<!--")[0])).toEqual([
      "🗂️ The CAPA children could not all be put on the project:\n\n" +
        "- The project has no field `Severity` (`projects.fields.severity`): create it as a Single select field.\n" +
        "- The project's field `Status` has no option `Open`: add it.",
    ]);
  });

  it("names the permission to grant when GitHub refuses the project", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api, [], {}, CONFIG);
    api.expect("POST /graphql", {
      name: "the project, refused",
      body: (body: unknown) => (body as Graphql).query.includes("projectV2(number"),
      reply: [
        200,
        {
          data: { organization: { projectV2: null } },
          errors: [
            {
              type: "FORBIDDEN",
              path: ["organization", "projectV2"],
              message: "Resource not accessible by integration",
            },
          ],
        },
      ],
    });
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(
          VALIDATION,
          "- [x] Add automated validation checks (CI/CD gates) due 2026-12-15",
        ),
      ),
    );
    const notes = (repo.comments.get(2) ?? []).filter((c) => c.body.startsWith("🗂️"));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(
      "The project https://github.com/orgs/acme/projects/7 cannot be reached (`Resource not accessible by integration`). The App needs **Organization permissions → Projects: Read and write** (`organization_projects: write`",
    );
  });

  it("brings a date a person moved on the board back to the child and the post-mortem's row; another project costs nothing", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(
      api,
      [],
      { erin: "write" },
      CONFIG,
    );
    serveProject(api);
    serveAdd(api, 1);
    serveUpdate(api, 3);
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(
          VALIDATION,
          "- [x] Add automated validation checks (CI/CD gates) due 2026-12-15",
        ),
      ),
    );
    const child = childrenIn(repo)[0]!;

    const boardEdit = (project: string, sender = "erin") =>
      webhook("projects_v2_item.edited")
        .installation(1)
        .sender(sender)
        .edit((payload) => {
          payload.projects_v2_item.node_id = "PVTI_0";
          payload.projects_v2_item.project_node_id = project;
          payload.projects_v2_item.content_node_id = child.node_id;
          payload.projects_v2_item.content_type = "Issue";
          payload.changes = { field_value: { field_node_id: "PVTF_due", field_type: "date" } };
        });

    // A project no configuration names: no request at all.
    let mark = requestsSince().length;
    await deliver(boardEdit("PVT_other"));
    expect(requestsSince().slice(mark)).toEqual([]);
    // The App's own write coming back: nothing either.
    await deliver(boardEdit("PVT_7", BOT));
    expect(requestsSince().slice(mark)).toEqual([]);

    api.expect("POST /graphql", {
      name: "the item",
      body: (body: unknown) => (body as Graphql).query === ITEM_QUERY,
      reply: [
        200,
        {
          data: {
            node: {
              id: "PVTI_0",
              project: { id: "PVT_7" },
              content: { number: child.number, repository: { nameWithOwner: "acme/web" } },
              fieldValues: {
                nodes: [
                  {
                    date: "2027-01-10",
                    creator: { __typename: "User", login: "erin" },
                    field: { id: "PVTF_due" },
                  },
                ],
              },
            },
          },
        },
      ],
    });
    serveAdd(api, 1, [
      { date: "2027-01-10", field: { id: "PVTF_due" } },
      { optionId: "sev_P2", field: { id: "PVTSSF_sev" } },
      { optionId: "opt_Open", field: { id: "PVTSSF_status" } },
    ]);
    mark = requestsSince().length;
    await deliver(boardEdit("PVT_7"));

    expect(graphqlBodies(requestsSince().slice(mark))[0]).toEqual({
      query: ITEM_QUERY,
      variables: { id: "PVTI_0" },
    });
    expect(repo.issue(child.number)!.body).toContain("Due: 2027-01-10\n");
    expect(repo.issue(2)!.body).toContain(
      `| Add automated validation checks (CI/CD gates) (#${child.number}) | @bob | 2027-01-10 | Open |`,
    );
  });
});
