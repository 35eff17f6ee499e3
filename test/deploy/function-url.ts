// A stand-in for an AWS Lambda function URL: turns each HTTP request into the event Lambda would
// pass (payload format 2.0) and the handler's result back into the HTTP answer, so the emulator's
// signed deliveries reach a Lambda handler as they would in AWS.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpEvent, HttpResult } from "../../src/entry/lambda.js";

export interface FunctionUrl {
  url: string;
  /** Every event the handler was invoked with. */
  events: HttpEvent[];
  close(): Promise<void>;
}

export async function startFunctionUrl(
  handler: (event: HttpEvent) => Promise<HttpResult>,
  opts: { base64?: boolean } = {},
): Promise<FunctionUrl> {
  const events: HttpEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(",") : value;
      }
      const event = functionUrlEvent(headers, raw, opts.base64 ?? false);
      events.push(event);
      void handler(event).then(
        (result) => res.writeHead(result.statusCode, result.headers).end(result.body),
        () => res.writeHead(502).end(), // Lambda's answer when the handler throws
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    events,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The event a function URL passes for a POST; headers are lower-cased, as Lambda does. */
export function functionUrlEvent(
  headers: Record<string, string>,
  body: Buffer,
  base64: boolean,
): HttpEvent & Record<string, unknown> {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/",
    rawQueryString: "",
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: { http: { method: "POST", path: "/", protocol: "HTTP/1.1" } },
    body: base64 ? body.toString("base64") : body.toString("utf8"),
    isBase64Encoded: base64,
  };
}
