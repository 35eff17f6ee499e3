import type { ApprovalGateway } from "../../src/github/approval-gateway.js";
import { readApprovalEvent } from "../../src/github/approval-events.js";
import { checkPullRequestFiles } from "../../src/handlers/approval-handler.js";
import type { RunContext } from "../context.js";
import { runFlows } from "../flows.js";
import { runDeps } from "../gateway.js";

/**
 * `mode: approvals`, what the Action always did: on `issues` and `issue_comment` its flows (the
 * approval gate last); on a pull request (`pull_request`), the post-mortem files it changes.
 * `pull_request_target` (whose token can write even for a fork's pull request; no code of the pull
 * request is checked out or run) and `deployment_status` go to the flows, where `flows.runIn:
 * action`: evidence on CAPA children for a merge, and the culprit check (a check run on the head
 * commit naming the post-mortems it is implicated in) for a pull request opened, pushed to or
 * reopened.
 */
export async function runApprovals(context: RunContext): Promise<void> {
  const deps = await runDeps(context);
  const { name, payload } = context.event;
  // The post-mortem files a pull request changes are checked on `pull_request`; on
  // `pull_request_target` the flows run (evidence on a merge, the culprit check on a pull request
  // opened, pushed to or reopened, reading its files through the API only).
  if (name === "pull_request") return checkFiles(context, deps.gateway);

  const flows = await runFlows(context, deps);
  if (flows.stopped) return;
  const event = readApprovalEvent(name, payload);
  const result = flows.gate;
  if (!event || !result) {
    return context.log.info(`${name}.${payload.action ?? ""}: nothing for the approval gate.`);
  }
  context.log.info(result.message);
  // A broken configuration fails a close (the gate cannot judge it); elsewhere it only warns.
  if (result.problem) return failOrWarn(context, result.problem, event.kind === "closed");
  if (result.outcome !== "judged") return;
  context.setOutput("approved", String(result.approved));
  context.setOutput("missing", JSON.stringify(result.missing));
  await context.writeSummary(result.summary);
  if (result.blocked && context.inputs["fail-on-block"]) {
    context.fail(
      `Post-mortem #${event.issue.number}: close blocked, missing or invalid: ${result.missing.join(", ")}`,
    );
  }
}

/** The post-mortem files a pull request changes, annotated at their lines. */
async function checkFiles(context: RunContext, gateway: ApprovalGateway): Promise<void> {
  const pull = context.event.payload.pull_request;
  if (!pull) return context.log.info("No pull request in the event: nothing to check.");
  const result = await checkPullRequestFiles(
    gateway,
    { number: pull.number, headSha: pull.head.sha },
    context.log,
  );
  if (result.problem) return context.fail(result.problem);
  for (const finding of result.findings) {
    context.annotate("error", finding.message, { file: finding.path, startLine: finding.line });
  }
  context.setOutput("approved", String(result.findings.length === 0));
  context.setOutput(
    "missing",
    JSON.stringify(result.findings.map((f) => `${f.path}:${f.line}: ${f.message}`)),
  );
  await context.writeSummary(result.summary);
  if (result.findings.length > 0 && context.inputs["fail-on-block"]) {
    context.fail(`${result.findings.length} problem(s) in post-mortem files`);
  }
}

function failOrWarn(context: RunContext, problem: string, failJob: boolean): void {
  if (failJob) context.fail(problem);
  else context.log.warn(problem);
}
