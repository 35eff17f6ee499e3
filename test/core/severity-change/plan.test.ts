import { appWriters } from "../../support/writers.js";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/core/config.js";
import { findMarker } from "../../../src/core/markers.js";
import { readPostmortemBody } from "../../../src/core/capa/items.js";
import {
  checkSeverityBox,
  loweringTo,
  planLowering,
} from "../../../src/core/severity-change/plan.js";
import { incidentIssue, postmortemIssue } from "../fixtures.js";

const body = (marker: string, checked?: string) =>
  `# Post-Mortem\n\n## 10. Incident Classification (Optional)\n${["P1", "P2", "P3", "P4"]
    .map((level) => `- [${level === checked ? "x" : " "}] ${level} – words`)
    .join("\n")}\n\n<!-- postmortem-bot:postmortem ${marker} -->\n`;

const P1_POSTMORTEM = postmortemIssue(20, {
  body: body('{"incident":12,"severity":"P1","gate":2}', "P1"),
});
const incident = (labels: string[]) => incidentIssue({ labels: ["incident", ...labels] });
const maintainer = { login: "mia", permission: "maintain" as const };

describe("lowering a severity", () => {
  it("to the level the labels name, when below the post-mortem's severity", () => {
    expect(loweringTo(incident(["P3"]), P1_POSTMORTEM, defaultConfig, appWriters)).toBe("P3");
    // The labels still name P1 (P3 added, P1 kept), or name nothing: nothing to lower.
    expect(
      loweringTo(incident(["P1", "P3"]), P1_POSTMORTEM, defaultConfig, appWriters),
    ).toBeUndefined();
    expect(loweringTo(incident([]), P1_POSTMORTEM, defaultConfig, appWriters)).toBeUndefined();
    // Rising is not lowering.
    const p3 = postmortemIssue(20, { body: body('{"incident":12,"severity":"P3"}') });
    expect(loweringTo(incident(["P1"]), p3, defaultConfig, appWriters)).toBeUndefined();
    // A post-mortem a person wrote keeps its marker unguarded: never lowered from it.
    const adopted = { ...P1_POSTMORTEM, author: { login: "pat", type: "User" } };
    expect(loweringTo(incident(["P3"]), adopted, defaultConfig, appWriters)).toBeUndefined();
  });

  it("a maintainer's change is recorded in the marker (other fields kept) and the box; below forceClosePermission, nothing", () => {
    const [step] = planLowering({
      writers: appWriters,
      incident: incident(["P3"]),
      postmortem: P1_POSTMORTEM,
      config: defaultConfig,
      changedBy: maintainer,
    });
    expect(step).toEqual({
      kind: "updateIssueBody",
      issueNumber: 20,
      body: body('{"incident":12,"severity":"P3","gate":2}', "P3"),
    });
    const lowered = step!.kind === "updateIssueBody" ? step.body : "";
    expect(findMarker(lowered, "postmortem")?.severity).toBe("P3");
    expect(readPostmortemBody(lowered).checkedSeverity).toBe("P3");
    for (const changedBy of [
      { login: "tina", permission: "triage" as const },
      { login: "wes", permission: "write" as const },
      { login: undefined, permission: "none" as const },
      undefined,
    ]) {
      expect(
        planLowering({
          writers: appWriters,
          incident: incident(["P3"]),
          postmortem: P1_POSTMORTEM,
          config: defaultConfig,
          changedBy,
        }),
      ).toEqual([]);
    }
    // Once recorded, nothing is left to do.
    expect(
      planLowering({
        writers: appWriters,
        incident: incident(["P3"]),
        postmortem: { ...P1_POSTMORTEM, body: lowered },
        config: defaultConfig,
        changedBy: maintainer,
      }),
    ).toEqual([]);
  });

  it("checks only the level's box, changing nothing but brackets; a body without boxes is kept", () => {
    const two = body("{}", "P1").replace("- [ ] P2", "- [X] P2");
    expect(checkSeverityBox(two, "P4")).toBe(body("{}", "P4"));
    expect(checkSeverityBox("# Post-Mortem\n\n- [x] P1\n", "P3")).toBe(
      "# Post-Mortem\n\n- [x] P1\n",
    );
  });
});
