import { describe, expect, it } from "vitest";
import {
  normalizePath,
  ownersOfPaths,
  parseCodeowners,
  servicePathsOf,
  servicesOf,
} from "../../../src/core/capa/codeowners.js";
import { itemKey } from "../../../src/core/capa/items.js";
import { loginsToCheck, needsCodeowners, planCapa } from "../../../src/core/capa/plan.js";
import type { Config } from "../../../src/core/config.js";
import { codeownersFindings } from "../../../src/core/doctor/checks.js";
import type { Step } from "../../../src/core/plan.js";
import { child, config, state, withLine } from "./fixtures.js";

const CODEOWNERS = [
  "# Owners of this repository",
  "",
  "*                      @acme/everyone",
  "*.md                   @doc-writer  docs@acme.example",
  "/services/payments/    @alice @acme/payments   # the payments team",
  "/services/payments/vendor/",
  "docs/*                 @erin",
  "\\#notes               @hash-owner",
  "/services/search/      @bob @Alice",
].join("\n");

const VALIDATION = "- [ ] Add automated validation checks (CI/CD gates)";
const KEY = itemKey("Add automated validation checks (CI/CD gates)");
const checked = (suffix = "", body?: string) =>
  withLine(VALIDATION, `- [x] Add automated validation checks (CI/CD gates)${suffix}`, body);
const codeowners: Config = { ...config, capa: { ...config.capa, defaultOwners: "codeowners" } };
const creates = (steps: Step[]) =>
  steps.filter(
    (step): step is Extract<Step, { kind: "createIssue" }> => step.kind === "createIssue",
  );
const file = { path: ".github/CODEOWNERS", text: CODEOWNERS };

describe("parseCodeowners", () => {
  it("reads patterns and owners, skipping comments, blank lines and e-mail owners", () => {
    const rules = parseCodeowners(CODEOWNERS);
    expect(
      rules.map(({ line, pattern, users, teams }) => ({ line, pattern, users, teams })),
    ).toEqual([
      { line: 3, pattern: "*", users: [], teams: ["acme/everyone"] },
      { line: 4, pattern: "*.md", users: ["doc-writer"], teams: [] },
      { line: 5, pattern: "/services/payments/", users: ["alice"], teams: ["acme/payments"] },
      { line: 6, pattern: "/services/payments/vendor/", users: [], teams: [] },
      { line: 7, pattern: "docs/*", users: ["erin"], teams: [] },
      { line: 8, pattern: "\\#notes", users: ["hash-owner"], teams: [] },
      { line: 9, pattern: "/services/search/", users: ["bob", "Alice"], teams: [] },
    ]);
  });

  it("skips lines GitHub rejects (negation, ranges) and reads CRLF files", () => {
    const rules = parseCodeowners("!secret @x\r\n[ab].js @y\r\n/api/ @z\r\n");
    expect(rules.map((rule) => [rule.line, rule.pattern])).toEqual([[3, "/api/"]]);
  });

  it("matches as GitHub does: anchored, anywhere, directories, `docs/*` only one level, case", () => {
    const rules = parseCodeowners(CODEOWNERS);
    const rule = (pattern: string) => rules.find((found) => found.pattern === pattern)!;
    expect(rule("/services/payments/").matches("services/payments/api.ts")).toBe(true);
    expect(rule("/services/payments/").matches("lib/services/payments/api.ts")).toBe(false);
    expect(rule("*.md").matches("deep/down/README.md")).toBe(true);
    expect(rule("docs/*").matches("docs/intro.md")).toBe(true);
    expect(rule("docs/*").matches("docs/guides/intro.md")).toBe(false);
    expect(rule("\\#notes").matches("#notes")).toBe(true);
    expect(rule("/services/search/").matches("Services/search/x.ts")).toBe(false);
    expect(rule("/services/search/").matches("../services/search/x.ts")).toBe(false);
    // A directory from `capa.servicePaths` is owned by a directory rule.
    expect(rule("/services/payments/").matches("/services/payments/")).toBe(true);
    expect(rule("/services/payments/").matches("services/payments/**")).toBe(true);
  });

  it("normalizes paths: no leading slash, a directory keeps one trailing slash", () => {
    expect(normalizePath("/services/payments/**")).toBe("services/payments/");
    expect(normalizePath("./a/b.ts")).toBe("a/b.ts");
    expect(normalizePath("a//")).toBe("a/");
  });
});

