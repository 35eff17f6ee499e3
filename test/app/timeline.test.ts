import { describe, expect, it } from "vitest";
import type { FakeGitHub } from "../support/github-api.js";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import { makeUser, webhook } from "../support/webhooks.js";
import {
  app,
  asPayloadIssue,
  BOT,
  closed,
  commented,
  edited,
  expectOnePostmortem,
  labeled,
  postmortemListing,
  repositoryWithIncident,
  serveConfig,
} from "./harness.js";

/** Incident #1 (opened 13:00:01 UTC, labeled 13:07 by dave) with its post-mortem #2. */
async function withPostmortem(api: FakeGitHub) {
  const { repo, incident } = repositoryWithIncident(api);
  serveConfig(api);
  const probot = await createTestProbot(app);
  await probot.deliver(labeled(incident));
  const postmortem = repo.issue(expectOnePostmortem(repo).number)!;
  expect(postmortem.number).toBe(2);
  const mark = api.requests.length;
  return { repo, incident, postmortem, requestsSince: () => api.requests.slice(mark), ...probot };
}

const permission = (api: FakeGitHub, role: string) =>
  api.expect("GET /repos/acme/web/collaborators/{username}/permission", {
    reply: [200, { permission: role === "triage" ? "read" : role, role_name: role, user: null }],
  });
const reaction = (api: FakeGitHub) =>
  api.expect("POST /repos/acme/web/issues/comments/7001/reactions", {
    body: { content: "+1" },
    reply: [201, {}],
  });

const READ_INCIDENT = { method: "GET", path: "/repos/acme/web/issues/1" };
const READ_POSTMORTEM = { method: "GET", path: "/repos/acme/web/issues/2" };

function timelineRows(body: string): string[] {
  const section = body.slice(body.indexOf("## 4. Timeline of Events"), body.indexOf("## 5."));
  return section.split("\n").filter((line) => line.startsWith("| 2026"));
}

describe("/timeline", () => {
  const api = useFakeGitHub();

  it("adds a row for a triager and reacts; a redelivery adds nothing", async () => {
    const { repo, incident, deliver, requestsSince } = await withPostmortem(api);
    const before = repo.issue(2)!.body!;
    permission(api, "triage");
    permission(api, "triage");
    reaction(api);
    reaction(api);
    const event = commented(incident, "/timeline 13:20 Deployment 4411 | started", "carol");

    await deliver(event, "timeline-1");

    const body = repo.issue(2)!.body!;
    expect(body).toBe(
      before
        .replace(
          "| 2026-11-27 13:07 UTC | Labeled incident by @dave |\n",
          "| 2026-11-27 13:07 UTC | Labeled incident by @dave |\n| 2026-11-27 13:20 UTC | Deployment 4411 \\| started |\n",
        )
        .replace(/\n$/, `\n${/<!-- postmortem-bot:timeline .* -->/.exec(body)![0]}\n`),
    );
    expect(timelineRows(body)).toEqual([
      "| 2026-11-27 13:00 UTC | Incident issue #1 opened by @alice |",
      "| 2026-11-27 13:07 UTC | Labeled incident by @dave |",
      "| 2026-11-27 13:20 UTC | Deployment 4411 \\| started |",
    ]);
    expect(requestsSince()).toEqual([
      { method: "GET", path: "/repos/acme/web/collaborators/carol/permission" },
      READ_INCIDENT,
      postmortemListing(),
      READ_POSTMORTEM,
      { method: "PATCH", path: "/repos/acme/web/issues/2", body: { body } },
      READ_POSTMORTEM,
      {
        method: "POST",
        path: "/repos/acme/web/issues/comments/7001/reactions",
        body: { content: "+1" },
      },
    ]);

    const mark = api.requests.length;
    await deliver(event, "timeline-1");
    expect(api.requests.slice(mark).filter((request) => request.method === "PATCH")).toEqual([]);
    expect(repo.issue(2)!.body).toBe(body);

    // The App's own edit coming back costs nothing.
    const own = api.requests.length;
    await deliver(edited(repo.issue(2)!, before, BOT));
    expect(api.requests.slice(own)).toEqual([]);
  });

  it("works on the post-mortem too, with a date", async () => {
    const { repo, postmortem, deliver, requestsSince } = await withPostmortem(api);
    permission(api, "write");
    reaction(api);

    await deliver(commented(postmortem, "/timeline 2026-11-27 12:40 Alert fired", "carol"));

    expect(timelineRows(repo.issue(2)!.body!)[0]).toBe("| 2026-11-27 12:40 UTC | Alert fired |");
    expect(requestsSince().map((request) => `${request.method} ${request.path}`)).toEqual([
      "GET /repos/acme/web/collaborators/carol/permission",
      "GET /repos/acme/web/issues/1",
      "GET /repos/acme/web/issues/2",
      "PATCH /repos/acme/web/issues/2",
      "GET /repos/acme/web/issues/2",
      "POST /repos/acme/web/issues/comments/7001/reactions",
    ]);
  });

  it("refuses a reader once, with one short reply, and changes nothing", async () => {
    const { repo, incident, deliver, requestsSince } = await withPostmortem(api);
    const before = repo.issue(2)!.body;
    permission(api, "read");
    permission(api, "read");
    const event = commented(incident, "/timeline 13:20 Deployment started", "mallory");

    await deliver(event, "d-1");
    await deliver(event, "d-1");

    expect(repo.issue(2)!.body).toBe(before);
    expect(requestsSince().filter((request) => request.method !== "GET")).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/comments",
        body: {
          body: '@mallory, `/timeline` needs triage access or more to this repository, so no row was added.\n\n<!-- postmortem-bot:timeline-reply {"comment":7001,"person":"mallory"} -->',
        },
      },
    ]);
  });

  it("refuses a reader once however many commands they write (one reply per person)", async () => {
    const { repo, incident, deliver, requestsSince } = await withPostmortem(api);
    const before = repo.issue(2)!.body;
    permission(api, "read");
    permission(api, "read");
    permission(api, "read");

    await deliver(commented(incident, "/timeline 13:20 One", "mallory", 7001), "d-1");
    await deliver(commented(incident, "/timeline 13:21 Two", "mallory", 7002), "d-2");
    await deliver(commented(incident, "/timeline 13:22 Three", "mallory", 7003), "d-3");

    expect(repo.issue(2)!.body).toBe(before);
    expect(requestsSince().filter((request) => request.method !== "GET")).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/comments",
        body: {
          body: '@mallory, `/timeline` needs triage access or more to this repository, so no row was added.\n\n<!-- postmortem-bot:timeline-reply {"comment":7001,"person":"mallory"} -->',
        },
      },
    ]);
  });

  it("answers a malformed command with the syntax, once", async () => {
    const { repo, incident, deliver, requestsSince } = await withPostmortem(api);
    const before = repo.issue(2)!.body;
    permission(api, "triage");
    permission(api, "triage");
    const event = commented(incident, "/timeline 25:10 Deployment started", "carol");

    await deliver(event, "d-2");
    await deliver(event, "d-2");

    expect(repo.issue(2)!.body).toBe(before);
    expect(requestsSince().filter((request) => request.method !== "GET")).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/comments",
        body: {
          body: '@carol, I could not read that `/timeline` command. Write `/timeline HH:MM what happened` or `/timeline YYYY-MM-DD HH:MM what happened` (times in UTC; without a date, the day the incident was opened).\n\n<!-- postmortem-bot:timeline-reply {"comment":7001} -->',
        },
      },
    ]);
  });
});

