// A local chat receiver for the tests and the demo: an HTTP server on loopback that records what
// it gets (method, path, headers, raw body) and can be told to fail or to hang, standing in for a
// Slack incoming webhook, a Teams Workflows webhook or any JSON webhook.
import { createServer } from "node:http";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface ReceivedMessage {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status answered; undefined while (or when) the request hangs. */
  status: number | undefined;
}

export interface ChatReceiver {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** A receiver's URL: `http://127.0.0.1:<port>/<path>`. */
  url(path: string): string;
  /** Every request, in order of arrival. */
  received: ReceivedMessage[];
  /** The requests to a path that were answered 2xx: the messages a channel shows. */
  delivered(path: string): ReceivedMessage[];
  /** The next `times` requests to `path` (any path: undefined) are answered `status`. */
  fail(times: number, status?: number, path?: string): void;
  /** The next `times` requests to `path` (any path: undefined) get no answer at all. */
  hang(times: number, path?: string): void;
  /** Resolves once `count` requests arrived in all, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Rule {
  path: string | undefined;
  times: number;
  answer: number | "hang";
}

export async function startChatReceiver(
  options: { port?: number; onMessage?: (message: ReceivedMessage) => void } = {},
): Promise<ChatReceiver> {
  const received: ReceivedMessage[] = [];
  const rules: Rule[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const waiters: (() => void)[] = [];

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      const message: ReceivedMessage = {
        method: request.method ?? "",
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        status: undefined,
      };
      received.push(message);
      const rule = rules.find((r) => r.times > 0 && (r.path === undefined || r.path === path));
      if (rule) rule.times--;
      const answer = rule?.answer ?? 200;
      if (answer === "hang") hanging.add(response);
      else {
        message.status = answer;
        response.writeHead(answer, { "content-type": "text/plain" });
        response.end(answer < 300 ? "ok" : "failed");
      }
      options.onMessage?.(message);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    url: (path) => `${baseUrl}/${path.replace(/^\//, "")}`,
    received,
    delivered: (path) =>
      received.filter(
        (m) => m.path === `/${path.replace(/^\//, "")}` && m.status !== undefined && m.status < 300,
      ),
    fail(times, status = 500, path) {
      rules.push({
        path: path === undefined ? undefined : `/${path.replace(/^\//, "")}`,
        times,
        answer: status,
      });
    },
    hang(times, path) {
      rules.push({
        path: path === undefined ? undefined : `/${path.replace(/^\//, "")}`,
        times,
        answer: "hang",
      });
    },
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`chat receiver: ${received.length} of ${count} requests arrived`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async stop() {
      for (const response of hanging) response.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
