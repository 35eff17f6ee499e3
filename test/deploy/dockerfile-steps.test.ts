// scripts/dockerfile-steps.ts on small Dockerfiles: what it performs, and what it refuses.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inStage, parseDockerfile, performDockerfile } from "../../scripts/dockerfile-steps.js";

let context: string;
let into: string;

beforeEach(() => {
  context = mkdtempSync(join(tmpdir(), "dockerfile-context-"));
  into = mkdtempSync(join(tmpdir(), "dockerfile-stages-"));
  mkdirSync(join(context, "src/nested"), { recursive: true });
  writeFileSync(join(context, "src/app.ts"), "app");
  writeFileSync(join(context, "src/nested/secret.pem"), "key");
  writeFileSync(join(context, "package.json"), "{}");
  writeFileSync(join(context, ".env"), "TOKEN=1");
  writeFileSync(join(context, ".dockerignore"), "*\n!src/\n!package.json\nsrc/**/*.pem\n");
});
afterEach(() => {
  rmSync(context, { recursive: true, force: true });
  rmSync(into, { recursive: true, force: true });
});

describe("parseDockerfile", () => {
  it("joins continued lines and leaves comments out", () => {
    const text =
      '# syntax=docker/dockerfile:1\nFROM node:24 AS build\n\nRUN a \\\n  # inside\n  && b\nCMD ["node"]\n';
    expect(parseDockerfile(text)).toEqual([
      { keyword: "FROM", args: "node:24 AS build", line: 2 },
      { keyword: "RUN", args: "a    && b", line: 4 },
      { keyword: "CMD", args: '["node"]', line: 7 },
    ]);
  });
});

describe("performDockerfile", () => {
  it("copies what .dockerignore lets in, runs RUN in WORKDIR with ARG and ENV, copies between stages", async () => {
    const dockerfile = [
      "FROM node:24 AS build",
      "WORKDIR /build",
      "ARG GREETING=hello",
      "COPY src src",
      'RUN echo "$GREETING $STAGE" > out.txt',
      "ENV STAGE=build",
      'RUN echo "$GREETING $STAGE" >> out.txt',
      "FROM node:24",
      "WORKDIR /app",
      "COPY package.json ./",
      "COPY --from=build /build/out.txt result/",
      "USER node",
      "EXPOSE 3000",
      'HEALTHCHECK --interval=30s CMD node -e "0"',
      'CMD ["node", "main.mjs"]',
    ].join("\n");
    const [build, image] = await performDockerfile({ dockerfile, context, into });

    expect(readdirSync(inStage(build!, "src")).sort()).toEqual(["app.ts", "nested"]);
    expect(readdirSync(inStage(build!, "src/nested"))).toEqual([]);
    expect(readFileSync(inStage(build!, "out.txt"), "utf8")).toBe("hello \nhello build\n");
    expect(readdirSync(inStage(image!, ".")).sort()).toEqual(["package.json", "result"]);
    expect(readFileSync(inStage(image!, "result/out.txt"), "utf8")).toBe("hello \nhello build\n");
    expect(image).toMatchObject({
      user: "node",
      exposed: [3000],
      healthcheck: 'node -e "0"',
      cmd: ["node", "main.mjs"],
      workdir: "/app",
    });
  });

  it("refuses a file .dockerignore leaves out, an unknown instruction and a failing RUN", async () => {
    const run = (lines: string[]) =>
      performDockerfile({ dockerfile: ["FROM node:24", ...lines].join("\n"), context, into });
    await expect(run(["COPY .env ./"])).rejects.toThrow(
      "Dockerfile line 2 (COPY): .env is not in the build context",
    );
    await expect(run(["VOLUME /data"])).rejects.toThrow(
      "Dockerfile line 2 (VOLUME): not performed by scripts/dockerfile-steps.ts",
    );
    await expect(run(["RUN exit 3"])).rejects.toThrow(
      "Dockerfile line 2 (RUN): `exit 3` exited with 3",
    );
  });
});
