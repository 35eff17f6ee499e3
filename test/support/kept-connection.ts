// One TCP connection kept open across requests, as a pooling client keeps it (GitHub's delivery
// service, a load balancer): it reads no `Keep-Alive` hint and never opens a second connection, so
// a request the server does not read on it fails instead of being retried elsewhere.
//
// It runs in a child process of its own: the test process loads nock (loopback only), whose
// interceptor holds a socket's bytes until it has seen a whole request, so a raw socket there is
// not the raw connection the server would see.
import { execFile } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

export type Step =
  /** Writes this text. */
  | { write: string }
  /** Writes a chunked body of `bytes` bytes (1 MiB chunks) as fast as the connection takes it. */
  | { writeChunked: number }
  /** Waits this many milliseconds. */
  | { sleep: number }
  /** Reads the next answer, or notes that the connection closed or nothing came in time. */
  | { read: number };

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Outcome = Answer | { closed: true } | { timedOut: true };

const SELF = fileURLToPath(import.meta.url);

/** Opens a connection to 127.0.0.1:`port`, performs the steps, and gives what each read got. */
export function keptConnection(port: number, steps: Step[]): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", SELF, String(port)],
      { maxBuffer: 1024 * 1024, timeout: 120_000 },
      (error, stdout) => {
        if (error) reject(new Error(`the client failed: ${error.message}`));
        else resolve(JSON.parse(stdout) as Outcome[]);
      },
    );
    child.stdin?.end(JSON.stringify(steps));
  });
}

function head(received: Buffer): { answer: Answer; rest: Buffer } | undefined {
  const end = received.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine = "", ...lines] = received.subarray(0, end).toString().split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? 0);
  if (received.length < end + 4 + length) return undefined;
  const body = received.subarray(end + 4, end + 4 + length).toString();
  const status = Number(statusLine.split(" ")[1]);
  return { answer: { status, headers, body }, rest: received.subarray(end + 4 + length) };
}

async function perform(port: number, steps: Step[]): Promise<Outcome[]> {
  const socket = connect(port, "127.0.0.1");
  let received: Buffer = Buffer.alloc(0);
  let ended = false;
  let wake = () => undefined as void;
  socket.on("data", (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    wake();
  });
  const end = () => {
    ended = true;
    wake();
  };
  socket.on("end", end);
  socket.on("close", end);
  socket.on("error", end);
  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const outcomes: Outcome[] = [];
  for (const step of steps) {
    if ("write" in step) {
      if (!ended) socket.write(step.write);
    } else if ("writeChunked" in step) {
      const chunk = Buffer.alloc(1024 * 1024, "a");
      const frame = `${chunk.length.toString(16)}\r\n`;
      for (let sent = 0; sent < step.writeChunked && !ended; sent += chunk.length) {
        socket.write(frame);
        socket.write(chunk);
        const drained = socket.write("\r\n");
        if (!drained) {
          await new Promise((resolve) => {
            socket.once("drain", resolve);
            socket.once("close", resolve);
          });
        }
        // The server may answer before the body is all sent: stop writing once it has.
        if (head(received)) break;
      }
      if (!ended && !head(received)) socket.write("0\r\n\r\n");
    } else if ("sleep" in step) {
      await pause(step.sleep);
    } else {
      const deadline = Date.now() + step.read;
      for (;;) {
        const parsed = head(received);
        if (parsed) {
          received = parsed.rest;
          outcomes.push(parsed.answer);
          break;
        }
        if (ended) {
          outcomes.push({ closed: true });
          break;
        }
        if (Date.now() > deadline) {
          outcomes.push({ timedOut: true });
          break;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    }
  }
  socket.destroy();
  return outcomes;
}

if (process.argv[1] === SELF) {
  const chunks: Buffer[] = [];
  process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
  process.stdin.on("end", () => {
    const steps = JSON.parse(Buffer.concat(chunks).toString()) as Step[];
    void perform(Number(process.argv[2]), steps).then((outcomes) => {
      process.stdout.write(JSON.stringify(outcomes));
    });
  });
}
