// Issue #18, finding 7: CAPA edits act only for people with write access; owners are mentioned
// and assigned only when they are collaborators, teams never; at most `capa.maxChildrenPerEdit`
// children per edit.
import { describe, expect, it } from "vitest";
import { stampBase } from "../../src/core/capa/lost-edit.js";
import { useFakeGitHub } from "../support/github-api.js";
import { BOT, edited, permissionRead } from "./harness.js";
import {
  adoptedFrom,
  capaReads,
  childrenIn,
  personEdits,
  RUNBOOKS,
  VALIDATION,
  withPostmortem,
  writes,
} from "./capa-harness.js";

const CHECKED_VALIDATION =
  "- [x] Add automated validation checks (CI/CD gates) @acme/everyone due 2026-12-15";
const CHECKED_RUNBOOKS = "- [x] Update runbooks/playbooks @outsider due 2026-12-20";
/** rita's edit: two boxes, a team and an outsider as owners. */
const ritasBoxes = (body: string) =>
  body.replace(VALIDATION, CHECKED_VALIDATION).replace(RUNBOOKS, CHECKED_RUNBOOKS);
/** The same lines with the boxes unchecked, as the App puts them back. */
const unchecked = (body: string) =>
  body
    .replace(CHECKED_VALIDATION, CHECKED_VALIDATION.replace("[x]", "[ ]"))
    .replace(CHECKED_RUNBOOKS, CHECKED_RUNBOOKS.replace("[x]", "[ ]"));
/** rita checks the unchecked boxes again. */
const recheck = (body: string) =>
  body
    .replace(CHECKED_VALIDATION.replace("[x]", "[ ]"), CHECKED_VALIDATION)
    .replace(CHECKED_RUNBOOKS.replace("[x]", "[ ]"), CHECKED_RUNBOOKS);
const REFUSAL =
  "`@rita` asked for corrective-action issues for “Add automated validation checks (CI/CD gates)”, “Update runbooks/playbooks”, but only people with write access to this repository can open them, so nothing was opened and the boxes were unchecked. Someone with write access can check a box again (or write a Follow-Up row again) to open its issue.\n\n" +
  '<!-- postmortem-bot:notice {"key":"refused:rita:976133d86292c035,545e27fcb9b5e41d"} -->';

