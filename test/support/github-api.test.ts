import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub, paginate, useFakeGitHub } from "./github-api.js";
import { validateResponse } from "./openapi.js";
import { FakeRepo } from "./repo-state.js";

const BASE = "https://api.github.com";

async function send(method: string, path: string, body?: unknown) {
  const response = await fetch(BASE + path, {
    method,
    headers: { "content-type": "application/json", authorization: "token ghs_x" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

describe("FakeGitHub (manual lifecycle)", () => {
  let api: FakeGitHub | undefined;
  afterEach(() => api?.stop());

  it("fails on an unexpected request, answering 501, and names near misses", async () => {
    api = new FakeGitHub().start();
    api.expect("POST /repos/{owner}/{repo}/issues", {
      body: { title: "A" },
      reply: [201, { number: 1 }],
    });
    const response = await send("POST", "/repos/acme/web/issues", { title: "B" });
    expect(response.status).toBe(501);
    expect(() => api?.done()).toThrow(/unexpected request: POST \/repos\/acme\/web\/issues/);
    expect(() => api?.done()).toThrow(/near misses:[\s\S]*body differs/);
    expect(() => api?.done()).toThrow(
      /expected but not requested: POST \/repos\/\{owner\}\/\{repo\}\/issues/,
    );
  });

  it("fails on an unmet expectation", () => {
    api = new FakeGitHub().start();
    api.expect("GET /repos/acme/web/issues", { times: 2, reply: [200, []] });
    expect(api.pending()).toEqual(["GET /repos/acme/web/issues (0 of 2 request(s) seen)"]);
    expect(() => api?.done()).toThrow(
      "Fake GitHub API:\n- expected but not requested: GET /repos/acme/web/issues (0 of 2 request(s) seen)\nRequests received:\n  (none)",
    );
  });

  it("fails on a request GitHub's description rejects, even when expected", async () => {
    api = new FakeGitHub().start();
    api.expect("POST /repos/acme/web/issues/3/sub_issues", { reply: [201, {}] });
    await send("POST", "/repos/acme/web/issues/3/sub_issues", { sub_issue_id: "77" });
    expect(api.failures).toEqual([
      expect.stringMatching(/^invalid request .*body\/sub_issue_id must be integer \(got "77"\)$/),
    ]);
    expect(() => api?.done()).toThrow(/sub_issue_id must be integer/);
  });

  it("fails on an unknown route", async () => {
    api = new FakeGitHub().start();
    await send("GET", "/repos/acme/web/incidents");
    expect(api.failures).toEqual([
      "unexpected request: GET /repos/acme/web/incidents",
      "invalid request (GitHub would reject or ignore it): GET /repos/acme/web/incidents: no such operation in GitHub's REST API description",
    ]);
  });

  it("optionally validates declared replies", async () => {
    api = new FakeGitHub({ validateReplies: true }).start();
    api.expect("POST /repos/acme/web/issues", { reply: [201, { number: 1 }] });
    await send("POST", "/repos/acme/web/issues", { title: "x" });
    expect(api.failures.join("\n")).toMatch(
      /reply of POST \/repos\/acme\/web\/issues: .*required property 'id'/,
    );
  });

  it("reports a reply function that throws", async () => {
    api = new FakeGitHub().start();
    api.expect("GET /repos/acme/web/issues/1", {
      reply: () => {
        throw new Error("bug in test");
      },
    });
    expect((await send("GET", "/repos/acme/web/issues/1")).status).toBe(500);
    expect(api.failures).toEqual([
      expect.stringContaining("threw for GET /repos/acme/web/issues/1: Error: bug in test"),
    ]);
  });
});

describe("FakeGitHub (useFakeGitHub)", () => {
  const api = useFakeGitHub();

  it("records exactly what was sent", async () => {
    api.expect("GET /repos/{owner}/{repo}/issues", {
      params: { owner: "acme", repo: "web" },
      query: { labels: "incident", state: "all" },
      reply: [200, []],
    });
    api.expect("POST /repos/acme/web/issues/7/comments", {
      body: { body: expect.stringContaining("post-mortem") as unknown },
      reply: [201, { id: 5 }],
    });
    api.expect("DELETE /repos/acme/web/labels/sev 1");
    expect((await send("GET", "/repos/acme/web/issues?labels=incident&state=all")).body).toEqual(
      [],
    );
    expect(
      await send("POST", "/repos/acme/web/issues/7/comments", { body: "See the post-mortem" }),
    ).toMatchObject({
      status: 201,
      body: { id: 5 },
    });
    expect((await send("DELETE", "/repos/acme/web/labels/sev%201")).status).toBe(204);
    expect(api.requests).toEqual([
      {
        method: "GET",
        path: "/repos/acme/web/issues",
        query: { labels: "incident", state: "all" },
      },
      {
        method: "POST",
        path: "/repos/acme/web/issues/7/comments",
        body: { body: "See the post-mortem" },
      },
      { method: "DELETE", path: "/repos/acme/web/labels/sev%201" },
    ]);
    expect(api.log[1]).toMatchObject({
      route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      operationId: "issues/create-comment",
      params: { owner: "acme", repo: "web", issue_number: "7" },
      headers: { authorization: "token ghs_x" },
      handledBy: "expectation",
      problems: [],
    });
  });

  it("plays reply sequences (a lost answer, then the real one)", async () => {
    api.expect("POST /repos/acme/web/issues", {
      replies: [
        [502, { message: "Server Error" }],
        { networkError: "ECONNRESET" },
        [201, { number: 9 }],
      ],
    });
    expect((await send("POST", "/repos/acme/web/issues", { title: "x" })).status).toBe(502);
    await expect(send("POST", "/repos/acme/web/issues", { title: "x" })).rejects.toThrow(
      /fetch failed/,
    );
    expect((await send("POST", "/repos/acme/web/issues", { title: "x" })).body).toEqual({
      number: 9,
    });
    expect(api.requests).toHaveLength(3);
  });

  it("computes replies from the request, and lets declared expectations win over persistent ones", async () => {
    const created: unknown[] = [];
    api.expect("POST /repos/{owner}/{repo}/issues", {
      persist: true,
      reply: (req) => {
        created.push(req.body);
        return [201, { number: created.length, title: (req.body as { title: string }).title }];
      },
    });
    api.expect("POST /repos/acme/web/issues", {
      body: { title: "boom" },
      reply: [422, { message: "Validation Failed" }],
    });
    expect((await send("POST", "/repos/acme/web/issues", { title: "a" })).body).toEqual({
      number: 1,
      title: "a",
    });
    expect((await send("POST", "/repos/acme/web/issues", { title: "boom" })).status).toBe(422);
    expect((await send("POST", "/repos/acme/web/issues", { title: "b" })).body).toEqual({
      number: 2,
      title: "b",
    });
  });

  it("answers installation tokens by itself and leaves them out of `requests`", async () => {
    const token = await send("POST", "/app/installations/42/access_tokens");
    expect(token).toMatchObject({ status: 201, body: { token: "ghs_fake_installation_token_42" } });
    expect(api.requests).toEqual([]);
    expect(api.allRequests).toEqual([
      { method: "POST", path: "/app/installations/42/access_tokens" },
    ]);
  });

  it("paginates with a link header", async () => {
    api.expect("GET /repos/acme/web/issues", {
      times: 2,
      reply: (req) => paginate(req, [1, 2, 3], 2),
    });
    const first = await send("GET", "/repos/acme/web/issues");
    expect(first.body).toEqual([1, 2]);
    expect(first.headers.get("link")).toBe(
      '<https://api.github.com/repos/acme/web/issues?page=2>; rel="next", <https://api.github.com/repos/acme/web/issues?page=2>; rel="last"',
    );
    expect((await send("GET", "/repos/acme/web/issues?page=2")).body).toEqual([3]);
  });
});

describe("FakeRepo", () => {
  const api = useFakeGitHub({ validateReplies: true });

  it("keeps issues, labels, comments and sub-issues, with replies valid per the description", async () => {
    const repo = new FakeRepo("acme", "web").serve(api);
    repo.addIssue({ title: "Incident: DB down", labels: ["incident"], user: "alice" });
    const created = await send("POST", "/repos/acme/web/issues", {
      title: "Post-mortem",
      labels: ["postmortem"],
    });
    expect(created).toMatchObject({ status: 201, body: { number: 2, title: "Post-mortem" } });
    const child = repo.issue(1);
    expect(
      (await send("POST", "/repos/acme/web/issues/2/sub_issues", { sub_issue_id: child?.id }))
        .status,
    ).toBe(201);
    await send("POST", "/repos/acme/web/issues/2/comments", { body: "timeline" });
    await send("PATCH", "/repos/acme/web/issues/1", { state: "closed", state_reason: "completed" });

    const list = await send("GET", "/repos/acme/web/issues?labels=postmortem&state=all");
    expect(list.body).toMatchObject([
      {
        number: 2,
        comments: 1,
        sub_issues_summary: { total: 1, completed: 1, percent_completed: 100 },
      },
    ]);
    expect((await send("GET", "/repos/acme/web/issues/2/sub_issues")).body).toMatchObject([
      { number: 1, state: "closed" },
    ]);
    expect((await send("GET", "/repos/acme/web/issues/5")).status).toBe(404);
    expect((await send("GET", "/repos/acme/web/labels/incident")).body).toMatchObject({
      name: "incident",
    });

    for (const issue of repo.issues)
      expect(validateResponse("GET", "/repos/acme/web/issues/1", 200, issue)).toEqual([]);
    expect(api.failures).toEqual([]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /repos/acme/web/issues",
      "POST /repos/acme/web/issues/2/sub_issues",
      "POST /repos/acme/web/issues/2/comments",
      "PATCH /repos/acme/web/issues/1",
      "GET /repos/acme/web/issues",
      "GET /repos/acme/web/issues/2/sub_issues",
      "GET /repos/acme/web/issues/5",
      "GET /repos/acme/web/labels/incident",
    ]);
  });
});
