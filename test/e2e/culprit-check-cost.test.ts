// The culprit check's request budget with 500 post-mortems in the path index (issue #20), as
// `npm run bench` prints it: the real App server against the emulator, the emulator's state seeded
// as the product leaves it (scripts/bench/culprit-check.ts), every request the App sends counted.
import { beforeAll, describe, expect, it } from "vitest";
import { benchCulpritCheck } from "../../scripts/bench/culprit-check.js";
import { loopbackOnly } from "./stack.js";

beforeAll(() => loopbackOnly());

const REPO = "/repos/acme/service";
/** Shas differ from run to run: named by position. */
const anonymous = (sent: string[]) => sent.map((line) => line.replace(/[0-9a-f]{40}/, "<head>"));

describe("the culprit check's cost with 500 post-mortems (e2e)", () => {
  it("is at most 3 requests per warm event, plus one per further 100 files; 304s after CONFIG_MAX_AGE", async () => {
    const figures = await benchCulpritCheck(500, { maxAgeSeconds: 20, quietMs: 1_000 });
    const index = [
      `GET ${REPO}/issues`,
      ...Array.from({ length: 5 }, () => `GET ${REPO}/issues/501/comments`),
    ];
    const check = [`GET ${REPO}/commits/<head>/check-runs`, `POST ${REPO}/check-runs`];
    expect(figures.map((f) => [f.event, anonymous(f.sent)])).toEqual([
      [
        "first pull-request event, cold cache (configuration + index)",
        [
          `GET ${REPO}/contents/.github/postmortem.yml`,
          ...index,
          `GET ${REPO}/pulls/502/files`,
          ...check,
        ],
      ],
      ["implicated pull request pushed to, warm cache", [`GET ${REPO}/pulls/502/files`, ...check]],
      [
        "its redelivery, warm cache (no write)",
        [`GET ${REPO}/pulls/502/files`, `GET ${REPO}/commits/<head>/check-runs`],
      ],
      ["clean pull request, no blocking severity, warm cache", [`GET ${REPO}/pulls/503/files`]],
      [
        "implicated pull request of 250 files, warm cache",
        [...Array.from({ length: 3 }, () => `GET ${REPO}/pulls/504/files`), ...check],
      ],
      [
        "implicated pull request after CONFIG_MAX_AGE (revalidated)",
        [
          `GET ${REPO}/contents/.github/postmortem.yml → 304`,
          ...index.map((line) => `${line} → 304`),
          `GET ${REPO}/pulls/502/files`,
          ...check,
        ],
      ],
    ]);
    for (const figure of figures) {
      if (figure.budget !== undefined) expect(figure.requests).toBeLessThanOrEqual(figure.budget);
      if (figure.noWrite) expect(figure.writes).toBe(0);
    }
    expect(figures.map((f) => f.budget)).toEqual([undefined, 3, 3, 1, 5, undefined]);
  }, 180_000);
});
