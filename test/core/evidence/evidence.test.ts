import { describe, expect, it } from "vitest";
import { itemKey } from "../../../src/core/capa/items.js";
import { planCapa } from "../../../src/core/capa/plan.js";
import type { Config } from "../../../src/core/config.js";
import { parseConfig } from "../../../src/core/config.js";
import type { Evidence } from "../../../src/core/evidence/index.js";
import {
  evidenceOf,
  judgeChild,
  planChildEvidence,
  readEvidenceCommand,
  recordFixes,
  recordManual,
  recordRevert,
  recordShipment,
  requiredFor,
  uniformRequirement,
  withEvidence,
} from "../../../src/core/evidence/index.js";
import { findMarker, formatMarker } from "../../../src/core/markers.js";
import { severityPolicy } from "../../../src/core/policy/resolve.js";
import type { Step } from "../../../src/core/plan.js";
import { appWriters } from "../../support/writers.js";
import { comment } from "../fixtures.js";
import { child, renderedPostmortem, state, withLine } from "../capa/fixtures.js";

const KEY = itemKey("Add automated validation checks (CI/CD gates)");
const VALIDATION = "- [ ] Add automated validation checks (CI/CD gates)";

function configOf(raw: unknown): Config {
  const result = parseConfig(raw);
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.config;
}

const none = configOf({});
const merged = configOf({ policy: { P2: { capaEvidence: "merged" } } });
const shipped = configOf({
  evidence: { environment: "production" },
  policy: { P2: { capaEvidence: "shipped" } },
});

const fix41 = {
  pr: 41,
  url: "https://github.com/acme/shop/pull/41",
  at: "2026-11-20T23:30:00Z",
  sha: "a".repeat(40),
};
const fix42 = {
  ...fix41,
  pr: 42,
  url: "https://github.com/acme/shop/pull/42",
  sha: "b".repeat(40),
};
const deployment = (prs: number[], at = "2026-11-22T08:00:00Z") => ({
  deployment: 77,
  url: "https://deploy.example.com/77",
  environment: "production",
  at,
  sha: "c".repeat(40),
  prs,
});
const manual = {
  by: "maria",
  text: "Runbook: https://wiki.example.com/checkout",
  at: "2026-11-21T10:00:00Z",
  comment: 9001,
};

const closedDone = { state: "closed" as const, stateReason: "completed" };
const judge = (
  evidence: Evidence,
  required: "none" | "merged" | "shipped",
  child = closedDone as { state: "open" | "closed"; stateReason: string | null },
  environment: string | null = "production",
  timeZone = "UTC",
) => judgeChild(child, evidence, { required, environment: environment ?? undefined, timeZone });

describe("configuration", () => {
  it("defaults to no evidence asked and no environment", () => {
    expect(none.evidence).toEqual({
      labels: { awaitingShip: "capa:awaiting-ship", noEvidence: "capa:no-evidence" },
    });
    expect(severityPolicy(none, "P1").capaEvidence).toBe("none");
    expect(severityPolicy(merged, "P2").capaEvidence).toBe("merged");
    expect(severityPolicy(merged, "P3").capaEvidence).toBe("none");
    expect(uniformRequirement(none)).toBe("none");
    expect(uniformRequirement(merged)).toBeUndefined();
  });

  it("refuses `shipped` without an environment, and an unknown kind", () => {
    const result = parseConfig({ policy: { P1: { capaEvidence: "shipped" } } });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      "policy.P1.capaEvidence: `shipped` needs `evidence.environment` (the environment a fix ships to)",
    ]);
    expect(parseConfig({ policy: { P1: { capaEvidence: "closed" } } }).ok).toBe(false);
  });

  it("reads a post-mortem's requirement from its severity", () => {
    const body = renderedPostmortem();
    const p2 = body.replace(/- \[ \] P2/, "- [x] P2");
    expect(p2).not.toBe(body);
    expect(requiredFor(merged, p2)).toBe("merged");
    expect(requiredFor(merged, body, ["incident"])).toBe("none");
  });
});

