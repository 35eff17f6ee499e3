// End to end, issue #20: the real App server against the GitHub emulator. A post-mortem opened
// after deployments lists the pull requests each shipped; `/culprit` links a pull request both
// ways; a later pull request touching its files gets one check run per head commit, never two;
// a second incident whose culprit touches the same files is linked to the first.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { bodyOf, settle } from "./capa-helpers.js";
import type { Stack } from "./stack.js";
import { botComments, lastSeq, loopbackOnly, postmortemsFor, startStack } from "./stack.js";

const CHECK = "postmortem-bot / implicated code";

let stack: Stack | undefined;
beforeAll(() => loopbackOnly());
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** carol's pull request changing `paths`, merged by alice at `at`; its number and merge sha. */
function merged(emulator: GitHubEmulator, title: string, paths: string[], at: string) {
  const pull = emulator.openPullRequest({
    by: "carol",
    title,
    files: paths.map((path) => ({ path })),
    at,
  });
  const number = pull.number as number;
  emulator.mergePullRequest({ by: "alice", number, at });
  return number;
}

/** A deployment of the default branch's head to production at `at`, then its status. */
function deploy(emulator: GitHubEmulator, at: string, state: "success" | "failure" = "success") {
  const deployment = emulator.createDeployment({
    by: "alice",
    sha: emulator.branchSha({}),
    ref: "main",
    environment: "production",
    at,
  });
  emulator.setDeploymentStatus({ by: "alice", deployment: deployment.id, state, at });
  return deployment;
}

/** The App's requests since `since`, as "METHOD /path". */
function appRequests(emulator: GitHubEmulator, since: number) {
  return emulator
    .appRequests()
    .filter((r) => r.seq > since)
    .map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
}

const changesBlock = (body: string) =>
  body.slice(
    body.indexOf("<!-- postmortem-bot:changes:start -->"),
    body.indexOf("<!-- postmortem-bot:changes:end -->"),
  );

async function incidentPostmortem(emulator: GitHubEmulator, title: string, at?: string) {
  const incident = emulator.openIssue({
    by: "alice",
    title,
    body: "Payments fail.",
    labels: ["incident", "P2", "env:production"],
    ...(at ? { at } : {}),
  }).number as number;
  await settle(emulator);
  const postmortems = postmortemsFor(emulator, incident, "open");
  expect(postmortems).toHaveLength(1);
  return postmortems[0]!.number;
}

