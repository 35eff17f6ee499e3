/**
 * The server's HTTP front: the Node server that Probot's webhook middleware sits behind. Probot's
 * own `Server` (what `run()` starts) offers no place before the middleware, which reads a whole
 * request into memory whatever its size, and it keeps its Node server to itself, so its idle
 * timeout cannot be set. This does what `Server` did for this App (`GET /ping`, the webhook path,
 * 404 for the rest), and in front of the middleware:
 *
 * - A body over GitHub's limit is refused with 413 before it is read: at once when its
 *   `Content-Length` says so, and as soon as the bytes counted while reading pass the limit when
 *   it is sent without one (chunked). Nothing larger is ever held in memory.
 * - Connections are kept open longer than the clients that pool them keep them idle (below).
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** GitHub caps a webhook payload at 25 MB; taken as MiB, so no genuine delivery is refused. */
export const MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024;

/**
 * How long an idle kept-alive connection stays open. Node's default, 5 s, is shorter than the
 * idle time of the pools that reuse connections to deliver webhooks: a client that keeps a
 * connection for longer and does not read the `Keep-Alive: timeout=` hint (load balancers keep
 * theirs 60 s; GitHub's delivery service may reuse connections too) sends its next delivery on a
 * connection the server has already closed, or is closing at that very moment, and gets no answer
 * at all. That is what a delivery some seconds after a long one (answered `202 still processing`)
 * met. Keeping connections open longer than those pools (60 s is the common idle limit) means the
 * client, never the server, ends an idle connection, so a request it sends is always read.
 * Closing every connection after each answer would also avoid the race, at the cost of a TCP (and
 * TLS) handshake per delivery.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Node measures a request's headers against this; it must outlast the idle timeout above. */
export const HEADERS_TIMEOUT_MS = 66_000;

export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: () => void,
) => unknown;

export interface WebhookServerOptions {
  /** Where deliveries arrive (Probot's `WEBHOOK_PATH`, default /api/github/webhooks). */
  webhookPath: string;
  /** Probot's webhook middleware: given a request whose body is already read (`req.body`). */
  middleware: NodeMiddleware;
  /** Where an unexpected failure of the middleware is reported (the request is answered 500). */
  onError(error: unknown): void;
  /** Where a body refused for its size is reported, by the delivery id and event it claims. */
  onTooLarge(fields: { delivery?: string; event?: string }, message: string): void;
  maxBodyBytes?: number;
}

export function createWebhookServer(options: WebhookServerOptions): Server {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const webhookPath = trimTrailingSlashes(options.webhookPath);
  const server = createServer(
    { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS },
    (req, res) => {
      void route(req, res).catch((error: unknown) => {
        options.onError(error);
        if (!res.headersSent) res.writeHead(500).end();
      });
    },
  );

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    if (req.method === "GET" && path === "/ping") {
      res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
      return;
    }
    if (path !== webhookPath) {
      res.writeHead(404).end();
      return;
    }
    if (req.method === "POST") {
      const body = await readBody(req, res, maxBodyBytes);
      if (body === undefined) {
        const delivery = req.headers["x-github-delivery"];
        const event = req.headers["x-github-event"];
        options.onTooLarge(
          {
            ...(typeof delivery === "string" ? { delivery: delivery.slice(0, 100) } : {}),
            ...(typeof event === "string" ? { event: event.slice(0, 100) } : {}),
          },
          `refused a request body over ${maxBodyBytes} bytes (413)`,
        );
        return;
      }
      // @octokit/webhooks' middleware takes a body already read from `req.body` (as behind a
      // body parser) instead of reading the stream itself.
      (req as IncomingMessage & { body?: string }).body = body;
    }
    await options.middleware(req, res, () => {
      if (!res.headersSent) res.writeHead(404).end();
    });
  }

  return server;
}

/**
 * The request's body as text, or undefined once it was answered 413 because it is larger than
 * `limit` bytes: declared so in `Content-Length`, or counted so while it streams in.
 */
function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
): Promise<string | undefined> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    tooLarge(res, limit);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        req.off("data", onData);
        chunks.length = 0;
        tooLarge(res, limit);
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      if (received <= limit) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.once("error", reject);
  });
}

/**
 * Answers 413 and closes the connection: what is still on its way is not read into memory (Node
 * discards it until the client stops sending or the connection closes).
 */
function tooLarge(res: ServerResponse, limit: number): void {
  const body = JSON.stringify({ error: `Payload too large: the limit is ${limit} bytes` });
  if (res.socket) lingerBeforeClosing(res.socket);
  res
    .writeHead(413, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      connection: "close",
    })
    .end(body);
}

/** How long a connection refused 413 keeps discarding what the client still sends. */
const LINGER_MS = 2000;

/**
 * Closing at once while the client is still sending makes the kernel answer its next bytes with a
 * reset, and a reset can destroy the 413 before the client reads it. So the server half-closes
 * (its answer, then FIN), discards what still arrives, and destroys the connection when the
 * client closes or after LINGER_MS, whichever comes first (the "lingering close" of HTTP servers).
 */
function lingerBeforeClosing(socket: Socket): void {
  // Node's server calls destroySoon() once a `connection: close` answer is written.
  socket.destroySoon = () => {
    socket.end();
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
}

function pathOf(url: string | undefined): string {
  try {
    return trimTrailingSlashes(new URL(url ?? "/", "http://localhost").pathname);
  } catch {
    return "";
  }
}

function trimTrailingSlashes(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") || "/" : path;
}
