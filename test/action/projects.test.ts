// The bundled Action with `projects:` on a user's project (the App cannot reach one): a run on the
// post-mortem's edit puts its CAPA child on the board with its date through `projects-token`, and
// the scheduled run brings a date the project's owner moved there back to the child and the row.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createGitHubEmulator } from "../../emulator/index.js";
import type { GitHubEmulator } from "../../emulator/index.js";
import { runActionBundle } from "../../scripts/action-runner.js";
import type { SpawnClock } from "../support/clock.js";
import { useFixedClock } from "../support/clock.js";
import { OVERDUE_ACTION as ACTION, openPostmortemWithChild } from "../support/overdue-fixture.js";

const ACTIONS_BOT = "github-actions[bot]";
const CONFIG = `flows:
  runIn: action
projects:
  url: https://github.com/users/rita/projects/1
  fields: { due: Due, status: Status }
`;
let emulator: GitHubEmulator;
let clock: SpawnClock;

beforeEach(async () => {
  clock = useFixedClock("2026-11-27T09:00:00Z");
  emulator = createGitHubEmulator({
    users: [
      { login: "carol", role: "write" },
      { login: "rita", role: "write" },
    ],
  });
  emulator.addUser(ACTIONS_BOT, "write", { type: "Bot" });
  emulator.setFile(".github/postmortem.yml", CONFIG);
  emulator.createProject({
    owner: "rita",
    number: 1,
    fields: [
      { name: "Due", dataType: "DATE" },
      {
        name: "Status",
        dataType: "SINGLE_SELECT",
        options: ["Open", "Fix merged", "Shipped", "Done", "Not planned"],
      },
    ],
  });
  await emulator.start();
});
afterEach(async () => {
  await emulator.stop();
  vi.useRealTimers();
});

function run(eventName: string, payload: unknown, projectsToken = emulator.tokenFor("rita")) {
  return runActionBundle({
    eventName,
    payload,
    apiUrl: emulator.apiUrl,
    token: emulator.tokenFor(ACTIONS_BOT),
    repository: `${emulator.owner}/${emulator.repoName}`,
    ...clock,
    env: { ...clock.env, "INPUT_PROJECTS-TOKEN": projectsToken },
  });
}

describe("CAPA children on a user's project, from the Action", () => {
  it("adds the child with its date on the post-mortem's edit; the scheduled run brings a moved date back", async () => {
    const { postmortem, child } = openPostmortemWithChild(emulator, ACTIONS_BOT, "2026-12-15");
    // A person edits the post-mortem: its run settles the CAPA section and the board.
    const body = emulator.issue(postmortem).body as string;
    emulator.editBody({ by: "carol", issue: postmortem, body: `${body}\n` });
    const edit = emulator.webhooks.events.filter((e) => e.event === "issues").at(-1)!;
    const first = await run("issues", structuredClone(edit.payload));
    expect(first.exitCode).toBe(0);
    expect(emulator.projectItems({ owner: "rita", project: 1 })).toEqual([
      {
        issue: child,
        repository: "acme/service",
        title: `CAPA: ${ACTION}`,
        fields: { Due: "2026-12-15", Status: "Open" },
      },
    ]);
    // Written with the projects token (rita's), not the workflow's GITHUB_TOKEN.
    const mutations = emulator.requests.filter(
      (r) => r.path === "/graphql" && JSON.stringify(r.body).includes("ProjectV2"),
    );
    expect(mutations.map((r) => r.actor)).toEqual(["rita", "rita", "rita"]);

    // rita moves the date on her board (a user's project sends no webhook).
    emulator.setProjectField({
      by: "rita",
      owner: "rita",
      project: 1,
      issue: child,
      field: "Due",
      date: "2027-01-20",
    });
    const scheduled = await run("schedule", { schedule: "0 9 * * *" });
    expect(scheduled.exitCode).toBe(0);
    expect(emulator.issue(child).body).toContain("Due: 2027-01-20\n");
    expect(emulator.issue(postmortem).body).toContain(
      `| ${ACTION} (#${child}) | @carol | 2027-01-20 | Open |\n`,
    );
    expect(emulator.projectItems({ owner: "rita", project: 1 })[0]!.fields.Due).toBe("2027-01-20");
  });

  it("with only GITHUB_TOKEN, one comment on the post-mortem names the token to give", async () => {
    const { postmortem } = openPostmortemWithChild(emulator, ACTIONS_BOT, "2026-12-15");
    const body = emulator.issue(postmortem).body as string;
    emulator.editBody({ by: "carol", issue: postmortem, body: `${body}\n` });
    const edit = emulator.webhooks.events.filter((e) => e.event === "issues").at(-1)!;
    const result = await run("issues", structuredClone(edit.payload), "");
    expect(result.exitCode).toBe(0);
    const notes = emulator
      .commentsOn(postmortem)
      .filter((c) => c.user.login === ACTIONS_BOT && c.body?.startsWith("🗂️"));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain("a classic token with the `project` scope");
    expect(emulator.projectItems({ owner: "rita", project: 1 })).toEqual([]);
  });
});