describe("the row status", () => {
  it("is Open while the child is open, whatever its evidence", () => {
    const open = { state: "open" as const, stateReason: null };
    expect(judge({ merged: [fix41] }, "merged", open)).toMatchObject({
      status: "Open",
      open: true,
      awaitingShip: true,
      noEvidence: false,
    });
  });

  it("under `none`: Done stays Done, and shows the evidence found", () => {
    expect(judge({}, "none")).toEqual({
      status: "Done",
      open: false,
      missing: undefined,
      awaitingShip: false,
      noEvidence: false,
    });
    expect(judge({ merged: [fix41, fix42] }, "none", closedDone, null)).toMatchObject({
      status: "Done · merged #41, #42",
      open: false,
    });
    expect(judge({ manual }, "none").status).toBe("Done (manual evidence by @maria)");
  });

  it("under `merged`: Merged, or Closed, no evidence (counted as open)", () => {
    expect(judge({ merged: [fix41] }, "merged", closedDone, null)).toMatchObject({
      status: "Merged",
      open: false,
      awaitingShip: false,
    });
    expect(judge({}, "merged")).toEqual({
      status: "Closed, no evidence",
      open: true,
      missing: "merged",
      awaitingShip: false,
      noEvidence: true,
    });
  });

  it("under `shipped`: Merged while waiting for the deployment, then Shipped on its day", () => {
    expect(judge({ merged: [fix41] }, "shipped")).toMatchObject({
      status: "Merged",
      open: true,
      missing: "shipped",
      awaitingShip: true,
      noEvidence: false,
    });
    const done = judge({ merged: [fix41], shipped: deployment([41]) }, "shipped");
    expect(done).toMatchObject({ status: "Shipped 2026-11-22", open: false, awaitingShip: false });
    // The day in the configured time zone, not UTC's.
    const late = { merged: [fix41], shipped: deployment([41], "2026-11-22T23:30:00Z") };
    expect(judge(late, "shipped", closedDone, "production", "Pacific/Kiritimati").status).toBe(
      "Shipped 2026-11-23",
    );
  });

  it("counts as shipped only when every listed fix was in the deployment", () => {
    expect(judge({ merged: [fix41, fix42], shipped: deployment([41]) }, "shipped")).toMatchObject({
      status: "Merged",
      open: true,
      awaitingShip: true,
    });
  });

  it("takes a reverted fix back: Closed, no evidence when it was the only one", () => {
    const reverted = { merged: [fix41], reverted: [{ pr: 41, by: 45 }] };
    expect(judge(reverted, "merged")).toMatchObject({
      status: "Closed, no evidence",
      open: true,
      noEvidence: true,
    });
    expect(judge(reverted, "none").status).toBe("Done");
    expect(judge({ ...reverted, shipped: deployment([41]) }, "shipped").status).toBe(
      "Closed, no evidence",
    );
  });

  it("accepts a maintainer's evidence under any policy", () => {
    expect(judge({ manual }, "shipped")).toMatchObject({
      status: "Done (manual evidence by @maria)",
      open: false,
      noEvidence: false,
    });
  });

  it("leaves children closed as not planned or duplicates alone", () => {
    expect(judge({}, "merged", { state: "closed", stateReason: "not_planned" })).toMatchObject({
      status: undefined,
      open: false,
      noEvidence: false,
    });
  });
});

describe("recording evidence", () => {
  it("is the same whatever the order, and nothing new changes nothing", () => {
    const a = recordFixes(recordFixes({}, [fix42]), [fix41]);
    const b = recordFixes(recordFixes({}, [fix41]), [fix42, fix41]);
    expect(a).toEqual(b);
    expect(recordFixes(a, [fix41])).toBe(a);
    // A revert seen before its fix keeps the fix out.
    expect(fixesOfAll(recordFixes(recordRevert({}, 41, 45), [fix41]))).toEqual([]);
    expect(recordRevert(recordRevert({}, 41, 45), 41, 46)).toEqual({
      reverted: [{ pr: 41, by: 45 }],
    });
  });

  it("keeps the first deployment that ships every fix, and ignores one that does not", () => {
    const evidence = { merged: [fix41, fix42] };
    expect(recordShipment(evidence, deployment([41]))).toBe(evidence);
    const first = recordShipment(evidence, deployment([41, 42]));
    expect(first.shipped?.prs).toEqual([41, 42]);
    expect(recordShipment(first, { ...deployment([41, 42]), deployment: 78 })).toBe(first);
  });

  it("keeps the latest /evidence", () => {
    const once = recordManual({}, manual);
    expect(recordManual(once, { ...manual, comment: 9000, text: "older" })).toBe(once);
    expect(recordManual(once, { ...manual, comment: 9002, text: "newer" }).manual?.text).toBe(
      "newer",
    );
  });

  it("reads `/evidence` at the start of a comment only", () => {
    expect(readEvidenceCommand("/evidence https://wiki.example.com/x")).toBe(
      "https://wiki.example.com/x",
    );
    expect(readEvidenceCommand("  /evidence  ")).toBe("");
    expect(readEvidenceCommand("see /evidence here")).toBeUndefined();
    expect(readEvidenceCommand("/evidenced")).toBeUndefined();
  });
});