describe("CAPA boxes checked by someone without write access", () => {
  const api = useFakeGitHub();

  it("open nothing: unchecked again with one comment, never repeated; a writer's later edit does not open them, a writer's check does", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    // The finding: the author of an adopted post-mortem has no access to the repository.
    adoptedFrom(repo, postmortem.number, "rita");
    let mark = api.requests.length;

    const event = personEdits(repo, postmortem.number, ritasBoxes, "rita");
    const ritas = repo.issue(2)!.body!;
    await deliver(event);

    expect(api.requests.slice(mark)).toEqual([
      ...capaReads(),
      permissionRead("rita"),
      {
        method: "PATCH",
        path: "/repos/acme/web/issues/2",
        body: { body: stampBase(unchecked(ritas), ritas) },
      },
      { method: "POST", path: "/repos/acme/web/issues/2/comments", body: { body: REFUSAL } },
      ...capaReads(),
    ]);
    expect(childrenIn(repo)).toEqual([]);

    // She checks them again: unchecked again, no second comment.
    mark = api.requests.length;
    const before = repo.issue(2)!.body!;
    await deliver(personEdits(repo, postmortem.number, recheck, "rita"));
    const again = repo.issue(2)!.body!;
    expect(api.requests.slice(mark)).toEqual([
      ...capaReads(),
      permissionRead("rita"),
      {
        method: "PATCH",
        path: "/repos/acme/web/issues/2",
        body: { body: stampBase(before, recheck(before)) },
      },
      ...capaReads(),
    ]);
    expect(again).toBe(stampBase(before, recheck(before)));

    // alice (write) edits other text: nothing asks for a child, so not even her permission is read.
    mark = api.requests.length;
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace("- What worked well?", "- What worked well? Paging was fast."),
      ),
    );
    expect(api.requests.slice(mark)).toEqual(capaReads());

    // alice checks one of them: that one is opened, by her edit.
    mark = api.requests.length;
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(CHECKED_RUNBOOKS.replace("[x]", "[ ]"), CHECKED_RUNBOOKS),
      ),
    );
    expect(childrenIn(repo).map((child) => child.title)).toEqual([
      "CAPA: Update runbooks/playbooks",
    ]);
    expect(writes(api.requests.slice(mark))).toEqual([
      "POST /repos/acme/web/labels",
      "POST /repos/acme/web/issues",
      "POST /repos/acme/web/issues/2/sub_issues",
      "PATCH /repos/acme/web/issues/2",
    ]);
    expect(repo.comments.get(2)!.filter((comment) => comment.user.login === BOT)).toHaveLength(2);
  });

  it("by another workflow's bot stay refused when the App's write overwrote them and the lost-edit recovery restores them", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    const base = postmortem.body!;
    // Another workflow with `issues: write` checks the boxes; the App's write, based on `base`,
    // lands right after and drops them.
    const botEdit = personEdits(repo, postmortem.number, ritasBoxes, "github-actions[bot]");
    const bots = repo.issue(2)!.body!;
    const written = stampBase(base, base);
    repo.issue(2)!.body = written;
    let mark = api.requests.length;

    await deliver(botEdit);

    // Refused as saved, though the body no longer shows the boxes checked; a bot's permission
    // is not asked for.
    expect(api.requests.slice(mark)).toEqual([
      ...capaReads(),
      {
        method: "POST",
        path: "/repos/acme/web/issues/2/comments",
        body: {
          body: REFUSAL.replace("`@rita`", "`@github-actions[bot]`").replace(
            "refused:rita:",
            "refused:github-actions[bot]:",
          ),
        },
      },
      ...capaReads(),
    ]);

    // The App's own edit comes back: it restores the text, then unchecks what was refused.
    mark = api.requests.length;
    await deliver(edited(repo.issue(2)!, bots, BOT).sender(BOT));

    const restored = stampBase(bots, written);
    expect(api.requests.slice(mark)).toEqual([
      { method: "GET", path: "/repos/acme/web/issues/2" },
      { method: "GET", path: "/repos/acme/web/issues/2/comments", query: { per_page: "100" } },
      { method: "PATCH", path: "/repos/acme/web/issues/2", body: { body: restored } },
      ...capaReads(),
      {
        method: "PATCH",
        path: "/repos/acme/web/issues/2",
        body: { body: stampBase(unchecked(bots), restored) },
      },
      ...capaReads(),
    ]);
    expect(childrenIn(repo)).toEqual([]);
    expect(repo.comments.get(2)).toHaveLength(1);
  });

  it("a writer's box that the App's write overwrote is opened when the recovery restores it", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    const base = postmortem.body!;
    const aliceEdit = personEdits(repo, postmortem.number, (body) =>
      body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates) @alice"),
    );
    const alices = repo.issue(2)!.body!;
    const written = stampBase(base, base);
    repo.issue(2)!.body = written;

    await deliver(aliceEdit);
    expect(childrenIn(repo)).toEqual([]);
    await deliver(edited(repo.issue(2)!, alices, BOT).sender(BOT));

    expect(childrenIn(repo).map((child) => child.title)).toEqual([
      "CAPA: Add automated validation checks (CI/CD gates)",
    ]);
    expect(repo.issue(2)!.body).toContain("→ #3 · @alice · due 2026-12-27\n");
  });
});

