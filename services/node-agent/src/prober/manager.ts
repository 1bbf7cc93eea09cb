// The prober manager: keeps exactly one worker per (pod, container instance, probe kind), starts
// liveness and readiness only once the startup probe has succeeded, and tells the pod manager
// when a result changes (it re-reconciles the pod: status, or a liveness restart).
import type { Logger } from "@skiff/log";
import type { Pod, RuntimeContainerSpec } from "@skiff/api";
import type { EventRecorder } from "@skiff/client";
import type { Runtime } from "../runtime/runtime.js";
import { ProbeWorker, type ProbeKind } from "./worker.js";
import { runHandler } from "./run.js";
import { observeProbe } from "../metrics/metrics.js";

const kinds: ProbeKind[] = ["startup", "liveness", "readiness"];
const specKey = { startup: "startupProbe", liveness: "livenessProbe", readiness: "readinessProbe" } as const;
const label = { startup: "Startup", liveness: "Liveness", readiness: "Readiness" } as const;

export class ProberManager {
  private readonly workers = new Map<string, { containerId: string; worker: ProbeWorker }>();

  constructor(
    private readonly runtime: Runtime,
    private readonly recorder: EventRecorder,
    /** Re-reconcile the pod (namespace/name). */
    private readonly onChange: (podKey: string) => void,
    private readonly log: Logger,
  ) {}

  private key(uid: string, container: string, kind: ProbeKind): string {
    return `${uid}/${container}/${kind}`;
  }

  /** Ensures workers for a running container instance (or stops them when it is not running). */
  sync(pod: Pod, c: RuntimeContainerSpec, containerId: string | undefined, podIP: string | undefined): void {
    const uid = pod.metadata.uid!;
    const podKey = `${pod.metadata.namespace}/${pod.metadata.name}`;
    for (const kind of kinds) {
      const k = this.key(uid, c.name, kind);
      const have = this.workers.get(k);
      const probe = c[specKey[kind]];
      // Liveness and readiness wait for the startup probe (Kubernetes semantics).
      const gated = kind !== "startup" && !this.started(uid, c, containerId);
      if (!containerId || !probe || gated) {
        if (have) {
          have.worker.stop();
          this.workers.delete(k);
        }
        continue;
      }
      if (have?.containerId === containerId) continue;
      have?.worker.stop();
      const target = { podIP, containerId, ports: c.ports ?? [] };
      const fieldPath = `spec.containers{${c.name}}`;
      const worker = new ProbeWorker(
        kind,
        probe,
        (timeoutMs) => runHandler(probe, target, this.runtime, timeoutMs),
        (result, changed, outcome) => {
          observeProbe(kind, outcome.ok, pod, c.name);
          if (!outcome.ok) this.recorder.record(pod, "Warning", "Unhealthy", `${label[kind]} probe failed: ${outcome.message}`.slice(0, 1024), fieldPath);
          const failedOut = kind === "startup" && worker.failedOut;
          if (changed || failedOut) {
            this.log.info({ pod: podKey, container: c.name, kind, result }, "probe result changed");
            this.onChange(podKey);
          }
        },
      );
      this.workers.set(k, { containerId, worker });
      worker.start();
    }
  }

  /** Whether the container instance has started (no startup probe, or it succeeded). */
  started(uid: string, c: RuntimeContainerSpec, containerId: string | undefined): boolean {
    if (!containerId) return false;
    if (!c.startupProbe) return true;
    const w = this.workers.get(this.key(uid, c.name, "startup"));
    return !!w && w.containerId === containerId && w.worker.result;
  }

  /** Readiness: no probe means ready once started. */
  ready(uid: string, c: RuntimeContainerSpec, containerId: string | undefined): boolean {
    if (!this.started(uid, c, containerId)) return false;
    if (!c.readinessProbe) return true;
    const w = this.workers.get(this.key(uid, c.name, "readiness"));
    return !!w && w.containerId === containerId && w.worker.result;
  }

  /** Why the container instance must be restarted (failed liveness, or startup probe gave up), if it must. */
  mustRestart(uid: string, c: RuntimeContainerSpec, containerId: string): string | undefined {
    const live = this.workers.get(this.key(uid, c.name, "liveness"));
    if (live && live.containerId === containerId && !live.worker.result) return `Container ${c.name} failed liveness probe, will be restarted`;
    const st = this.workers.get(this.key(uid, c.name, "startup"));
    if (st && st.containerId === containerId && !st.worker.result && st.worker.failedOut) return `Container ${c.name} failed startup probe, will be restarted`;
    return undefined;
  }

  /** Stops every worker of a pod (or of one container). */
  forget(uid: string, container?: string): void {
    for (const [k, w] of this.workers) {
      if (k.startsWith(`${uid}/${container ? `${container}/` : ""}`)) {
        w.worker.stop();
        this.workers.delete(k);
      }
    }
  }

  /** Pod uids with workers (to stop those of pods that are gone). */
  uids(): Set<string> {
    return new Set([...this.workers.keys()].map((k) => k.split("/")[0]));
  }

  stopAll(): void {
    for (const w of this.workers.values()) w.worker.stop();
    this.workers.clear();
  }
}
