// `flows.runIn`: with the App and the Action both installed, only the one the configuration names
// runs the incident and CAPA flows. These are the App's side (the Action's is in
// test/action/front-door.test.ts).
import { describe, expect, it } from "vitest";
import { renderedPostmortem } from "../core/capa/fixtures.js";
import { useFakeGitHub } from "../support/github-api.js";
import { createTestProbot } from "../support/probot.js";
import {
  app,
  BOT,
  CONFIG_READS,
  commented,
  edited,
  expectOnePostmortem,
  labeled,
  postmortemsIn,
  repositoryWithIncident,
  serveConfig,
} from "./harness.js";

const ACTION_RUNS_FLOWS = "flows:\n  runIn: action\n";

describe("the App and flows.runIn", () => {
  const api = useFakeGitHub();

  it("by default (runIn: app) opens the post-mortem as ever", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, { repo: "flows:\n  runIn: app\n" });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));

    expect(expectOnePostmortem(repo).user.login).toBe(BOT);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      "POST /repos/acme/web/issues",
    );
  });

  it("with runIn: action writes nothing for an incident label or /postmortem: one config read, then not even that", async () => {
    const { repo, incident } = repositoryWithIncident(api);
    serveConfig(api, { repo: ACTION_RUNS_FLOWS });
    const { deliver } = await createTestProbot(app);

    await deliver(labeled(incident));
    expect(api.requests).toEqual([CONFIG_READS[0]]);

    // The configuration is now cached: the front gate lets these go before any request.
    await deliver(labeled(incident));
    await deliver(commented(incident, "/postmortem", "dave"));
    expect(api.requests).toEqual([CONFIG_READS[0]]);
    expect(postmortemsIn(repo)).toEqual([]);
  });

  it.each(["action", "app"] as const)(
    "with runIn: %s, a person's checked CAPA box on the Action's post-mortem: not the App's to handle",
    async (runIn) => {
      const { repo } = repositoryWithIncident(api);
      // The post-mortem the Action opened for incident #1 (the same template as the App's).
      const before = renderedPostmortem().replace('{"incident":12,', '{"incident":1,');
      const postmortem = repo.addIssue({
        title: "Post-mortem: Checkout returns 500",
        body: before.replace("- [ ] Update runbooks/playbooks", "- [x] Update runbooks/playbooks"),
        labels: ["postmortem"],
        user: "github-actions[bot]",
      });
      expect(postmortem.user.type).toBe("Bot");
      serveConfig(api, { repo: `flows:\n  runIn: ${runIn}\n` });
      const { deliver } = await createTestProbot(app);

      await deliver(edited(postmortem, before, "alice"));
      await deliver(edited(postmortem, before, "alice"));

      const children = repo.issues.filter((i) => i.labels.some((l) => l.name === "capa"));
      expect(children).toEqual([]);
      if (runIn === "action") {
        // The Action's flows: the App lets it go on the cached configuration.
        expect(api.requests).toEqual([CONFIG_READS[0]]);
      } else {
        // Under runIn: app only the App writes the flows, so github-actions[bot] (any workflow
        // of the repository) is no author of post-mortems: the issue is read, and left alone.
        expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
          `${CONFIG_READS[0]!.method} ${CONFIG_READS[0]!.path}`,
          `GET /repos/acme/web/issues/${postmortem.number}`,
          `GET /repos/acme/web/issues/${postmortem.number}`,
        ]);
      }
    },
  );
});
