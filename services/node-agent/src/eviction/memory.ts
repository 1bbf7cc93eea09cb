// Memory-pressure eviction, as the kubelet's eviction manager does it: while memory.available is
// below the hard threshold (--eviction-hard), every monitoring interval one pod is evicted —
// first pods using more memory than they request (BestEffort always), then lower priority,
// then the largest use above request; critical pods (priority ≥ 2,000,000,000) never.
import type { Logger } from "@skiff/log";
import { formatBytes, memoryToBytes, type Pod } from "@skiff/api";

/** Kubernetes' threshold for critical pods (system-cluster-critical), which are never evicted. */
const CRITICAL_PRIORITY = 2_000_000_000;

/** A candidate: the pod, its containers' memory use and requests (bytes). */
export interface PodUsage {
  pod: Pod;
  containers: { name: string; usage: number; request: number }[];
}

const total = (u: PodUsage, k: "usage" | "request") => u.containers.reduce((a, c) => a + c[k], 0);

/** The pod's memory requests by container (0 where none: BestEffort or a request-less container). */
export function memoryRequests(pod: Pod): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of pod.spec.containers) {
    const q = c.resources?.requests?.memory ?? c.resources?.limits?.memory;
    out.set(c.name, q === undefined ? 0 : memoryToBytes(q));
  }
  return out;
}

/** Orders candidates as rankMemoryPressure: exceeds requests first, then lower priority, then more use above request. */
export function rankForMemory(cands: PodUsage[]): PodUsage[] {
  const exceeds = (u: PodUsage) => total(u, "usage") > total(u, "request");
  const above = (u: PodUsage) => total(u, "usage") - total(u, "request");
  return [...cands].sort((a, b) => Number(exceeds(b)) - Number(exceeds(a)) || (a.pod.spec.priority ?? 0) - (b.pod.spec.priority ?? 0) || above(b) - above(a));
}

/** The kubelet's eviction message for memory. */
export function memoryEvictionMessage(threshold: number, available: number, u: PodUsage): string {
  let msg = `The node was low on resource: memory. Threshold quantity: ${formatBytes(threshold)}, available: ${formatBytes(Math.max(0, Math.round(available / 1024)) * 1024)}. `;
  for (const c of u.containers) {
    if (c.usage > c.request)
      msg += `Container ${c.name} was using ${formatBytes(Math.ceil(c.usage / 1024) * 1024)}, request is ${c.request ? formatBytes(c.request) : "0"}, has larger consumption of memory. `;
  }
  return msg;
}

export interface MemoryEvictorDeps {
  /** Pods bound to this node. */
  pods(): Pod[];
  /** memory.available now (bytes), undefined when it cannot be read. */
  available(): Promise<number | undefined>;
  /** The working-set memory of each running container of a pod (bytes). */
  usage(pod: Pod): Promise<{ name: string; bytes: number }[]>;
  evict(pod: Pod, message: string): void;
  log: Logger;
}

export class MemoryEvictor {
  private timer?: NodeJS.Timeout;
  private running = false;
  /** Evicted and not yet gone: not picked again. */
  private readonly evicted = new Set<string>();

  constructor(
    private readonly deps: MemoryEvictorDeps,
    private readonly thresholdBytes: number,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.thresholdBytes <= 0) return; // no memory.available threshold: nothing to enforce
    this.timer = setInterval(() => void this.check().catch((err) => this.deps.log.warn({ err }, "memory eviction check failed")), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One round: when below the threshold, evict the first-ranked pod. Returns the pod evicted. */
  async check(): Promise<Pod | undefined> {
    if (this.running) return undefined;
    this.running = true;
    try {
      const available = await this.deps.available();
      if (available === undefined || available >= this.thresholdBytes) return undefined;
      const live = this.deps.pods().filter((p) => {
        const phase = p.status?.phase;
        return !p.metadata.deletionTimestamp && phase === "Running" && (p.spec.priority ?? 0) < CRITICAL_PRIORITY;
      });
      for (const uid of [...this.evicted]) if (!live.some((p) => p.metadata.uid === uid)) this.evicted.delete(uid);
      const cands: PodUsage[] = [];
      for (const pod of live.filter((p) => !this.evicted.has(p.metadata.uid!))) {
        const req = memoryRequests(pod);
        const used = await this.deps.usage(pod).catch(() => []);
        cands.push({
          pod,
          containers: pod.spec.containers.map((c) => ({ name: c.name, request: req.get(c.name) ?? 0, usage: used.find((u) => u.name === c.name)?.bytes ?? 0 })),
        });
      }
      const victim = rankForMemory(cands)[0];
      if (!victim) return undefined;
      const message = memoryEvictionMessage(this.thresholdBytes, available, victim);
      this.deps.log.info(
        { pod: `${victim.pod.metadata.namespace}/${victim.pod.metadata.name}`, available, threshold: this.thresholdBytes },
        "memory pressure; evicting",
      );
      this.evicted.add(victim.pod.metadata.uid!);
      this.deps.evict(victim.pod, message);
      return victim.pod;
    } finally {
      this.running = false;
    }
  }
}
