// The status manager: the only writer of pod status on this node. It writes only when the status
// differs from the pod's (condition timestamps aside) and from a write the informer has not yet seen.
import type { Logger } from "@skiff/log";
import { isNotFound, type Pod, type PodStatus } from "@skiff/api";
import type { ApiClient } from "@skiff/client";
import { computeStatus, statusChanged, type ContainerView, type InitProgress } from "./status.js";
import { forgetPod, observePodStatus } from "../metrics/metrics.js";

export class StatusManager {
  /** The last status written per pod uid, and the resourceVersion of the pod it was computed from. */
  private readonly written = new Map<string, { status: PodStatus; fromVersion: string | undefined }>();

  constructor(
    private readonly client: ApiClient,
    private readonly hostIP: string,
    private readonly log: Logger,
  ) {}

  /** Computes the pod's status from the container views and writes it if it changed. */
  async write(pod: Pod, views: ContainerView[], podIP: string | undefined, init?: InitProgress, failed?: { reason: string; message: string }): Promise<void> {
    const uid = pod.metadata.uid!;
    const last = this.written.get(uid);
    // Why: the informer may still hold the pod as it was before our last write. Computing from
    // that write keeps what it fixed (startTime, transition times): computed from the stale pod,
    // a startTime taken in the next second would differ and write the same status again, adding
    // a revision (and a watch event for everyone).
    const base = last && last.fromVersion === pod.metadata.resourceVersion ? { ...pod, status: last.status } : pod;
    const status = computeStatus(base, views, podIP, this.hostIP, init, failed);
    observePodStatus(pod, status);
    if (!statusChanged(base.status, status)) return;
    const { resourceVersion: fromVersion, ...metadata } = pod.metadata;
    try {
      // The agent owns pod status: write it without a resourceVersion so spec writers never conflict.
      await this.client.updateStatus("pods", { ...pod, metadata, status });
      this.written.set(uid, { status, fromVersion });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.log.debug({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, "pod gone before its status was written");
    }
  }

  /** Forgets a pod (its containers are gone). */
  forget(uid: string): void {
    this.written.delete(uid);
    forgetPod(uid);
  }
}
