import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/entry/cli.js";

const template = readFileSync(
  new URL("../../templates/postmortem.md.hbs", import.meta.url),
  "utf8",
).replace(/\{\{[^}]*\}\}/g, "");

function checkout(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "postmortem-cli-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function cli(args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(args, {
    cwd,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: new Date("2026-11-27T12:00:00Z"),
  });
  return { code, out, err };
}

const complete = template
  .replace("- **Approved By (Tech Lead):**", "- **Approved By (Tech Lead):** @tina")
  .replace("- **Approved By (Product/Business):**", "- **Approved By (Product/Business):** @paul")
  .replace("- **Date of Final Review:**", "- **Date of Final Review:** 2026-11-20")
  .replace("- **Related JIRA/Incident Ticket:**", "- **Related JIRA/Incident Ticket:** OPS-42")
  .replace(
    "- **Communication Sent to Team (Yes/No):**",
    "- **Communication Sent to Team (Yes/No):** Yes",
  );

describe("postmortem-bot check <files…>", () => {
  it("passes a draft with every section, and a final file whose section 9 is complete", () => {
    const dir = checkout({
      "docs/postmortems/draft.md": template,
      "docs/postmortems/final.md": `---\nstatus: final\n---\n${complete}`,
    });
    expect(cli(["check", "docs/postmortems/draft.md", "docs/postmortems/final.md"], dir)).toEqual({
      code: 0,
      out: ["✓ 2 post-mortem file(s) pass"],
      err: [],
    });
  });

  it("reports missing sections and incomplete approvals of final files with file:line, exit 1", () => {
    const broken = `---\nstatus: final # reviewed\n---\n${template.replace(/## 4\. Timeline of Events/, "## Chronology")}`;
    const dir = checkout({ "pm.md": broken });
    const result = cli(["check", "pm.md"], dir);
    const line = (text: string) => broken.split("\n").findIndex((l) => l.includes(text)) + 1;
    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      "pm.md:1: the section “4. Timeline of Events” is missing",
      `pm.md:${line("Approved By (Tech Lead)")}: Approved By (Tech Lead): empty: an allowed approver comments \`/approve tech-lead\` (the file is marked \`status: final\`)`,
      `pm.md:${line("Approved By (Product/Business)")}: Approved By (Product/Business): empty: an allowed approver comments \`/approve product\` (the file is marked \`status: final\`)`,
      `pm.md:${line("Date of Final Review")}: Date of Final Review: empty: write the date of the final review as YYYY-MM-DD (the file is marked \`status: final\`)`,
      `pm.md:${line("Related JIRA")}: Related JIRA/Incident Ticket: empty: link the JIRA or incident ticket (the file is marked \`status: final\`)`,
      `pm.md:${line("Communication Sent")}: Communication Sent to Team (Yes/No): empty: write Yes or No (the file is marked \`status: final\`)`,
      "✗ 6 problem(s) in 1 of 1 file(s)",
    ]);
  });

  it("uses the repository's configuration and reports it when broken (exit 2)", () => {
    const renamed = complete.replace("Approved By (Tech Lead)", "Signed Off By (SRE)");
    const config =
      "approvals:\n  roles:\n    sre:\n      field: Signed Off By (SRE)\n      aliases: [sre]\n  required: [sre]\n";
    const dir = checkout({
      ".github/postmortem.yml": config,
      "pm.md": `---\nstatus: final\n---\n${renamed}`,
    });
    expect(cli(["check", "pm.md"], dir).code).toBe(0);
    const bad = checkout({
      ".github/postmortem.yml": "approvals:\n  required: [cto]\n",
      "pm.md": template,
    });
    expect(cli(["check", "pm.md"], bad)).toMatchObject({
      code: 2,
      err: [expect.stringContaining("approvals.required[0]: `cto` is neither a role")],
    });
    expect(cli(["lint"], dir)).toEqual({
      code: 2,
      out: [],
      err: [
        "usage: postmortem-bot check <file.md>…\n       postmortem-bot release-gate --repo owner/name [--token T]\n" +
          "       postmortem-bot setup --webhook-url URL [--org ORG]\n" +
          "       postmortem-bot doctor --repo owner/name [--token TOKEN]\n" +
          "usage: postmortem-bot report --repo owner/name [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--format markdown|json] [--token TOKEN]",
      ],
    });
  });

  it("runs from the bundle as the package's bin", () => {
    const dir = checkout({ "pm.md": "# Notes\n" });
    const bin = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
    const result = spawnSync(process.execPath, [bin, "check", "pm.md"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("pm.md:1: the section “1. Incident Summary” is missing");
  });
});
