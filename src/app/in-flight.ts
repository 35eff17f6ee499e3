/**
 * The deliveries this process accepted and is still working on. GitHub does not redeliver a
 * delivery that was answered, so on shutdown the server waits for these (up to a grace period)
 * and says what it leaves to the next reconcile sweep.
 */
export class InFlight {
  private readonly running = new Map<number, string>();
  private nextId = 0;
  private idle: (() => void)[] = [];

  async track<T>(what: string, work: () => Promise<T>): Promise<T> {
    const id = this.nextId++;
    this.running.set(id, what);
    try {
      return await work();
    } finally {
      this.running.delete(id);
      if (this.running.size === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** What is still running, by description. */
  get pending(): string[] {
    return [...this.running.values()];
  }

  /** Resolves true once nothing is running, or false when `timeoutMs` passed first. */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<boolean>((resolve) => this.idle.push(() => resolve(true)));
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([done, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