describe("ownersOfPaths", () => {
  const rules = parseCodeowners(CODEOWNERS);

  it("takes the LAST matching rule of each path, users and teams in order, deduplicated", () => {
    expect(
      ownersOfPaths(rules, [
        "services/payments/api.ts",
        "services/search/index.ts",
        "services/payments/db.ts",
      ]),
    ).toEqual({
      users: ["alice", "bob"],
      teams: ["acme/payments"],
      sources: [
        { rule: { line: 5, pattern: "/services/payments/" }, path: "services/payments/api.ts" },
        { rule: { line: 9, pattern: "/services/search/" }, path: "services/search/index.ts" },
      ],
    });
  });

  it("a later rule without owners un-owns, even though earlier rules match", () => {
    expect(ownersOfPaths(rules, ["services/payments/vendor/lib.js"])).toEqual({
      users: [],
      teams: [],
      sources: [],
    });
  });

  it("a path only the catch-all matches is the catch-all's", () => {
    expect(ownersOfPaths(rules, ["src/index.ts"]).teams).toEqual(["acme/everyone"]);
  });
});

describe("servicesOf and servicePathsOf", () => {
  const withServices = (value: string) =>
    checked().replace(
      "- **Systems/Services Affected:**",
      `- **Systems/Services Affected:** ${value}`,
    );

  it("reads the template's services line, a `Service:` field and a plain `Service:` line", () => {
    expect(servicesOf(withServices("Payments, search"))).toEqual(["Payments", "search"]);
    expect(servicesOf("- **Service:** payments\n")).toEqual(["payments"]);
    expect(servicesOf("Intro\n\nService: checkout\n")).toEqual(["checkout"]);
  });

  it("maps services to their configured paths, names matching regardless of case", () => {
    const mapped: Config = {
      ...codeowners,
      capa: {
        ...codeowners.capa,
        servicePaths: { payments: ["/services/payments/"], Search: ["services/search/**"] },
      },
    };
    expect(servicePathsOf(withServices("Payments, search, unknown"), mapped)).toEqual([
      "/services/payments/",
      "services/search/**",
    ]);
  });
});

