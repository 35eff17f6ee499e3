// `capa.defaultOwners: codeowners` in the App (#21): a checked line that names no owner gets the
// CODEOWNERS owners of the paths the incident implicates, against nock, every request asserted.
import { describe, expect, it } from "vitest";
import type { IndexEntry } from "../../src/core/culprits/path-index.js";
import { encodeEntry, INDEX_LABEL } from "../../src/core/culprits/path-index.js";
import { formatMarker } from "../../src/core/markers.js";
import type { RecordedRequest } from "../support/github-api.js";
import { useFakeGitHub } from "../support/github-api.js";
import { BOT } from "./harness.js";
import {
  capaReads,
  childrenIn,
  personEdits,
  RUNBOOKS,
  VALIDATION,
  withPostmortem,
} from "./capa-harness.js";

const CONFIG = [
  "capa:",
  "  defaultOwners: codeowners",
  "  servicePaths:",
  "    payments: [/services/payments/]",
  "",
].join("\n");
const CODEOWNERS = [
  "# Who owns what",
  "*                     @acme/platform",
  "/services/payments/   @carol @acme/payments",
  "/services/search/     @dana",
  "",
].join("\n");
const FILES = { ".github/CODEOWNERS": CODEOWNERS };

const checkValidation = (body: string) =>
  body.replace(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)");
const checkRunbooks = (body: string) => body.replace(RUNBOOKS, "- [x] Update runbooks/playbooks");
const payments = (body: string) =>
  body.replace("- **Systems/Services Affected:**", "- **Systems/Services Affected:** Payments");

const codeownersRead = (path: string) => ({
  method: "GET",
  path: `/repos/acme/web/contents/${encodeURIComponent(path)}`,
  query: { ref: "master" },
});
const assigneeCheck = (login: string) => ({
  method: "GET",
  path: `/repos/acme/web/assignees/${login}`,
});
/** The requests beyond the CAPA flow's own reads and writes: files, index, assignees. */
const extraReads = (requests: { method: string; path: string }[]) =>
  requests.filter(
    (request) =>
      request.path.includes("/contents/") ||
      request.path.includes("/assignees/") ||
      request.path.endsWith("/issues/90/comments"),
  );

