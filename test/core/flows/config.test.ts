import { describe, expect, it } from "vitest";
import { defaultConfig, parseConfig } from "../../../src/core/config.js";
import { canDismiss } from "../../../src/core/incident/events.js";
import { flowsRunElsewhere, flowsRunnerOfRaw } from "../../../src/core/flows/config.js";
import { commandEvent, labeledEvent } from "../fixtures.js";

const withFlows = (runIn: string) => {
  const parsed = parseConfig({ flows: { runIn } });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.config;
};

describe("flows.runIn", () => {
  it("defaults to the App and accepts action", () => {
    expect(defaultConfig.flows).toEqual({ runIn: "app" });
    expect(withFlows("action").flows).toEqual({ runIn: "action" });
  });

  it("rejects anything else, naming the key", () => {
    expect(parseConfig({ flows: { runIn: "both" } })).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^flows\.runIn: /)],
    });
    expect(parseConfig({ flows: { runIn: "action", where: "x" } })).toEqual({
      ok: false,
      problems: ["flows: unknown key `where`"],
    });
  });

  it("a broken file names the Action only where it says so literally", () => {
    expect(flowsRunnerOfRaw({ flows: { runIn: "action" }, approvals: { required: ["cto"] } })).toBe(
      "action",
    );
    for (const raw of [undefined, null, {}, { flows: "action" }, { flows: { runIn: "ACTION" } }]) {
      expect(flowsRunnerOfRaw(raw), JSON.stringify(raw)).toBe("app");
    }
  });

  it("tells each runner whether the flows are the other's; unknown decides nothing", () => {
    const app = { ok: true as const, config: defaultConfig };
    const action = { ok: true as const, config: withFlows("action") };
    expect(flowsRunElsewhere(app, "app")).toBe(false);
    expect(flowsRunElsewhere(app, "action")).toBe(true);
    expect(flowsRunElsewhere(action, "app")).toBe(true);
    expect(flowsRunElsewhere(action, "action")).toBe(false);
    const broken = { ok: false as const, incidentLabels: ["incident"] };
    expect(flowsRunElsewhere(broken, "app")).toBe(false);
    expect(flowsRunElsewhere({ ...broken, flowsRunIn: "action" as const }, "app")).toBe(true);
    expect(flowsRunElsewhere({ ...broken, flowsRunIn: "action" as const }, "action")).toBe(false);
    expect(flowsRunElsewhere(undefined, "app")).toBe(false);
    expect(flowsRunElsewhere(undefined, "action")).toBe(false);
  });

  it("lets the App dismiss a trigger before any request where the Action runs the flows", () => {
    const action = { ok: true as const, config: withFlows("action") };
    expect(canDismiss(labeledEvent(), { ok: true, config: defaultConfig })).toBe(false);
    expect(canDismiss(labeledEvent(), action)).toBe(true);
    expect(canDismiss(commandEvent(), action)).toBe(true);
    expect(canDismiss(commandEvent(), action, "action")).toBe(false);
    expect(canDismiss(labeledEvent(), undefined)).toBe(false);
  });
});
