import { describe, expect, it } from "vitest";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import {
  app,
  BOT,
  CONFIG_READS,
  commented,
  expectOnePostmortem,
  labeled,
  opened,
  postmortemsIn,
  repositoryWithIncident,
  serveConfig,
  servePermissions,
  stateReads,
  loseAnswerOfNextCreate,
  postmortemListing,
  incidentCommentsRead,
  closedPullsListing,
} from "./harness.js";

const CREATE_LABEL = [
  {
    method: "POST",
    path: "/repos/acme/web/labels",
    body: {
      name: "postmortem",
      color: "5319e7",
      description: "Post-mortem report (opened by postmortem-bot)",
    },
  },
];
const LINK_COMMENT = '📝 Post-mortem opened: #2\n\n<!-- postmortem-bot:link {"postmortem":2} -->';
const writes = <T extends { method: string }>(requests: T[]) =>
  requests.filter((request) => request.method !== "GET");

describe("an incident label opens one post-mortem", () => {
  const api = useFakeGitHub();

  it("opens exactly one prefilled post-mortem, assigned and labeled, and links it once", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api);
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const postmortem = expectOnePostmortem(repo);
    expect(api.requests).toEqual([
      ...CONFIG_READS,
      ...stateReads(),
      // No environment named: no deployments; the merged pull requests before Start (one listing).
      closedPullsListing(),
      ...CREATE_LABEL,
      {
        method: "POST",
        path: "/repos/acme/web/issues",
        body: {
          title: "Post-mortem: Checkout returns 500",
          body: postmortem.body,
          labels: ["postmortem"],
          assignees: ["bob"],
        },
      },
      // Only what the create changed is read again (another replica may have raced it) ...
      postmortemListing(),
      { method: "POST", path: "/repos/acme/web/issues/1/comments", body: { body: LINK_COMMENT } },
      // ... and what the comment changed, to see a racing replica's link comment.
      incidentCommentsRead(),
    ]);
    expect(postmortem).toMatchObject({
      number: 2,
      title: "Post-mortem: Checkout returns 500",
      assignees: [{ login: "bob" }],
    });
    expect(postmortem.body).toContain("- **Incident ID:** #1  \n");
    expect(postmortem.body).toContain("- **Reported By:** @alice  \n");
    expect(postmortem.body).toContain("- **Owner(s) of Resolution:** @bob  \n");
    expect(postmortem.body).toContain("  > Checkout fails for EU users since the 13:00 deploy.\n");
    expect(postmortem.body).toContain(
      "| 2026-11-27 13:00 UTC | Incident issue #1 opened by @alice |\n| 2026-11-27 13:07 UTC | Labeled incident by @dave |\n",
    );
    expect(
      postmortem.body.endsWith('<!-- postmortem-bot:postmortem {"incident":1,"gate":2} -->\n'),
    ).toBe(true);
    expect(repo.comments.get(1)?.map((comment) => comment.body)).toEqual([LINK_COMMENT]);
  });

  it("does nothing more on a redelivery", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api);
    const { deliver } = await createTestProbot(app);
    const event = labeled(incident);
    const deliveryId = "delivery-1";

    await deliver(event, deliveryId);
    const before = api.requests.length;
    await deliver(event, deliveryId);

    // The configuration is cached: a redelivery costs the three reads that find the work done.
    expect(api.requests.slice(before)).toEqual(stateReads());
    expectOnePostmortem(repo);
    expect(repo.comments.get(1)).toHaveLength(1);
  });

  it("does not open a second one when the label is removed and added again", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api);
    const { deliver } = await createTestProbot(app);
    await deliver(labeled(incident));
    const before = api.requests.length;

    await deliver(labeled(incident));

    expect(writes(api.requests.slice(before))).toEqual([]);
    expect(postmortemsIn(repo)).toHaveLength(1);
  });

  it("finds the post-mortem when GitHub lost the answer to the create, and creates nothing twice", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api);
    loseAnswerOfNextCreate(api, repo);
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expectOnePostmortem(repo);
    expect(
      api.requests.filter(
        (request) => request.method === "POST" && request.path === "/repos/acme/web/issues",
      ),
    ).toHaveLength(1);
    expect(writes(api.requests).map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /repos/acme/web/labels",
      "POST /repos/acme/web/issues",
      "POST /repos/acme/web/issues/1/comments",
    ]);
  });

  it("stops at once when GitHub refuses a write outright (a locked incident), instead of retrying", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api);
    api.expect("POST /repos/acme/web/issues/1/comments", {
      reply: [403, { message: "Unable to create comment because issue is locked." }],
    });
    const { deliver } = await createTestProbot(app);

    await expect(deliver(labeled(incident))).rejects.toThrow(/locked/);

    expectOnePostmortem(repo);
    expect(writes(api.requests).map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /repos/acme/web/labels",
      "POST /repos/acme/web/issues",
      "POST /repos/acme/web/issues/1/comments",
    ]);
  });

  it("opens one post-mortem when two incident labels arrive at once", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["incident", "outage"] });
    serveConfig(api, { repo: "incidentLabels: [incident, outage]\n" });
    const { deliver } = await createTestProbot(app);

    await Promise.all([
      deliver(labeled(incident, "incident")),
      deliver(labeled(incident, "outage")),
    ]);

    expectOnePostmortem(repo);
    expect(postmortemsIn(repo)).toHaveLength(1);
    expect(repo.comments.get(1)).toHaveLength(1);
  });

  it("opens one post-mortem for an issue opened with the label (opened + labeled at once)", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api);
    // The author's labels may be an issue form's: whether she may declare is read, once per delivery.
    api.expect("GET /repos/acme/web/collaborators/alice/permission", {
      times: 2,
      reply: [200, { permission: "write", role_name: "write", user: null }],
    });
    const { deliver } = await createTestProbot(app);

    await Promise.all([deliver(opened(incident)), deliver(labeled(incident, "incident", "alice"))]);

    expect(postmortemsIn(repo)).toHaveLength(1);
    expect(repo.comments.get(1)).toHaveLength(1);
  });

  it("converges to one post-mortem when two replicas handle the same event concurrently", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api);
    api.expect("DELETE /repos/acme/web/issues/comments/{comment_id}", {
      persist: true,
      reply: (request) => {
        const comments = repo.comments.get(1) ?? [];
        const index = comments.findIndex(
          (comment) => comment.id === Number(request.params.comment_id),
        );
        if (index < 0) return { status: 404, body: { message: "Not Found" } };
        comments.splice(index, 1);
        return { status: 204 };
      },
    });
    const replicaA = await createTestProbot(app);
    const replicaB = await createTestProbot(app);
    const event = labeled(incident);
    const deliveryId = "same-delivery";

    await Promise.all([replicaA.deliver(event, deliveryId), replicaB.deliver(event, deliveryId)]);

    const postmortem = expectOnePostmortem(repo);
    expect(postmortem.number).toBe(2);
    for (const duplicate of postmortemsIn(repo).filter((issue) => issue.number !== 2)) {
      expect(duplicate).toMatchObject({ state: "closed", state_reason: "duplicate" });
      expect(duplicate.body).toMatch(
        /^<!-- postmortem-bot:duplicate \{"of":2\} -->\n> \*\*Duplicate of #2\.\*\*/,
      );
      expect(repo.comments.get(duplicate.number) ?? []).toEqual([]);
    }
    expect(repo.comments.get(1)?.map((comment) => comment.body)).toEqual([LINK_COMMENT]);
  });

  it("ignores labels that are not incident labels after reading the config only", async () => {
    const { incident } = repositoryWithIncident(api, { labels: ["bug"] });
    serveConfig(api);
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident, "bug"));

    expect(api.requests).toEqual(CONFIG_READS);
  });
});

