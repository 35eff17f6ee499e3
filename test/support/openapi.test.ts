import { describe, expect, it } from "vitest";
import {
  assertValidRequest,
  convertSchema,
  findOperation,
  validateComponent,
  validateRequest,
  validateResponse,
} from "./openapi.js";

describe("findOperation", () => {
  it("prefers literal segments over parameters", () => {
    expect(findOperation("GET", "/repos/acme/web/issues/comments")).toMatchObject({
      operationId: "issues/list-comments-for-repo",
      template: "/repos/{owner}/{repo}/issues/comments",
    });
    expect(findOperation("GET", "/repos/acme/web/issues/12")).toEqual({
      operationId: "issues/get",
      method: "GET",
      template: "/repos/{owner}/{repo}/issues/{issue_number}",
      params: { owner: "acme", repo: "web", issue_number: "12" },
    });
  });

  it("decodes URL-encoded segments (label names)", () => {
    expect(findOperation("DELETE", "/repos/acme/web/labels/sev%2F1%20high")).toMatchObject({
      template: "/repos/{owner}/{repo}/labels/{name}",
      params: { name: "sev/1 high" },
    });
  });

  it("lets file paths span segments, but nothing else", () => {
    expect(findOperation("GET", "/repos/acme/web/contents/docs/a.md")?.params).toEqual({
      owner: "acme",
      repo: "web",
      path: "docs/a.md",
    });
    expect(findOperation("GET", "/repos/acme/web/nonsense")).toBeUndefined();
  });
});

describe("validateRequest accepts real requests", () => {
  it.each([
    [
      "create issue",
      {
        method: "POST",
        path: "/repos/acme/web/issues",
        body: {
          title: "Post-mortem: DB outage",
          body: "…",
          labels: ["postmortem"],
          assignees: ["alice"],
        },
      },
    ],
    [
      "create comment",
      {
        method: "POST",
        url: "https://api.github.com/repos/acme/web/issues/12/comments",
        body: { body: "hi" },
      },
    ],
    [
      "list issues with a labels filter",
      { method: "GET", path: "/repos/acme/web/issues?labels=incident,sev1&state=all&per_page=100" },
    ],
    [
      "list issues, query given separately",
      { method: "GET", path: "/repos/acme/web/issues", query: { labels: "incident", page: 2 } },
    ],
    [
      "add sub-issue with an integer id",
      {
        method: "POST",
        path: "/repos/acme/web/issues/3/sub_issues",
        body: { sub_issue_id: 1234567 },
      },
    ],
    [
      "close as duplicate",
      {
        method: "PATCH",
        path: "/repos/acme/web/issues/3",
        body: { state: "closed", state_reason: "duplicate", duplicate_issue_id: 99 },
      },
    ],
    [
      "clear the milestone (nullable oneOf)",
      { method: "PATCH", path: "/repos/acme/web/issues/3", body: { milestone: null } },
    ],
    [
      "delete a label with an encoded name",
      { method: "DELETE", path: "/repos/acme/web/labels/sev%201" },
    ],
    ["installation token", { method: "POST", path: "/app/installations/42/access_tokens" }],
    ["graphql", { method: "POST", path: "/graphql", body: { query: "{ viewer { login } }" } }],
  ])("%s", (_name, request) => {
    expect(validateRequest(request)).toEqual([]);
    expect(() => assertValidRequest(request)).not.toThrow();
  });
});