describe("planCapa with capa.defaultOwners: codeowners", () => {
  const culprits = { from: "culprits" as const, paths: ["services/payments/api.ts"] };

  it("assigns the CODEOWNERS users, names the team without a mention and says where from", () => {
    const steps = planCapa(
      codeowners,
      state({
        body: checked(),
        codeowners: { implicated: culprits, file },
        assignable: new Map([["alice", true]]),
      }),
    );
    const [create] = creates(steps);
    expect(create?.assignees).toEqual(["alice"]);
    expect(create?.body).toBe(
      [
        "Corrective or preventive action from post-mortem #20 (incident #12).",
        "",
        "> Add automated validation checks (CI/CD gates)",
        "",
        "**Owner:** @alice, `@acme/payments` (from CODEOWNERS)  ",
        "**Owner from:** `.github/CODEOWNERS`, rule `/services/payments/` (line 5) for `services/payments/api.ts` (a culprit's path)  ",
        "**Category:** Technical Fixes  ",
        "Due: 2026-12-27",
        "",
        "Close this issue as completed when the action is done, or as not planned if it will not be done.",
        "",
        `<!-- postmortem-bot:capa {"parent":20,"key":"${KEY}"} -->`,
        "",
      ].join("\n"),
    );
  });

  it("a team alone is named, nobody is assigned", () => {
    const [create] = creates(
      planCapa(
        codeowners,
        state({
          body: checked(),
          codeowners: { implicated: { from: "services", paths: ["src/app.ts"] }, file },
        }),
      ),
    );
    expect(create?.assignees).toEqual([]);
    expect(create?.body).toContain("**Owner:** `@acme/everyone` (from CODEOWNERS)  \n");
    expect(create?.body).toContain(
      "**Owner from:** `.github/CODEOWNERS`, rule `*` (line 3) for `src/app.ts` (the service's path)  \n",
    );
  });

  it("a CODEOWNERS user who cannot be assigned is named inert, with the usual notice", () => {
    const steps = planCapa(
      codeowners,
      state({
        body: checked(),
        codeowners: { implicated: { from: "culprits", paths: ["services/search/x.ts"] }, file },
        assignable: new Map([
          ["bob", true],
          ["alice", false],
        ]),
      }),
    );
    const [create] = creates(steps);
    expect(create?.assignees).toEqual(["bob"]);
    expect(create?.body).toContain("**Owner:** @bob, `@Alice` (from CODEOWNERS)  \n");
    expect(steps.some((step) => step.kind === "createComment")).toBe(true);
  });

  it.each([
    [
      "no path implicated",
      {},
      "the incident implicates no path: no culprits, and no `capa.servicePaths` entry for its service",
    ],
    ["no CODEOWNERS file", { implicated: culprits }, "this repository has no CODEOWNERS file"],
    [
      "no rule owns the paths",
      { implicated: { from: "culprits" as const, paths: ["services/payments/vendor/x.js"] }, file },
      "no CODEOWNERS rule owns the culprits' paths",
    ],
  ])("falls back to the post-mortem's assignees: %s", (_name, finding, why) => {
    const [create] = creates(planCapa(codeowners, state({ body: checked(), codeowners: finding })));
    expect(create?.assignees).toEqual(["pat"]);
    expect(create?.body).toContain("**Owner:** @pat  \n");
    expect(create?.body).toContain(`**Owner from:** the post-mortem's assignees (${why})  \n`);
  });

  it("a line that names its owner ignores CODEOWNERS and says nothing of it", () => {
    const [create] = creates(
      planCapa(
        codeowners,
        state({
          body: checked(" @carol"),
          codeowners: { implicated: culprits, file },
          assignable: new Map([["carol", true]]),
        }),
      ),
    );
    expect(create?.assignees).toEqual(["carol"]);
    expect(create?.body).not.toContain("Owner from");
  });

  it("other defaultOwners values write no source line (today's children unchanged)", () => {
    const [create] = creates(
      planCapa(config, state({ body: checked(), codeowners: { implicated: culprits, file } })),
    );
    expect(create?.assignees).toEqual(["pat"]);
    expect(create?.body).not.toContain("Owner from");
  });

  it("needsCodeowners only when an ownerless line opens a child under `codeowners`", () => {
    expect(needsCodeowners(state({ body: checked() }), codeowners)).toBe(true);
    expect(needsCodeowners(state({ body: checked() }), config)).toBe(false);
    expect(needsCodeowners(state({ body: checked(" @carol") }), codeowners)).toBe(false);
    // Its child exists already: nothing to open.
    expect(
      needsCodeowners(state({ body: checked(), children: [child(31, KEY)] }), codeowners),
    ).toBe(false);
  });

  it("loginsToCheck includes the CODEOWNERS users, lower-cased", () => {
    expect(
      loginsToCheck(
        state({
          body: checked(),
          codeowners: { implicated: { from: "culprits", paths: ["services/search/a"] }, file },
        }),
        codeowners,
      ),
    ).toEqual(["bob", "alice"]);
  });
});

describe("doctor's CODEOWNERS findings", () => {
  const mapped: Config = {
    ...codeowners,
    capa: {
      ...codeowners.capa,
      servicePaths: {
        payments: ["/services/payments/", "services/payments/vendor/"],
        search: ["services/search/"],
      },
    },
  };

  it("nothing unless `capa.defaultOwners: codeowners`", () => {
    expect(codeownersFindings(config, undefined)).toEqual([]);
  });

  it("no file: one warning naming where GitHub looks", () => {
    expect(codeownersFindings(codeowners, undefined)).toEqual([
      {
        level: "warning",
        problem:
          "`capa.defaultOwners: codeowners` but there is no CODEOWNERS file (`.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`) on the default branch: a corrective action whose line names nobody goes to the post-mortem's assignees.",
        fix: "Add a CODEOWNERS file, or choose another `capa.defaultOwners`.",
      },
    ]);
  });

  it("lines GitHub refuses, and service paths no rule owns", () => {
    const text = `${CODEOWNERS.replace("*                      @acme/everyone\n", "")}\n!secret @x\n`;
    expect(codeownersFindings(mapped, { path: "CODEOWNERS", text })).toEqual([
      {
        level: "warning",
        problem:
          "`CODEOWNERS` has patterns GitHub does not accept (a `!` negation or a `[ ]` range) on line 9: no owner is read from it.",
        fix: "Rewrite those patterns without `!` or `[ ]`.",
      },
      {
        level: "warning",
        problem:
          "No rule of `CODEOWNERS` owns `services/payments/vendor/` (`capa.servicePaths` of `payments`): its corrective actions go to the post-mortem's assignees.",
        fix: "Add a rule with owners for that path to `CODEOWNERS`, or correct `capa.servicePaths`.",
      },
    ]);
  });
});