function fixesOfAll(evidence: Evidence): number[] {
  const reverted = new Set((evidence.reverted ?? []).map((r) => r.pr));
  return (evidence.merged ?? []).map((fix) => fix.pr).filter((pr) => !reverted.has(pr));
}

describe("the child's body", () => {
  const body = child(31, KEY).body;

  it("records the evidence in the marker and says it in lines before it", () => {
    const written = withEvidence(
      body,
      { merged: [fix41, fix42], shipped: deployment([41, 42]), manual },
      "UTC",
    );
    expect(findMarker(written, "capa")).toEqual({
      parent: 20,
      key: KEY,
      evidence: { merged: [fix41, fix42], shipped: deployment([41, 42]), manual },
    });
    expect(written).toContain(
      "Fixed by #41 (merged 2026-11-20), #42 (merged 2026-11-20)  \nShipped to production 2026-11-22: [deployment 77](https://deploy.example.com/77) of #41, #42  \nEvidence (manual): Runbook: https://wiki.example.com/checkout (recorded by @maria on 2026-11-21)\n\n<!-- postmortem-bot:capa ",
    );
    expect(written.startsWith(body.split("<!--")[0]!.trimEnd())).toBe(true);
    // Written again with the same evidence: the same text; with less: the lines go.
    expect(withEvidence(written, evidenceOf(written), "UTC")).toBe(written);
    expect(withEvidence(written, {}, "UTC")).toBe(body);
  });

  it("reads a marker whose evidence was mangled by hand as a child with no evidence", () => {
    const mangled = body.replace(
      /<!-- postmortem-bot:capa \{.*\} -->/,
      `<!-- postmortem-bot:capa {"parent":20,"key":"${KEY}","evidence":{"merged":[{"pr":"x"}]}} -->`,
    );
    expect(mangled).not.toBe(body);
    expect(findMarker(mangled, "capa")).toEqual({ parent: 20, key: KEY });
    expect(evidenceOf(mangled)).toEqual({});
  });

  it("keeps a person's text inert and the marker whole", () => {
    const evil = { ...manual, text: "<!-- x --> @team ## head\n- [ ] box -->" };
    const written = withEvidence(body, { manual: evil }, "UTC");
    expect(evidenceOf(written).manual?.text).toBe(evil.text);
    expect(written).not.toMatch(/(?<!\\)<!-- x/);
    expect(written).toContain("`@team`");
    expect(formatMarker("capa", { parent: 1, key: "k", evidence: { manual: evil } })).not.toMatch(
      /-->.*-->/,
    );
  });
});

