// app.yml asks for the least the App needs by default; what only an opt-in feature needs is
// documented where people install the App, and named by the error a missing grant causes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("app.yml's permissions", () => {
  it("are issues, checks and organization projects write, contents, metadata, pull requests and deployments read: no organization members", () => {
    const manifest = parse(read("app.yml")) as {
      default_permissions: Record<string, string>;
      default_events: string[];
    };
    expect(manifest.default_permissions).toEqual({
      issues: "write",
      contents: "read",
      metadata: "read",
      pull_requests: "read",
      checks: "write",
      deployments: "read",
      organization_projects: "write",
    });
    expect(manifest.default_events).toEqual([
      "issues",
      "issue_comment",
      "sub_issues",
      "pull_request",
      "deployment_status",
      "push",
      "projects_v2_item",
    ]);
  });

  it("the install steps (docs/deploy.md) say when Members read is needed: a role that lists teams", () => {
    const page = read("docs/deploy.md");
    const start = page.indexOf("## Install as a GitHub App");
    expect(start).toBeGreaterThanOrEqual(0);
    const install = page.slice(start, page.indexOf("## Deploy", start));
    expect(install).toContain("**Organization permissions → Members: read** only if a role lists");
    expect(install).toContain("`approvals.roles.<role>.teams`");
    expect(install).not.toMatch(/\*\*Organization\s+members: read\*\* \(team-based roles/);
  });
});