describe("events the App caused or cannot care about cost no request", () => {
  const api = useFakeGitHub();

  it("its own post-mortem opened and labeled, its own comments, other comments", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api);
    const { deliver } = await createTestProbot(app);
    await deliver(labeled(incident));
    const postmortem = expectOnePostmortem(repo);
    const before = api.requests.length;

    await deliver(opened(postmortem, BOT));
    await deliver(labeled(postmortem, "postmortem", BOT));
    await deliver(commented(incident, LINK_COMMENT, BOT));
    await deliver(commented(incident, "Rolled back, looks better", "erin"));

    expect(api.requests.slice(before)).toEqual([]);
  });
});

describe("/postmortem", () => {
  const api = useFakeGitHub();
  const permission = (role: string, permission: string) =>
    api.expect("GET /repos/acme/web/collaborators/{username}/permission", {
      reply: [200, { permission, role_name: role, user: null }],
    });

  it("opens a post-mortem for someone with triage access and acknowledges the command", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: [] });
    serveConfig(api);
    permission("triage", "read");
    api.expect("POST /repos/acme/web/issues/comments/7001/reactions", {
      body: { content: "+1" },
      reply: [201, {}],
    });
    const { deliver } = await createTestProbot(app);

    await deliver(commented(incident, "/postmortem", "carol"));

    const postmortem = expectOnePostmortem(repo);
    expect(postmortem.body).toContain("| Post-mortem requested by @carol |");
    expect(writes(api.requests)).toEqual([
      CREATE_LABEL[0],
      {
        method: "POST",
        path: "/repos/acme/web/issues",
        body: {
          title: "Post-mortem: Checkout returns 500",
          body: postmortem.body,
          labels: ["postmortem"],
          assignees: ["bob"],
        },
      },
      { method: "POST", path: "/repos/acme/web/issues/1/comments", body: { body: LINK_COMMENT } },
      {
        method: "POST",
        path: "/repos/acme/web/issues/comments/7001/reactions",
        body: { content: "+1" },
      },
    ]);
    expect(api.requests.slice(0, 3)).toEqual([
      ...CONFIG_READS,
      { method: "GET", path: "/repos/acme/web/collaborators/carol/permission" },
    ]);
  });

  it("refuses someone with read access once, with a reply that names them, and opens nothing", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: [] });
    serveConfig(api);
    permission("read", "read");
    permission("read", "read");
    const { deliver } = await createTestProbot(app);
    const event = commented(incident, "/postmortem please", "mallory");
    const deliveryId = "d-1";

    await deliver(event, deliveryId);
    await deliver(event, deliveryId);

    expect(postmortemsIn(repo)).toEqual([]);
    const replies = writes(api.requests);
    expect(replies).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/comments",
        body: {
          body: expect.stringMatching(/^@mallory, `\/postmortem` needs triage access or more/),
        },
      },
    ]);
  });
});

