// Workflows cannot run here, so they are checked: every workflow file of the repository, every
// workflow shown in the README and docs/, and action.yml go through GitHub's own workflow parser
// (@actions/workflow-parser: the schema, expressions, event filters, cron), and what each must do
// is asserted on what the parser made of it.
import { readFileSync, readdirSync } from "node:fs";
import {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  parseWorkflow,
} from "@actions/workflow-parser";
import { parseAction } from "@actions/workflow-parser/actions/index";
import type { Code } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), "utf8");

/** The linter's findings for a workflow, `file (Line: n, Col: m): problem` each. */
async function lintWorkflow(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (errors.length > 0 || !parsed.value) return errors;
  // Conversion checks what the schema cannot: needs, job ids, matrix, reusable workflow calls.
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return (template.errors ?? []).map((error) => error.Message);
}

const workflowFiles = readdirSync(new URL(".github/workflows/", ROOT))
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

/** The documentation: the README, then the pages of docs/ in name order. */
const DOC_PAGES = [
  "README.md",
  ...readdirSync(new URL("docs/", ROOT))
    .filter((file) => file.endsWith(".md"))
    .sort()
    .map((file) => `docs/${file}`),
];

/** The documentation's YAML blocks (a markdown parser, so blocks indented in lists come out whole). */
function readmeYamlBlocks(): Array<{ where: string; text: string }> {
  return DOC_PAGES.flatMap((page) => {
    const blocks: Code[] = [];
    const visit = (node: { type: string; children?: unknown[] }) => {
      if (node.type === "code" && (node as Code).lang === "yaml") blocks.push(node as Code);
      for (const child of (node.children ?? []) as Array<typeof node>) visit(child);
    };
    visit(fromMarkdown(read(page)));
    return blocks.map((block) => ({
      where: `${page}:${block.position!.start.line}`,
      text: block.value,
    }));
  });
}

/** The documentation's YAML blocks that are workflows (they have `on:` and `jobs:`). */
function readmeWorkflows() {
  return readmeYamlBlocks().filter(({ text }) => {
    const value = parse(text) as Record<string, unknown> | null;
    return value !== null && typeof value === "object" && "on" in value && "jobs" in value;
  });
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Workflow {
  on: Record<string, Record<string, string[]> | null>;
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean | string };
  jobs: Record<string, { needs?: string; permissions?: Record<string, string>; steps: Step[] }>;
}
const workflow = (file: string) => parse(read(`.github/workflows/${file}`)) as Workflow;
const steps = (value: Workflow) => Object.values(value.jobs).flatMap((job) => job.steps);

/** A `uses:` of this Action, as users should write it: the major tag or a full commit SHA. */
const PINNED_ACTION = /^your-org\/postmortem-bot@(v\d+|[0-9a-f]{40})$/;

describe("the workflow linter", () => {
  it("finds what is wrong in a workflow (so a clean result means something)", async () => {
    const broken = [
      "on: pushed",
      "jobs:",
      "  test:",
      "    runs-on: ubuntu-latest",
      "    if: ${{ github.event_name == }}",
      "    steps:",
      "      - uses: actions/checkout@v7",
      "        whith: { fetch-depth: 0 }",
    ].join("\n");
    const errors = await lintWorkflow("broken.yml", broken);
    expect(errors.join("\n")).toMatch(/Line: 1, Col: 5\): Unexpected value 'pushed'/);
    expect(errors.join("\n")).toMatch(/Line: 5, .*Unexpected end of expression/);
    expect(errors.join("\n")).toMatch(/Line: 8, .*Unexpected value 'whith'/);
    // Found only by the conversion step: a job that needs a job that does not exist.
    const dangling =
      "on: push\njobs:\n  a:\n    needs: b\n    runs-on: x\n    steps: [{ run: 'true' }]\n";
    expect(await lintWorkflow("needs.yml", dangling)).toEqual([
      "needs.yml (Line: 3, Col: 3): The workflow must contain at least one job with no dependencies.",
    ]);
  });

  it("finds what is wrong in an action.yml", () => {
    const errors = parseAction(
      {
        name: "action.yml",
        content: "name: x\ndescription: y\nruns:\n  using: node99\n  main: index.js\n",
      },
      new NoOperationTraceWriter(),
    ).context.errors.getErrors();
    expect(errors.map((error) => error.message)).toContainEqual(
      expect.stringMatching(/Line: 4, .*Unexpected value 'node99'/),
    );
  });
});

