// Probes: one worker per (pod, container instance, probe kind) runs its probe every period and
// flips its result only when successThreshold / failureThreshold consecutive outcomes agree.
import type { Probe } from "@skiff/api";

export type ProbeKind = "liveness" | "readiness" | "startup";

/** One probe run's outcome. */
export interface Outcome {
  ok: boolean;
  message: string;
}

/** Kubernetes' probe defaults. */
export function probeTimings(p: Probe) {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, p.periodSeconds ?? 10) * 1000,
    timeoutMs: Math.max(1, p.timeoutSeconds ?? 1) * 1000,
    successThreshold: Math.max(1, p.successThreshold ?? 1),
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  };
}

export class ProbeWorker {
  /** The current result: readiness and startup start failed, liveness starts successful. */
  result: boolean;
  private successes = 0;
  private failures = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly t: ReturnType<typeof probeTimings>;

  constructor(
    readonly kind: ProbeKind,
    probe: Probe,
    private readonly run: (timeoutMs: number) => Promise<Outcome>,
    /** Called when the result changes (and on every failed run, for Unhealthy events). */
    private readonly onResult: (result: boolean, changed: boolean, outcome: Outcome) => void,
  ) {
    this.t = probeTimings(probe);
    this.result = kind === "liveness";
  }

  start(): void {
    this.schedule(this.t.initialDelayMs);
  }

  /** Idempotent. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  /** One run; the next is scheduled only after it settles, so runs never overlap or pile up. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    let outcome: Outcome;
    try {
      outcome = await this.run(this.t.timeoutMs);
    } catch (err) {
      outcome = { ok: false, message: (err as Error).message };
    }
    if (this.stopped) return;
    this.observe(outcome);
    this.schedule(Math.max(0, this.t.periodMs - (Date.now() - started)));
  }

  /** Applies one outcome to the thresholds (exposed for unit tests). */
  observe(o: Outcome): void {
    const before = this.result;
    if (o.ok) {
      this.successes++;
      this.failures = 0;
      if (!this.result && this.successes >= this.t.successThreshold) this.result = true;
    } else {
      this.failures++;
      this.successes = 0;
      if (this.result && this.failures >= this.t.failureThreshold) this.result = false;
    }
    this.onResult(this.result, before !== this.result, o);
  }

  /** True once failureThreshold consecutive runs failed (a startup probe then kills the container). */
  get failedOut(): boolean {
    return this.failures >= this.t.failureThreshold;
  }
}