describe("capa.defaultOwners: codeowners", () => {
  const api = useFakeGitHub();

  it("a service's CODEOWNERS user is assigned, its team named, the child says where from; the file is read once", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(
      api,
      [],
      {},
      CONFIG,
      FILES,
    );

    await deliver(personEdits(repo, postmortem.number, (b) => checkValidation(payments(b))));

    const [child] = childrenIn(repo);
    expect(child!.assignees.map((user) => user.login)).toEqual(["carol"]);
    expect(child!.body).toContain(
      "**Owner:** @carol, `@acme/payments` (from CODEOWNERS)  \n" +
        "**Owner from:** `.github/CODEOWNERS`, rule `/services/payments/` (line 3) for `/services/payments/` (the service's path)  \n",
    );
    const route = ({ method, path, query }: RecordedRequest) => ({
      method,
      path,
      ...(query ? { query } : {}),
    });
    // Every request of the delivery: the CODEOWNERS file and carol's assignability are the only
    // ones a line owned by someone would not make.
    expect(requestsSince().map(route)).toEqual([
      ...capaReads(),
      { method: "GET", path: "/repos/acme/web/collaborators/alice/permission" },
      codeownersRead(".github/CODEOWNERS"),
      assigneeCheck("carol"),
      { method: "GET", path: "/repos/acme/web/issues/1" },
      { method: "POST", path: "/repos/acme/web/labels" },
      { method: "POST", path: "/repos/acme/web/issues" },
      ...capaReads(),
      { method: "POST", path: "/repos/acme/web/issues/2/sub_issues" },
      { method: "PATCH", path: "/repos/acme/web/issues/2" },
      ...capaReads(),
    ]);
    const create = requestsSince().find(
      (request) => request.method === "POST" && request.path === "/repos/acme/web/issues",
    );
    expect(create?.body).toEqual({
      title: "CAPA: Add automated validation checks (CI/CD gates)",
      body: child!.body,
      labels: ["capa"],
      assignees: ["carol"],
    });
    expect(repo.issue(2)!.body).toContain("→ #3 · @carol · due 2026-12-27");

    // The next ownerless line: the file is cached (CONFIG_MAX_AGE), no read again.
    const mark = requestsSince().length;
    await deliver(personEdits(repo, postmortem.number, checkRunbooks));
    expect(childrenIn(repo).map((issue) => issue.assignees.map((user) => user.login))).toEqual([
      ["carol"],
      ["carol"],
    ]);
    expect(extraReads(requestsSince().slice(mark))).toEqual([assigneeCheck("carol")]);
  });

  it("the culprits' paths from the path index win over the service, CODEOWNERS found in its second place", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api, [], {}, CONFIG, {
      CODEOWNERS,
    });
    // /culprit recorded PR #41 on the post-mortem, and the App's index entry has its paths.
    const issue = repo.issue(postmortem.number)!;
    issue.body = issue.body!.replace(
      /<!-- postmortem-bot:postmortem (\{.*?\}) -->/,
      (_all, json: string) =>
        formatMarker("postmortem", {
          ...(JSON.parse(json) as object),
          culprits: [{ pr: 41, commented: true }],
        }),
    );
    // The index issue as the App keeps it: opened by the App, closed and locked.
    const index = repo.addIssue({
      title: "path index",
      labels: [INDEX_LABEL],
      user: BOT,
      state: "closed",
      state_reason: "completed",
    });
    index.locked = true;
    const entry: IndexEntry = {
      postmortem: postmortem.number,
      title: postmortem.title,
      private: false,
      openedAt: postmortem.created_at,
      culprits: [{ pr: 41, paths: ["services/search/query.ts"], morePaths: 0 }],
      openCapa: [],
    };
    repo.addComment(index.number, {
      body: `Post-mortem #2: culprits\n\n${formatMarker("path-index", encodeEntry(entry))}`,
      user: BOT,
    });
    expect(index.number).toBe(3);
    // After the flow, the entry is written again with the new child (then the old one deleted).
    api.expect("DELETE /repos/acme/web/issues/comments/{comment_id}", {
      persist: true,
      name: "index comment deleted",
      reply: (request) => {
        const comments = repo.comments.get(index.number) ?? [];
        const id = Number(request.params.comment_id);
        repo.comments.set(
          index.number,
          comments.filter((comment) => comment.id !== id),
        );
        return { status: 204 };
      },
    });

    await deliver(personEdits(repo, postmortem.number, (b) => checkValidation(payments(b))));

    const [child] = childrenIn(repo);
    expect(child!.assignees.map((user) => user.login)).toEqual(["dana"]);
    expect(child!.body).toContain(
      "**Owner:** @dana (from CODEOWNERS)  \n" +
        "**Owner from:** `CODEOWNERS`, rule `/services/search/` (line 4) for `services/search/query.ts` (a culprit's path)  \n",
    );
    const requests = requestsSince();
    const indexListing = requests.filter((request) => request.query?.labels === INDEX_LABEL);
    expect(indexListing[0]).toEqual({
      method: "GET",
      path: "/repos/acme/web/issues",
      query: {
        labels: INDEX_LABEL,
        state: "all",
        creator: BOT,
        sort: "created",
        direction: "asc",
        per_page: "10",
      },
    });
    expect(
      requests.filter(
        (request) => request.path.includes("/contents/") || request.path.includes("/assignees/"),
      ),
    ).toEqual([
      codeownersRead(".github/CODEOWNERS"),
      codeownersRead("CODEOWNERS"),
      assigneeCheck("dana"),
    ]);
  });

  it("no CODEOWNERS owner: the post-mortem's assignees, and the child says why", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(
      api,
      [],
      {},
      CONFIG,
      {},
    );

    await deliver(personEdits(repo, postmortem.number, (b) => checkValidation(payments(b))));

    const [child] = childrenIn(repo);
    expect(child!.assignees.map((user) => user.login)).toEqual(["bob"]);
    expect(child!.body).toContain(
      "**Owner:** @bob  \n**Owner from:** the post-mortem's assignees (this repository has no CODEOWNERS file)  \n",
    );
    // All three places GitHub looks, then nothing more.
    expect(extraReads(requestsSince())).toEqual([
      codeownersRead(".github/CODEOWNERS"),
      codeownersRead("CODEOWNERS"),
      codeownersRead("docs/CODEOWNERS"),
    ]);
  });

  it("costs no request when nothing needs it: no implicated path, or a line naming its owner", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(
      api,
      [],
      {},
      CONFIG,
      FILES,
    );

    // No service named, no culprits: the file is not read.
    await deliver(personEdits(repo, postmortem.number, checkValidation));
    expect(childrenIn(repo)[0]!.body).toContain(
      "**Owner from:** the post-mortem's assignees (the incident implicates no path: no culprits, and no `capa.servicePaths` entry for its service)  \n",
    );
    // A line naming its owner: neither.
    await deliver(
      personEdits(repo, postmortem.number, (body) =>
        payments(body).replace(RUNBOOKS, "- [x] Update runbooks/playbooks @erin"),
      ),
    );
    expect(childrenIn(repo)[1]!.assignees.map((user) => user.login)).toEqual(["erin"]);
    expect(requestsSince().filter((request) => request.path.includes("/contents/"))).toEqual([]);
  });
});
