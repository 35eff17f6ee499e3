// `postmortem-bot doctor` against the emulator: each misconfiguration it names, shown to it once,
// with the App's credentials (JWT, then the installation) or with a token as the Action.
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GitHubEmulator } from "../../emulator/index.js";
import { createGitHubEmulator } from "../../emulator/index.js";
import { generateAppCredentials } from "../../emulator/app-process.js";
import { runCli } from "../../src/entry/cli.js";
import { loopbackOnly } from "./stack.js";

const credentials = generateAppCredentials();
const NOW = new Date("2026-11-27T13:00:00Z");
const ACTION_DOCS = readFileSync(new URL("../../docs/action.md", import.meta.url), "utf8");
/** docs/action.md's "One workflow for everything", as a team would copy it. */
const DOCUMENTED_WORKFLOW = /## One workflow for everything[\s\S]*?```yaml\n([\s\S]*?)```/.exec(
  ACTION_DOCS,
)![1]!;

let emulator: GitHubEmulator;
let receiver: Server;
let receiverUrl: string;
let cwd: string;

beforeAll(async () => {
  loopbackOnly();
  receiver = createServer((_req, res) => {
    res.writeHead(202);
    res.end("accepted");
  });
  await new Promise<void>((ready) => receiver.listen(0, "127.0.0.1", ready));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`;
  cwd = mkdtempSync(join(tmpdir(), "pmb-doctor-"));
});
afterAll(async () => {
  await new Promise<void>((closed) => receiver.close(() => closed()));
  rmSync(cwd, { recursive: true, force: true });
});

beforeEach(async () => {
  emulator = await createGitHubEmulator({
    appId: 4242,
    publicKey: credentials.publicKey,
    webhookSecret: credentials.secret,
    users: [{ login: "alice", role: "maintain" }],
  }).start();
  emulator.state.app.events = ["issues", "issue_comment", "sub_issues", "pull_request", "push"];
  emulator.setWebhookUrl(receiverUrl);
  emulator.webhooks.reportedUrl = "https://bot.example.org/api/github/webhooks";
  emulator.createLabel({ name: "incident" });
});
afterEach(() => emulator.stop());

async function doctor(args: string[], env: Record<string, string> = appEnv()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["doctor", "--repo", "acme/service", ...args], {
    cwd,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    now: NOW,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function appEnv(): Record<string, string> {
  return {
    APP_ID: "4242",
    PRIVATE_KEY: credentials.privateKey,
    GHE_HOST: emulator.gheHost,
    GHE_PROTOCOL: "http",
  };
}

/** One delivery the receiver answered, so GitHub's log shows the hook works. */
async function oneDelivery(): Promise<void> {
  emulator.openIssue({ by: "alice", title: "Hello", body: "" });
  await emulator.waitForIdle();
}

describe("doctor, with the App's credentials", () => {
  it("says all is in place, after reading the App, its installation, its hook and the repository's files", async () => {
    await oneDelivery();
    const before = emulator.requests.length;
    expect(await doctor([])).toEqual({
      code: 0,
      out: "acme/service: everything postmortem-bot needs is in place.",
      err: "",
    });
    expect(
      emulator.requests.slice(before).map((r) => `${r.method} ${r.route} ${r.status}`),
    ).toEqual([
      "GET /app 200",
      "GET /repos/{owner}/{repo}/installation 200",
      "GET /app/hook/config 200",
      "GET /app/hook/deliveries 200",
      "POST /app/installations/{installation_id}/access_tokens 201",
      "GET /repos/{owner}/{repo} 200",
      // The configuration (absent: defaults), through Probot's loader: the repository, then .github.
      "GET /repos/{owner}/{repo}/contents/{path} 404",
      "GET /repos/{owner}/{repo}/contents/{path} 404",
      // The issue forms' folder (none).
      "GET /repos/{owner}/{repo}/contents/{path} 404",
      "GET /repos/{owner}/{repo}/labels 200",
    ]);
  });

  it("names what the App and its installation lack, and the team permission roles need", async () => {
    await oneDelivery();
    // Changes before the incident reads pull requests and deployments: deployments missing here.
    emulator.state.app.permissions = {
      issues: "read",
      contents: "read",
      metadata: "read",
      pull_requests: "read",
    };
    emulator.state.app.events = ["issues"];
    emulator.setFile(
      ".github/postmortem.yml",
      "approvals:\n  required: [techLead]\n  roles:\n    techLead:\n      field: Approved By (Tech Lead)\n      teams: [sre]\n",
    );
    const result = await doctor([]);
    expect(result.code).toBe(1);
    const settings = `${emulator.url}/apps/postmortem-bot`;
    const fix = `  fix: Add it in the App's settings (${settings} → Permissions & events); each installation's owner then accepts it.`;
    expect(result.out.split("\n")).toEqual([
      "acme/service: 8 problems",
      "✗ The App has issues: read; it needs issues: write.",
      fix,
      "✗ The App has deployments: none; it needs deployments: read.",
      fix,
      "✗ The App has members: none; it needs members: read (a role in approvals.roles lists teams).",
      fix,
      "✗ The App has checks: none; it needs checks: write.",
      fix,
      "✗ The App is not subscribed to the `issue_comment` event.",
      fix,
      "✗ The App is not subscribed to the `sub_issues` event.",
      fix,
      "✗ The App is not subscribed to the `pull_request` event.",
      fix,
      "! The App is not subscribed to the `push` event: a pushed configuration takes effect only after CONFIG_MAX_AGE.",
      fix,
    ]);
  });

  it("names what the installation's owner has not accepted yet, once", async () => {
    await oneDelivery();
    emulator.state.app.accepted = {
      permissions: {
        issues: "write",
        contents: "none",
        metadata: "read",
        pull_requests: "read",
        deployments: "read",
      },
      events: ["issues", "issue_comment", "push"],
    };
    const result = await doctor([]);
    expect(result.code).toBe(1);
    const fix = `  fix: Accept the App's new permissions and events in the installation's settings (${emulator.url}/organizations/acme/settings/installations/${emulator.state.installationId}).`;
    expect(result.out.split("\n")).toEqual([
      "acme/service: 4 problems",
      "✗ The installation has contents: none; it needs contents: read.",
      fix,
      "✗ The installation has checks: none; it needs checks: write.",
      fix,
      "✗ The installation is not subscribed to the `sub_issues` event.",
      fix,
      "✗ The installation is not subscribed to the `pull_request` event.",
      fix,
    ]);
  });

  it("names a repository the App is not installed on", async () => {
    await oneDelivery();
    const result = await runCli(["doctor", "--repo", "acme/elsewhere"], {
      cwd,
      out: (line) =>
        expect(line).toBe(
          [
            "acme/elsewhere: 1 problem",
            "✗ The App (postmortem-bot) is not installed on acme/elsewhere: GitHub sends it no events from there.",
            `  fix: Install it: ${emulator.url}/apps/postmortem-bot/installations/new`,
          ].join("\n"),
        ),
      err: (line) => expect.fail(line),
      env: appEnv(),
      now: NOW,
    });
    expect(result).toBe(1);
  });

  it("names app.yml's placeholder URL, skipped TLS checks and deliveries nobody answered", async () => {
    emulator.setWebhookUrl("http://127.0.0.1:9/api/github/webhooks");
    await oneDelivery();
    emulator.webhooks.reportedUrl = "https://example.com/api/github/webhooks";
    emulator.webhooks.insecureSsl = "1";
    const result = await doctor([]);
    expect(result.code).toBe(1);
    const delivered = emulator.webhooks.log[0]!.deliveredAt;
    expect(result.out.split("\n")).toEqual([
      "acme/service: 3 problems",
      "✗ The webhook URL is app.yml's placeholder (https://example.com): GitHub sends events nowhere.",
      "  fix: Set it to your server's https://<host>/api/github/webhooks in the App's settings → General → Webhook.",
      `✗ 1 of the last 1 deliveries failed (latest: issues at ${delivered}, no answer).`,
      "  fix: GitHub could not reach the webhook URL: check that the server runs and the URL reaches it from the internet.",
      "! The webhook skips TLS verification (insecure_ssl): anyone in between can read or alter deliveries.",
      "  fix: Turn SSL verification on in the App's settings → General → Webhook.",
    ]);
  });

  it("names each routed chat receiver the App cannot send to, by variable, never by value", async () => {
    await oneDelivery();
    emulator.setFile(
      ".github/postmortem.yml",
      "notify:\n  receivers:\n    sre: { kind: slack }\n    audit: { kind: webhook }\n    ops: { kind: teams }\n  routes:\n    - to: [sre, audit, ops]\n",
    );
    const env = {
      ...appEnv(),
      NOTIFY_SRE_URL: "https://hooks.slack.com/services/T/B/very-secret",
      NOTIFY_AUDIT_URL: "https://audit.example/hook-token-123",
      NOTIFY_OPS_URL: "https://teams.example/ops-token-456",
      NOTIFY_OPS_OWNERS: "someone-else",
    };
    const result = await doctor([], env);
    expect(result.out.split("\n")).toEqual([
      "acme/service: 2 problems",
      "! Receiver `audit` is a `webhook` without a secret: `NOTIFY_AUDIT_SECRET` is not set, and unsigned messages are not sent. No chat message goes there.",
      "  fix: Set `NOTIFY_AUDIT_SECRET` to the secret the receiver checks signatures with.",
      "! Receiver `ops` is not for repositories of `acme`: `NOTIFY_OPS_OWNERS` does not list it. No chat message goes there.",
      "  fix: Add `acme` to `NOTIFY_OPS_OWNERS`, or route to another receiver.",
    ]);
    for (const value of ["very-secret", "hook-token-123", "ops-token-456", "someone-else"]) {
      expect(result.out).not.toContain(value);
    }
  });

  it("warns when GitHub has sent nothing yet", async () => {
    const result = await doctor([]);
    expect(result).toEqual({
      code: 0,
      out: [
        "acme/service: 1 problem",
        "! GitHub has no recent deliveries for the App: nothing has reached the server yet.",
        "  fix: Label an issue `incident` in an installed repository, then run doctor again.",
      ].join("\n"),
      err: "",
    });
  });

  it("names a broken configuration, a broken form, a missing template and a missing incident label", async () => {
    await oneDelivery();
    emulator.setFile(".github/postmortem.yml", "reminders: [not, a, map]\n");
    let result = await doctor([]);
    expect(result.code).toBe(1);
    expect(result.out.split("\n").slice(0, 2)).toEqual([
      "acme/service: 1 problem",
      `✗ The configuration in \`${emulator.apiUrl}/repos/acme/service/contents/.github%2Fpostmortem.yml\` is invalid:`,
    ]);
    expect(result.out).toMatch(/\n {2}- reminders: .+\n/);
    expect(result.out.split("\n").at(-1)).toBe(
      "  fix: Correct .github/postmortem.yml (schema.json in the repository checks it in an editor).",
    );

    emulator.setFile(
      ".github/postmortem.yml",
      "template: .github/missing.md\nincidentLabels: [sev-incident]\n",
    );
    emulator.setFile(".github/ISSUE_TEMPLATE/incident.yml", "name: Incident\nbody: 12\n");
    result = await doctor([]);
    expect(result.code).toBe(1);
    const lines = result.out.split("\n");
    expect(lines[0]).toBe("acme/service: 3 problems");
    expect(lines.slice(1, 3)).toEqual([
      "✗ The template `.github/missing.md` (configured as `template`) was not found on branch `main`.",
      "  fix: Correct the template (or remove `template` to use the built-in one): no post-mortem opens until then.",
    ]);
    expect(lines[3]).toMatch(/^! .*incident\.yml/);
    expect(lines.slice(5)).toEqual([
      "! No incident label exists (`sev-incident`): nobody can declare an incident by label.",
      "  fix: Create the label `sev-incident` (Issues → Labels → New label), or use the shipped issue form, which applies it.",
    ]);
  });

  it("checks every configured template, each reported on its own: a missing per-severity one, a broken per-label one", async () => {
    await oneDelivery();
    emulator.setFile(
      ".github/postmortem.yml",
      [
        "template: .github/postmortem.md",
        "policy:",
        "  P2:",
        "    template: builtin:default",
        "  P4:",
        "    template: .github/p4.md",
        "templates:",
        "  byLabel:",
        "    security: .github/security.md",
        "    data-loss: builtin:security",
        "",
      ].join("\n"),
    );
    emulator.setFile(".github/postmortem.md", "# Review of {{incident.reference}}\n");
    emulator.setFile(".github/security.md", "# PM\n\n{{#if incident}}\nunclosed\n");
    const result = await doctor([]);
    expect(result.code).toBe(1);
    const lines = result.out.split("\n");
    expect(lines[0]).toBe("acme/service: 2 problems");
    expect(lines.slice(1, 3)).toEqual([
      "✗ The template `.github/p4.md` (configured as `policy.P4.template`) was not found on branch `main`.",
      "  fix: Correct the template (or remove `policy.P4.template`): no post-mortem it is chosen for opens until then.",
    ]);
    expect(lines[3]).toMatch(/^✗ `\.github\/security\.md`: Parse error on line \d+/);
    expect(lines.at(-1)).toBe(
      "  fix: Correct the template (or remove `templates.byLabel.security`): no post-mortem it is chosen for opens until then.",
    );
  });

  it("under `capa.defaultOwners: codeowners`, reads CODEOWNERS where GitHub does and names what it cannot use", async () => {
    await oneDelivery();
    emulator.setFile(
      ".github/postmortem.yml",
      [
        "capa:",
        "  defaultOwners: codeowners",
        "  servicePaths:",
        "    payments: [/src/pay/, /src/ledger/]",
        "",
      ].join("\n"),
    );
    let result = await doctor([]);
    expect(result).toEqual({
      code: 0,
      out: [
        "acme/service: 1 problem",
        "! `capa.defaultOwners: codeowners` but there is no CODEOWNERS file (`.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`) on the default branch: a corrective action whose line names nobody goes to the post-mortem's assignees.",
        "  fix: Add a CODEOWNERS file, or choose another `capa.defaultOwners`.",
      ].join("\n"),
      err: "",
    });

    emulator.setFile("docs/CODEOWNERS", "/src/pay/ @alice\n!/src/pay/vendor/ @alice\n");
    const before = emulator.requests.length;
    result = await doctor([]);
    expect(result.out.split("\n")).toEqual([
      "acme/service: 2 problems",
      "! `docs/CODEOWNERS` has patterns GitHub does not accept (a `!` negation or a `[ ]` range) on line 2: no owner is read from it.",
      "  fix: Rewrite those patterns without `!` or `[ ]`.",
      "! No rule of `docs/CODEOWNERS` owns `/src/ledger/` (`capa.servicePaths` of `payments`): its corrective actions go to the post-mortem's assignees.",
      "  fix: Add a rule with owners for that path to `docs/CODEOWNERS`, or correct `capa.servicePaths`.",
    ]);
    expect(
      emulator.requests
        .slice(before)
        .filter((r) => r.path.includes("CODEOWNERS"))
        .map((r) => `${r.method} ${decodeURIComponent(r.path)} ${r.status}`),
    ).toEqual([
      "GET /repos/acme/service/contents/.github/CODEOWNERS 404",
      "GET /repos/acme/service/contents/CODEOWNERS 404",
      "GET /repos/acme/service/contents/docs/CODEOWNERS 200",
    ]);
  });

  it("refuses credentials that are not the App's", async () => {
    const other = generateAppCredentials();
    expect(await doctor([], { ...appEnv(), PRIVATE_KEY: other.privateKey })).toEqual({
      code: 2,
      out: "",
      err: "GitHub refused the App's credentials (401): APP_ID and PRIVATE_KEY must be the App's id and one of its private keys.",
    });
  });
});

