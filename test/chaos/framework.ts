// The chaos suite's framework: workloads that run under load and judge themselves, faults
// applied through `skiff chaos` (the CLI a script would use), and a runner that applies each
// fault, waits for recovery within a stated bound, and records what a user would observe.
// The workloads: CounterWriter (below) and WebUnderLoad (workloads.ts); the fault list and the
// cluster live in scenario.ts.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ConfigMap } from "@skiff/api";
import type { ApiClient } from "@skiff/client";
import { isConflict } from "./errors.js";

/** Something running during the faults that can tell whether it is healthy. */
export interface Workload {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Failed operations / all operations in [from, to) (ms since epoch). */
  errorRate(from: number, to: number): number;
  /** What went wrong with the failed operations in [from, to), for the report (when the workload keeps it). */
  failures?(from: number, to: number): string[];
  /** Resolves when the workload is back to its desired state; throws on a broken invariant. */
  converged(): Promise<boolean>;
  /** Final invariant checks (e.g. no acknowledged write lost). */
  verify(): Promise<void>;
}

/** One fault: what to break, how to undo it (if it is undone), how long recovery may take. */
export interface Fault {
  name: string;
  inject(): Promise<void>;
  undo?(): Promise<void>;
  /** Bound on convergence of every workload after the fault (ms). */
  recoveryBoundMs: number;
  /** How long the fault lasts before undo (default: the runner's holdMs). */
  holdMs?: number;
  /** Measurements taken right after inject (e.g. time until a new leader acts), in ms. */
  probe?(): Promise<Record<string, number>>;
  /** Bound on each workload's error rate while the fault lasts (default: the runner's). */
  errorBound?: number;
}

