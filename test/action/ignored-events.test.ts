// The Action's cost on the events it ignores (issue #9): every issues and issue_comment event of a
// repository starts the workflow. These run the real bundle on such events and assert what GitHub
// saw (nothing, or only the configuration reads) and which parts of dist/ were loaded: each run
// uses a copy of dist/ without the parts it must not need, so loading one fails the run.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { postmortemBody } from "../core/approvals/fixtures.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";

const ACTIONS_BOT = "github-actions[bot]";
const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const CONFIG_READS = [
  "GET /repos/acme/service/contents/.github%2Fpostmortem.yml 404",
  "GET /repos/acme/.github/contents/.github%2Fpostmortem.yml 404",
];

let emulator: GitHubEmulator;
let clock: SpawnClock;
/** The committed entry, with all of dist/ beside it. */
const ENTRY = join(DIST, "index.js");
/** dist/index.js alone: the entry must decide without any other file. */
let entryOnly: string;
/** dist/ without run.js: the full Action cannot be loaded. */
let withoutRun: string;

/** A copy of dist/ without `missing` (file names); returns its index.js. */
function distWithout(missing: (file: string) => boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "postmortem-dist-"));
  cpSync(DIST, dir, { recursive: true, filter: (source) => !missing(source.slice(DIST.length)) });
  return join(dir, "index.js");
}