describe("the incident's history", () => {
  const api = useFakeGitHub();

  it("closing the incident fills End and Duration and adds a row", async () => {
    const { repo, incident, deliver, requestsSince } = await withPostmortem(api);
    incident.state = "closed";
    incident.state_reason = "completed";
    incident.closed_at = "2026-11-27T15:35:30Z";
    incident.updated_at = incident.closed_at;

    await deliver(
      closed(incident, "completed", "erin").edit((payload) => {
        payload.issue.closed_at = "2026-11-27T15:35:30Z";
        payload.issue.updated_at = "2026-11-27T15:35:30Z";
      }),
    );

    const body = repo.issue(2)!.body!;
    expect(body).toContain("- **Date & Time (End):** 2026-11-27 15:35 UTC  \n");
    // Reported 13:00 (Start left blank).
    expect(body).toContain("- **Duration:** 2 h 35 min  \n");
    expect(timelineRows(body).at(-1)).toBe("| 2026-11-27 15:35 UTC | Incident closed by @erin |");
    expect(requestsSince()).toEqual([
      READ_INCIDENT,
      postmortemListing(),
      READ_POSTMORTEM,
      { method: "PATCH", path: "/repos/acme/web/issues/2", body: { body } },
      READ_POSTMORTEM,
    ]);
  });

  it("a severity label added and an assignment become rows; other labels do not", async () => {
    const { repo, incident, deliver } = await withPostmortem(api);
    incident.labels.push({ ...incident.labels[0]!, name: "sev1" });
    await deliver(labeled(incident, "sev1", "dave"));
    const mark = api.requests.length;
    await deliver(labeled(incident, "bug", "dave"));
    expect(api.requests.slice(mark)).toEqual([]);
    await deliver(
      webhook("issues.assigned")
        .repo("acme", "web")
        .issue(asPayloadIssue(incident))
        .sender("dave")
        .installation(1)
        .edit((payload) => {
          payload.assignee = { ...makeUser("erin"), type: "User" };
          payload.issue.updated_at = "2026-11-27T13:40:00Z";
        }),
    );

    expect(timelineRows(repo.issue(2)!.body!)).toEqual([
      "| 2026-11-27 13:00 UTC | Incident issue #1 opened by @alice |",
      "| 2026-11-27 13:07 UTC | Labeled incident by @dave |",
      "| 2026-11-27 13:07 UTC | Labeled sev1 by @dave |",
      "| 2026-11-27 13:40 UTC | Assigned @erin by @dave |",
    ]);
  });
});