describe("changes before the incident, culprits and the culprit check (e2e)", () => {
  it("lists what each deployment shipped, links a culprit both ways, warns the next pull request once per head commit, and links a repeat", async () => {
    stack = await startStack();
    const { emulator } = stack;
    emulator.setPermission("carol", "write");
    emulator.addUser("dave", "read");

    // Before the incident (opened at the stack's start, 2026-11-27 13:00 UTC; look-back 24 h):
    // #1 shipped by a deployment outside the window (the base of the next one's compare),
    // #2 by one inside it, #3 by the newest; a failed deployment after them changes nothing.
    const first = merged(
      emulator,
      "Retry card charges",
      ["src/pay/charge.ts"],
      "2026-11-25T20:00:00Z",
    );
    deploy(emulator, "2026-11-25T21:00:00Z");
    const second = merged(
      emulator,
      "Refund in the background",
      ["src/pay/refund.ts"],
      "2026-11-26T15:00:00Z",
    );
    deploy(emulator, "2026-11-26T16:00:00Z");
    const third = merged(
      emulator,
      "Round <b>totals</b> | cents",
      ["src/cart/total.ts", "src/pay/charge.ts"],
      "2026-11-27T08:00:00Z",
    );
    deploy(emulator, "2026-11-27T09:00:00Z");
    deploy(emulator, "2026-11-27T10:00:00Z", "failure");
    await settle(emulator);

    const postmortem = await incidentPostmortem(emulator, "Card payments fail");
    const block = changesBlock(bodyOf(emulator, postmortem));
    const listed = (text: string) =>
      [...text.matchAll(/^ {2}- #(\d+) /gm)].map((m) => Number(m[1]));
    const [newest, older] = block.split(/^- \*\*/m).slice(1);
    expect(newest).toMatch(/^2026-11-27 09:00 UTC\*\*: `main` at `[0-9a-f]{7}` by @alice/);
    expect(listed(newest!)).toEqual([third]);
    expect(older).toMatch(/^2026-11-26 16:00 UTC\*\*/);
    expect(listed(older!)).toEqual([second]);
    expect(block).not.toContain(`#${first} `);
    // Hostile title: inert.
    expect(block).not.toContain("<b>");
    expect(bodyOf(emulator, postmortem)).toContain("Deployed `main` to `production` by @alice");

    // /culprit #3 by alice (maintain): Root Cause Analysis line, one comment on the pull request.
    let since = lastSeq(emulator);
    emulator.comment({ by: "alice", issue: postmortem, body: `/culprit #${third}` });
    await settle(emulator);
    expect(bodyOf(emulator, postmortem)).toMatch(
      new RegExp(
        `- \\*\\*Contributing change:\\*\\* #${third} .* by @carol \\(merged 2026-11-27\\)`,
      ),
    );
    const onPull = botComments(emulator, third);
    expect(onPull).toHaveLength(1);
    expect(onPull[0]!.body).toContain(`contributing cause of post-mortem #${postmortem}`);
    const index = emulator
      .issues({ state: "all", label: "postmortem-bot:path-index" })
      .map((issue) => issue.number as number);
    expect(index).toHaveLength(1);
    expect(emulator.issue(index[0]!).locked).toBe(true);
    expect(appRequests(emulator, since).filter((r) => !r.startsWith("GET "))).toContain(
      `POST /repos/acme/service/issues/${index[0]}/comments`,
    );
    // A redelivery of the command writes nothing more.
    since = lastSeq(emulator);
    const command = emulator.deliveries.findLast((d) => d.event === "issue_comment")!;
    await emulator.redeliver(command.deliveryId);
    await settle(emulator);
    expect(appRequests(emulator, since).filter((r) => !r.startsWith("GET "))).toEqual([]);
    expect(botComments(emulator, third)).toHaveLength(1);

    // dave (read access, a fork would do the same) opens a pull request touching charge.ts.
    const later = emulator.openPullRequest({
      by: "dave",
      title: "Charge in cents",
      files: [{ path: "src/pay/charge.ts" }, { path: "docs/pay.md" }],
    });
    await settle(emulator);
    const firstHead = (
      emulator.lastEvent("pull_request", "opened").payload.pull_request as { head: { sha: string } }
    ).head.sha;
    const runs = emulator.checkRunsOn(firstHead).filter((run) => run.name === CHECK);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.conclusion).toBe("neutral");
    expect(runs[0]!.output.summary).toContain(`#${postmortem}`);
    expect(runs[0]!.output.summary).toContain("src/pay/charge.ts");
    expect(runs[0]!.output.summary).not.toContain("docs/pay.md");

    // Its delivery again: still one run on that commit, and no write.
    since = lastSeq(emulator);
    const opened = emulator.deliveries.findLast((d) => d.event === "pull_request")!;
    await emulator.redeliver(opened.deliveryId);
    await settle(emulator);
    expect(emulator.checkRunsOn(firstHead).filter((run) => run.name === CHECK)).toHaveLength(1);
    expect(appRequests(emulator, since).filter((r) => !r.startsWith("GET "))).toEqual([]);

    // A push: one run on the new head commit too, the old one untouched.
    const pushed = emulator.pushToPullRequest({
      number: later.number as number,
      files: [{ path: "src/pay/charge.ts" }],
    });
    await settle(emulator);
    const secondHead = (pushed as { head: { sha: string } }).head.sha;
    expect(secondHead).not.toBe(firstHead);
    expect(emulator.checkRunsOn(secondHead).filter((run) => run.name === CHECK)).toHaveLength(1);
    expect(emulator.checkRunsOn(firstHead).filter((run) => run.name === CHECK)).toHaveLength(1);

    // A second incident: its culprit (the later pull request, merged) touches charge.ts again.
    emulator.mergePullRequest({ by: "alice", number: later.number as number });
    await settle(emulator);
    const repeat = await incidentPostmortem(emulator, "Card payments fail again");
    emulator.comment({ by: "alice", issue: repeat, body: `/culprit #${String(later.number)}` });
    await settle(emulator);
    const relatedLine = (issue: number) =>
      bodyOf(emulator, issue)
        .split("\n")
        .filter((line) => line.includes("Possibly related"));
    expect(relatedLine(repeat)).toHaveLength(1);
    expect(relatedLine(repeat)[0]).toContain(`#${postmortem}`);
    expect(relatedLine(postmortem)).toHaveLength(1);
    expect(relatedLine(postmortem)[0]).toContain(`#${repeat}`);
  });
});
