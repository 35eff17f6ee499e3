// The culprit check in the Action (issue #20): `pull_request_target` opened, pushed to or reopened
// runs the flows in-process (`mode: approvals`, action/modes/approvals.ts), against nock with every
// request asserted. In-process rather than the bundle: the emulator has no check runs and no
// pull-request files yet (another part of #20 adds them); the bundle is run end to end after that.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunContext } from "../../action/context.js";
import { runApprovals } from "../../action/modes/approvals.js";
import { encodeEntry, INDEX_LABEL } from "../../src/core/culprits/path-index.js";
import { CHECK_NAME } from "../../src/core/culprit-check/plan.js";
import { formatMarker } from "../../src/core/markers.js";
import { tokenOctokit } from "../../src/github/token-octokit.js";
import { paginate, useFakeGitHub } from "../support/github-api.js";
import { useFixedClock } from "../support/clock.js";
import { webhook } from "../support/webhooks.js";

const NOW = "2026-11-27T13:00:00.000Z";
const SHA = "d".repeat(40);
const ACTIONS_BOT = "github-actions[bot]";

function context(name: string, payload: unknown, lines: string[]): RunContext {
  const { octokit, requests } = tokenOctokit({
    token: "ghs_workflow",
    baseUrl: "https://api.github.com",
    userAgent: "postmortem-bot-action",
    warn: () => {},
  });
  const log = {
    debug: () => {},
    info: (message: string) => lines.push(`info: ${message}`),
    warn: (message: string) => lines.push(`warn: ${message}`),
    error: (message: string) => lines.push(`error: ${message}`),
  };
  return {
    env: {},
    event: { name, payload: payload as RunContext["event"]["payload"] },
    repository: { owner: "acme", repo: "web", defaultBranch: "main" },
    inputs: {
      "github-token": "ghs_workflow",
      "fail-on-block": true,
      mode: "",
      incident: "",
      "report-issue": false,
      "report-since": undefined,
      "report-until": undefined,
      "config-extends-owners": "",
      "private-repository-token": undefined,
      "projects-token": undefined,
      "notify-urls": "",
      "notify-secrets": "",
    },
    octokit,
    requests,
    log,
    // As the entry hands it over (action/postmortem-labels.ts read it): no config request here.
    entryConfig: { value: { flows: { runIn: "action" } }, files: [] },
    setOutput: () => {},
    writeSummary: () => Promise.resolve(),
    annotate: () => {},
    fail: (problem) => lines.push(`failed: ${problem}`),
  };
}

describe("the culprit check in the Action (pull_request_target)", () => {
  const api = useFakeGitHub();
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reads the files through the API and writes one check run as github-actions[bot]", async () => {
    useFixedClock(NOW);
    api.expect("GET /repos/acme/web/issues", {
      query: (query) => query.labels === INDEX_LABEL && query.creator === ACTIONS_BOT,
      reply: [200, [{ number: 90, user: { login: ACTIONS_BOT, type: "Bot" } }]],
    });
    const entry = {
      postmortem: 12,
      title: "Checkout returns 500",
      severity: "P2" as const,
      private: false,
      openedAt: "2026-11-01T10:00:00Z",
      culprits: [{ pr: 41, paths: ["src/cart.ts"], morePaths: 0 }],
      openCapa: [],
    };
    api.expect("GET /repos/acme/web/issues/90/comments", {
      reply: (request) =>
        paginate(request, [
          {
            id: 1,
            body: formatMarker("path-index", encodeEntry(entry)),
            user: { login: ACTIONS_BOT, type: "Bot" },
            created_at: "2026-11-02T00:00:00Z",
            updated_at: "2026-11-02T00:00:00Z",
          },
        ]),
    });
    api.expect("GET /repos/acme/web/pulls/7/files", {
      query: { per_page: "100" },
      reply: [200, [{ filename: "src/cart.ts", status: "modified" }]],
    });
    api.expect(`GET /repos/acme/web/commits/${SHA}/check-runs`, {
      query: { check_name: CHECK_NAME, filter: "all" },
      reply: [200, { total_count: 0, check_runs: [] }],
    });
    api.expect("POST /repos/acme/web/check-runs", {
      body: expect.objectContaining({
        name: CHECK_NAME,
        head_sha: SHA,
        status: "completed",
        conclusion: "neutral",
        output: expect.objectContaining({ title: "Touches code implicated in a post-mortem" }),
      }),
      reply: [201, { id: 1 }],
    });
    const payload = webhook("pull_request.opened")
      .repo("acme", "web")
      .sender("outsider")
      .edit((p) => {
        p.number = 7;
        p.pull_request.number = 7;
        p.pull_request.head.sha = SHA;
        p.repository.html_url = "https://github.com/acme/web";
      }).payload;
    const lines: string[] = [];
    await runApprovals(context("pull_request_target", payload, lines));
    expect(lines).toContain("info: Pull request #7, culprit check: neutral, created");
    // Index (2, cold in a run), files, find, create: and no other request.
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /repos/acme/web/issues",
      "GET /repos/acme/web/issues/90/comments",
      "GET /repos/acme/web/pulls/7/files",
      `GET /repos/acme/web/commits/${SHA}/check-runs`,
      "POST /repos/acme/web/check-runs",
    ]);
  });
});