describe("planning a child's evidence", () => {
  const closed = child(31, KEY, { state: "closed", stateReason: "completed" });
  const base = { writers: appWriters, required: "merged" as const };

  it("records a fix: the body, and nothing else under `merged`", () => {
    const steps = planChildEvidence(merged, {
      ...base,
      child: closed,
      evidence: { merged: [fix41] },
      comments: undefined,
    });
    expect(steps.map((s) => s.kind)).toEqual(["updateIssueBody"]);
  });

  it("closed without evidence: the label and one comment mentioning the owners", () => {
    const plan = (comments: ReturnType<typeof comment>[]) =>
      planChildEvidence(merged, { ...base, child: closed, evidence: {}, comments });
    const steps = plan([]);
    expect(steps).toEqual<Step[]>([
      { kind: "addLabels", issueNumber: 31, labels: ["capa:no-evidence"] },
      {
        kind: "createComment",
        issueNumber: 31,
        body: expect.stringContaining(
          "@carol: this corrective action was closed as completed without the evidence its severity's policy asks for (`capaEvidence: merged`)",
        ) as string,
      },
    ]);
    const body = (steps[1] as { body: string }).body;
    expect(body).toContain("`/evidence <link or text>`");
    expect(findMarker(body, "evidence")).toEqual({ issue: 31, key: "missing" });
    // Given once: the product's comment counts; another bot's with the same marker does not.
    expect(plan([comment(1, body)]).map((s) => s.kind)).toEqual(["addLabels"]);
    expect(
      plan([comment(1, body, { login: "other[bot]", type: "Bot" })]).map((s) => s.kind),
    ).toEqual(["addLabels", "createComment"]);
  });

  it("awaiting ship: the label on while merged, off once shipped", () => {
    const labeled = { ...closed, labels: ["capa", "capa:awaiting-ship"] };
    const waiting = planChildEvidence(shipped, {
      ...base,
      required: "shipped",
      child: closed,
      evidence: { merged: [fix41] },
      comments: undefined,
    });
    expect(waiting.slice(1)).toEqual([
      { kind: "addLabels", issueNumber: 31, labels: ["capa:awaiting-ship"] },
    ]);
    const done = planChildEvidence(shipped, {
      ...base,
      required: "shipped",
      child: labeled,
      evidence: { merged: [fix41], shipped: deployment([41]) },
      comments: undefined,
    });
    expect(done.slice(1)).toEqual([
      { kind: "removeLabel", issueNumber: 31, name: "capa:awaiting-ship" },
    ]);
  });

  it("a revert of a fix never recorded: kept out, nothing said of it", () => {
    const steps = planChildEvidence(merged, {
      ...base,
      child: { ...closed, labels: ["capa", "capa:no-evidence"] },
      evidence: { reverted: [{ pr: 41, by: 45 }] },
      comments: [],
      revert: { pr: 41, by: 45 },
    });
    expect(steps.map((s) => s.kind)).toEqual(["updateIssueBody", "createComment"]);
    expect((steps[1] as { body: string }).body).toContain("closed as completed without");
  });

  it("a revert: one comment, and no second one saying the evidence is missing", () => {
    const evidence = { merged: [fix41], reverted: [{ pr: 41, by: 45 }] };
    const steps = planChildEvidence(merged, {
      ...base,
      child: closed,
      evidence,
      comments: [],
      revert: { pr: 41, by: 45 },
    });
    expect(steps.map((s) => s.kind)).toEqual(["updateIssueBody", "addLabels", "createComment"]);
    const text = (steps[2] as { body: string }).body;
    expect(text).toContain(
      "@carol: #41 was reverted by #45, so it no longer counts as evidence that this corrective action is done. This corrective action now shows as “Closed, no evidence”.",
    );
    const again = planChildEvidence(merged, {
      ...base,
      child: {
        ...closed,
        body: (steps[0] as { body: string }).body,
        labels: ["capa", "capa:no-evidence"],
      },
      evidence,
      comments: [comment(1, text)],
    });
    expect(again).toEqual([]);
  });
});

describe("the post-mortem's rows", () => {
  const checked = withLine(VALIDATION, "- [x] Add automated validation checks (CI/CD gates)");
  const rowOf = (config: Config, evidence: Evidence, p2 = false) => {
    const body = p2 ? checked.replace(/- \[ \] P2/, "- [x] P2") : checked;
    const shown = planCapa(config, state({ body, children: [child(31, KEY)] })).find(
      (s) => s.kind === "updateIssueBody",
    )!;
    const childBody = withEvidence(child(31, KEY).body, evidence, "UTC");
    const closed = child(31, KEY, { state: "closed", stateReason: "completed", body: childBody });
    const next = planCapa(
      config,
      state({ body: (shown as { body: string }).body, children: [closed] }),
    ).find((s) => s.kind === "updateIssueBody") as { body: string } | undefined;
    return next?.body.split("\n").find((line) => line.includes("(#31) |"));
  };

  it("shows the status its evidence and the severity's policy give", () => {
    const row = (status: string) =>
      `| Add automated validation checks (CI/CD gates) (#31) | @carol | 2026-12-15 | ${status} |`;
    expect(rowOf(none, {})).toBe(row("Done"));
    expect(rowOf(none, { merged: [fix41] })).toBe(row("Done · merged #41"));
    expect(rowOf(merged, { merged: [fix41] }, true)).toBe(row("Merged"));
    expect(rowOf(merged, {}, true)).toBe(row("Closed, no evidence"));
    // The policy is the severity's: P2's asks, the default does not.
    expect(rowOf(merged, {}, false)).toBe(row("Done"));
    expect(rowOf(shipped, { merged: [fix41], shipped: deployment([41]) }, true)).toBe(
      row("Shipped 2026-11-22"),
    );
    expect(rowOf(merged, { manual }, true)).toBe(row("Done (manual evidence by @maria)"));
  });
});
