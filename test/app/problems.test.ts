import { describe, expect, it } from "vitest";
import { createPostmortemApp } from "../../src/app/app.js";
import { parseMarkdown, walk } from "../../src/core/markdown.js";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import { webhook } from "../support/webhooks.js";
import {
  app,
  CONFIG_READS,
  asPayloadIssue,
  expectOnePostmortem,
  labeled,
  NOW,
  postmortemsIn,
  repositoryWithIncident,
  serveConfig,
} from "./harness.js";

const REPO_CONFIG_READ = [CONFIG_READS[0]];
const COMMENTS_READ = {
  method: "GET",
  path: "/repos/acme/web/issues/1/comments",
  query: { per_page: "100" },
};

function onlyComment(requests: Array<{ method: string; path: string; body?: unknown }>) {
  const writes = requests.filter((request) => request.method !== "GET");
  expect(writes).toHaveLength(1);
  expect(writes[0]).toMatchObject({ method: "POST", path: "/repos/acme/web/issues/1/comments" });
  return (writes[0]!.body as { body: string }).body;
}

describe("a broken configuration is reported on the incident, and nothing else happens", () => {
  const api = useFakeGitHub();

  it("bad YAML: names the file and the line", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, { repo: "incidentLabels: [incident\ntimezone: UTC\n" });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expect(api.requests.filter((request) => request.method === "GET")).toEqual([
      ...REPO_CONFIG_READ,
      COMMENTS_READ,
    ]);
    const body = onlyComment(api.requests);
    expect(body).toContain("`.github/postmortem.yml`");
    expect(body).toContain("invalid YAML");
    expect(body).toMatch(/line 2, column \d+/);
    expect(postmortemsIn(repo)).toEqual([]);
  });

  it("unknown key and wrong type: lists each with its path, once even if redelivered", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, { repo: "incidentLabel: [incident]\ntimezone: 5\n" });
    const { deliver } = await createTestProbot(app);
    const event = labeled(incident);
    const deliveryId = "d-1";

    await deliver(event, deliveryId);
    await deliver(event, deliveryId);

    const body = onlyComment(api.requests);
    expect(body).toContain(
      "The configuration in `https://api.github.com/repos/acme/web/contents/.github%2Fpostmortem.yml` is invalid:",
    );
    expect(body).toContain("- (top level): unknown key `incidentLabel`");
    expect(body).toContain("- timezone: Invalid input: expected string, received number");
    expect(postmortemsIn(repo)).toEqual([]);
  });

  it("stays silent on events that would not have been triggers", async () => {
    const { incident } = repositoryWithIncident(api, { labels: ["bug"] });
    serveConfig(api, { repo: "incidentLabels: [outage]\nbogus: 1\n" });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident, "bug"));
    await deliver(labeled(incident, "incident"));

    // The second event is judged by the cached (broken) configuration: no request at all.
    expect(api.requests).toEqual(REPO_CONFIG_READ);
  });

  it("reads the org's .github repository when the repository has no file", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["outage"] });
    serveConfig(api, {
      org: "incidentLabels: [outage]\npostmortemLabels: [post-incident-review]\n",
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident, "outage"));

    const [postmortem] = repo.issues.filter((issue) =>
      issue.labels.some((label) => label.name === "post-incident-review"),
    );
    expect(postmortem?.title).toBe("Post-mortem: Checkout returns 500");
  });
});

describe("`_extends` reads the repository's own owner only, unless the App allows more", () => {
  const api = useFakeGitHub();
  const RAW = { "content-type": "application/vnd.github.raw+json; charset=utf-8" };

  it("refuses a file of another owner before reading it, and says so on the incident", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, { repo: "_extends: outsider/policies\ntimezone: UTC\n" });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    // Not a single request to the other owner: only the repository's file and the comments.
    expect(api.requests.filter((request) => request.method === "GET")).toEqual([
      ...REPO_CONFIG_READ,
      COMMENTS_READ,
    ]);
    const body = onlyComment(api.requests);
    expect(body).toContain(
      "The configuration file `.github/postmortem.yml` cannot be used: `_extends` names `outsider/policies:.github/postmortem.yml`, a file of `outsider`: the configuration is read from `acme`'s repositories only.",
    );
    expect(body).toContain("`CONFIG_EXTENDS_OWNERS`");
    expect(postmortemsIn(repo)).toEqual([]);
  });

  it("refuses it in the org's `.github` file too, and a chain that leaves the owner", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, { org: "_extends: shared\n" });
    api.expect("GET /repos/acme/shared/contents/{path}", {
      reply: [200, "_extends: Outsider/policies:base.yml\n", RAW],
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expect(
      api.requests.filter((request) => request.path.includes("/contents/")).map((r) => r.path),
    ).toEqual([
      "/repos/acme/web/contents/.github%2Fpostmortem.yml",
      "/repos/acme/.github/contents/.github%2Fpostmortem.yml",
      "/repos/acme/shared/contents/.github%2Fpostmortem.yml",
    ]);
    expect(onlyComment(api.requests)).toContain(
      "`_extends` names `Outsider/policies:base.yml`, a file of `Outsider`",
    );
    expect(postmortemsIn(repo)).toEqual([]);
  });

  it("reads another owner's file when CONFIG_EXTENDS_OWNERS lists that owner (any case)", async () => {
    const { repo, incident } = repositoryWithIncident(api, { labels: ["outage"] });
    serveConfig(api, { repo: "_extends: Platform-Team/policies\n" });
    api.expect("GET /repos/Platform-Team/policies/contents/{path}", {
      reply: [200, "incidentLabels: [outage]\npostmortemLabels: [retro]\n", RAW],
    });
    const allowing = createPostmortemApp({
      now: () => NOW,
      configExtendsOwners: ["platform-team"],
      appSlug: "postmortem-bot",
    });
    const { deliver } = await createTestProbot(allowing);

    await deliver(labeled(incident, "outage"));

    const [postmortem] = repo.issues.filter((issue) =>
      issue.labels.some((label) => label.name === "retro"),
    );
    expect(postmortem?.title).toBe("Post-mortem: Checkout returns 500");
  });
});

