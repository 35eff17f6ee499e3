import { describe, expect, it } from "vitest";
import { stampBase } from "../../src/core/capa/lost-edit.js";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import { webhook } from "../support/webhooks.js";
import {
  app,
  BOT,
  asPayloadIssue,
  closed,
  edited,
  labeled,
  opened,
  loseAnswerOfNextCreate,
} from "./harness.js";
import {
  childrenIn,
  personEdits,
  RUNBOOKS,
  VALIDATION,
  withPostmortem,
  writes,
} from "./capa-harness.js";

describe("checked CAPA boxes become child issues", () => {
  const api = useFakeGitHub();

  it("creates one assigned, dated, linked child per checked box and shows them in the post-mortem", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    const event = personEdits(repo, postmortem.number, (body) =>
      body
        .replace(
          VALIDATION,
          "- [x] Add automated validation checks (CI/CD gates) @carol due 2026-12-15",
        )
        .replace(RUNBOOKS, "- [x] Update runbooks/playbooks @dana by 2026-12-20"),
    );

    await deliver(event);

    const children = childrenIn(repo);
    expect(
      children.map((child) => [
        child.number,
        child.title,
        child.assignees.map((user) => user.login),
        child.parent_issue_url,
      ]),
    ).toEqual([
      [3, "CAPA: Add automated validation checks (CI/CD gates)", ["carol"], postmortem.url],
      [4, "CAPA: Update runbooks/playbooks", ["dana"], postmortem.url],
    ]);
    expect(children[0]!.body).toContain("Due: 2026-12-15\n");
    expect(children[0]!.body).toContain(
      "Corrective or preventive action from post-mortem #2 (incident #1).",
    );
    expect(writes(requestsSince())).toEqual([
      "POST /repos/acme/web/labels",
      "POST /repos/acme/web/issues",
      "POST /repos/acme/web/issues",
      "POST /repos/acme/web/issues/2/sub_issues",
      "POST /repos/acme/web/issues/2/sub_issues",
      "PATCH /repos/acme/web/issues/2",
    ]);
    expect(
      requestsSince()
        .filter((request) => request.path === "/repos/acme/web/issues/2/sub_issues")
        .map((request) => request.body),
    ).toEqual([{ sub_issue_id: children[0]!.id }, { sub_issue_id: children[1]!.id }]);
    const body = repo.issue(2)!.body!;
    expect(body).toContain(
      "- [x] Add automated validation checks (CI/CD gates) → #3 · @carol · due 2026-12-15\n",
    );
    expect(body).toContain("- [x] Update runbooks/playbooks → #4 · @dana · due 2026-12-20\n");
    expect(body).toContain(
      "|---------------------------------------------|---------------|------------|----------|\n" +
        "| Add automated validation checks (CI/CD gates) (#3) | @carol | 2026-12-15 | Open |\n" +
        "| Update runbooks/playbooks (#4) | @dana | 2026-12-20 | Open |\n",
    );
  });

  it("creates nothing twice on a redelivery or on the App's own edit coming back", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    const event = personEdits(repo, postmortem.number, (body) =>
      body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)"),
    );
    await deliver(event, "edit-1");
    const shown = repo.issue(2)!.body!;
    const before = api.requests.length;

    await deliver(event, "edit-1");
    const ownEdit = edited(repo.issue(2)!, event.payload.issue.body ?? "", BOT).sender(BOT);
    await deliver(ownEdit);

    expect(writes(api.requests.slice(before))).toEqual([]);
    expect(childrenIn(repo)).toHaveLength(1);
    expect(repo.issue(2)!.body).toBe(shown);
  });

  it("finds the child when GitHub lost the answer to its create", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    loseAnswerOfNextCreate(api, repo);

    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)"),
      ),
    );

    expect(childrenIn(repo)).toHaveLength(1);
    expect(writes(requestsSince())).toEqual([
      "POST /repos/acme/web/labels",
      "POST /repos/acme/web/issues",
      "POST /repos/acme/web/issues/2/sub_issues",
      "PATCH /repos/acme/web/issues/2",
    ]);
  });

  it("converges to one open child per box when two replicas handle the same edit", async () => {
    const { repo, postmortem } = await withPostmortem(api);
    const replicaA = await createTestProbot(app);
    const replicaB = await createTestProbot(app);
    const event = personEdits(repo, postmortem.number, (body) =>
      body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)"),
    );

    await Promise.all([replicaA.deliver(event, "same"), replicaB.deliver(event, "same")]);

    const open = childrenIn(repo).filter((child) => child.state === "open");
    expect(open).toHaveLength(1);
    for (const duplicate of childrenIn(repo).filter((child) => child.state === "closed")) {
      expect(duplicate.state_reason).toBe("duplicate");
    }
    expect(repo.issue(2)!.body).toContain(`→ #${open[0]!.number} · @bob · due 2026-12-27`);
    expect(repo.issue(2)!.body!.match(/\(#\d+\) \|/g)).toHaveLength(1);
  });

  it("checks thirty boxes at once: twenty children, one comment for the rest, the next edit opens them", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    const lines = Array.from(
      { length: 30 },
      (_, index) => `- [x] Action ${index + 1} @carol due 2026-12-15`,
    ).join("\n");

    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace("### D. Documentation", `### E. Follow-ups\n${lines}\n\n### D. Documentation`),
      ),
    );

    // `capa.maxChildrenPerEdit` (20): the first twenty in the post-mortem's order.
    expect(childrenIn(repo).map((child) => child.title)).toEqual(
      Array.from({ length: 20 }, (_, index) => `CAPA: Action ${index + 1}`),
    );
    expect(writes(requestsSince())).toEqual([
      "POST /repos/acme/web/labels",
      ...Array<string>(20).fill("POST /repos/acme/web/issues"),
      "POST /repos/acme/web/issues/2/comments",
      ...Array<string>(20).fill("POST /repos/acme/web/issues/2/sub_issues"),
      "PATCH /repos/acme/web/issues/2",
    ]);
    expect(repo.comments.get(2)?.map((comment) => comment.body.split("\n")[0])).toEqual([
      "10 more corrective actions were not opened: one edit opens at most 20 (`capa.maxChildrenPerEdit`). Save the post-mortem again (any edit by someone with write access) to open the next ones.",
    ]);
    // Reads that do not grow with k: three per round, the editor's permission and the owner's
    // assignability once.
    expect(requestsSince().filter((request) => request.method === "GET").length).toBe(3 * 3 + 2);

    // alice saves again: the other ten are opened, and nothing is said again.
    const mark = api.requests.length;
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace("- What worked well?", "- What worked well? Paging."),
      ),
    );
    expect(childrenIn(repo)).toHaveLength(30);
    expect(writes(api.requests.slice(mark))).toEqual([
      "POST /repos/acme/web/labels",
      ...Array<string>(10).fill("POST /repos/acme/web/issues"),
      ...Array<string>(10).fill("POST /repos/acme/web/issues/2/sub_issues"),
      "PATCH /repos/acme/web/issues/2",
    ]);
    expect(repo.comments.get(2)).toHaveLength(1);
  });

  it("names an owner who cannot be assigned", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api, ["outsider"]);

    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates) @outsider"),
      ),
    );

    const [child] = childrenIn(repo);
    expect(child?.assignees).toEqual([]);
    expect(child?.body).toContain("**Owner:** `@outsider`  \n");
    expect(child?.body).toContain("⚠️ `@outsider` could not be assigned");
    expect(repo.comments.get(2)?.map((comment) => comment.body.split("\n")[0])).toEqual([
      "`@outsider` could not be assigned “Add automated validation checks (CI/CD gates)” (not a collaborator of this repository); the issue names them without a mention.",
    ]);
  });
});