describe("an outsider's repeated /postmortem", () => {
  const api = useFakeGitHub();

  it("gets one reply per person, however many commands they write; another outsider gets their own", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: [] });
    serveConfig(api);
    servePermissions(api, { mallory: "read" });
    const { deliver } = await createTestProbot(app);

    await deliver(commented(incident, "/postmortem", "mallory", 7001), "d-1");
    await deliver(commented(incident, "/postmortem now", "mallory", 7002), "d-2");
    await deliver(commented(incident, "/postmortem!!", "MALLORY", 7003), "d-3");
    await deliver(commented(incident, "/postmortem", "trudy", 7004), "d-4");

    expect(postmortemsIn(repo)).toEqual([]);
    expect(writes(api.requests)).toEqual([
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/comments",
        body: {
          body: expect.stringMatching(
            /^@mallory, `\/postmortem` needs triage access[^]*<!-- postmortem-bot:refusal \{"comment":7001,"person":"mallory"\} -->$/,
          ),
        },
      },
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/comments",
        body: {
          body: expect.stringMatching(
            /^@trudy, [^]*<!-- postmortem-bot:refusal \{"comment":7004,"person":"trudy"\} -->$/,
          ),
        },
      },
    ]);
  });
});

describe("who may declare an incident (incidents.openedBy)", () => {
  const api = useFakeGitHub();
  const HELD =
    "⏸️ **No post-mortem yet: this incident waits for confirmation.** @olivia declared it, and here an incident is declared by someone with triage access or more (`incidents.openedBy`). Someone with triage access confirms it by commenting `/postmortem`, or by removing the `incident` label and adding it again.\n\n" +
    '<!-- postmortem-bot:held {"incident":1} -->';
  const readAccess = (login: string, times = 1) =>
    api.expect(`GET /repos/acme/web/collaborators/${login}/permission`, {
      times,
      reply: [200, { permission: "read", role_name: "read", user: null }],
    });

  it("an outsider's P1 from the form waits for a triager: no post-mortem, one comment, the unconfirmed label; a redelivery adds nothing", async () => {
    const { repo, incident } = repositoryWithIncident(api, {
      user: "olivia",
      labels: ["incident", "P1"],
    });
    serveConfig(api);
    readAccess("olivia", 2);
    const { deliver } = await createTestProbot(app);

    await deliver(opened(incident), "form-1");
    await deliver(opened(incident), "form-1");

    expect(postmortemsIn(repo)).toEqual([]);
    expect(repo.issue(1)!.labels.map((label) => label.name)).toEqual([
      "incident",
      "P1",
      "unconfirmed",
    ]);
    const onePass = [
      { method: "GET", path: "/repos/acme/web/collaborators/olivia/permission" },
      ...stateReads(),
    ];
    expect(api.requests).toEqual([
      ...CONFIG_READS,
      ...onePass,
      {
        method: "POST",
        path: "/repos/acme/web/issues/1/labels",
        body: { labels: ["unconfirmed"] },
      },
      { method: "POST", path: "/repos/acme/web/issues/1/comments", body: { body: HELD } },
      // What the writes changed is read again: the incident (its labels) and its comments.
      { method: "GET", path: "/repos/acme/web/issues/1" },
      incidentCommentsRead(),
      // The redelivery: the configuration is cached; the label and the comment are there.
      ...onePass,
    ]);
  });

  it("a triager's label confirms it: the post-mortem opens and the unconfirmed label goes", async () => {
    const { repo, incident } = repositoryWithIncident(api, {
      user: "olivia",
      labels: ["incident", "P1"],
    });
    serveConfig(api);
    readAccess("olivia");
    const { deliver } = await createTestProbot(app);
    await deliver(opened(incident));
    const before = api.requests.length;

    // dave labels someone else's issue: GitHub let him, so he has triage access (no request).
    await deliver(labeled(incident, "incident", "dave"));

    const postmortem = expectOnePostmortem(repo);
    expect(repo.issue(1)!.labels.map((label) => label.name)).toEqual(["incident", "P1"]);
    expect(writes(api.requests.slice(before))).toEqual([
      CREATE_LABEL[0],
      {
        method: "POST",
        path: "/repos/acme/web/issues",
        body: expect.objectContaining({ title: "Post-mortem: Checkout returns 500" }),
      },
      { method: "DELETE", path: "/repos/acme/web/issues/1/labels/unconfirmed" },
      { method: "POST", path: "/repos/acme/web/issues/1/comments", body: { body: LINK_COMMENT } },
    ]);
    expect(postmortem.number).toBe(2);
    expect(
      api.requests.some((request) => request.path.endsWith("/collaborators/dave/permission")),
    ).toBe(false);
  });

  it("a triager's `/postmortem` confirms it too", async () => {
    const { repo, incident } = repositoryWithIncident(api, {
      user: "olivia",
      labels: ["incident", "P1"],
    });
    serveConfig(api);
    readAccess("olivia");
    api.expect("GET /repos/acme/web/collaborators/carol/permission", {
      reply: [200, { permission: "read", role_name: "triage", user: null }],
    });
    api.expect("POST /repos/acme/web/issues/comments/7001/reactions", {
      body: { content: "+1" },
      reply: [201, {}],
    });
    const { deliver } = await createTestProbot(app);
    await deliver(opened(incident));

    await deliver(commented(incident, "/postmortem", "carol"));

    expectOnePostmortem(repo);
    expect(repo.issue(1)!.labels.map((label) => label.name)).toEqual(["incident", "P1"]);
  });

  it("on a private repository whoever can open the issue declares it, without a permission read", async () => {
    const { repo, incident } = repositoryWithIncident(api, {
      user: "olivia",
      labels: ["incident", "P1"],
    });
    serveConfig(api);
    const { deliver } = await createTestProbot(app);

    await deliver(
      opened(incident).edit((payload) => {
        payload.repository.private = true;
        (payload.repository as { visibility?: string }).visibility = "private";
      }),
    );

    expectOnePostmortem(repo);
    expect(api.requests.slice(0, 5)).toEqual([...CONFIG_READS, ...stateReads()]);
  });

  it("`openedBy: read` lets anyone declare on a public repository, as before", async () => {
    const { repo, incident } = repositoryWithIncident(api, {
      user: "olivia",
      labels: ["incident", "P1"],
    });
    serveConfig(api, { repo: "incidents:\n  openedBy: read\n" });
    const { deliver } = await createTestProbot(app);

    await deliver(opened(incident));

    expectOnePostmortem(repo);
    expect(api.requests.slice(0, 4)).toEqual([CONFIG_READS[0], ...stateReads()]);
  });
});
