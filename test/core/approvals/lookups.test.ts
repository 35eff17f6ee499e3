import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config.js";
import { authorCounts, loginsToLookUp, mayAct } from "../../../src/core/approvals/lookups.js";
import type { ApprovalComment } from "../../../src/core/approvals/ledger.js";
import { bot, command, config, people } from "./fixtures.js";

const by = (login: string, association: string | undefined, body = "/approve", edited = false) => {
  const comment: ApprovalComment = command(body, login, { edited });
  return association === undefined ? comment : { ...comment, authorAssociation: association };
};

describe("whose access a run reads", () => {
  it("the authors of unedited /approve comments with a role in the repository, the people named, and the commenter", () => {
    const comments = [
      by("olga", "NONE"),
      by("tina", "COLLABORATOR"),
      by("carl", "CONTRIBUTOR"),
      by("mia", "MEMBER"),
      by("otto", "OWNER"),
      by("eddie", "COLLABORATOR", "/approve", true),
      by("uma", "COLLABORATOR", "/unapprove"),
      by("fred", "FIRST_TIME_CONTRIBUTOR"),
      by("nina", "NONE"),
      by("gus", undefined),
      { ...by(bot.login, "NONE"), author: bot },
      by("tina", "COLLABORATOR", "/approve product"),
    ];
    expect(loginsToLookUp(comments, config, ["Nina", "paul"], "carl")).toEqual([
      "carl",
      "tina",
      "mia",
      "otto",
      // Named in section 9: looked up whatever their association (once, as they commented).
      "nina",
      // An author whose association the source did not give is looked up.
      "gus",
      "paul",
    ]);
    expect(loginsToLookUp(comments, config, [], undefined)).toEqual(["tina", "mia", "otto", "gus"]);
  });

  it("people listed in `roles` count without a role in the repository", () => {
    const parsed = parseConfig({
      approvals: {
        required: ["techLead"],
        roles: { techLead: { field: "Approved By (Tech Lead)", users: ["Vera"] } },
      },
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const approvals = parsed.config.approvals;
    expect(authorCounts(by("vera", "NONE"), approvals, new Set(), undefined)).toBe(true);
    expect(authorCounts(by("olga", "NONE"), approvals, new Set(), undefined)).toBe(false);
    expect(
      loginsToLookUp([by("vera", "NONE"), by("olga", "NONE")], approvals, [], undefined),
    ).toEqual(["vera"]);
    // vera may fill the role with no access at all; olga may fill none.
    const found = people({ vera: "none", olga: "none" });
    expect(mayAct("vera", approvals, found)).toBe(true);
    expect(mayAct("olga", approvals, found)).toBe(false);
  });

  it("someone may act who may fill some role; read access fills none by default", () => {
    const found = people({ tina: "write", rita: "read", sam: { permission: "none", teams: [] } });
    expect(mayAct("tina", config, found)).toBe(true);
    expect(mayAct("rita", config, found)).toBe(false);
    expect(mayAct("sam", config, found)).toBe(false);
    expect(mayAct("nobody-looked-up", config, found)).toBe(false);
  });
});
