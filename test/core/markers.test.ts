import { describe, expect, it } from "vitest";
import { findMarker, formatMarker, setMarker } from "../../src/core/markers.js";

const own = formatMarker("postmortem", { incident: 1, gate: 2 });
const theirs = formatMarker("postmortem", { incident: 99 });

describe("two markers of a kind", () => {
  it("a body holding one is read; holding two, wherever the second is, it holds none", () => {
    expect(findMarker(`Report\n\n${own}\n`, "postmortem")).toEqual({ incident: 1, gate: 2 });
    // Put in front of the product's: under "the first wins" it would be believed.
    expect(findMarker(`${theirs}\n\nReport\n\n${own}\n`, "postmortem")).toBeUndefined();
    // Put behind it, lying in wait: removing the product's later would leave it in charge.
    expect(findMarker(`Report\n\n${own}\n\n${theirs}\n`, "postmortem")).toBeUndefined();
    // Inline in a paragraph, or two in one HTML block: the same.
    expect(findMarker(`Report ${theirs} text\n\n${own}\n`, "postmortem")).toBeUndefined();
    expect(findMarker(`${own} ${theirs}\n`, "postmortem")).toBeUndefined();
    // A malformed one, a marker of another kind, or one in code is no second marker.
    const other = formatMarker("sync", { base: "x" });
    const broken = '<!-- postmortem-bot:postmortem {"incident":"x"} -->';
    expect(findMarker(`${broken}\n\n${other}\n\n\`${theirs}\`\n\n${own}\n`, "postmortem")).toEqual({
      incident: 1,
      gate: 2,
    });
  });

  it("setMarker leaves exactly one, where the first was, the rest of the text kept", () => {
    const body = `${theirs}\n\nReport\n\n${own}\n\nNotes ${theirs}\n`;
    const set = setMarker(body, "postmortem", { incident: 1, gate: 2 });
    expect(set.match(/postmortem-bot:postmortem/g)).toHaveLength(1);
    expect(set.startsWith(own)).toBe(true);
    expect(set).toContain("Report");
    expect(set).toContain("Notes ");
    expect(findMarker(set, "postmortem")).toEqual({ incident: 1, gate: 2 });
  });
});
