// Issues, comments, reactions, issue labels, assignees, issue events and sub-issues.
import { ApiError, notFound, validationFailed } from "../errors.js";
import type { IssueRecord } from "../model.js";
import type { RouteContext, Router } from "../router.js";
import { bodyObject, issueNumber, paginate, repoOf, requirePermission, writer } from "../router.js";
import * as ser from "../serialize.js";

function labelsFromBody(ctx: RouteContext): string[] {
  const b = ctx.body;
  // The labels endpoints accept {labels: [...]}, a bare array, or [{name}] objects.
  const list = Array.isArray(b) ? b : (b as { labels?: unknown } | null)?.labels;
  if (list === undefined)
    throw validationFailed({ resource: "Label", code: "missing_field", field: "labels" });
  return ctx.state.labelNames(list);
}

function issueLabels(ctx: RouteContext, issue: IssueRecord) {
  return issue.labelIds
    .map((id) => ctx.state.labelById(issue.repo, id))
    .filter((l) => l !== undefined)
    .map((l) => ser.label(ctx.state, issue.repo, l));
}

function listIssues(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const q = ctx.query;
  const state = q.get("state") ?? "open";
  const labels = (q.get("labels") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const creator = q.get("creator")?.toLowerCase();
  const assignee = q.get("assignee");
  const milestone = q.get("milestone");
  const since = q.get("since");
  const sort = q.get("sort") ?? "created";
  const direction = q.get("direction") ?? "desc";
  let items = [...repo.issues.values()].filter((i) => !i.deleted);
  if (state !== "all") items = items.filter((i) => i.state === state);
  if (labels.length) {
    items = items.filter((i) =>
      labels.every((name) => {
        const l = ctx.state.findLabel(repo, name);
        return l !== undefined && i.labelIds.includes(l.id);
      }),
    );
  }
  if (creator) items = items.filter((i) => i.user.login.toLowerCase() === creator);
  if (assignee === "none") items = items.filter((i) => i.assigneeIds.length === 0);
  else if (assignee === "*") items = items.filter((i) => i.assigneeIds.length > 0);
  else if (assignee) {
    const u = ctx.state.user(assignee);
    items = items.filter((i) => u !== undefined && i.assigneeIds.includes(u.id));
  }
  if (milestone === "none") items = items.filter((i) => i.milestoneNumber === null);
  else if (milestone === "*") items = items.filter((i) => i.milestoneNumber !== null);
  else if (milestone) items = items.filter((i) => i.milestoneNumber === Number(milestone));
  if (since) {
    const t = Date.parse(since);
    if (Number.isNaN(t))
      throw validationFailed({ resource: "Issue", code: "invalid", field: "since" });
    items = items.filter((i) => Date.parse(i.updatedAt) >= t);
  }
  const key = (i: IssueRecord): number =>
    sort === "updated"
      ? Date.parse(i.updatedAt)
      : sort === "comments"
        ? i.commentCount
        : Date.parse(i.createdAt);
  // Ties (same second) fall back to creation order, so pages are stable.
  items.sort((a, b) => key(a) - key(b) || a.number - b.number);
  if (direction !== "asc") items.reverse();
  return paginate(ctx, items, (i) => ser.issue(ctx.state, i));
}

export function registerIssueRoutes(router: Router): void {
  const R = "/repos/{owner}/{repo}";
  router
    .on("GET", `${R}/issues`, listIssues)
    .on("POST", `${R}/issues`, (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.createIssue(repo, writer(ctx), bodyObject(ctx));
      return {
        status: 201,
        body: ser.issue(ctx.state, issue),
        headers: { location: ser.issueApiUrl(ctx.state, issue) },
      };
    })
    .on("GET", `${R}/issues/{issue_number}`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      return { status: 200, body: ser.issue(ctx.state, issue) };
    })
    .on("PATCH", `${R}/issues/{issue_number}`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      ctx.state.updateIssue(issue, writer(ctx), bodyObject(ctx));
      return { status: 200, body: ser.issue(ctx.state, issue) };
    })
    // ---- locking ----
    .on("PUT", `${R}/issues/{issue_number}/lock`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      const actor = writer(ctx, "write");
      requirePermission(ctx, "issues", "write");
      ctx.state.lockIssue(issue, actor, bodyObject(ctx).lock_reason);
      return { status: 204 };
    })
    .on("DELETE", `${R}/issues/{issue_number}/lock`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      const actor = writer(ctx, "write");
      requirePermission(ctx, "issues", "write");
      ctx.state.unlockIssue(issue, actor);
      return { status: 204 };
    })
    // ---- comments ----
    .on("GET", `${R}/issues/{issue_number}/comments`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      const since = ctx.query.get("since");
      const list = [...ctx.state.comments.values()]
        .filter(
          (c) => c.issue === issue && (!since || Date.parse(c.updatedAt) >= Date.parse(since)),
        )
        .sort((a, b) => a.id - b.id);
      return paginate(ctx, list, (c) => ser.comment(ctx.state, c));
    })
    .on("POST", `${R}/issues/{issue_number}/comments`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      const c = ctx.state.createComment(issue, writer(ctx), bodyObject(ctx).body);
      const body = ser.comment(ctx.state, c);
      return { status: 201, body, headers: { location: body.url } };
    })
    .on("GET", `${R}/issues/comments`, (ctx) => {
      const repo = repoOf(ctx);
      const list = [...ctx.state.comments.values()]
        .filter((c) => c.issue.repo === repo)
        .sort((a, b) => a.id - b.id);
      if (ctx.query.get("direction") === "desc") list.reverse();
      return paginate(ctx, list, (c) => ser.comment(ctx.state, c));
    })
    .on("GET", `${R}/issues/comments/{comment_id}`, (ctx) => ({
      status: 200,
      body: ser.comment(ctx.state, ctx.state.comment(repoOf(ctx), Number(ctx.params.comment_id))),
    }))
    .on("PATCH", `${R}/issues/comments/{comment_id}`, (ctx) => {
      const c = ctx.state.comment(repoOf(ctx), Number(ctx.params.comment_id));
      const actor = writer(ctx);
      if (
        actor.type !== "Bot" &&
        actor.id !== c.user.id &&
        actor.role !== "admin" &&
        actor.role !== "maintain" &&
        actor.role !== "write" &&
        actor.role !== "triage"
      ) {
        throw new ApiError(403, "Must have admin rights to Repository.");
      }
      ctx.state.updateComment(c, actor, bodyObject(ctx).body);
      return { status: 200, body: ser.comment(ctx.state, c) };
    })
    .on("DELETE", `${R}/issues/comments/{comment_id}`, (ctx) => {
      const c = ctx.state.comment(repoOf(ctx), Number(ctx.params.comment_id));
      ctx.state.deleteComment(c, writer(ctx));
      return { status: 204 };
    })
    // ---- reactions ----
    .on("GET", `${R}/issues/comments/{comment_id}/reactions`, (ctx) => {
      const c = ctx.state.comment(repoOf(ctx), Number(ctx.params.comment_id));
      const content = ctx.query.get("content");
      const list = c.reactions.filter((r) => !content || r.content === content);
      return paginate(ctx, list, (r) => ser.reaction(ctx.state, r));
    })
    .on("POST", `${R}/issues/comments/{comment_id}/reactions`, (ctx) => {
      const c = ctx.state.comment(repoOf(ctx), Number(ctx.params.comment_id));
      const { reaction, created } = ctx.state.addReaction(c, writer(ctx), bodyObject(ctx).content);
      return { status: created ? 201 : 200, body: ser.reaction(ctx.state, reaction) };
    })
    .on("GET", `${R}/issues/{issue_number}/reactions`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      const content = ctx.query.get("content");
      return paginate(
        ctx,
        issue.reactions.filter((r) => !content || r.content === content),
        (r) => ser.reaction(ctx.state, r),
      );
    })
    .on("POST", `${R}/issues/{issue_number}/reactions`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      const { reaction, created } = ctx.state.addReaction(
        issue,
        writer(ctx),
        bodyObject(ctx).content,
      );
      return { status: created ? 201 : 200, body: ser.reaction(ctx.state, reaction) };
    })
    // ---- labels on an issue ----
    .on("GET", `${R}/issues/{issue_number}/labels`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      return paginate(ctx, issueLabels(ctx, issue));
    })
    .on("POST", `${R}/issues/{issue_number}/labels`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      ctx.state.addLabels(issue, writer(ctx, "triage"), labelsFromBody(ctx));
      return { status: 200, body: issueLabels(ctx, issue) };
    })
    .on("PUT", `${R}/issues/{issue_number}/labels`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      ctx.state.setLabels(issue, writer(ctx, "triage"), labelsFromBody(ctx));
      return { status: 200, body: issueLabels(ctx, issue) };
    })
    .on("DELETE", `${R}/issues/{issue_number}/labels`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      ctx.state.setLabels(issue, writer(ctx, "triage"), []);
      return { status: 204 };
    })
    .on("DELETE", `${R}/issues/{issue_number}/labels/{name}`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      ctx.state.removeLabel(issue, writer(ctx, "triage"), ctx.params.name ?? "");
      return { status: 200, body: issueLabels(ctx, issue) };
    })
    // ---- assignees ----
    .on("GET", `${R}/assignees`, (ctx) => {
      repoOf(ctx);
      const users = [...ctx.state.users.values()].filter((u) => ctx.state.canBeAssigned(u.login));
      return paginate(ctx, users, (u) => ser.simpleUser(ctx.state, u));
    })
    .on("GET", `${R}/assignees/{assignee}`, (ctx) => {
      repoOf(ctx);
      if (!ctx.state.canBeAssigned(ctx.params.assignee ?? "")) throw notFound();
      return { status: 204 };
    })
    .on("POST", `${R}/issues/{issue_number}/assignees`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      const logins = bodyObject(ctx).assignees;
      ctx.state.addAssignees(
        issue,
        writer(ctx, "triage"),
        Array.isArray(logins) ? logins.map(String) : [],
      );
      return { status: 201, body: ser.issue(ctx.state, issue) };
    })
    .on("DELETE", `${R}/issues/{issue_number}/assignees`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      const logins = bodyObject(ctx).assignees;
      ctx.state.removeAssignees(
        issue,
        writer(ctx, "triage"),
        Array.isArray(logins) ? logins.map(String) : [],
      );
      return { status: 200, body: ser.issue(ctx.state, issue) };
    })
    // ---- issue events ----
    .on("GET", `${R}/issues/{issue_number}/events`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      // Cross-references are timeline items, not issue events.
      const events = issue.events.filter((e) => e.event !== "cross-referenced");
      return paginate(ctx, events, (e) => ser.issueEvent(ctx.state, issue, e));
    })
    .on("GET", `${R}/issues/{issue_number}/timeline`, (ctx) => {
      const issue = ctx.state.issue(repoOf(ctx), issueNumber(ctx));
      const comments = [...ctx.state.comments.values()].filter((c) => c.issue === issue);
      // Events and comments draw ids from one counter: by id is the order they happened in.
      const items = [
        ...issue.events.map((e) => ({
          id: e.id,
          item: () => ser.timelineEvent(ctx.state, issue, e),
        })),
        ...comments.map((c) => ({ id: c.id, item: () => ser.timelineComment(ctx.state, c) })),
      ].sort((a, b) => a.id - b.id);
      return paginate(ctx, items, (x) => x.item());
    })
    // ---- sub-issues ----
    .on("GET", `${R}/issues/{issue_number}/sub_issues`, (ctx) => {
      const parent = ctx.state.realIssue(repoOf(ctx), issueNumber(ctx));
      const children = parent.subIssueIds
        .map((id) => ctx.state.issueById(id))
        .filter((c) => c !== undefined);
      return paginate(ctx, children, (c) => ser.issue(ctx.state, c));
    })
    .on("POST", `${R}/issues/{issue_number}/sub_issues`, (ctx) => {
      const parent = ctx.state.realIssue(repoOf(ctx), issueNumber(ctx));
      const b = bodyObject(ctx);
      const child = ctx.state.addSubIssue(
        parent,
        writer(ctx, "triage"),
        b.sub_issue_id,
        b.replace_parent === true,
      );
      return {
        status: 201,
        body: ser.issue(ctx.state, child),
        headers: { location: ser.issueApiUrl(ctx.state, child) },
      };
    })
    .on("DELETE", `${R}/issues/{issue_number}/sub_issue`, (ctx) => {
      const parent = ctx.state.realIssue(repoOf(ctx), issueNumber(ctx));
      const child = ctx.state.removeSubIssue(
        parent,
        writer(ctx, "triage"),
        bodyObject(ctx).sub_issue_id,
      );
      return { status: 200, body: ser.issue(ctx.state, child) };
    })
    .on("PATCH", `${R}/issues/{issue_number}/sub_issues/priority`, (ctx) => {
      const parent = ctx.state.realIssue(repoOf(ctx), issueNumber(ctx));
      writer(ctx, "triage");
      ctx.state.reprioritizeSubIssue(parent, bodyObject(ctx));
      return { status: 200, body: ser.issue(ctx.state, parent) };
    })
    .on("GET", `${R}/issues/{issue_number}/parent`, (ctx) => {
      const child = ctx.state.realIssue(repoOf(ctx), issueNumber(ctx));
      const parent = child.parentId === null ? undefined : ctx.state.issueById(child.parentId);
      if (!parent) throw notFound();
      return { status: 200, body: ser.issue(ctx.state, parent) };
    });
}
