// The shape every workload controller shares: informer handlers only enqueue keys, a
// de-duplicating queue feeds `reconcile(key)` workers, and failures retry with back-off.
import { WorkQueue, runWorkers } from "@skiff/client";
import type { Controller, ControllerContext } from "../controller.js";

/** How a controller's queue runs. */
export interface QueueOptions {
  /** Concurrent reconciles (never of one key). Default 2. */
  workers?: number;
  /** Back-off of a failing key: first retry and cap. Defaults 200 ms and 30 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Names the controller in its workers' logs. */
  name?: string;
}

/** A queue-driven controller: subclasses register handlers in `setup` and implement `reconcile`. */
export abstract class QueueController implements Controller {
  readonly queue: WorkQueue;
  private readonly workers: number;
  private readonly name?: string;
  constructor(
    protected readonly ctx: ControllerContext,
    opts: QueueOptions | number = {},
  ) {
    const o = typeof opts === "number" ? { workers: opts } : opts;
    this.workers = o.workers ?? 2;
    this.name = o.name;
    // The queue's metrics name: the controller's, else its class's (ReplicaSetController → replicaset).
    this.queue = new WorkQueue({
      baseDelayMs: o.baseDelayMs ?? 200,
      maxDelayMs: o.maxDelayMs ?? 30_000,
      name: o.name ?? this.constructor.name.replace(/Controller$/, "").toLowerCase(),
    });
  }

  /** Adds informer handlers and waits for the caches the controller reads. */
  protected abstract setup(): Promise<void>;
  /** Makes the world match the object with this key; throws to retry. */
  abstract reconcile(key: string): Promise<void>;

  async start(): Promise<void> {
    await this.setup();
    const log = this.name ? this.ctx.log.child({ controller: this.name }) : this.ctx.log;
    void runWorkers(this.queue, this.workers, (k) => this.reconcile(k), log);
  }

  stop(): void {
    this.queue.shutdown();
  }
}