beforeAll(() => {
  entryOnly = distWithout((file) => file !== "" && file !== "index.js");
  withoutRun = distWithout((file) => file === "run.js");
});
afterAll(() => {
  for (const entry of [entryOnly, withoutRun]) rmSync(join(entry, ".."), { recursive: true });
});

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T13:00:00Z");
  emulator = createGitHubEmulator({
    users: [
      { login: "dave", role: "write" },
      { login: "tina", role: "write" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  await emulator.start();
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

/** The payload GitHub sent for the latest event of this kind. */
function lastEvent(event: string, action: string) {
  const found = emulator.webhooks.events
    .filter((e) => e.event === event && e.action === action)
    .at(-1);
  if (!found) throw new Error(`no ${event}.${action} event`);
  return { eventName: event, payload: found.payload };
}

/** Runs the bundle (`bundle`: a copy's entry) and returns it with the requests GitHub saw. */
async function run(event: { eventName: string; payload: unknown }, bundle: string) {
  const before = emulator.requests.at(-1)?.seq ?? 0;
  const result = await runActionBundle({
    ...event,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    bundle,
    ...clock,
  });
  const requests = emulator.requests
    .filter((r) => r.seq > before)
    .map((r) => `${r.method} ${r.path} ${r.status}`);
  return { ...result, requests };
}

/** What the log shows without step debug logging: the lines that are not `::debug::`. */
const shown = (stdout: string) =>
  stdout.split("\n").filter((line) => line !== "" && !line.startsWith("::debug::"));

function issue(spec: { title?: string; body?: string; labels?: string[] } = {}): number {
  return emulator.openIssue({ by: "dave", title: "Typo in the docs", ...spec }).number as number;
}

describe("events the Action ignores cost no request, decided by dist/index.js alone", () => {
  it("an ordinary comment on an issue without labels", async () => {
    const number = issue();
    emulator.comment({ by: "tina", issue: number, body: "Fixed in the next release." });

    const result = await run(lastEvent("issue_comment", "created"), entryOnly);

    expect(result).toMatchObject({ exitCode: 0, outputs: {}, summary: "", requests: [] });
    expect(shown(result.stdout)).toEqual([`#${number} is not a post-mortem`]);
    expect(result.stdout).toContain(
      "::debug::postmortem-bot: an issue without any label and not opened by a bot cannot be a post-mortem: decided from the event alone",
    );
  });

  it("edits, reopenings, comment edits and deletions and the last label's removal, on issues without labels", async () => {
    const number = issue({ labels: ["bug"] });
    emulator.removeLabel({ by: "dave", issue: number, label: "bug" });
    emulator.editBody({ by: "dave", issue: number, body: "Now with steps to reproduce." });
    const comment = emulator.comment({ by: "tina", issue: number, body: "Thanks!" });
    emulator.editComment({ by: "tina", commentId: comment.id, body: "Thanks a lot!" });
    emulator.deleteComment({ by: "tina", commentId: comment.id });
    emulator.closeIssue({ by: "dave", issue: number });
    emulator.reopenIssue({ by: "dave", issue: number });

    for (const [event, action] of [
      ["issues", "unlabeled"],
      ["issues", "edited"],
      ["issues", "reopened"],
      ["issue_comment", "edited"],
      ["issue_comment", "deleted"],
    ] as const) {
      const result = await run(lastEvent(event, action), entryOnly);
      expect(result, `${event}.${action}`).toMatchObject({
        exitCode: 0,
        outputs: {},
        requests: [],
      });
      expect(shown(result.stdout), `${event}.${action}`).toEqual([
        `#${number} is not a post-mortem`,
      ]);
    }
  });

  it("events the gate never looks at, even on a post-mortem: an assignment, an issue opened without labels", async () => {
    const number = issue({ labels: ["postmortem"] });
    emulator.assign({ by: "dave", issue: number, assignees: ["tina"] });
    const assigned = lastEvent("issues", "assigned");
    issue();
    for (const event of [assigned, lastEvent("issues", "opened")]) {
      const result = await run(event, entryOnly);
      const name = `${event.eventName}.${(event.payload as { action: string }).action}`;
      expect(result, name).toMatchObject({ exitCode: 0, outputs: {}, requests: [] });
      expect(shown(result.stdout)).toEqual([`${name}: nothing for the approval gate.`]);
    }
  });

  it("a comment on a pull request, and an /approve by a bot, even on a post-mortem", async () => {
    const number = issue({
      title: "Post-mortem: outage",
      body: postmortemBody(),
      labels: ["postmortem"],
    });
    emulator.comment({ by: "tina", issue: number, body: "/approve tl" });
    const approve = lastEvent("issue_comment", "created");
    const byBot = structuredClone(approve.payload) as {
      comment: { user: { login: string; type: string } };
    };
    byBot.comment.user = { login: "renovate[bot]", type: "Bot" };
    const onPull = structuredClone(approve.payload) as { issue: Record<string, unknown> };
    onPull.issue.pull_request = { url: "https://example.test/pulls/1" };

    for (const payload of [byBot, onPull]) {
      const result = await run({ eventName: "issue_comment", payload }, entryOnly);
      expect(result).toMatchObject({ exitCode: 0, outputs: {}, requests: [] });
      expect(shown(result.stdout)).toEqual([
        "issue_comment.created: nothing for the approval gate.",
      ]);
    }
  });
});

describe("events on issues with labels cost only the configuration read, without loading dist/run.js", () => {
  it("a comment on an issue whose labels are no post-mortem label: the repository's file, then the org's", async () => {
    const number = issue({ labels: ["bug", "P2"] });
    emulator.comment({ by: "tina", issue: number, body: "Still happens on 1.4." });

    const result = await run(lastEvent("issue_comment", "created"), withoutRun);

    expect(result).toMatchObject({ exitCode: 0, outputs: {}, summary: "" });
    expect(result.requests).toEqual(CONFIG_READS);
    expect(shown(result.stdout)).toEqual([`#${number} is not a post-mortem`]);
  });

  it("custom postmortemLabels in the repository: one read, and the default label means nothing", async () => {
    emulator.setFile(".github/postmortem.yml", "postmortemLabels: [' Retro ']\n");
    const number = issue({ labels: ["postmortem"] });
    emulator.addLabel({ by: "dave", issue: number, label: "incident" });

    const result = await run(lastEvent("issues", "labeled"), withoutRun);

    expect(result).toMatchObject({ exitCode: 0, outputs: {} });
    expect(result.requests).toEqual([
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml 200",
    ]);
    expect(shown(result.stdout)).toEqual([`#${number} is not a post-mortem`]);
  });

  it("postmortemLabels from the org's .github repository: two reads", async () => {
    emulator.setFile(".github/postmortem.yml", "postmortemLabels: [retro]\n", { repo: ".github" });
    const number = issue({ labels: ["bug"] });
    emulator.editBody({ by: "dave", issue: number, body: "More detail." });

    const result = await run(lastEvent("issues", "edited"), withoutRun);

    expect(result.exitCode).toBe(0);
    expect(result.requests).toEqual([
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml 404",
      "GET /repos/acme/.github/contents/.github%2Fpostmortem.yml 200",
    ]);
    expect(shown(result.stdout)).toEqual([`#${number} is not a post-mortem`]);
  });

  it("an issue opened with labels (maybe an incident: flows.runIn decides), by default left to the App", async () => {
    issue({ labels: ["postmortem"] });

    const result = await run(lastEvent("issues", "opened"), withoutRun);

    expect(result).toMatchObject({ exitCode: 0, outputs: {}, summary: "" });
    expect(result.requests).toEqual(CONFIG_READS);
    expect(shown(result.stdout)).toEqual(["issues.opened: nothing for the approval gate."]);
    expect(result.stdout).toContain(
      "::debug::postmortem-bot: flows.runIn is app: the App runs the incident and CAPA flows",
    );
  });

  it("a person's issue without labels whose body carries the post-mortem marker costs no request: a typed marker proves nothing", async () => {
    const number = issue({
      body: 'Copied.\n\n<!-- postmortem-bot:postmortem {"incident":1} -->\n',
    });
    emulator.comment({ by: "tina", issue: number, body: "Where did the label go?" });

    const result = await run(lastEvent("issue_comment", "created"), withoutRun);

    expect(result.exitCode).toBe(0);
    expect(result.requests).toEqual([]);
    expect(shown(result.stdout)).toEqual([`#${number} is not a post-mortem`]);
  });
});

describe("events that concern the gate still run in full", () => {
  it("a comment on a post-mortem loads dist/run.js, which reads the configuration no second time", async () => {
    const number = issue({
      title: "Post-mortem: outage",
      body: postmortemBody(),
      labels: ["postmortem"],
    });
    emulator.comment({ by: "tina", issue: number, body: "Looks good to me." });
    const event = lastEvent("issue_comment", "created");

    // Without dist/run.js the run fails: the copies above would catch a load of it.
    const missing = await run(event, withoutRun);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stdout).toContain("run.js");

    const result = await run(event, ENTRY);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ approved: "false", missing: expect.any(String) });
    expect(result.summary).toContain("Approvals incomplete");
    const configReads = result.requests.filter((r) => r.includes("/contents/"));
    expect(configReads).toEqual(CONFIG_READS);
    expect(result.requests.slice(0, 2)).toEqual(CONFIG_READS);
    expect(result.requests).toContain(`GET /repos/acme/service/issues/${number} 200`);
  });

  it("a broken configuration is still reported on an event on a post-mortem", async () => {
    emulator.setFile(".github/postmortem.yml", "approvals:\n  required: [cto]\n");
    const number = issue({ body: postmortemBody(), labels: ["postmortem"] });
    emulator.comment({ by: "tina", issue: number, body: "Any news?" });

    const result = await run(lastEvent("issue_comment", "created"), ENTRY);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("::warning::The configuration in");
    expect(result.stdout).toContain("approvals.required[0]: `cto` is neither a role");
    // The entry's read found a post-mortem label; the full Action read again to report.
    expect(result.requests).toEqual([
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml 200",
      "GET /repos/acme/service/contents/.github%2Fpostmortem.yml 200",
    ]);
  });

  it("a close of an issue without labels is judged as before (configuration read, nothing else)", async () => {
    const number = issue();
    emulator.closeIssue({ by: "dave", issue: number });

    const result = await run(lastEvent("issues", "closed"), ENTRY);

    expect(result).toMatchObject({ exitCode: 0, outputs: {}, requests: CONFIG_READS });
    expect(shown(result.stdout)).toEqual([`#${number} is not a post-mortem`]);
  });
});
