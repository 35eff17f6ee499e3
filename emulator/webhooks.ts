// Webhook deliveries: queued and sent asynchronously (so an App request that causes a webhook never
// waits on its own delivery), signed like GitHub, logged, and redeliverable with the same delivery id.
import { createHmac, randomUUID } from "node:crypto";

export interface DeliveryBehaviour {
  /** Send every event twice: with the same delivery id (a redelivery) or a new one (a duplicate event). */
  duplicate: false | "same-id" | "new-id";
  /** Deliver queued events in random order (GitHub does not guarantee ordering). */
  shuffle: boolean;
  /** How many deliveries may be in flight at once. */
  concurrency: number;
  /** GitHub gives up on a delivery that is not answered within 10 s (30 s on GHES). */
  timeoutMs: number;
}

export interface DeliveredEvent {
  deliveryId: string;
  event: string;
  action: string | undefined;
  payload: Record<string, unknown>;
  body: string;
}

export interface DeliveryLogEntry {
  deliveryId: string;
  event: string;
  action: string | undefined;
  redelivery: boolean;
  /** The URL the delivery was sent to. */
  target?: string;
  /** HTTP status the App answered, or null when the request failed. */
  status: number | null;
  /** When it was sent (GET /app/hook/deliveries lists it). */
  deliveredAt?: string;
  error?: string;
  responseBody?: string;
  durationMs: number;
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export class WebhookDispatcher {
  /** Where deliveries go; with several (App replicas behind no load balancer), each delivery goes to the next in turn. */
  urls: string[] = [];
  private nextTarget = 0;

  get url(): string | undefined {
    return this.urls[0];
  }

  set url(value: string | undefined) {
    this.urls = value ? [value] : [];
  }
  readonly behaviour: DeliveryBehaviour = {
    duplicate: false,
    shuffle: false,
    concurrency: 1,
    timeoutMs: 10_000,
  };
  /** Every event the emulated GitHub produced, in the order it happened. */
  readonly events: DeliveredEvent[] = [];
  readonly log: DeliveryLogEntry[] = [];
  /** What GET /app/hook/config reports, when a test makes it differ from where deliveries go. */
  reportedUrl: string | undefined;
  insecureSsl: "0" | "1" = "0";
  private readonly queue: { event: DeliveredEvent; redelivery: boolean }[] = [];
  private inFlight = 0;
  private paused = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly secret: string,
    private readonly hookId: number,
    private readonly appId: number,
  ) {}

  enqueue(event: string, payload: Record<string, unknown>): DeliveredEvent {
    const record: DeliveredEvent = {
      deliveryId: randomUUID(),
      event,
      action: typeof payload.action === "string" ? payload.action : undefined,
      payload,
      body: JSON.stringify(payload),
    };
    this.events.push(record);
    if (this.urls.length) {
      this.queue.push({ event: record, redelivery: false });
      if (this.behaviour.duplicate === "same-id")
        this.queue.push({ event: record, redelivery: true });
      if (this.behaviour.duplicate === "new-id") {
        this.queue.push({ event: { ...record, deliveryId: randomUUID() }, redelivery: false });
      }
      this.schedule();
    }
    return record;
  }

  /** Sends a past delivery again, same delivery id and same body, as GitHub's "Redeliver" does. */
  async redeliver(deliveryId: string): Promise<DeliveryLogEntry> {
    const record = this.events.find((e) => e.deliveryId === deliveryId);
    if (!record) throw new Error(`unknown delivery ${deliveryId}`);
    this.inFlight++;
    try {
      return await this.send(record, true);
    } finally {
      this.inFlight--;
      this.notify();
    }
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.pending === 0 || (this.paused && this.inFlight === 0)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private schedule(): void {
    // Start deliveries on a later tick so that every event a change emits is queued first.
    setImmediate(() => this.pump());
  }

  private pump(): void {
    while (!this.paused && this.queue.length && this.inFlight < this.behaviour.concurrency) {
      const index = this.behaviour.shuffle ? Math.floor(Math.random() * this.queue.length) : 0;
      const [next] = this.queue.splice(index, 1);
      if (!next) break;
      this.inFlight++;
      void this.send(next.event, next.redelivery).finally(() => {
        this.inFlight--;
        this.pump();
        this.notify();
      });
    }
    this.notify();
  }

  private notify(): void {
    if (this.pending === 0 || (this.paused && this.inFlight === 0)) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  private async send(record: DeliveredEvent, redelivery: boolean): Promise<DeliveryLogEntry> {
    const started = Date.now();
    const entry: DeliveryLogEntry = {
      deliveryId: record.deliveryId,
      event: record.event,
      action: record.action,
      redelivery,
      status: null,
      durationMs: 0,
      deliveredAt: new Date(started).toISOString().replace(/\.\d{3}Z$/, "Z"),
    };
    try {
      const target = this.urls[this.nextTarget++ % Math.max(this.urls.length, 1)];
      if (!target) throw new Error("no webhook URL configured");
      entry.target = target;
      const res = await fetch(target, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/emulator",
          "x-github-event": record.event,
          "x-github-delivery": record.deliveryId,
          "x-github-hook-id": String(this.hookId),
          "x-github-hook-installation-target-type": "integration",
          "x-github-hook-installation-target-id": String(this.appId),
          "x-hub-signature-256": signBody(this.secret, record.body),
        },
        body: record.body,
        signal: AbortSignal.timeout(this.behaviour.timeoutMs),
      });
      entry.status = res.status;
      entry.responseBody = (await res.text()).slice(0, 500);
    } catch (error) {
      entry.error = error instanceof Error ? error.message : String(error);
    }
    entry.durationMs = Date.now() - started;
    this.log.push(entry);
    return entry;
  }
}
