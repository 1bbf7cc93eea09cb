// The shape every workload controller shares: informer handlers only enqueue keys, a
// de-duplicating queue feeds `reconcile(key)` workers, and failures retry with back-off.
import { WorkQueue, runWorkers } from "@skiff/client";
import type { Controller, ControllerContext } from "../controller.js";

/** A queue-driven controller: subclasses register handlers in `setup` and implement `reconcile`. */
export abstract class QueueController implements Controller {
  readonly queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 30_000 });
  constructor(protected readonly ctx: ControllerContext, private readonly workers = 2) {}

  /** Adds informer handlers and waits for the caches the controller reads. */
  protected abstract setup(): Promise<void>;
  /** Makes the world match the object with this key; throws to retry. */
  abstract reconcile(key: string): Promise<void>;

  async start(): Promise<void> {
    await this.setup();
    void runWorkers(this.queue, this.workers, (k) => this.reconcile(k), this.ctx.log);
  }

  stop(): void {
    this.queue.shutdown();
  }
}