describe("validateRequest rejects", () => {
  it("a body field of the wrong type", () => {
    expect(
      validateRequest({
        method: "POST",
        path: "/repos/acme/web/issues/3/sub_issues",
        body: { sub_issue_id: "1234567" },
      }),
    ).toEqual([
      'POST /repos/acme/web/issues/3/sub_issues (POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues): body/sub_issue_id must be integer (got "1234567")',
    ]);
  });

  it("a missing required field", () => {
    expect(
      validateRequest({
        method: "POST",
        path: "/repos/acme/web/issues",
        body: { body: "no title" },
      }),
    ).toEqual([
      "POST /repos/acme/web/issues (POST /repos/{owner}/{repo}/issues): body must have required property 'title'",
    ]);
  });

  it("a missing required body", () => {
    expect(validateRequest({ method: "POST", path: "/repos/acme/web/issues" })).toEqual([
      "POST /repos/acme/web/issues (POST /repos/{owner}/{repo}/issues): body: a request body is required",
    ]);
  });

  it("an unknown route, naming the methods the path has", () => {
    expect(validateRequest({ method: "PUT", path: "/repos/acme/web/issues" })).toEqual([
      "PUT /repos/acme/web/issues: no such operation in GitHub's REST API description (the path exists for GET, POST)",
    ]);
    expect(validateRequest({ method: "GET", path: "/repos/acme/web/incidents" })).toHaveLength(1);
  });

  it("a wrong enum value, a bad path parameter, unknown and mistyped query parameters", () => {
    const problems = validateRequest({
      method: "PATCH",
      path: "/repos/acme/web/issues/abc",
      body: { state: "closed", state_reason: "dupe" },
    });
    expect(problems).toEqual([
      expect.stringContaining('path parameter issue_number must be integer (got "abc")'),
      expect.stringContaining(
        'body/state_reason must be one of "completed", "not_planned", "duplicate", "reopened", null (got "dupe")',
      ),
    ]);
    const query = validateRequest({
      method: "GET",
      path: "/repos/acme/web/issues?state=bogus&per_page=x&label=a",
    });
    expect(query).toEqual([
      expect.stringContaining(
        'query parameter state must be one of "open", "closed", "all" (got "bogus")',
      ),
      expect.stringContaining('query parameter per_page must be integer (got "x")'),
      expect.stringContaining("query parameter label is not defined"),
    ]);
  });

  it("a body property the description does not name, unless allowed", () => {
    const request = {
      method: "POST",
      path: "/repos/acme/web/issues",
      body: { title: "t", lables: ["x"] },
    };
    expect(validateRequest(request)).toEqual([
      expect.stringContaining('body has property "lables"'),
    ]);
    expect(validateRequest({ ...request, allowUnknownBodyProperties: true })).toEqual([]);
  });

  it("a body on an operation that takes none", () => {
    expect(
      validateRequest({ method: "GET", path: "/repos/acme/web/issues/1", body: { x: 1 } }),
    ).toEqual([expect.stringContaining("this operation takes no request body")]);
  });

  it("assertValidRequest throws a readable error", () => {
    expect(() =>
      assertValidRequest({ method: "POST", path: "/repos/acme/web/issues", body: {} }),
    ).toThrow(
      /Request does not match GitHub's OpenAPI description:\n- POST \/repos\/acme\/web\/issues .*required property 'title'/,
    );
  });
});

describe("validateResponse", () => {
  it("checks bodies against the documented response schema", () => {
    expect(validateResponse("POST", "/repos/acme/web/issues", 201, { number: 1 })).toEqual(
      expect.arrayContaining([expect.stringContaining("must have required property 'id'")]),
    );
    expect(validateResponse("GET", "/repos/{owner}/{repo}/issues/{issue_number}", 418, {})).toEqual(
      [expect.stringContaining("status not documented")],
    );
    expect(validateResponse("DELETE", "/repos/acme/web/labels/x", 204, undefined)).toEqual([]);
  });

  it("validateComponent checks a named schema", () => {
    expect(validateComponent("label", { name: "x" })).not.toEqual([]);
    expect(validateComponent("nope", {})).toEqual(["no component schema named nope"]);
  });
});

describe("convertSchema", () => {
  it("turns OpenAPI 3.0 nullable into JSON Schema", () => {
    expect(convertSchema({ type: "string", enum: ["a"], nullable: true, example: "a" })).toEqual({
      type: ["string", "null"],
      enum: ["a", null],
    });
    expect(convertSchema({ oneOf: [{ type: "string" }], nullable: true })).toEqual({
      anyOf: [{ oneOf: [{ type: "string" }] }, { type: "null" }],
    });
    expect(convertSchema({ $ref: "#/components/schemas/issue" })).toEqual({
      $ref: "https://openapi.test/api.github.com.json#/components/schemas/issue",
    });
  });
});
