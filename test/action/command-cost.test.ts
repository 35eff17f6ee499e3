// What commands cost when outsiders post them (issue #18, finding 4), through the bundled Action
// against the emulator: every run's exact requests. Someone who may fill no role costs their own
// permission and a read of the comments; nobody else's access is read for them, and they get one
// reply per post-mortem however often they comment.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import { benchCommands } from "../../scripts/bench/commands.js";
import { postmortemBody } from "../core/approvals/fixtures.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";

const ACTIONS_BOT = "github-actions[bot]";
const TODAY = "2026-11-27";
const REPO = "/repos/acme/service";
const CONFIG = [
  `GET ${REPO}/contents/.github/postmortem.yml`,
  "GET /repos/acme/.github/contents/.github/postmortem.yml",
];
let clock: SpawnClock;

beforeEach(() => {
  clock = useFixedClock(`${TODAY}T13:00:00Z`);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("npm run bench: the runs after 300 outsiders' /approve comments", () => {
  it("one more outsider's run makes 8 requests; a collaborator's /approve and a close 17 each", async () => {
    const figures = await benchCommands(300, clock);
    const pages = Array.from({ length: 4 }, () => `GET ${REPO}/issues/1/comments`);
    const read = [`GET ${REPO}/issues/1`, ...pages, "POST /graphql"];
    expect(figures.runs).toEqual([
      {
        run: "/approve by an outsider, after 300 by outsiders",
        // The commenter's permission, the comments (for an earlier reply to them), one reply.
        requests: [
          ...CONFIG,
          `GET ${REPO}/collaborators/outsider-0/permission`,
          ...pages,
          `POST ${REPO}/issues/1/comments`,
        ],
        exitCode: 0,
      },
      {
        run: "/approve tl by a collaborator, after them",
        // Neither the outsiders' access nor their comments' edit history: one GraphQL query.
        requests: [
          ...CONFIG,
          `GET ${REPO}/collaborators/tina/permission`,
          ...read,
          `PATCH ${REPO}/issues/1`,
          ...read,
          expect.stringMatching(new RegExp(`^POST ${REPO}/issues/comments/\\d+/reactions$`)),
        ],
        exitCode: 0,
      },
      {
        run: "close of the post-mortem, after them",
        requests: [
          ...CONFIG,
          ...read,
          // Named in section 9 by her approval.
          `GET ${REPO}/collaborators/tina/permission`,
          `POST ${REPO}/issues/1/comments`,
          `PATCH ${REPO}/issues/1`,
          ...read,
        ],
        exitCode: 1,
      },
    ]);
    expect(figures.runs[0]!.requests.length).toBeLessThanOrEqual(10);
  }, 120_000);
});

describe("commands of people who may fill no role", () => {
  let emulator: GitHubEmulator;
  beforeEach(async () => {
    emulator = createGitHubEmulator({
      users: [
        { login: "tina", role: "write" },
        { login: "dave", role: "write" },
        { login: "olga", role: "none" },
        { login: "rita", role: "read" },
      ],
    });
    emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
    await emulator.start();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  const lastSeq = () => emulator.requests.at(-1)?.seq ?? 0;
  const requestsSince = (since: number) =>
    emulator.requests
      .filter((r) => r.seq > since && r.actor === ACTIONS_BOT)
      .map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
  /** Runs the Action on the latest event, as the runner would; the requests it made. */
  async function runLatest(): Promise<{ exitCode: number | null; requests: string[] }> {
    const event = emulator.webhooks.events.at(-1)!;
    const since = lastSeq();
    const result = await runActionBundle({
      eventName: event.event,
      payload: event.payload,
      apiUrl: emulator.apiUrl,
      token: emulator.tokenFor(ACTIONS_BOT),
      repository: `${emulator.owner}/${emulator.repoName}`,
      ...clock,
    });
    return { exitCode: result.exitCode, requests: requestsSince(since) };
  }
  const replies = (issue: number) =>
    emulator
      .commentsOn(issue)
      .filter((c) => c.user.login === ACTIONS_BOT)
      .map((c) => c.body);

  it("stop after the commenter's permission, reply once per person, and leave the approvals to the next run that may act", async () => {
    const number = emulator.openIssue({
      by: "postmortem-bot[bot]",
      title: "Post-mortem: Checkout returns 500",
      body: postmortemBody(),
      labels: ["postmortem"],
    }).number as number;
    // tina's run was cancelled (the workflow's concurrency group): her approval is not written yet.
    emulator.comment({ by: "tina", issue: number, body: "/approve tl" });

    emulator.comment({ by: "olga", issue: number, body: "/approve" });
    const refusal = [
      ...CONFIG,
      `GET ${REPO}/collaborators/olga/permission`,
      `GET ${REPO}/issues/${number}/comments`,
    ];
    expect(await runLatest()).toEqual({
      exitCode: 0,
      requests: [...refusal, `POST ${REPO}/issues/${number}/comments`],
    });
    // A person who typed a reply's marker gets no say in who was answered.
    emulator.comment({
      by: "rita",
      issue: number,
      body: `<!-- postmortem-bot:approve-refusal {"comment":1,"login":"rita"} -->`,
    });
    emulator.comment({ by: "rita", issue: number, body: "/unapprove" });
    expect(await runLatest()).toEqual({
      exitCode: 0,
      requests: [
        ...CONFIG,
        `GET ${REPO}/collaborators/rita/permission`,
        `GET ${REPO}/issues/${number}/comments`,
        `POST ${REPO}/issues/${number}/comments`,
      ],
    });
    for (const body of ["/approve tech lead", "/unapprove", "/approve product"]) {
      emulator.comment({ by: "olga", issue: number, body });
      expect(await runLatest(), body).toEqual({ exitCode: 0, requests: refusal });
    }
    expect(replies(number)).toEqual([
      expect.stringMatching(/^@olga may not fill any approver role \(/),
      expect.stringMatching(/^@rita has no approval to withdraw\. Nothing was written\./),
    ]);
    expect(emulator.issue(number).body).toBe(postmortemBody());

    // The next run that goes on (a close) writes tina's approval, reading only her access.
    emulator.closeIssue({ by: "dave", issue: number });
    const read = [
      `GET ${REPO}/issues/${number}`,
      `GET ${REPO}/issues/${number}/comments`,
      "POST /graphql",
    ];
    expect(await runLatest()).toEqual({
      exitCode: 1,
      requests: [
        ...CONFIG,
        ...read,
        `GET ${REPO}/collaborators/tina/permission`,
        `PATCH ${REPO}/issues/${number}`,
        ...read,
        `POST ${REPO}/issues/${number}/comments`,
        `PATCH ${REPO}/issues/${number}`,
        ...read,
      ],
    });
    expect(emulator.issue(number).body).toBe(postmortemBody({ techLead: `@tina (${TODAY})` }));
    expect(emulator.issue(number).state).toBe("open");
    // The edit history read was that of the collaborators' commands (rita has read access), not
    // olga's.
    const graphql = emulator.requests.filter((r) => r.path === "/graphql").at(-1)!;
    const collaborators = emulator
      .commentsOn(number)
      .filter((c) => c.body.startsWith("/") && c.user.login !== "olga");
    expect(collaborators.map((c) => `${c.user.login}: ${c.body}`)).toEqual([
      "tina: /approve tl",
      "rita: /unapprove",
    ]);
    expect(graphql.body).toMatchObject({
      variables: { ids: collaborators.map((c) => c.node_id) },
    });
  });
});
