// Every route the emulator implements answers with bodies that GitHub's OpenAPI description accepts,
// and every webhook it sends matches @octokit/openapi-webhooks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { WebhookValidator } from "../../emulator/webhook-validator.js";
import {
  appOctokit,
  installationOctokit,
  invalidRequests,
  invalidResponses,
  startEmulator,
} from "./helpers.js";

const o = { owner: "acme", repo: "service" };
let emulator: GitHubEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ teams: { sre: { alice: "maintainer" } } });
  emulator.setFile(".github/postmortem.yml", "labels:\n  incident: incident\n");
});
afterAll(() => emulator.stop());

describe("REST responses match GitHub's OpenAPI description", () => {
  it("covers every implemented route", async () => {
    const app = appOctokit(emulator);
    const gh = installationOctokit(emulator);
    await app.request("GET /app");
    await app.request("GET /app/installations");
    await app.request("GET /app/installations/{installation_id}", { installation_id: 99 });
    await app.request("GET /repos/{owner}/{repo}/installation", o);
    await app.request("GET /orgs/{org}/installation", { org: "acme" });

    await gh.rest.repos.get(o);
    await gh.request("GET /installation/repositories");
    const incident = emulator.openIssue({
      by: "alice",
      title: "DB down",
      body: "It broke",
      labels: ["incident"],
    });
    emulator.openPullRequest({ by: "bob", title: "Fix DB" });
    const { data: created } = await gh.rest.issues.create({
      ...o,
      title: "Post-mortem: DB down",
      body: '<!-- postmortem-bot:postmortem {"incident":1} -->',
      labels: ["postmortem"],
      assignees: ["alice", "nora"],
    });
    await gh.rest.issues.get({ ...o, issue_number: created.number });
    await gh.rest.issues.update({
      ...o,
      issue_number: created.number,
      body: "edited",
      title: "Post-mortem: DB outage",
    });
    await gh.rest.issues.listForRepo({ ...o, state: "all" });
    const { data: comment } = await gh.rest.issues.createComment({
      ...o,
      issue_number: 1,
      body: "Post-mortem: #3",
    });
    await gh.rest.issues.listComments({ ...o, issue_number: 1 });
    await gh.rest.issues.listCommentsForRepo(o);
    await gh.rest.issues.getComment({ ...o, comment_id: comment.id });
    await gh.rest.issues.updateComment({
      ...o,
      comment_id: comment.id,
      body: "Post-mortem: #3 (edited)",
    });
    await gh.rest.reactions.createForIssueComment({
      ...o,
      comment_id: comment.id,
      content: "eyes",
    });
    await gh.rest.reactions.createForIssueComment({
      ...o,
      comment_id: comment.id,
      content: "eyes",
    });
    await gh.rest.reactions.listForIssueComment({ ...o, comment_id: comment.id });
    await gh.rest.reactions.createForIssue({ ...o, issue_number: 1, content: "rocket" });
    await gh.rest.reactions.listForIssue({ ...o, issue_number: 1 });

    await gh.rest.issues.listLabelsForRepo(o);
    await gh.rest.issues.createLabel({
      ...o,
      name: "capa",
      color: "00ff00",
      description: "Corrective action",
    });
    await gh.rest.issues.getLabel({ ...o, name: "CAPA" });
    await gh.rest.issues.updateLabel({ ...o, name: "capa", new_name: "capa-item" });
    await gh.rest.issues.addLabels({ ...o, issue_number: 1, labels: ["sev1"] });
    await gh.rest.issues.setLabels({
      ...o,
      issue_number: 1,
      labels: ["incident", "sev1", "capa-item"],
    });
    await gh.rest.issues.listLabelsOnIssue({ ...o, issue_number: 1 });
    await gh.rest.issues.removeLabel({ ...o, issue_number: 1, name: "capa-item" });
    await gh.rest.issues.deleteLabel({ ...o, name: "capa-item" });

    await gh.rest.issues.checkUserCanBeAssigned({ ...o, assignee: "bob" });
    await gh.rest.issues.listAssignees(o);
    await gh.rest.issues.addAssignees({ ...o, issue_number: 1, assignees: ["bob"] });
    await gh.rest.issues.removeAssignees({ ...o, issue_number: 1, assignees: ["bob"] });
    await gh.rest.issues.listEvents({ ...o, issue_number: 1 });

    const { data: child } = await gh.rest.issues.create({ ...o, title: "CAPA: add alert" });
    const { data: child2 } = await gh.rest.issues.create({ ...o, title: "CAPA: add runbook" });
    await gh.rest.issues.addSubIssue({
      ...o,
      issue_number: created.number,
      sub_issue_id: child.id,
    });
    await gh.rest.issues.addSubIssue({
      ...o,
      issue_number: created.number,
      sub_issue_id: child2.id,
    });
    await gh.rest.issues.reprioritizeSubIssue({
      ...o,
      issue_number: created.number,
      sub_issue_id: child2.id,
      before_id: child.id,
    });
    await gh.rest.issues.listSubIssues({ ...o, issue_number: created.number });
    await gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}/parent", {
      ...o,
      issue_number: child.number,
    });
    await gh.rest.issues.removeSubIssue({
      ...o,
      issue_number: created.number,
      sub_issue_id: child2.id,
    });
    await gh.rest.issues.update({
      ...o,
      issue_number: child.number,
      state: "closed",
      state_reason: "completed",
    });
    await gh.rest.issues.update({
      ...o,
      issue_number: child2.number,
      state: "closed",
      state_reason: "duplicate",
    });

    const { data: ms } = await gh.rest.issues.createMilestone({
      ...o,
      title: "Q1",
      due_on: "2030-01-01T00:00:00Z",
    });
    await gh.rest.issues.listMilestones(o);
    await gh.rest.issues.getMilestone({ ...o, milestone_number: ms.number });
    await gh.rest.issues.update({ ...o, issue_number: created.number, milestone: ms.number });

    await gh.rest.repos.getCollaboratorPermissionLevel({ ...o, username: "tina" });
    await gh.rest.teams.getMembershipForUserInOrg({
      org: "acme",
      team_slug: "sre",
      username: "alice",
    });
    await gh.rest.repos.getContent({ ...o, path: ".github/postmortem.yml" });
    await gh.rest.repos.getContent({ ...o, path: ".github" });

    const sha = emulator.branchSha();
    const { data: run } = await gh.rest.checks.create({
      ...o,
      name: "post-mortem",
      head_sha: sha,
      status: "in_progress",
    });
    await gh.rest.checks.update({
      ...o,
      check_run_id: run.id,
      conclusion: "success",
      output: { title: "ok", summary: "fine" },
    });
    await gh.rest.checks.get({ ...o, check_run_id: run.id });
    await gh.rest.checks.listForRef({ ...o, ref: sha, check_name: "post-mortem", filter: "all" });
    await gh.rest.repos.createCommitStatus({ ...o, sha, state: "success", context: "postmortem" });

    // Code: a pull request, its files, its merge, compare, deployments, the timeline.
    const pr = emulator.openPullRequest({
      by: "bob",
      title: "Fix the alert",
      body: "Fixes #1",
      files: [
        { path: "src/alert.ts", status: "added", additions: 12, patch: "@@ -0,0 +1 @@\n+x" },
        { path: "docs/old.md", status: "renamed", previousPath: "docs/alert.md" },
      ],
    });
    await gh.rest.pulls.get({ ...o, pull_number: pr.number as number });
    await gh.rest.pulls.listFiles({ ...o, pull_number: pr.number as number });
    await gh.rest.pulls.list({ ...o, state: "all", sort: "updated", direction: "desc" });
    await gh.rest.issues.lock({ ...o, issue_number: 1, lock_reason: "resolved" });
    await gh.rest.issues.get({ ...o, issue_number: 1 });
    await gh.rest.issues.unlock({ ...o, issue_number: 1 });
    const before = emulator.branchSha();
    emulator.mergePullRequest({ by: "alice", number: pr.number as number });
    await gh.rest.pulls.get({ ...o, pull_number: pr.number as number });
    await gh.rest.repos.listPullRequestsAssociatedWithCommit({
      ...o,
      commit_sha: emulator.branchSha(),
    });
    await gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: `${before}...main` });
    const { data: deployment } = await gh.rest.repos.createDeployment({ ...o, ref: "main" });
    if (!("id" in deployment)) throw new Error("no deployment");
    await gh.rest.repos.listDeployments({ ...o, environment: "production" });
    await gh.rest.repos.getDeployment({ ...o, deployment_id: deployment.id });
    await gh.rest.repos.createDeploymentStatus({
      ...o,
      deployment_id: deployment.id,
      state: "success",
    });
    await gh.rest.repos.listDeploymentStatuses({ ...o, deployment_id: deployment.id });
    await gh.rest.issues.listEventsForTimeline({ ...o, issue_number: 1 });

    await gh.rest.search.issuesAndPullRequests({ q: "repo:acme/service is:issue DB" });
    await expect(gh.rest.issues.get({ ...o, issue_number: 999 })).rejects.toMatchObject({
      status: 404,
    });
    await expect(gh.rest.issues.create({ ...o, title: "" })).rejects.toMatchObject({ status: 422 });
    expect(incident.number).toBe(1);

    await emulator.waitForIdle();
    const implemented = new Set(emulator.requests.map((r) => `${r.method} ${r.route}`));
    expect(implemented.size).toBeGreaterThan(58);
    expect(invalidResponses(emulator.requests)).toEqual([]);
    expect(invalidRequests(emulator.requests)).toEqual([]);
  });

  it("sends webhook payloads that match @octokit/openapi-webhooks", () => {
    emulator.editBody({ by: "alice", issue: 1, body: "It broke badly" });
    emulator.editTitle({ by: "alice", issue: 1, title: "DB down (prod)" });
    emulator.assign({ by: "alice", issue: 1, assignees: ["bob"] });
    emulator.unassign({ by: "alice", issue: 1, assignees: ["bob"] });
    emulator.closeIssue({ by: "alice", issue: 1, reason: "not_planned" });
    emulator.reopenIssue({ by: "alice", issue: 1 });
    const c = emulator.comment({ by: "bob", issue: 1, body: "/postmortem" });
    emulator.editComment({ by: "bob", commentId: c.id, body: "/postmortem please" });
    emulator.deleteComment({ by: "bob", commentId: c.id });
    emulator.addSubIssue({ by: "alice", parent: 1, child: 5 });
    emulator.removeSubIssue({ by: "alice", parent: 1, child: 5 });
    const doomed = emulator.openIssue({ by: "nora", title: "spam" });
    emulator.deleteIssue({ by: "alice", issue: doomed.number as number });
    emulator.addRepository("other");
    const t = emulator.openIssue({ by: "bob", title: "wrong repo" });
    emulator.transferIssue({ by: "alice", issue: t.number as number, toRepo: "other" });
    const pr = emulator.openPullRequest({
      by: "bob",
      title: "Touch the alert",
      files: [{ path: "src/alert.ts" }],
    });
    emulator.pushToPullRequest({ number: pr.number as number, files: [{ path: "src/b.ts" }] });
    emulator.closePullRequest({ by: "bob", number: pr.number as number });
    emulator.reopenPullRequest({ by: "bob", number: pr.number as number });
    emulator.lockIssue({ by: "alice", issue: 1, reason: "too heated" });
    emulator.unlockIssue({ by: "alice", issue: 1 });

    const validator = WebhookValidator.shared();
    const seen = new Set<string>();
    const failures: string[] = [];
    for (const e of emulator.webhooks.events) {
      seen.add(`${e.event}.${e.action}`);
      const result = validator.validate(e.event, e.action, e.payload);
      if (!result.valid)
        failures.push(`${e.event}.${e.action}: ${result.errors.slice(0, 5).join("; ")}`);
    }
    expect(failures).toEqual([]);
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        "issue_comment.created",
        "issue_comment.deleted",
        "issue_comment.edited",
        "issues.assigned",
        "issues.closed",
        "issues.deleted",
        "issues.edited",
        "issues.labeled",
        "issues.milestoned",
        "issues.opened",
        "issues.reopened",
        "issues.transferred",
        "issues.unassigned",
        "issues.unlabeled",
        "pull_request.closed",
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request.reopened",
        "issues.locked",
        "issues.unlocked",
        "deployment.created",
        "deployment_status.created",
        "sub_issues.parent_issue_added",
        "sub_issues.parent_issue_removed",
        "sub_issues.sub_issue_added",
        "sub_issues.sub_issue_removed",
      ]),
    );
  });
});
