import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import type { Section9 } from "../core/approvals/fixtures.js";
import { COMPLETE, postmortemBody } from "../core/approvals/fixtures.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";

const ACTIONS_BOT = "github-actions[bot]";
let emulator: GitHubEmulator;
/** The day every run here happens on, in the emulator and in the Action alike. */
const TODAY = "2026-11-27";
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock(`${TODAY}T13:00:00Z`);
  emulator = createGitHubEmulator({
    users: [
      { login: "tina", role: "write" },
      { login: "paul", role: "write" },
      { login: "rita", role: "read" },
      { login: "mia", role: "maintain" },
      { login: "dave", role: "write" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

function openPostmortem(body = postmortemBody(), labels = ["postmortem"]): number {
  const issue = emulator.openIssue({
    by: "postmortem-bot[bot]",
    title: "Post-mortem: Checkout returns 500",
    body,
    labels,
  });
  return issue.number as number;
}

/** The payload GitHub sent for the latest event of this kind. */
function lastEvent(event: string, action: string) {
  const found = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .at(-1);
  if (!found) throw new Error(`no ${event}.${action} event`);
  return { eventName: event, payload: found.payload };
}

function run(event: { eventName: string; payload: unknown }, apiUrl = emulator.apiUrl) {
  return runActionBundle({
    ...event,
    apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    ...clock,
  });
}

/** What the Action did to the repository: its non-GET requests since `since` (GraphQL only reads). */
function actionWrites(since = 0) {
  return emulator.requests
    .filter(
      (r) =>
        r.seq > since && r.actor === ACTIONS_BOT && r.method !== "GET" && r.path !== "/graphql",
    )
    .map((r) => ({ method: r.method, path: decodeURIComponent(r.path), body: r.body }));
}
const lastSeq = () => emulator.requests.at(-1)?.seq ?? 0;
/** Every request of the Action since `since`, as `METHOD path`. */
const actionRequests = (since: number) =>
  emulator.requests
    .filter((r) => r.seq > since && r.actor === ACTIONS_BOT)
    .map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
const actionComments = (issue: number) =>
  emulator.commentsOn(issue).filter((c) => c.user.login === ACTIONS_BOT);

describe("the Action bundle, run as the runner runs it, against the emulator", () => {
  it("reopens a post-mortem closed without approvals, comments precisely, and fails the job", async () => {
    const number = openPostmortem();
    emulator.closeIssue({ by: "dave", issue: number });

    const result = await run(lastEvent("issues", "closed"));

    expect(result.exitCode).toBe(1);
    expect(result.outputs).toEqual({
      approved: "false",
      missing: JSON.stringify([
        "Approved By (Tech Lead)",
        "Approved By (Product/Business)",
        "Date of Final Review",
        "Communication Sent to Team (Yes/No)",
      ]),
    });
    expect(result.summary).toContain("🚫 **Close blocked**");
    expect(result.summary).toContain("- [ ] **Approved By (Tech Lead):** empty");
    expect(result.summary).toContain("- [x] **Related JIRA/Incident Ticket**");
    expect(result.stdout).toContain(
      "::error::Post-mortem #1: close blocked, missing or invalid: Approved By (Tech Lead), Approved By (Product/Business), Date of Final Review, Communication Sent to Team (Yes/No)",
    );
    expect(emulator.issue(number).state).toBe("open");
    const comments = actionComments(number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(
      "- **Date of Final Review:** empty: write the date of the final review as YYYY-MM-DD",
    );
    expect(actionWrites().map((w) => `${w.method} ${w.path}`)).toEqual([
      "POST /repos/acme/service/issues/1/comments",
      "PATCH /repos/acme/service/issues/1",
    ]);

    // Closed again: the same comment is updated (or left), never a second one.
    emulator.closeIssue({ by: "dave", issue: number });
    const again = await run(lastEvent("issues", "closed"));
    expect(again.exitCode).toBe(1);
    expect(actionComments(number)).toHaveLength(1);
  });

  it("still gates the App's post-mortem whose post-mortem label someone removed, where the configuration names the App", async () => {
    // The Action cannot ask GitHub who the App is: `identity.app` tells it (src/core/trust).
    emulator.setFile(".github/postmortem.yml", "identity:\n  app: postmortem-bot\n");
    const number = openPostmortem();
    emulator.removeLabel({ by: "dave", issue: number, label: "postmortem" });
    emulator.closeIssue({ by: "dave", issue: number });

    const result = await run(lastEvent("issues", "closed"));

    expect(result.exitCode).toBe(1);
    expect(result.outputs.approved).toBe("false");
    expect(emulator.issue(number).state).toBe("open");
    expect(actionWrites().map((w) => `${w.method} ${w.path}`)).toEqual([
      "POST /repos/acme/service/issues/1/comments",
      "PATCH /repos/acme/service/issues/1",
    ]);
  });

  it("another bot's label-less post-mortem, or the App's where the Action is not told the App, is not gated", async () => {
    emulator.addUser("other-app[bot]", "write", { type: "Bot" });
    const forged = emulator.openIssue({
      by: "other-app[bot]",
      title: "Post-mortem: Checkout returns 500",
      body: postmortemBody(),
    }).number as number;
    emulator.setFile(".github/postmortem.yml", "identity:\n  app: postmortem-bot\n");
    emulator.closeIssue({ by: "dave", issue: forged });
    const onForged = await run(lastEvent("issues", "closed"));
    expect(onForged.exitCode).toBe(0);
    expect(onForged.stdout).toContain(`#${forged} is not a post-mortem`);
    expect(emulator.issue(forged).state).toBe("closed");

    emulator.setFile(".github/postmortem.yml", "flows:\n  runIn: app\n");
    const own = openPostmortem(postmortemBody(), []);
    emulator.closeIssue({ by: "dave", issue: own });
    const unnamed = await run(lastEvent("issues", "closed"));
    expect(unnamed.exitCode).toBe(0);
    expect(emulator.issue(own).state).toBe("closed");
    expect(actionWrites()).toEqual([]);
  });

  it("does not count approvers typed into the body by hand", async () => {
    const number = openPostmortem();
    emulator.editBody({ by: "rita", issue: number, body: postmortemBody(COMPLETE) });
    emulator.closeIssue({ by: "dave", issue: number });

    const result = await run(lastEvent("issues", "closed"));

    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.outputs.missing!)).toEqual([
      "Approved By (Tech Lead)",
      "Approved By (Product/Business)",
    ]);
    expect(actionComments(number)[0]!.body).toContain(
      "- **Approved By (Tech Lead):** @tina is named, but has no unedited `/approve tech-lead` comment of their own on this issue (a name typed into the text does not count)",
    );
    expect(emulator.issue(number).state).toBe("open");
  });

  it("/approve by an allowed person fills the field; by anyone else it is refused with a reply", async () => {
    const number = openPostmortem();
    const approve = emulator.comment({ by: "tina", issue: number, body: "/approve tl" });
    const allowed = await run(lastEvent("issue_comment", "created"));
    expect(allowed.exitCode).toBe(0);
    expect(emulator.issue(number).body).toBe(postmortemBody({ techLead: `@tina (${TODAY})` }));
    expect(
      emulator.state
        .comment(emulator.mainRepo, approve.id)
        .reactions.map((r) => `${r.user.login} ${r.content}`),
    ).toEqual([`${ACTIONS_BOT} +1`]);

    const before = lastSeq();
    emulator.comment({ by: "rita", issue: number, body: "/approve product" });
    const refused = await run(lastEvent("issue_comment", "created"));
    expect(refused.exitCode).toBe(0);
    expect(actionWrites(before)).toEqual([
      {
        method: "POST",
        path: "/repos/acme/service/issues/1/comments",
        body: {
          body: expect.stringMatching(
            /^@rita may not approve as “Approved By \(Product\/Business\)”: it needs write permission to this repository and @rita has read\. Nothing was written\.\n\n<!-- postmortem-bot:approve-refusal \{"comment":\d+,"login":"rita"\} -->$/,
          ),
        },
      },
    ]);
    // rita may fill no role: after her permission, only the comments are read (for a reply to her).
    const refusal = [
      "GET /repos/acme/service/contents/.github/postmortem.yml",
      "GET /repos/acme/.github/contents/.github/postmortem.yml",
      "GET /repos/acme/service/collaborators/rita/permission",
      "GET /repos/acme/service/issues/1/comments",
    ];
    expect(actionRequests(before)).toEqual([
      ...refusal,
      "POST /repos/acme/service/issues/1/comments",
    ]);

    // Her next command gets no second reply, and costs the same reads.
    const again = lastSeq();
    emulator.comment({ by: "rita", issue: number, body: "/approve" });
    expect((await run(lastEvent("issue_comment", "created"))).exitCode).toBe(0);
    expect(actionRequests(again)).toEqual(refusal);
    expect(actionComments(number).map((c) => c.body.split("\n")[0])).toEqual([
      "@rita may not approve as “Approved By (Product/Business)”: it needs write permission to this repository and @rita has read. Nothing was written.",
    ]);
  });

  it("a close whose own run never ran is judged by the next run on the post-mortem: /approve → close → /approve", async () => {
    const number = openPostmortem(
      postmortemBody().replace('{"incident":12}', '{"incident":12,"gate":2}'),
    );
    emulator.comment({ by: "tina", issue: number, body: "/approve tech lead" });
    expect((await run(lastEvent("issue_comment", "created"))).exitCode).toBe(0);
    // Closed unapproved; the run of that close was cancelled (the workflow's concurrency group).
    emulator.closeIssue({ by: "dave", issue: number });
    emulator.comment({ by: "paul", issue: number, body: "/approve" });
    const before = lastSeq();

    const result = await run(lastEvent("issue_comment", "created"));

    expect(result.exitCode).toBe(1);
    expect(emulator.issue(number).state).toBe("open");
    expect(actionWrites(before).map((w) => `${w.method} ${w.path}`)).toEqual([
      `PATCH /repos/acme/service/issues/${number}`,
      `POST /repos/acme/service/issues/${number}/comments`,
      `PATCH /repos/acme/service/issues/${number}`,
      "POST /repos/acme/service/issues/comments/" +
        String(emulator.commentsOn(number).find((c) => c.body === "/approve")!.id) +
        "/reactions",
    ]);
    // Paul's approval is in; what is still missing is said once.
    expect(emulator.issue(number).body).toContain(
      `- **Approved By (Product/Business):** @paul (${TODAY})`,
    );
    expect(actionComments(number).filter((c) => c.body.includes("reopened"))).toHaveLength(1);
  });

  it("a post-mortem from before (no gate:2 in its marker) closed without a run stays closed, as it did", async () => {
    const number = openPostmortem();
    emulator.closeIssue({ by: "dave", issue: number });
    emulator.comment({ by: "paul", issue: number, body: "/approve" });

    const result = await run(lastEvent("issue_comment", "created"));

    expect(result.exitCode).toBe(0);
    expect(emulator.issue(number).state).toBe("closed");
  });

  it("a complete post-mortem stays closed and the job passes, showing who approved when", async () => {
    const number = openPostmortem();
    emulator.comment({ by: "tina", issue: number, body: "/approve tech lead" });
    expect((await run(lastEvent("issue_comment", "created"))).exitCode).toBe(0);
    emulator.comment({ by: "paul", issue: number, body: "/approve" });
    expect((await run(lastEvent("issue_comment", "created"))).exitCode).toBe(0);
    // The last approval filled Date of Final Review; a person fills the rest.
    const body = emulator.issue(number).body as string;
    expect(body).toContain(`- **Date of Final Review:** ${TODAY}  \n`);
    emulator.editBody({
      by: "dave",
      issue: number,
      body: body.replace(
        "- **Communication Sent to Team (Yes/No):**",
        "- **Communication Sent to Team (Yes/No):** Yes",
      ),
    });
    emulator.closeIssue({ by: "dave", issue: number, reason: "completed" });
    const before = lastSeq();

    const result = await run(lastEvent("issues", "closed"));

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ approved: "true", missing: "[]" });
    expect(result.summary).toContain("✅ **Closed with complete approvals**");
    expect(result.summary).toContain(`- [x] **Approved By (Tech Lead)**: @tina on ${TODAY}`);
    expect(result.summary).toContain(`- [x] **Approved By (Product/Business)**: @paul on ${TODAY}`);
    expect(emulator.issue(number).state).toBe("closed");
    expect(actionWrites(before)).toEqual([]);
    // "Never edited" came from GraphQL (the gate's own 👍 on both comments is no edit).
    const [tina, paul] = emulator.commentsOn(number).filter((c) => c.body.startsWith("/approve"));
    expect(tina!.reactions).toMatchObject({ "+1": 1 });
    const graphql = emulator.requests.filter((r) => r.seq > before && r.path === "/graphql");
    expect(graphql.length).toBeGreaterThan(0);
    expect(graphql[0]).toMatchObject({
      status: 200,
      body: { variables: { ids: [tina!.node_id, paul!.node_id] } },
    });
    expect(result.stdout).not.toContain("Could not read whether /approve comments were edited");

    // An admin edits tina's comment: it no longer proves anything, so the next close is blocked.
    emulator.reopenIssue({ by: "dave", issue: number });
    emulator.editComment({ by: "alice", commentId: tina!.id, body: "/approve tech lead" });
    emulator.closeIssue({ by: "dave", issue: number, reason: "completed" });
    const blocked = await run(lastEvent("issues", "closed"));
    expect(blocked.exitCode).toBe(1);
    expect(emulator.issue(number).state).toBe("open");
  });

  it("the force-close label counts only when a maintainer added it", async () => {
    const byWriter = openPostmortem();
    emulator.addLabel({ by: "tina", issue: byWriter, label: "postmortem:force-close" });
    emulator.closeIssue({ by: "tina", issue: byWriter, reason: "not_planned" });
    const ignored = await run(lastEvent("issues", "closed"));
    expect(ignored.exitCode).toBe(1);
    expect(emulator.issue(byWriter).state).toBe("open");
    expect(actionComments(byWriter)[0]!.body).toContain(
      "The `postmortem:force-close` label was ignored: @tina added it with write permission",
    );

    const byMaintainer = openPostmortem();
    emulator.addLabel({ by: "mia", issue: byMaintainer, label: "postmortem:force-close" });
    emulator.closeIssue({ by: "tina", issue: byMaintainer });
    const forced = await run(lastEvent("issues", "closed"));
    expect(forced.exitCode).toBe(0);
    expect(forced.outputs.approved).toBe("false");
    expect(emulator.issue(byMaintainer).state).toBe("closed");
    expect(actionComments(byMaintainer)[0]!.body).toMatch(
      /^⚠️ \*\*Closed without complete approvals\.\*\* @mia \(maintain\)/,
    );
  });

  it("fail-on-block: false reports the block without failing the job", async () => {
    const number = openPostmortem();
    emulator.closeIssue({ by: "dave", issue: number });
    const result = await runActionBundle({
      ...lastEvent("issues", "closed"),
      apiUrl: emulator.apiUrl,
      token: emulator.tokenFor(ACTIONS_BOT),
      repository: "acme/service",
      failOnBlock: "false",
      ...clock,
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.approved).toBe("false");
    expect(emulator.issue(number).state).toBe("open");
  });

  it("only reports where the App enforces (gate.enforceInApp: true): no writes, the block still shows", async () => {
    emulator.setFile(".github/postmortem.yml", "gate:\n  enforceInApp: true\n");
    const number = openPostmortem();
    emulator.closeIssue({ by: "dave", issue: number });
    const before = lastSeq();

    const result = await run(lastEvent("issues", "closed"));

    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain("the gate is enforced elsewhere; this run only reports");
    expect(actionWrites(before)).toEqual([]);
    expect(emulator.issue(number).state).toBe("closed");
  });

  it("a broken configuration is a visible failure on a close, and nothing is written", async () => {
    emulator.setFile(".github/postmortem.yml", "approvals:\n  required: [cto]\n");
    const number = openPostmortem();
    emulator.closeIssue({ by: "dave", issue: number });
    const before = lastSeq();

    const result = await run(lastEvent("issues", "closed"));

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("::error::The configuration in");
    expect(result.stdout).toContain("approvals.required[0]: `cto` is neither a role");
    expect(actionWrites(before)).toEqual([]);
  });

  it("`_extends` naming another owner is a configuration problem unless `config-extends-owners` lists it", async () => {
    emulator.setFile(".github/postmortem.yml", "_extends: outsider/policies\n");
    const number = openPostmortem();
    emulator.closeIssue({ by: "dave", issue: number });
    const before = lastSeq();
    const outsiderReads = (since: number) =>
      emulator.requests.filter((r) => r.seq > since && r.path.startsWith("/repos/outsider/"));

    const refused = await run(lastEvent("issues", "closed"));

    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain(
      "::error::The configuration file `.github/postmortem.yml` cannot be used: `_extends` names `outsider/policies:.github/postmortem.yml`, a file of `outsider`",
    );
    // Neither the entry nor the full Action asked for the other owner's file.
    expect(outsiderReads(before)).toEqual([]);
    expect(actionWrites(before)).toEqual([]);

    const between = lastSeq();
    const allowed = await runActionBundle({
      ...lastEvent("issues", "closed"),
      apiUrl: emulator.apiUrl,
      token: emulator.tokenFor(ACTIONS_BOT),
      repository: `${emulator.owner}/${emulator.repoName}`,
      ...clock,
      env: { ...clock.env, "INPUT_CONFIG-EXTENDS-OWNERS": "Outsider, other-org" },
    });

    expect(allowed.stdout).not.toContain("cannot be used");
    expect(outsiderReads(between).map((r) => decodeURIComponent(r.path))).toContain(
      "/repos/outsider/policies/contents/.github/postmortem.yml",
    );
  });

  it("a deleted /approve comment withdraws the approval; the summary says so, the job passes", async () => {
    const number = openPostmortem();
    const approve = emulator.comment({ by: "tina", issue: number, body: "/approve tl" });
    await run(lastEvent("issue_comment", "created"));
    emulator.deleteComment({ by: "tina", commentId: approve.id });

    const result = await run(lastEvent("issue_comment", "deleted"));

    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain(
      "- [ ] **Approved By (Tech Lead):** @tina is named, but has no unedited `/approve tech-lead` comment",
    );
  });

  it("exits quickly, writing nothing, for issues that are not post-mortems", async () => {
    const issue = emulator.openIssue({ by: "dave", title: "Typo in the docs" });
    emulator.closeIssue({ by: "dave", issue: issue.number as number });
    const before = lastSeq();

    const result = await run(lastEvent("issues", "closed"));

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({});
    const requests = emulator.requests.filter((r) => r.seq > before);
    expect(requests.every((r) => r.method === "GET" && r.path.includes("/contents/"))).toBe(true);
  });

  it("checks post-mortem files changed by a pull request, with file and line annotations", async () => {
    const path = "docs/postmortems/2026-11-checkout.md";
    const final = `---\nstatus: final\n---\n${templateWithApprovals({ ...COMPLETE, product: "@rita" })}`;
    const productLine =
      final.split("\n").findIndex((line) => line.includes("Product/Business")) + 1;
    emulator.setFile(path, final);
    // The emulator has no pull-request routes: a loopback stand-in serves those two, the rest is
    // the emulator's.
    const proxy = await pullRequestProxy(emulator.apiUrl, {
      files: [
        { filename: path, status: "added" },
        { filename: "src/app.ts", status: "modified" },
      ],
      reviews: [
        { user: { login: "tina" }, state: "APPROVED", commit_id: "a".repeat(40) },
        { user: { login: "paul" }, state: "APPROVED", commit_id: "a".repeat(40) },
      ],
    });
    try {
      const result = await run(
        {
          eventName: "pull_request",
          payload: {
            action: "synchronize",
            number: 7,
            pull_request: { number: 7, head: { sha: "a".repeat(40) } },
            repository: { name: "service", owner: { login: "acme" }, default_branch: "main" },
            sender: { login: "tina" },
          },
        },
        proxy.url,
      );
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(
        `::error file=${path},line=${productLine}::Approved By (Product/Business): @rita is named, but has not approved this pull request's head commit in a review (the file is marked \`status: final\`)`,
      );
      expect(JSON.parse(result.outputs.missing!)).toHaveLength(1);
      expect(result.summary).toContain(`- ❌ \`${path}\``);
    } finally {
      await proxy.close();
    }
  });

  it("counts a pull request review only where it approved the head commit", async () => {
    const path = "docs/postmortems/2026-11-checkout.md";
    const head = "c".repeat(40);
    const final = `---\nstatus: final\n---\n${templateWithApprovals(COMPLETE)}`;
    const techLeadLine =
      final.split("\n").findIndex((line) => line.includes("Approved By (Tech Lead)")) + 1;
    emulator.setFile(path, final);
    const proxy = await pullRequestProxy(emulator.apiUrl, {
      files: [{ filename: path, status: "modified" }],
      reviews: [
        // tina approved, then a commit was pushed that nobody approved yet
        { user: { login: "tina" }, state: "APPROVED", commit_id: "b".repeat(40) },
        { user: { login: "paul" }, state: "APPROVED", commit_id: head },
      ],
    });
    try {
      const result = await run(
        {
          eventName: "pull_request",
          payload: {
            action: "synchronize",
            number: 7,
            pull_request: { number: 7, head: { sha: head } },
            repository: { name: "service", owner: { login: "acme" }, default_branch: "main" },
            sender: { login: "tina" },
          },
        },
        proxy.url,
      );
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(
        `::error file=${path},line=${techLeadLine}::Approved By (Tech Lead): @tina is named, but has not approved this pull request's head commit in a review (the file is marked \`status: final\`)`,
      );
      expect(JSON.parse(result.outputs.missing!)).toHaveLength(1);
      // The file is read at the head the reviews are held to; the reviews are read once.
      expect(proxy.served.filter((served) => served.includes("/pulls/"))).toEqual([
        "/repos/acme/service/pulls/7/files?per_page=100",
        "/repos/acme/service/pulls/7/reviews?per_page=100",
      ]);
      expect(
        proxy.served.filter((served) => served.startsWith(`/repos/acme/service/contents/docs`)),
      ).toEqual([`/repos/acme/service/contents/${encodeURIComponent(path)}?ref=${head}`]);
    } finally {
      await proxy.close();
    }
  });
});

async function pullRequestProxy(
  upstream: string,
  fake: { files: unknown[]; reviews: unknown[] },
): Promise<{ url: string; served: string[]; close: () => Promise<void> }> {
  const served: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? "/";
      served.push(path);
      const json = (body: unknown) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (/\/pulls\/\d+\/files/.test(path)) return json(fake.files);
      if (/\/pulls\/\d+\/reviews/.test(path)) return json(fake.reviews);
      const upstreamResponse = await fetch(`${upstream}${path}`, {
        method: req.method ?? "GET",
        headers: {
          authorization: req.headers.authorization ?? "",
          accept: req.headers.accept ?? "*/*",
        },
      });
      res.writeHead(upstreamResponse.status, {
        "content-type": upstreamResponse.headers.get("content-type") ?? "application/json",
      });
      res.end(Buffer.from(await upstreamResponse.arrayBuffer()));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The built-in template as a team would commit it (Handlebars removed), section 9 filled in. */
function templateWithApprovals(values: Section9): string {
  const template = readFileSync(
    new URL("../../templates/postmortem.md.hbs", import.meta.url),
    "utf8",
  );
  const fill =
    (name: string, value = "") =>
    (text: string) =>
      text.replace(
        new RegExp(`(- \\*\\*${name.replace(/[()/]/g, "\\$&")}:\\*\\*).*`),
        `$1 ${value}`,
      );
  return [
    fill("Approved By (Tech Lead)", values.techLead),
    fill("Approved By (Product/Business)", values.product),
    fill("Date of Final Review", values.date),
    fill("Related JIRA/Incident Ticket", values.ticket),
    fill("Communication Sent to Team (Yes/No)", values.communication),
  ].reduce((text, apply) => apply(text), template.replace(/\{\{[^}]*\}\}/g, ""));
}
