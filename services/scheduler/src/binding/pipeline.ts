// The binding cycle's pipeline: binds run off the scheduling loop, many at once (bounded), so
// that the apiserver and its store see many writes in flight while the loop places the next pods.

/** At most `max` binding tasks in flight; the scheduling loop waits for a slot before each cycle. */
export class BindPipeline {
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error(`BindPipeline: max must be at least 1, got ${max}`);
  }

  /** Binds in flight now. */
  get size(): number {
    return this.inFlight;
  }

  /** Resolves when another bind may start: at once while fewer than `max` are in flight. */
  async slot(): Promise<void> {
    while (this.inFlight >= this.max) await new Promise<void>((r) => this.slotWaiters.push(r));
  }

  /** Starts a task (after slot()); a task handles its own failures (a rejection is only swallowed here). */
  run(task: () => Promise<void>): void {
    this.inFlight++;
    void task()
      .catch(() => undefined)
      .finally(() => {
        this.inFlight--;
        this.slotWaiters.shift()?.();
        if (this.inFlight === 0) for (const r of this.idleWaiters.splice(0)) r();
      });
  }

  /** Resolves once no task is in flight. */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }
}
