// End to end through the real server: a security incident of a public repository gets its
// post-mortem in a private repository (`private.repository`), through the App's installation
// there; the public incident gets one neutral comment naming nothing of it. A target that cannot
// be used gets one comment saying what to fix, and nothing is opened anywhere.
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { IssueShape, Stack } from "./stack.js";
import { appWrites, botComments, loopbackOnly, startStack } from "./stack.js";
import { check, VALIDATION } from "./capa-helpers.js";

let stack: Stack | undefined;

beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const SOURCE_CONFIG = (repository: string) =>
  `private:\n  repository: ${repository}\n  when:\n    labels: [security]\n`;

/** A public incident opened with the `security` label, then declared with `incident`. */
function openSecurityIncident(s: Stack): number {
  const { emulator } = s;
  const number = emulator.openIssue({
    by: "alice",
    title: "Token leak in checkout logs",
    body: "Session tokens were written to the checkout service's logs.",
    labels: ["security"],
  }).number as number;
  emulator.addLabel({ by: "alice", issue: number, label: "incident" });
  return number;
}

function issuesIn(s: Stack, repo: string): IssueShape[] {
  return s.emulator.issues({ state: "all", repo }) as unknown as IssueShape[];
}

describe("private post-mortems", () => {
  it("opens the post-mortem in the private repository; the public side learns nothing of it", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.addRepository("service-security", { private: true });
    emulator.setFile(
      ".github/postmortem.yml",
      "postmortemLabels: [security-postmortem]\ngate:\n  enforceInApp: true\n",
      { repo: "service-security" },
    );
    emulator.setFile(".github/postmortem.yml", SOURCE_CONFIG("acme/service-security"));
    const incident = openSecurityIncident(stack);
    await emulator.waitForIdle({ timeoutMs: 30_000 });

    // Opened in the private repository, under its configuration, naming the public incident.
    const opened = issuesIn(stack, "service-security");
    expect(opened).toHaveLength(1);
    const postmortem = opened[0]!;
    expect(postmortem.labels.map((label) => label.name)).toEqual(["security-postmortem"]);
    expect(postmortem.body).toContain(`acme/service#${incident}`);
    expect(postmortem.body).toContain(
      `<!-- postmortem-bot:postmortem {"source":{"repository":"acme/service","incident":${incident}},"gate":2} -->`,
    );
    // Written: the label and the post-mortem there (with the target's installation), the notice here.
    expect(appWrites(emulator)).toEqual([
      "POST /repos/acme/service-security/labels",
      "POST /repos/acme/service-security/issues",
      `POST /repos/acme/service/issues/${incident}/comments`,
    ]);
    // Nothing opened in public; one neutral comment there.
    expect(issuesIn(stack, "service").map((issue) => issue.number)).toEqual([incident]);
    const publicComments = botComments(emulator, incident);
    expect(publicComments).toHaveLength(1);
    const notice = publicComments[0]!.body;
    expect(notice).toBe(
      `🔒 The post-mortem of this incident is kept privately, with the people who follow it up.\n\n<!-- postmortem-bot:private {"incident":${incident}} -->`,
    );
    expect(notice).not.toMatch(/service-security/i);
    expect(notice).not.toContain(`#${postmortem.number}`);

    // Every delivery again: nothing new on either side.
    for (const delivery of emulator.webhooks.events.map((event) => event.deliveryId)) {
      void emulator.redeliver(delivery);
    }
    await emulator.waitForIdle({ timeoutMs: 30_000 });
    expect(issuesIn(stack, "service-security")).toHaveLength(1);
    expect(issuesIn(stack, "service")).toHaveLength(1);
    expect(botComments(emulator, incident)).toHaveLength(1);
    expect(appWrites(emulator)).toHaveLength(3);

    // The gate works in the private repository, on its own events: a close without approvals
    // is undone.
    emulator.closeIssue({ by: "bob", issue: postmortem.number, repo: "service-security" });
    await emulator.waitForIdle({ timeoutMs: 30_000 });
    expect(emulator.issue(postmortem.number, "service-security").state).toBe("open");
    expect(
      emulator
        .commentsOn(postmortem.number, "service-security")
        .filter((comment) => comment.body.includes("This post-mortem was reopened")),
    ).toHaveLength(1);

    // CAPA works there too: a checked box opens its child in the private repository.
    const body = emulator.issue(postmortem.number, "service-security").body as string;
    emulator.editBody({
      by: "alice",
      issue: postmortem.number,
      repo: "service-security",
      body: check(VALIDATION)(body),
    });
    await emulator.waitForIdle({ timeoutMs: 30_000 });
    const children = issuesIn(stack, "service-security").filter((issue) =>
      issue.body?.includes(`<!-- postmortem-bot:capa {"parent":${postmortem.number},`),
    );
    expect(children.map((child) => child.title)).toEqual([`CAPA: ${VALIDATION}`]);
    expect(issuesIn(stack, "service")).toHaveLength(1);
  }, 120_000);

  it("the issue form's Security Incident box sends it there (`when.classifications`)", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.addRepository("service-security", { private: true });
    emulator.setFile(
      ".github/ISSUE_TEMPLATE/incident.yml",
      readFileSync(new URL("../../templates/incident-form.yml", import.meta.url), "utf8"),
    );
    emulator.setFile(
      ".github/postmortem.yml",
      "private:\n  repository: acme/service-security\n  when:\n    classifications: [security]\n",
    );
    const form = (security: "X" | " ") =>
      [
        "### Summary\n\nSession tokens were written to the checkout service's logs.",
        "### Severity\n\nP2 - Major Degradation",
        "### Environment\n\nProduction",
        `### Classification\n\n- [${security}] Security Incident\n- [ ] Data Loss Event\n- [ ] Third-party Service Impact`,
      ].join("\n\n");
    const secret = emulator.openIssue({
      by: "alice",
      title: "[Incident]: Token leak",
      body: form("X"),
      labels: ["incident"],
    }).number as number;
    const plain = emulator.openIssue({
      by: "alice",
      title: "[Incident]: Slow search",
      body: form(" "),
      labels: ["incident"],
    }).number as number;
    await emulator.waitForIdle({ timeoutMs: 30_000 });

    const opened = issuesIn(stack, "service-security");
    expect(opened).toHaveLength(1);
    expect(opened[0]!.body).toContain(
      `"source":{"repository":"acme/service","incident":${secret}}`,
    );
    // The other incident's post-mortem is public, as ever.
    const publicPostmortems = issuesIn(stack, "service").filter(
      (issue) => issue.number !== secret && issue.number !== plain,
    );
    expect(publicPostmortems).toHaveLength(1);
    expect(publicPostmortems[0]!.body).toContain(`{"incident":${plain}`);
    expect(botComments(emulator, secret).map((comment) => comment.body)).toEqual([
      `🔒 The post-mortem of this incident is kept privately, with the people who follow it up.\n\n<!-- postmortem-bot:private {"incident":${secret}} -->`,
    ]);
  }, 90_000);

  it("two replicas racing on one incident leave one open post-mortem there and one notice here", async () => {
    stack = await startStack({ replicas: 2, delivery: { duplicate: "new-id", concurrency: 2 } });
    const { emulator } = stack;
    emulator.addRepository("service-security", { private: true });
    emulator.setFile(".github/postmortem.yml", SOURCE_CONFIG("acme/service-security"));
    // Both replicas list the target's post-mortems before either opens one.
    let release = () => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    const listing = emulator.injectFault({
      method: "GET",
      path: "/repos/acme/service-security/issues",
      hold,
      times: 2,
    });
    const incident = emulator.openIssue({
      by: "alice",
      title: "Token leak in checkout logs",
      body: "Session tokens were written to the checkout service's logs.",
      labels: ["security", "incident"],
    }).number as number;
    const deadline = Date.now() + 20_000;
    while (listing.hits < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(listing.hits).toBe(2);
    release();
    await emulator.waitForIdle({ timeoutMs: 30_000 });

    expect(new Set(emulator.deliveries.map((d) => d.target)).size).toBe(2);
    const opened = issuesIn(stack, "service-security");
    expect(opened).toHaveLength(2);
    expect(opened.filter((issue) => issue.state === "open")).toHaveLength(1);
    expect(opened[1]!.body).toContain(
      `<!-- postmortem-bot:duplicate {"of":${opened[0]!.number}} -->`,
    );
    expect(issuesIn(stack, "service")).toHaveLength(1);
    expect(botComments(emulator, incident)).toHaveLength(1);
  }, 120_000);

  it("the App not installed on the target: one comment says what to fix, nothing is opened", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.addRepository("service-security", { private: true, installed: false });
    emulator.setFile(".github/postmortem.yml", SOURCE_CONFIG("acme/service-security"));
    const incident = openSecurityIncident(stack);
    await emulator.waitForIdle({ timeoutMs: 30_000 });

    expect(issuesIn(stack, "service-security")).toEqual([]);
    expect(issuesIn(stack, "service").map((issue) => issue.number)).toEqual([incident]);
    expect(appWrites(emulator)).toEqual([`POST /repos/acme/service/issues/${incident}/comments`]);
    const comments = botComments(emulator, incident);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(
      "postmortem-bot cannot reach the repository named in `private.repository` (`.github/postmortem.yml`): install the App on that repository too",
    );
    expect(comments[0]!.body).not.toMatch(/service-security/i);
  }, 90_000);

  it("a write the target refuses: one comment says what to fix, nothing is opened", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.addRepository("service-security", { private: true });
    emulator.setFile(".github/postmortem.yml", SOURCE_CONFIG("acme/service-security"));
    emulator.injectFault({
      method: "POST",
      path: "/repos/acme/service-security/issues",
      respond: { status: 403 },
      times: 10,
    });
    const incident = openSecurityIncident(stack);
    await emulator.waitForIdle({ timeoutMs: 30_000 });

    expect(issuesIn(stack, "service-security")).toEqual([]);
    expect(issuesIn(stack, "service").map((issue) => issue.number)).toEqual([incident]);
    const comments = botComments(emulator, incident);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(
      "GitHub refused postmortem-bot's write to the repository named in `private.repository` (`.github/postmortem.yml`): give the App (or the Action's `private-repository-token`) Issues: read & write there.",
    );
  }, 90_000);

  it("a target of another owner that does not accept this repository is refused", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.addRepository("incidents", { private: true, owner: "globex" });
    emulator.setFile(".github/postmortem.yml", "acceptsFrom: [acme/other]\n", {
      repo: "globex/incidents",
    });
    emulator.setFile(".github/postmortem.yml", SOURCE_CONFIG("globex/incidents"));
    const incident = openSecurityIncident(stack);
    await emulator.waitForIdle({ timeoutMs: 30_000 });

    expect(issuesIn(stack, "globex/incidents")).toEqual([]);
    expect(issuesIn(stack, "service").map((issue) => issue.number)).toEqual([incident]);
    const comments = botComments(emulator, incident);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(
      "belongs to another owner and does not accept post-mortems from this repository: its own `.github/postmortem.yml` must list `acme/service` in `acceptsFrom`.",
    );
  }, 90_000);
});
