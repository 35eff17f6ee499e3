/**
 * Performs a Dockerfile's steps without Docker: each stage gets a directory that stands for its
 * file system root, COPY copies from the build context (filtered by .dockerignore) or an earlier
 * stage, RUN runs the command with `sh` in the stage's WORKDIR. The test of the production image
 * (test/deploy/production-steps.test.ts) and the footprint bench use it, so they follow the
 * Dockerfile as it is. Instructions it does not know are refused rather than skipped.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, posix, relative } from "node:path";

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface PerformedStage {
  name: string;
  image: string;
  /** The directory standing for the stage's `/`. */
  root: string;
  /** WORKDIR at the end of the stage, as a path inside the stage. */
  workdir: string;
  env: Record<string, string>;
  user?: string;
  exposed: number[];
  /** HEALTHCHECK's command (shell form). */
  healthcheck?: string;
  /** CMD (exec form). */
  cmd?: string[];
}

export interface PerformOptions {
  /** The Dockerfile's text. */
  dockerfile: string;
  /** The build context (the repository); its .dockerignore applies. */
  context: string;
  /** An empty directory: each stage is performed in a subdirectory named after it. */
  into: string;
  /** Where each RUN command's output goes (default: dropped unless it fails). */
  onOutput?: (text: string) => void;
}

/** The instructions, with continuation lines joined and comments left out. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  let startLine = 0;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
    if (pending && line.trimStart().startsWith("#")) return;
    if (!pending) startLine = index + 1;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const whole = (pending + line).trim();
    pending = "";
    const keyword = whole.split(/\s+/, 1)[0] ?? "";
    instructions.push({
      keyword: keyword.toUpperCase(),
      args: whole.slice(keyword.length).trim(),
      line: startLine,
    });
  });
  return instructions;
}

/** Runs every stage of the Dockerfile in turn; returns them in order (the last is the image). */
export async function performDockerfile(options: PerformOptions): Promise<PerformedStage[]> {
  const stages: PerformedStage[] = [];
  const ignore = dockerignore(options.context);
  let stage: PerformedStage | undefined;
  let args: Record<string, string> = {};
  for (const instruction of parseDockerfile(options.dockerfile)) {
    const where = `Dockerfile line ${instruction.line} (${instruction.keyword})`;
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.split(/\s+/);
      const stageName = as?.toUpperCase() === "AS" && name ? name : `stage-${stages.length}`;
      stage = {
        name: stageName,
        image,
        root: join(options.into, stageName),
        workdir: "/",
        env: {},
        exposed: [],
      };
      mkdirSync(stage.root, { recursive: true });
      stages.push(stage);
      args = {};
      continue;
    }
    if (!stage) throw new Error(`${where}: comes before FROM`);
    switch (instruction.keyword) {
      case "ARG": {
        const [key = "", value = ""] = splitAssignment(instruction.args);
        args[key] = value;
        break;
      }
      case "ENV":
        for (const pair of instruction.args.split(/\s+/)) {
          const [key, value] = splitAssignment(pair);
          if (value === undefined) throw new Error(`${where}: write ENV as KEY=value`);
          stage.env[key] = value;
        }
        break;
      case "WORKDIR":
        stage.workdir = posix.resolve(stage.workdir, instruction.args);
        mkdirSync(inStage(stage, stage.workdir), { recursive: true });
        break;
      case "COPY":
        copy(instruction.args, stage, stages, options.context, ignore, where);
        break;
      case "RUN":
        await run(instruction.args, stage, args, options.onOutput, where);
        break;
      case "USER":
        stage.user = instruction.args;
        break;
      case "EXPOSE":
        stage.exposed.push(...instruction.args.split(/\s+/).map((port) => Number.parseInt(port)));
        break;
      case "HEALTHCHECK": {
        const command = /(?:^|\s)CMD\s+(.*)$/.exec(instruction.args)?.[1];
        if (!command) throw new Error(`${where}: expected HEALTHCHECK [options] CMD command`);
        stage.healthcheck = command;
        break;
      }
      case "CMD":
        stage.cmd = JSON.parse(instruction.args) as string[];
        break;
      default:
        throw new Error(`${where}: not performed by scripts/dockerfile-steps.ts; teach it first`);
    }
  }
  return stages;
}