describe("doctor, with a token, as the Action", () => {
  const tokenEnv = () => ({ GITHUB_API_URL: emulator.apiUrl });

  it("names chat receivers no workflow gives the Action a URL or a secret for", async () => {
    emulator.setFile(".github/workflows/postmortem.yml", DOCUMENTED_WORKFLOW);
    emulator.setFile(
      ".github/postmortem.yml",
      "notify:\n  receivers:\n    sre: { kind: slack }\n    audit: { kind: webhook }\n  routes:\n    - to: [sre, audit]\n",
    );
    const result = await doctor(["--token", emulator.tokenFor("alice")], tokenEnv());
    expect(result.out.split("\n").slice(0, 1)).toEqual(["acme/service: 3 problems"]);
    expect(result.out.split("\n").slice(3)).toEqual([
      "! `notify` routes to `sre`, `audit`, but no workflow passes the `notify-urls` input: the Action sends no chat messages.",
      "  fix: Pass `notify-urls: ${{ secrets.… }}` (one `name=url` line per receiver) to the postmortem-bot step.",
      "! `audit` is a `webhook`, but no workflow passes the `notify-secrets` input: unsigned messages are not sent.",
      "  fix: Pass `notify-secrets: ${{ secrets.… }}` (one `name=secret` line per webhook receiver).",
    ]);
  });

  it("accepts the documented workflow, saying only that it is not pinned", async () => {
    emulator.setFile(".github/workflows/postmortem.yml", DOCUMENTED_WORKFLOW);
    const result = await doctor(["--token", emulator.tokenFor("alice")], tokenEnv());
    expect(result).toEqual({
      code: 0,
      out: [
        "acme/service: 1 problem",
        "! .github/workflows/postmortem.yml uses `your-org/postmortem-bot@v1`, a tag or branch that can move.",
        "  fix: Pin it to a full commit SHA (the release notes list it), with the version in a comment.",
      ].join("\n"),
      err: "",
    });
  });

  it("with the flows in the Action, accepts the documented workflow and names what the culprit check lacks", async () => {
    emulator.setFile(".github/postmortem.yml", "flows:\n  runIn: action\n");
    emulator.setFile(".github/workflows/postmortem.yml", DOCUMENTED_WORKFLOW);
    let result = await doctor(["--token", emulator.tokenFor("alice")], tokenEnv());
    expect(result.code).toBe(0);
    expect(result.out.split("\n")[0]).toBe("acme/service: 1 problem");

    // Without the pull request events, then without `checks: write`: one warning each.
    const withoutTypes = DOCUMENTED_WORKFLOW.replace(
      "types: [closed, opened, synchronize, reopened]",
      "types: [closed]",
    );
    expect(withoutTypes).not.toBe(DOCUMENTED_WORKFLOW);
    emulator.setFile(".github/workflows/postmortem.yml", withoutTypes);
    result = await doctor(["--token", emulator.tokenFor("alice")], tokenEnv());
    expect(result.out.split("\n").slice(0, 1).concat(result.out.split("\n").slice(3))).toEqual([
      "acme/service: 2 problems",
      "! .github/workflows/postmortem.yml does not run on `pull_request_target` opened, synchronize, reopened: pull requests that touch a culprit's paths get no check run.",
      "  fix: Add them: `on: pull_request_target: types: [closed, opened, synchronize, reopened]` (docs/action.md).",
    ]);
    const withoutChecks = DOCUMENTED_WORKFLOW.replace(/^ *checks: write.*\n/m, "");
    expect(withoutChecks).not.toBe(DOCUMENTED_WORKFLOW);
    emulator.setFile(".github/workflows/postmortem.yml", withoutChecks);
    result = await doctor(["--token", emulator.tokenFor("alice")], tokenEnv());
    expect(result.out.split("\n").slice(0, 1).concat(result.out.split("\n").slice(3))).toEqual([
      "acme/service: 2 problems",
      "! .github/workflows/postmortem.yml does not give its token `checks: write`: the culprit check cannot write its check run.",
      "  fix: Add `checks: write` to the workflow's `permissions`.",
    ]);
  });

  it("names a missing workflow", async () => {
    const result = await doctor(["--token", emulator.tokenFor("alice")], tokenEnv());
    expect(result.code).toBe(1);
    expect(result.out.split("\n").slice(1)).toEqual([
      "✗ No workflow in .github/workflows uses postmortem-bot: the Action never runs.",
      "  fix: Add .github/workflows/postmortem.yml from docs/action.md (“One workflow for everything”).",
    ]);
  });

  it("names a 1.x workflow: no unlabeled trigger, no issues: write, no schedule", async () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    emulator.setFile(
      ".github/workflows/gate.yml",
      `on:\n  issues:\n    types: [opened, labeled, edited, closed, reopened]\n  issue_comment:\n    types: [created, edited]\npermissions:\n  contents: read\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/postmortem-bot@${sha} # v2.0.0\n`,
    );
    const result = await doctor(["--token", emulator.tokenFor("alice")], tokenEnv());
    expect(result.code).toBe(1);
    expect(result.out.split("\n")).toEqual([
      "acme/service: 3 problems",
      "✗ .github/workflows/gate.yml does not give its token `issues: write`: the Action cannot comment, label or reopen.",
      "  fix: Add `permissions: { issues: write, contents: read }` to the workflow.",
      "✗ .github/workflows/gate.yml does not run on `issues` unlabeled: closes, removed labels or edits go unjudged.",
      "  fix: Add them: `on: issues: types: [opened, labeled, unlabeled, edited, closed, reopened]`.",
      "! .github/workflows/gate.yml has no `schedule`: a close whose run was cancelled waits for the next event on it, and no reminders are sent.",
      '  fix: Add `schedule: [{ cron: "0 8 * * 1-5" }]`.',
    ]);
  });
});
