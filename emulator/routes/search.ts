// GET /search/issues over the eventually consistent index kept by the state (see GitHubState.searchLagMs).
import { validationFailed } from "../errors.js";
import type { IssueRecord } from "../model.js";
import type { RouteContext, Router } from "../router.js";
import { paginate } from "../router.js";
import * as ser from "../serialize.js";

interface ParsedQuery {
  terms: string[];
  qualifiers: { key: string; value: string; negated: boolean }[];
}

export function parseSearchQuery(q: string): ParsedQuery {
  const out: ParsedQuery = { terms: [], qualifiers: [] };
  const re = /(-?)([a-z_]+):("[^"]*"|\S+)|"([^"]*)"|(\S+)/gi;
  for (const m of q.matchAll(re)) {
    if (m[2]) {
      out.qualifiers.push({
        key: m[2].toLowerCase(),
        value: (m[3] ?? "").replace(/^"|"$/g, ""),
        negated: m[1] === "-",
      });
    } else {
      const term = m[4] ?? m[5] ?? "";
      if (term && !/^(AND|OR|NOT)$/.test(term)) out.terms.push(term);
    }
  }
  return out;
}

/** GitHub search matches words, ignoring punctuation and case. */
function words(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()} `;
}

function matches(ctx: RouteContext, issue: IssueRecord, parsed: ParsedQuery): boolean {
  const state = ctx.state;
  const fields = new Set<string>();
  for (const { key, value, negated } of parsed.qualifiers) {
    const v = value.toLowerCase();
    let ok: boolean;
    switch (key) {
      case "repo":
        ok = `${issue.repo.owner.login}/${issue.repo.name}`.toLowerCase() === v;
        break;
      case "org":
      case "user":
      case "owner":
        ok = issue.repo.owner.login.toLowerCase() === v;
        break;
      case "is":
      case "type":
      case "state":
        ok =
          v === "issue"
            ? !issue.isPullRequest
            : v === "pr" || v === "pull-request"
              ? issue.isPullRequest
              : v === "open" || v === "closed"
                ? issue.state === v
                : true;
        break;
      case "label": {
        const names = v.split(",");
        ok = names.some((name) => {
          const l = state.findLabel(issue.repo, name);
          return l !== undefined && issue.labelIds.includes(l.id);
        });
        break;
      }
      case "author":
        ok = issue.user.login.toLowerCase() === v;
        break;
      case "assignee":
        ok = issue.assigneeIds.some((id) => state.userById(id)?.login.toLowerCase() === v);
        break;
      case "no":
        ok =
          v === "label"
            ? issue.labelIds.length === 0
            : v === "assignee"
              ? issue.assigneeIds.length === 0
              : true;
        break;
      case "in":
        for (const f of v.split(",")) fields.add(f);
        ok = true;
        break;
      default:
        ok = true;
    }
    if (ok === negated) return false;
  }
  if (!fields.size) fields.add("title").add("body");
  const haystack = words(
    [fields.has("title") ? issue.title : "", fields.has("body") ? (issue.body ?? "") : ""].join(
      " ",
    ),
  );
  return parsed.terms.every((t) => haystack.includes(words(t)));
}

export function registerSearchRoutes(router: Router): void {
  router.on("GET", "/search/issues", (ctx) => {
    const q = ctx.query.get("q");
    if (!q) throw validationFailed({ resource: "Search", code: "missing", field: "q" });
    const parsed = parseSearchQuery(q);
    const sort = ctx.query.get("sort");
    const order = ctx.query.get("order") ?? "desc";
    const found = ctx.state.searchableIssues().filter((i) => matches(ctx, i, parsed));
    const key = (i: IssueRecord) =>
      sort === "created"
        ? Date.parse(i.createdAt)
        : sort === "comments"
          ? i.commentCount
          : Date.parse(i.updatedAt);
    found.sort((a, b) => key(a) - key(b) || a.id - b.id);
    if (order !== "asc") found.reverse();
    const page = paginate(ctx, found, (i) => ({ ...ser.issue(ctx.state, i), score: 1 }));
    return {
      ...page,
      body: {
        total_count: found.length,
        incomplete_results: false,
        search_type: "lexical",
        items: page.body,
      },
    };
  });
}