/** What the runner measured for one fault. */
export interface FaultReport {
  fault: string;
  /** From undo (or injection when there is none) to every workload converged. */
  recoveryMs: number;
  /** From injection to every workload converged. */
  sinceInjectMs: number;
  /** What the fault's probe measured. */
  measured: Record<string, number>;
  /** The fault's bound on the error rate while it lasts. */
  errorBound: number;
  errorRateDuring: Record<string, number>;
  errorRateAfter: Record<string, number>;
  /** The failed operations after recovery, by workload (only workloads that had some). */
  failuresAfter: Record<string, string[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies the faults in order; after each, waits for convergence within its bound. */
export async function runFaults(
  workloads: Workload[],
  faults: Fault[],
  opts: { holdMs: number; quietMs: number; errorBound: number; log?: (r: FaultReport) => void },
): Promise<FaultReport[]> {
  const reports: FaultReport[] = [];
  for (const f of faults) {
    const t0 = Date.now();
    await f.inject();
    const measured = f.probe ? await f.probe() : {};
    await sleep(Math.max(0, (f.holdMs ?? opts.holdMs) - (Date.now() - t0)));
    if (f.undo) await f.undo();
    const tRecover = Date.now();
    const deadline = tRecover + f.recoveryBoundMs;
    for (;;) {
      const ok = (await Promise.all(workloads.map((w) => w.converged().catch(() => false)))).every(Boolean);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${f.name}: workloads did not converge within ${f.recoveryBoundMs} ms`);
      await sleep(250);
    }
    const recovered = Date.now();
    await sleep(opts.quietMs);
    // Invariants after every fault, not only at the end (e.g. no pod on two nodes).
    for (const w of workloads) await w.verify();
    reports.push({
      fault: f.name,
      recoveryMs: recovered - tRecover,
      sinceInjectMs: recovered - t0,
      measured,
      errorBound: f.errorBound ?? opts.errorBound,
      errorRateDuring: Object.fromEntries(workloads.map((w) => [w.name, w.errorRate(t0, recovered)])),
      errorRateAfter: Object.fromEntries(workloads.map((w) => [w.name, w.errorRate(recovered + 1000, Date.now())])),
      failuresAfter: Object.fromEntries(
        workloads.map((w) => [w.name, w.failures?.(recovered + 1000, Date.now()) ?? []] as const).filter(([, f]) => f.length > 0),
      ),
    });
    opts.log?.(reports.at(-1)!);
  }
  return reports;
}

/**
 * A writer keeping a counter in a ConfigMap (read, increment, update with the read
 * resourceVersion). Every acknowledged value is recorded; afterwards the stored counter must be
 * at least the highest acknowledged one (no acknowledged write lost) and every acknowledged
 * value must be distinct (no write acknowledged twice for one value).
 */
export class CounterWriter implements Workload {
  readonly name = "configmap-counter";
  private ops: { at: number; ok: boolean }[] = [];
  private acked: number[] = [];
  private running = false;
  private loop?: Promise<void>;
  constructor(
    private readonly client: ApiClient,
    private readonly cmName: string,
    private readonly intervalMs = 100,
  ) {}

  async start(): Promise<void> {
    await this.client.create<ConfigMap>("configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: this.cmName, namespace: "default" },
      data: { n: "0" },
    });
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const at = Date.now();
        try {
          const cm = await this.client.get<ConfigMap>("configmaps", this.cmName, "default");
          const next = Number(cm.data?.n ?? 0) + 1;
          await this.client.update<ConfigMap>("configmaps", { ...cm, data: { n: String(next) } });
          this.acked.push(next);
          this.ops.push({ at, ok: true });
        } catch (err) {
          // A conflict is the store working (another write won), not an outage.
          this.ops.push({ at, ok: isConflict(err) });
        }
        await sleep(this.intervalMs);
      }
    })();
  }
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
  errorRate(from: number, to: number): number {
    const w = this.ops.filter((o) => o.at >= from && o.at < to);
    return w.length ? w.filter((o) => !o.ok).length / w.length : 0;
  }
  async converged(): Promise<boolean> {
    const last = this.ops.at(-1);
    return !!last && last.ok;
  }
  /** How many writes were acknowledged. */
  get acknowledged(): number {
    return this.acked.length;
  }
  async verify(): Promise<void> {
    const cm = await this.client.get<ConfigMap>("configmaps", this.cmName, "default");
    const stored = Number(cm.data?.n);
    const max = Math.max(0, ...this.acked);
    if (stored < max) throw new Error(`acknowledged write lost: stored counter ${stored} < acknowledged ${max}`);
    if (new Set(this.acked).size !== this.acked.length) throw new Error("one counter value was acknowledged twice (a lost update)");
  }
}

const run = promisify(execFile);

/**
 * Pods (namespace/name/uid) with a running sandbox in each node container's own engine, read
 * from the labels the agent puts on containers (`docker exec <node> docker ps`, the nodes at
 * once). Asynchronous on purpose: the workloads' clients run in this process, and a synchronous
 * call would stall their requests past their deadlines and count as the cluster's errors.
 */
export async function podUidsByNode(nodes: string[]): Promise<Map<string, string[]>> {
  const fmt = '{{.Label "io.kubernetes.pod.namespace"}}/{{.Label "io.kubernetes.pod.name"}}/{{.Label "io.kubernetes.pod.uid"}}';
  const read = async (n: string): Promise<[string, string[]] | undefined> => {
    try {
      const { stdout } = await run(
        "docker",
        ["exec", n, "docker", "ps", "--filter", "status=running", "--filter", "label=io.skiff.kind=sandbox", "--format", fmt],
        {
          encoding: "utf8",
          timeout: 30_000,
        },
      );
      return [
        n,
        stdout
          .split("\n")
          .map((s) => s.trim())
          .filter(Boolean),
      ];
    } catch {
      return undefined; // a killed or paused node runs nothing we can see; it is checked when it is back
    }
  };
  return new Map((await Promise.all(nodes.map(read))).filter((e) => e !== undefined));
}

/** Throws when a pod (namespace/name/uid) runs on two nodes at once. */
export async function assertNoPodOnTwoNodes(nodes: string[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const [node, pods] of await podUidsByNode(nodes)) {
    for (const p of pods) {
      const other = seen.get(p);
      if (other && other !== node) throw new Error(`pod ${p} runs on ${other} and ${node} at once`);
      seen.set(p, node);
    }
  }
}