describe("owners of CAPA children", () => {
  const api = useFakeGitHub();

  it("only collaborators are assigned and mentioned; a team and an outsider are named inert", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api, ["outsider"]);

    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        ritasBoxes(body).replace(
          "- [ ] Improve logging/observability",
          "- [x] Improve logging/observability @alice due 2026-12-18",
        ),
      ),
    );

    const requests = requestsSince();
    // alice's own permission says she can be assigned; only the outsider is asked about, and
    // the team never (it is neither assigned nor looked up).
    expect(requests.filter((request) => request.path.includes("/assignees/"))).toEqual([
      { method: "GET", path: "/repos/acme/web/assignees/outsider" },
    ]);
    expect(requests.filter((request) => request.path.endsWith("/permission"))).toEqual([
      permissionRead("alice"),
    ]);
    const creates = requests
      .filter((request) => request.method === "POST" && request.path === "/repos/acme/web/issues")
      .map((request) => request.body as { title: string; body: string; assignees: string[] });
    expect(creates.map((create) => [create.title, create.assignees])).toEqual([
      ["CAPA: Add automated validation checks (CI/CD gates)", []],
      ["CAPA: Improve logging/observability", ["alice"]],
      ["CAPA: Update runbooks/playbooks", []],
    ]);
    expect(creates.map((create) => /^\*\*Owner:\*\* (.*?) {2}$/m.exec(create.body)?.[1])).toEqual([
      "`@acme/everyone`",
      "@alice",
      "`@outsider`",
    ]);
    // No text the App wrote mentions the team or the outsider.
    for (const request of requests.filter((request) => request.method !== "GET")) {
      expect(JSON.stringify(request.body ?? "")).not.toMatch(/(?<!`)@(acme\/everyone|outsider)/);
    }
    expect(repo.comments.get(2)!.map((comment) => comment.body.split("\n")[0])).toEqual([
      "`@outsider` could not be assigned “Update runbooks/playbooks” (not a collaborator of this repository); the issue names them without a mention.",
    ]);
    expect(repo.issue(2)!.body).toContain(
      "- [x] Add automated validation checks (CI/CD gates) → #3 · `@acme/everyone` · due 2026-12-15\n",
    );
  });
});

describe("children per edit", () => {
  const api = useFakeGitHub();

  it("`capa.maxChildrenPerEdit` bounds one edit; one comment says how many are left", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(
      api,
      [],
      {},
      "capa:\n  maxChildrenPerEdit: 1\n",
    );

    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body
          .replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)")
          .replace(RUNBOOKS, "- [x] Update runbooks/playbooks"),
      ),
    );

    expect(childrenIn(repo).map((child) => child.title)).toEqual([
      "CAPA: Add automated validation checks (CI/CD gates)",
    ]);
    const comment =
      "1 more corrective action was not opened: one edit opens at most 1 (`capa.maxChildrenPerEdit`). Save the post-mortem again (any edit by someone with write access) to open the next ones.";
    expect(
      requestsSince()
        .filter((request) => request.method !== "GET" || request.path.endsWith("/permission"))
        .map((request) =>
          request.path.endsWith("/comments")
            ? {
                ...request,
                body: { body: String((request.body as { body: string }).body).split("\n")[0] },
              }
            : { method: request.method, path: request.path },
        ),
    ).toEqual([
      permissionRead("alice"),
      { method: "POST", path: "/repos/acme/web/labels" },
      { method: "POST", path: "/repos/acme/web/issues" },
      { method: "POST", path: "/repos/acme/web/issues/2/comments", body: { body: comment } },
      { method: "POST", path: "/repos/acme/web/issues/2/sub_issues" },
      { method: "PATCH", path: "/repos/acme/web/issues/2" },
    ]);
    // Three reads a round (create, then link and show, then verify), the editor's permission,
    // and the incident once (for the severity that dates the children).
    expect(requestsSince().filter((request) => request.method === "GET")).toEqual([
      ...capaReads(),
      permissionRead("alice"),
      { method: "GET", path: "/repos/acme/web/issues/1" },
      ...capaReads(),
      ...capaReads(),
    ]);
  });
});