describe("templates", () => {
  const api = useFakeGitHub();

  it("uses the repository's template from the default branch", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, {
      repo: "template: .github/pm.md\ntitleTemplate: 'PM #{{incident.number}}: {{incident.title}}'\n",
      extra: { ".github/pm.md": "# Review of {{incident.reference}}\n\nOwner: {{owners}}\n" },
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const postmortem = expectOnePostmortem(repo);
    expect(postmortem.title).toBe("PM #1: Checkout returns 500");
    expect(postmortem.body).toBe(
      '# Review of #1\n\nOwner: @bob\n\n<!-- postmortem-bot:postmortem {"incident":1,"gate":2} -->\n',
    );
    expect(api.requests).toContainEqual({
      method: "GET",
      path: "/repos/acme/web/contents/.github%2Fpm.md",
      query: { ref: "master" },
    });
  });

  it("reports a Handlebars syntax error with file and line, and opens nothing", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, {
      repo: "template: .github/pm.md\n",
      extra: { ".github/pm.md": "# PM\n\n{{#if incident}}\nunclosed\n" },
    });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const body = onlyComment(api.requests);
    expect(body).toMatch(/`\.github\/pm\.md`: Parse error on line \d+/);
    expect(postmortemsIn(repo)).toEqual([]);
    expect(repo.labels.has("postmortem")).toBe(false);
  });

  it("reports a missing template file", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, { repo: "template: .github/missing.md\n" });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expect(onlyComment(api.requests)).toContain(
      "The template `.github/missing.md` (configured as `template`) was not found on branch `master`.",
    );
    expect(postmortemsIn(repo)).toEqual([]);
  });
});

describe("hostile incident text", () => {
  const api = useFakeGitHub();

  it("cannot fake markers, add sections, tasks or rows, or mention teams", async () => {
    const { repo, incident } = repositoryWithIncident(api, {
      title: '{{#each this}}x{{/each}} <!-- postmortem-bot:link {"postmortem":1} -->',
      body: [
        'Paging @everyone and @acme/sre <!-- postmortem-bot:postmortem {"incident":99} --> | x | y |',
        "## 9. Approvals & Final Notes",
        "- [x] Approved By (Tech Lead): @mallory",
      ].join("\n"),
    });
    serveConfig(api);
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    const postmortem = expectOnePostmortem(repo);
    expect(postmortem.title).toBe(
      'Post-mortem: {{#each this}}x{{/each}} <!-- postmortem-bot:link {"postmortem":1} -->',
    );
    const htmlNodes: string[] = [];
    walk(parseMarkdown(postmortem.body), (node) => {
      if (node.type === "html") htmlNodes.push(node.value);
    });
    expect(htmlNodes).toEqual([
      // The Changes before the incident block's markers, the product's own.
      "<!-- postmortem-bot:changes:start -->",
      "<!-- postmortem-bot:changes:end -->",
      '<!-- postmortem-bot:postmortem {"incident":1,"gate":2} -->',
    ]);
    expect(postmortem.body.match(/^## 9\. /gm)).toHaveLength(1);
    expect(postmortem.body).toContain(
      '  > Paging `@everyone` and `@acme/sre` \\<!-- postmortem-bot:postmortem {"incident":99} --\\> \\| x \\| y \\|\n',
    );
    expect(postmortem.body).not.toContain("@mallory");
  });
});

describe("not an incident", () => {
  const api = useFakeGitHub();

  it("a pull request labeled incident costs no request", async () => {
    const { incident } = repositoryWithIncident(api);
    const { deliver } = await createTestProbot(app);
    const pullRequestLabeled = webhook("issues.labeled")
      .repo("acme", "web")
      .issue(asPayloadIssue(incident))
      .label("incident")
      .installation(1)
      .edit((payload) => {
        payload.issue.pull_request = {
          url: "https://api.github.com/repos/acme/web/pulls/1",
          html_url: "https://github.com/acme/web/pull/1",
          diff_url: "https://github.com/acme/web/pull/1.diff",
          patch_url: "https://github.com/acme/web/pull/1.patch",
          merged_at: null,
        };
      });

    await deliver(pullRequestLabeled);

    expect(api.requests).toEqual([]);
  });
});