describe("the repository's workflows", () => {
  it("are ci.yml and release.yml", () => {
    expect(workflowFiles).toEqual(["ci.yml", "release.yml"]);
  });

  it.each(workflowFiles)("%s passes GitHub's workflow parser", async (file) => {
    expect(await lintWorkflow(file, read(`.github/workflows/${file}`))).toEqual([]);
  });

  it("CI runs .ci/run on pushes to branches and on pull requests, read-only, superseded runs cancelled", () => {
    const ci = workflow("ci.yml");
    expect(ci.on).toEqual({ push: { branches: ["**"] }, pull_request: null });
    expect(ci.permissions).toEqual({ contents: "read" });
    expect(ci.concurrency).toEqual({
      group: "ci-${{ github.event.pull_request.number || github.ref }}",
      "cancel-in-progress": true,
    });
    const setup = steps(ci).find((step) => step.uses?.startsWith("actions/setup-node@"));
    expect(setup?.with).toEqual({ "node-version-file": "package.json" });
    expect(steps(ci).at(-1)).toEqual({ run: "bash .ci/run" });
  });

  it("a release runs on version tags only, tests first, then checks dist/, prepares, publishes and moves the major tag", () => {
    const release = workflow("release.yml");
    expect(release.on).toEqual({ push: { tags: ["v[0-9]+.[0-9]+.[0-9]+*"] } });
    expect(release.permissions).toEqual({ contents: "read" });
    expect(release.concurrency["cancel-in-progress"]).toBe(false);
    expect(steps({ ...release, jobs: { test: release.jobs.test! } }).at(-1)).toEqual({
      run: "bash .ci/run",
    });
    const job = release.jobs.release!;
    expect(job.needs).toBe("test");
    expect(job.permissions).toEqual({
      contents: "write",
      packages: "write",
      "id-token": "write",
      attestations: "write",
    });
    const runs = job.steps.flatMap((step) => (step.run ? [step.run.trim()] : []));
    expect(runs).toEqual([
      expect.stringContaining('git merge-base --is-ancestor "$tagged" refs/remotes/origin/main'),
      "npm ci --ignore-scripts --no-audit --no-fund",
      "npx tsx scripts/release/check-dist.ts",
      'npx tsx scripts/release/prepare.ts "$GITHUB_REF_NAME" --notes-file "$RUNNER_TEMP/notes.md"',
      'echo "name=ghcr.io/${GITHUB_REPOSITORY,,}" >> "$GITHUB_OUTPUT"',
      expect.stringContaining('gh release create "$TAG" --verify-tag'),
      expect.stringMatching(
        /git tag --force "\$MAJOR_TAG" "\$GITHUB_REF_NAME\^\{commit\}"\n[\s\S]*push --force origin "refs\/tags\/\$MAJOR_TAG"$/,
      ),
    ]);
    expect(job.steps.at(-1)!.if).toBe("steps.prepare.outputs.major-tag != ''");
  });

  it("the release job keeps no credentials, checks main first, and hands the token only to the steps that write", () => {
    const job = workflow("release.yml").jobs.release!;
    const named = (name: string) => job.steps.findIndex((step) => step.name === name);
    // The first step checks out without leaving the token in .git/config.
    expect(job.steps[0]!.uses).toMatch(/^actions\/checkout@/);
    expect(job.steps[0]!.with).toMatchObject({ "persist-credentials": false, "fetch-depth": 0 });
    // The tag is checked before anything is installed.
    const onMain = named("The tag is on main");
    const install = job.steps.findIndex((step) => step.run?.startsWith("npm ci"));
    expect(onMain).toBe(1);
    expect(onMain).toBeLessThan(install);
    // Where the token goes: the two steps that write to the repository, the registry's login,
    // and nothing else (the attestation action takes the job's token itself).
    const withToken = job.steps
      .filter((step) => JSON.stringify(step).includes("github.token"))
      .map((step) => step.name ?? step.uses!.replace(/@.*/, ""));
    expect(withToken).toEqual(["docker/login-action", "GitHub release", "Move the major tag"]);
    for (const step of job.steps.filter((candidate) => candidate.env?.GH_TOKEN !== undefined)) {
      expect(step.run).toMatch(/\bgh release\b|\bgit\b[\s\S]*\bpush\b/);
    }
    const moveTag = job.steps[named("Move the major tag")]!;
    expect(moveTag.run).toContain(
      "http.https://github.com/.extraheader=AUTHORIZATION: basic $auth",
    );
    expect(moveTag.run).toContain('echo "::add-mask::$auth"');
  });

  it("the release job attests dist/ and the image it pushes", () => {
    const job = workflow("release.yml").jobs.release!;
    const attestations = job.steps.filter((step) =>
      step.uses?.startsWith("actions/attest-build-provenance@"),
    );
    expect(attestations.map((step) => step.with)).toEqual([
      { "subject-path": "dist/*.js" },
      {
        "subject-name": "${{ steps.image-name.outputs.name }}",
        "subject-digest": "${{ steps.image.outputs.digest }}",
        "push-to-registry": true,
      },
    ]);
    const image = job.steps.find((step) => step.name === "Image")!;
    expect(image.uses).toMatch(/^docker\/build-push-action@/);
    expect(image.with).toMatchObject({ context: ".", push: true });
    // dist/ is attested only after it was found to be what the tagged sources build.
    const index = (predicate: (step: Step & { name?: string }) => boolean) =>
      job.steps.findIndex(predicate);
    expect(index((step) => step.name === "dist/ is what the tagged sources build")).toBeLessThan(
      index((step) => step.name === "Attest dist/"),
    );
    expect(index((step) => step.name === "Image")).toBeLessThan(
      index((step) => step.name === "Attest the image"),
    );
    // Published only once everything is attested.
    expect(index((step) => step.name === "Attest the image")).toBeLessThan(
      index((step) => step.name === "GitHub release"),
    );
  });

  it("pin every action they use by its full commit SHA", () => {
    const uses = workflowFiles.flatMap((file) =>
      steps(workflow(file)).flatMap((step) => (step.uses ? [step.uses] : [])),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });
});

describe("the workflows of the README and docs/, and action.yml", () => {
  const workflows = readmeWorkflows();

  it("the documentation shows every workflow it documents: the one for everything (docs/action.md), reminders, report, release gate, approvals (docs/features.md)", () => {
    expect(workflows.map(({ text }) => (parse(text) as { name: string }).name)).toEqual([
      "postmortem-bot",
      "Post-mortem reminders",
      "Reliability report",
      "Release gate",
      "Post-mortem approvals",
    ]);
  });

  it.each(workflows.map(({ where, text }) => [where, text] as const))(
    "the workflow at %s passes GitHub's workflow parser",
    async (where, text) => {
      expect(await lintWorkflow(where, text)).toEqual([]);
    },
  );

  it("action.yml passes GitHub's action parser", () => {
    const parsed = parseAction(
      { name: "action.yml", content: read("action.yml") },
      new NoOperationTraceWriter(),
    );
    expect(parsed.context.errors.getErrors().map((error) => error.message)).toEqual([]);
  });

  it("every use of this Action is pinned to the major tag or a full commit SHA, under your-org", () => {
    const uses = workflows.flatMap(({ text }) =>
      steps(parse(text) as Workflow).flatMap((step) => (step.uses ? [step.uses] : [])),
    );
    expect(uses).toEqual(Array(5).fill("your-org/postmortem-bot@v1"));
    // Anywhere else the documentation or action.yml names a ref of the Action, in prose too.
    const mentions = [...DOC_PAGES, "action.yml"]
      .map(read)
      .flatMap((text) => [...text.matchAll(/[\w<>.-]+\/postmortem-bot@[\w.-]+/g)]);
    expect(mentions.length).toBeGreaterThanOrEqual(uses.length);
    for (const [mention] of mentions) expect(mention).toMatch(PINNED_ACTION);
  });
});
