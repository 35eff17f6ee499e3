// The Changes before the incident block in the shipped template, as GitHub renders it: hostile
// branch names, PR titles and logins show as written and mention nobody, the Timeline's Deployed
// rows stay one row each, and the checklist keeps its ten sections.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DeploymentFact } from "../../src/core/changes/block.js";
import {
  changesTemplateData,
  changesWindow,
  compareKey,
  decideChanges,
  deploymentEntries,
} from "../../src/core/changes/block.js";
import { withDeploymentRows } from "../../src/core/changes/plan.js";
import { defaultConfig } from "../../src/core/config.js";
import { renderPostmortem } from "../../src/core/incident/content.js";
import { incidentIssue, labeledEvent, repository } from "../core/fixtures.js";
import { expectReadable, tableWith } from "./expect.js";
import { HOSTILE_TEXTS } from "./hostile.js";

const shipped = {
  name: "templates/postmortem.md.hbs",
  source: readFileSync(new URL("../../templates/postmortem.md.hbs", import.meta.url), "utf8"),
};
const REF = "feature/`x`|@outsider <!-- postmortem-bot:changes:end --> *_~";
const ENVIRONMENT = "prod | @acme/everyone";

describe.each(HOSTILE_TEXTS.filter((text) => text.length <= 200))(
  "the block with a hostile pull request title, as GitHub renders it: %s",
  (title) => {
    it("shows the title, the ref and the environment as written; the Timeline row stays one row", () => {
      const incident = incidentIssue();
      const deployment = (id: number, at: string, ref: string): DeploymentFact => ({
        id,
        createdAt: at,
        environment: ENVIRONMENT,
        ref,
        sha: `${id}`.padEnd(40, "b"),
        creator: "carol",
        state: "success",
        stateAt: at,
      });
      const head = deployment(2, "2026-11-27T12:40:00Z", REF);
      const base = deployment(1, "2026-11-26T08:00:00Z", "main");
      const facts = decideChanges(
        {
          deployments: [head, base],
          compares: new Map([[compareKey(base.sha, head.sha), { shas: ["m".repeat(40)] }]]),
          pulls: [
            {
              number: 41,
              title,
              author: "dave",
              mergedAt: "2026-11-27T10:00:00Z",
              mergeSha: "m".repeat(40),
            },
          ],
        },
        ENVIRONMENT,
        changesWindow("2026-11-27T13:05:00Z", 24 * 3_600_000),
      );
      const result = renderPostmortem(
        incident,
        labeledEvent(incident),
        defaultConfig,
        repository,
        shipped,
        undefined,
        undefined,
        changesTemplateData(facts, defaultConfig),
      );
      if (!result.ok) throw new Error(result.problem);
      const body = withDeploymentRows(result.body, deploymentEntries(facts), defaultConfig);

      const page = expectReadable(body, {
        shows: [title, REF, ENVIRONMENT],
        mentions: ["@alice", "@bob", "@dave", "@carol"],
      });
      expect(page.mentions.filter((mention) => mention === "@dave")).toEqual(["@dave"]);
      expect(tableWith(page, ["Time (HH:MM)", "Event Description"]).rows).toEqual([
        ["2026-11-27 12:40 UTC", `Deployed ${REF} to ${ENVIRONMENT} by @carol`],
        ["2026-11-27 13:05 UTC", "Incident issue #12 opened by @alice"],
        ["2026-11-27 13:07 UTC", "Labeled incident by @dave"],
      ]);
      expect(page.text).toContain("Changes before the incident");
      expect(body.match(/^## \d+\. /gm)).toHaveLength(10);
    });
  },
);