describe("children and the post-mortem stay in sync", () => {
  const api = useFakeGitHub();

  it("closing a child marks its row and line Done", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates) @carol"),
      ),
    );
    const child = childrenIn(repo)[0]!;
    child.state = "closed";
    child.state_reason = "completed";
    const mark = api.requests.length;

    await deliver(closed(child, "completed", "carol"));

    expect(writes(api.requests.slice(mark))).toEqual(["PATCH /repos/acme/web/issues/2"]);
    expect(repo.issue(2)!.body).toContain(
      "| Add automated validation checks (CI/CD gates) (#3) | @carol | 2026-12-27 | Done |",
    );
    expect(repo.issue(2)!.body).toContain("→ #3 · @carol · due 2026-12-27 · Done\n");
  });

  it("follows a child that lost its capa label, found through the link on its line", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates) @carol"),
      ),
    );
    const child = childrenIn(repo)[0]!;
    child.labels = [];
    child.state = "closed";
    child.state_reason = "not_planned";

    await deliver(closed(child, "not_planned", "carol"));

    expect(repo.issue(2)!.body).toContain(
      "| Add automated validation checks (CI/CD gates) (#3) | @carol | 2026-12-27 | Won't do |",
    );
    expect(repo.issues.filter((issue) => issue.title.startsWith("CAPA:"))).toHaveLength(1);
  });

  it("restores a person's edit that the App's write overwrote, and does not loop", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    const base = postmortem.body!;
    const personVersion = base.replace(
      "- What worked well?",
      "- What worked well? Paging was fast.",
    );
    // The App read `base`, the person saved their version, then the App's write (based on `base`)
    // landed on top; the App's own edited event shows the person's version as `from`.
    const written = stampBase(base, base);
    repo.issue(2)!.body = written;

    await deliver(edited(repo.issue(2)!, personVersion, BOT));

    const restore = stampBase(personVersion, written);
    expect(requestsSince().filter((request) => request.method === "PATCH")).toEqual([
      { method: "PATCH", path: "/repos/acme/web/issues/2", body: { body: restore } },
    ]);
    expect(repo.issue(2)!.body).toBe(restore);

    // The restore comes back as the App's own edit: it is not a loss, so nothing more happens.
    const mark = api.requests.length;
    await deliver(edited(repo.issue(2)!, written, BOT));
    expect(api.requests.slice(mark)).toEqual([]);
  });

  it("falls back to links in the bodies, said once, where sub-issues do not exist", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    api.expect("POST /repos/acme/web/issues/2/sub_issues", {
      reply: [404, { message: "Not Found" }],
    });
    api.expect("POST /repos/acme/web/issues/2/sub_issues", {
      reply: [404, { message: "Not Found" }],
      optional: true,
    });

    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)"),
      ),
    );

    expect(repo.issue(2)!.body).toContain("→ #3 · @bob · due 2026-12-27");
    const notices = (repo.comments.get(2) ?? []).filter((comment) =>
      comment.body.startsWith("This GitHub does not offer sub-issues"),
    );
    expect(notices).toHaveLength(1);
  });
});

describe("the App's own CAPA events cost no request", () => {
  const api = useFakeGitHub();

  it("its child opened and labeled, its sub-issue link, its edit of the post-mortem", async () => {
    const { repo, postmortem, deliver } = await withPostmortem(api);
    const personEdit = personEdits(repo, postmortem.number, (body) =>
      body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)"),
    );
    // What the post-mortem said right before the App's write: the person's edit.
    const before = personEdit.payload.issue.body ?? "";
    await deliver(personEdit);
    const child = childrenIn(repo)[0]!;
    const mark = api.requests.length;

    await deliver(opened(child, BOT));
    await deliver(labeled(child, "capa", BOT));
    await deliver(
      webhook("sub_issues.sub_issue_added")
        .repo("acme", "web")
        .issue(asPayloadIssue(repo.issue(2)!), "parent_issue")
        .issue(asPayloadIssue(child), "sub_issue")
        .sender(BOT)
        .installation(1),
    );
    await deliver(edited(repo.issue(2)!, before, BOT));

    expect(api.requests.slice(mark)).toEqual([]);
  });
});
