// Image pulls for pod containers: imagePullPolicy, Pulling/Pulled/Failed events, and back-off
// per container after a failed pull (ErrImagePull, then ImagePullBackOff until the delay passes).
import type { Container, Pod } from "@skiff/api";
import type { EventRecorder } from "@skiff/client";
import type { Runtime } from "../runtime/runtime.js";
import type { Waiting } from "./status.js";

/** Why a container waits for its image, and when to look again. */
export interface ImageWaiting {
  waiting: Waiting;
  retryInMs: number;
}

export interface ImagePullOptions {
  /** Back-off after a failed pull: first delay and cap. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export class ImagePuller {
  /** Back-off per pod uid/container (in memory: losing it only retries sooner). */
  private readonly backoff = new Map<string, { failures: number; until: number; message: string }>();

  constructor(private readonly runtime: Runtime, private readonly recorder: EventRecorder, private readonly opts: ImagePullOptions) {}

  /** Pulls by imagePullPolicy; returns why the container waits when the image is not there. */
  async ensure(pod: Pod, spec: Container, fieldPath: string): Promise<ImageWaiting | undefined> {
    const { runtime, recorder } = this;
    const policy = spec.imagePullPolicy ?? "IfNotPresent";
    const present = await runtime.imageExists(spec.image);
    if (policy === "Never") {
      if (present) return undefined;
      const message = `Container image "${spec.image}" is not present with pull policy of Never`;
      recorder.record(pod, "Warning", "ErrImageNeverPull", message, fieldPath);
      return { waiting: { reason: "ErrImageNeverPull", message }, retryInMs: 10_000 };
    }
    if (present && policy === "IfNotPresent") return undefined;
    const bk = `${pod.metadata.uid}/${spec.name}`;
    const b = this.backoff.get(bk);
    if (b && Date.now() < b.until) {
      return { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${spec.image}": ${b.message}` }, retryInMs: b.until - Date.now() + 10 };
    }
    recorder.record(pod, "Normal", "Pulling", `Pulling image "${spec.image}"`, fieldPath);
    const t0 = Date.now();
    try {
      await runtime.pull(spec.image);
      this.backoff.delete(bk);
      recorder.record(pod, "Normal", "Pulled", `Successfully pulled image "${spec.image}" in ${Date.now() - t0}ms`, fieldPath);
      return undefined;
    } catch (err) {
      const message = (err as Error).message;
      const failures = (b?.failures ?? 0) + 1;
      const delay = Math.min(this.opts.backoffBaseMs * 2 ** (failures - 1), this.opts.backoffMaxMs);
      this.backoff.set(bk, { failures, until: Date.now() + delay, message });
      recorder.record(pod, "Warning", "Failed", `Failed to pull image "${spec.image}": ${message}`, fieldPath);
      return { waiting: { reason: "ErrImagePull", message }, retryInMs: delay + 10 };
    }
  }

  /** Forgets a pod's back-off (the pod is gone). */
  forget(uid: string): void {
    for (const k of this.backoff.keys()) if (k.startsWith(`${uid}/`)) this.backoff.delete(k);
  }
}
