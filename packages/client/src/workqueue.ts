// A de-duplicating, rate-limited work queue (client-go's workqueue): a key is never processed
// by two workers at once, failures come back with exponential back-off, addAfter schedules
// rechecks.
import type { Logger } from "@skiff/log";

/** What a queue reports (client-go's workqueue.MetricsProvider; @skiff/metrics implements it). */
export interface WorkQueueMetrics {
  add(): void;
  depth(n: number): void;
  dequeued(seconds: number): void;
  processed(seconds: number): void;
  retry(): void;
  inFlight(startsMs: () => Iterable<number>): void;
}
let metricsProvider: { queue(name: string): WorkQueueMetrics } | undefined;
/** Installs the process's work-queue metrics (before queues are made); named queues report through it. */
export function setWorkQueueMetricsProvider(p: { queue(name: string): WorkQueueMetrics }): void {
  metricsProvider = p;
}

export interface WorkQueueOptions {
  /** Names the queue in its metrics (workqueue_depth{name}); unnamed queues report none. */
  name?: string;
  /** First retry delay after a failure (default 50 ms), doubling per failure. */
  baseDelayMs?: number;
  /** Cap of the retry delay (default 30 s). */
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters: ((k: string | undefined) => void)[] = [];
  private shuttingDown = false;
  // When each waiting key was added and each processing key was taken (for the metrics only).
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly metrics?: WorkQueueMetrics;

  constructor(private readonly opts: WorkQueueOptions = {}) {
    if (opts.name && metricsProvider) {
      this.metrics = metricsProvider.queue(opts.name);
      this.metrics.inFlight(() => this.startedAt.values());
    }
  }

  private taken(key: string): void {
    if (!this.metrics) return;
    const now = performance.now();
    const at = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (at !== undefined) this.metrics.dequeued((now - at) / 1000);
    this.startedAt.set(key, Date.now());
    this.metrics.depth(this.queue.length);
  }

  /** Adds a key unless it is already waiting. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    // A key added while processing comes back through here from done(): counted once, timed from its first add.
    if (this.metrics && !this.addedAt.has(key)) {
      this.metrics.add();
      this.addedAt.set(key, performance.now());
    }
    if (this.processing.has(key)) return; // re-queued when its worker finishes
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(key);
      this.processing.add(key);
      this.taken(key);
      w(key);
    } else {
      this.queue.push(key);
      this.metrics?.depth(this.queue.length);
    }
  }

  /** Adds a key after a delay (an earlier pending addAfter for the key wins). */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const existing = this.timers.get(key);
    if (existing) return;
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    t.unref?.();
    this.timers.set(key, t);
  }

  /** Re-adds a failed key with exponential back-off. */
  addRateLimited(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    this.metrics?.retry();
    const delay = Math.min((this.opts.baseDelayMs ?? 50) * 2 ** (n - 1), this.opts.maxDelayMs ?? 30_000);
    this.addAfter(key, delay);
  }

  /** Clears a key's failure count (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Waits for the next key; undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const k = this.queue.shift();
    if (k !== undefined) {
      this.dirty.delete(k);
      this.processing.add(k);
      this.taken(k);
      return Promise.resolve(k);
    }
    return new Promise((r) => this.waiters.push(r));
  }

  /** Marks a key processed; if it was added meanwhile it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    const started = this.startedAt.get(key);
    if (started !== undefined) {
      this.startedAt.delete(key);
      this.metrics?.processed((Date.now() - started) / 1000);
    }
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  len(): number {
    return this.queue.length;
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}

/**
 * Runs `workers` loops taking keys from the queue and calling reconcile; a throw re-queues the
 * key with back-off. Resolves when the queue shuts down.
 */
export async function runWorkers(queue: WorkQueue, workers: number, reconcile: (key: string) => Promise<void>, log: Logger): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (err) {
        log.warn({ err, key }, "reconcile failed; will retry");
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