/** A path inside a stage, as a path on this machine. */
export function inStage(stage: PerformedStage, path: string): string {
  return join(stage.root, posix.resolve(stage.workdir, path));
}

function splitAssignment(text: string): [string, string | undefined] {
  const at = text.indexOf("=");
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function copy(
  text: string,
  stage: PerformedStage,
  stages: PerformedStage[],
  context: string,
  ignored: (path: string) => boolean,
  where: string,
): void {
  const words = text.split(/\s+/);
  let from: PerformedStage | undefined;
  while (words[0]?.startsWith("--")) {
    const flag = words.shift() as string;
    const [name, value] = splitAssignment(flag);
    if (name === "--from") {
      from = stages.find((s) => s.name === value);
      if (!from) throw new Error(`${where}: no stage named ${value}`);
    } else if (name !== "--chown" && name !== "--chmod") {
      throw new Error(`${where}: ${name} is not performed`);
    }
  }
  const destination = words.pop();
  if (!destination || words.length === 0)
    throw new Error(`${where}: expected sources and a destination`);
  const intoDirectory = destination.endsWith("/") || words.length > 1;
  const target = inStage(stage, destination);
  for (const source of words) {
    const origin = from ? inStage(from, source) : join(context, source);
    if (!existsSync(origin) || (!from && ignored(source))) {
      throw new Error(`${where}: ${source} is not in the ${from ? "stage" : "build context"}`);
    }
    const filter = (path: string) => from !== undefined || !ignored(relative(context, path));
    if (statSync(origin).isDirectory()) {
      mkdirSync(target, { recursive: true });
      for (const entry of readdirSync(origin)) {
        cpSync(join(origin, entry), join(target, entry), { recursive: true, filter });
      }
    } else {
      const file = intoDirectory ? join(target, basename(source)) : target;
      mkdirSync(dirname(file), { recursive: true });
      cpSync(origin, file);
    }
  }
}

/** Whether .dockerignore leaves a path (relative to the context) out: the last matching rule wins. */
function dockerignore(context: string): (path: string) => boolean {
  const file = join(context, ".dockerignore");
  const rules = existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("#"))
        .map((line) => {
          const negated = line.startsWith("!");
          const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, "");
          return { negated, pattern: globToRegExp(pattern) };
        })
    : [];
  return (path) => {
    const parts = path.split(/[\\/]/);
    // A rule that matches a directory covers everything in it.
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
    let ignored = false;
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.pattern.test(prefix))) ignored = !rule.negated;
    }
    return ignored;
  };
}

/**
 * Docker's patterns (Go's filepath.Match, plus `**`): `*` and `?` stop at `/` but, unlike shell
 * globs, match a leading dot, so `*` leaves out `.env` too.
 */
function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*" && pattern[i + 1] === "*") {
      source += ".*";
      i++;
      if (pattern[i + 1] === "/") i++;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

// What a RUN step may see of this machine: where Node is, the home (npm's cache and .npmrc) and
// the network settings; never the variables npm sets for the script that runs the test.
const PASSED_ENV = /^(PATH|HOME|TMPDIR|https?_proxy|no_proxy|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE)$/i;

function run(
  command: string,
  stage: PerformedStage,
  args: Record<string, string>,
  onOutput: ((text: string) => void) | undefined,
  where: string,
): Promise<void> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && PASSED_ENV.test(key)) env[key] = value;
  }
  // `node` in RUN is this Node (the image's is Node 24, as is the one running this).
  env.PATH = `${dirname(process.execPath)}:${env.PATH ?? ""}`;
  Object.assign(env, args, stage.env);
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], {
      cwd: inStage(stage, stage.workdir),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      onOutput?.(chunk.toString("utf8"));
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else
        reject(new Error(`${where}: \`${command}\` exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
}
