// The mirror-pod reconciler (the kubelet's mirror client + status manager for static pods):
// keeps one mirror pod in the API per process the agent runs as part of the node, replaces one
// that was deleted through the API, whose static pod changed or whose Node was replaced,
// deletes mirror pods of processes it no longer runs, writes their status from the processes,
// and starts a process that is down again (with back-off).
import type { Logger } from "@skiff/log";
import { isAlreadyExists, isConflict, isMirrorPod, isNotFound, nowRfc3339, type Node, type Pod, type PodStatus } from "@skiff/api";
import type { ApiClient } from "@skiff/client";
import type { PodSource } from "../pods/manager.js";
import { statusChanged } from "../pods/status.js";
import { mirrorPod, mirrorStatus, staleReason, staticPod, type NodeComponent, type ProcessState } from "./static-pods.js";

export interface MirrorPodsDeps {
  client: Pick<ApiClient, "create" | "delete" | "updateStatus">;
  /** The pods bound to this node (all namespaces). */
  pods: Pick<PodSource, "list" | "addHandlers">;
  /** This node's Node as last written (its uid owns the mirror pods). */
  node: () => Node | undefined;
  /** The processes the agent runs as part of the node, now. */
  components: () => NodeComponent[];
  /** Whether a component's process runs, and since when. */
  processState: (c: NodeComponent) => ProcessState;
  /** Starts a component that is down again (absent: nothing restarts it). */
  restart?: (c: NodeComponent) => Promise<void>;
  log: Logger;
}

export interface MirrorPodsOptions {
  nodeName: string;
  nodeIP: string;
  /** The agent's version (the containers' image tag). */
  version: string;
  /** How often everything is checked again (process liveness has no events). */
  resyncMs: number;
  /** Restart back-off of a process that is down: first delay, doubling up to the cap (kubelet: 10 s, 5 min). */
  restartBaseMs: number;
  restartMaxMs: number;
  /** How long a mirror pod this agent deleted stays deleted before it is created again (default 1000). */
  recreateDelayMs: number;
}

/** Keeps the node's mirror pods. */
export class MirrorPods {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** When this agent first saw each static pod (its config.seen annotation), by pod name. */
  private readonly seen = new Map<string, string>();
  /** Uids this agent deleted: an informer still showing one is behind, not a pod to act on. */
  private readonly deleted = new Set<string>();
  /** The last status written per pod uid and the resourceVersion it was computed from. */
  private readonly written = new Map<string, { status: PodStatus; fromVersion?: string }>();
  /** Restart back-off per component: next attempt and current delay. */
  private readonly backoff = new Map<string, { at: number; delayMs: number }>();
  /** When this agent last deleted each mirror pod (by name), to hold its re-creation back a moment. */
  private readonly removedAt = new Map<string, number>();
  /** Components being started now: a slow start is not started twice (two processes, one state file). */
  private readonly starting = new Set<string>();

  constructor(
    private readonly deps: MirrorPodsDeps,
    private readonly opts: MirrorPodsOptions,
  ) {}

  start(): void {
    const kick = (p: Pod) => {
      if (isMirrorPod(p)) this.kick();
    };
    this.deps.pods.addHandlers({ onAdd: kick, onUpdate: (_o, p) => kick(p), onDelete: kick });
    this.timer = setInterval(() => this.kick(), this.opts.resyncMs);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs a sync soon; syncs never overlap (one more runs after the current one). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sync()
      .catch((err) => this.deps.log.warn({ err }, "mirror pod sync failed; retrying"))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One level-triggered pass over every component and mirror pod of this node. */
  async sync(): Promise<void> {
    const { client, log } = this.deps;
    const { nodeName } = this.opts;
    const node = this.deps.node();
    if (!node?.metadata.uid) return; // not registered yet: nothing can own a mirror pod
    const now = nowRfc3339();
    const listed = this.deps.pods.list();
    // A deleted uid the informer no longer shows needs no more guarding.
    const uids = new Set(listed.map((p) => p.metadata.uid));
    for (const uid of this.deleted) if (!uids.has(uid)) this.deleted.delete(uid);
    const mine = listed.filter((p) => isMirrorPod(p) && p.spec.nodeName === nodeName && !this.deleted.has(p.metadata.uid!));
    const wanted = new Set<string>();
    for (const c of this.deps.components()) {
      const sp = staticPod(c, nodeName, this.opts.version);
      const name = sp.metadata.name!;
      wanted.add(name);
      if (!this.seen.has(name)) this.seen.set(name, now);
      const want = mirrorPod(sp, { name: nodeName, uid: node.metadata.uid }, this.seen.get(name)!);
      let cur = mine.find((p) => p.metadata.namespace === sp.metadata.namespace && p.metadata.name === name);
      const why = cur && staleReason(cur, want);
      if (cur && why) {
        log.info({ pod: `${cur.metadata.namespace}/${name}`, why }, "replacing mirror pod");
        await this.remove(cur);
        cur = undefined;
      }
      if (!cur) {
        // Why wait: `kubectl delete` gets the pod, then lists and watches for its deletion; a pod
        // of the same name re-created in between hides the delete from it, and it waits forever.
        const wait = (this.removedAt.get(name) ?? 0) + this.opts.recreateDelayMs - Date.now();
        if (wait > 0) {
          setTimeout(() => this.kick(), wait).unref();
          continue;
        }
        try {
          cur = await client.create<Pod>("pods", want);
          log.info({ pod: `${sp.metadata.namespace}/${name}` }, "created mirror pod");
        } catch (err) {
          // The informer has not shown it yet (or the delete is still finishing): next pass.
          if (isAlreadyExists(err)) continue;
          throw err;
        }
      }
      const state = this.deps.processState(c);
      this.superviseRestart(c, state);
      await this.writeStatus(cur, mirrorStatus(cur, state, this.opts.nodeIP, now));
    }
    for (const p of mine) {
      if (wanted.has(p.metadata.name!)) continue;
      log.info({ pod: `${p.metadata.namespace}/${p.metadata.name}` }, "deleting mirror pod of a process this node no longer runs");
      await this.remove(p);
    }
  }

  /** Deletes a mirror pod at once (grace 0, only this uid), as the kubelet's mirror client does. */
  private async remove(p: Pod): Promise<void> {
    this.deleted.add(p.metadata.uid!);
    this.removedAt.set(p.metadata.name!, Date.now());
    this.written.delete(p.metadata.uid!);
    try {
      await this.deps.client.delete("pods", p.metadata.name!, p.metadata.namespace, { gracePeriodSeconds: 0, preconditionUid: p.metadata.uid });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private async writeStatus(pod: Pod, status: PodStatus): Promise<void> {
    if (!statusChanged(pod.status, status)) return;
    const uid = pod.metadata.uid!;
    const last = this.written.get(uid);
    // The informer may not have shown our last write yet: the same status again would only add a revision.
    if (last && last.fromVersion === pod.metadata.resourceVersion && !statusChanged(last.status, status)) return;
    const { resourceVersion: fromVersion, ...metadata } = pod.metadata;
    try {
      await this.deps.client.updateStatus("pods", { ...pod, metadata, status });
      this.written.set(uid, { status, fromVersion });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Starts a component that is down again once its back-off allows; resets the back-off after a long enough run. */
  private superviseRestart(c: NodeComponent, state: ProcessState): void {
    const restart = this.deps.restart;
    if (!restart || this.starting.has(c.name)) return;
    const b = this.backoff.get(c.name);
    if (state.pid !== undefined) {
      const up = Date.parse(state.startedAt ?? "") || Date.now();
      if (b && Date.now() - up > this.opts.restartMaxMs) this.backoff.delete(c.name);
      return;
    }
    if (b && Date.now() < b.at) return;
    const delayMs = b ? Math.min(b.delayMs * 2, this.opts.restartMaxMs) : this.opts.restartBaseMs;
    this.backoff.set(c.name, { at: Date.now() + delayMs, delayMs });
    this.deps.log.warn({ component: c.name, nextInMs: delayMs }, "node process is down; starting it again");
    this.starting.add(c.name);
    void restart(c)
      .then(
        () => this.kick(),
        (err) => this.deps.log.error({ err, component: c.name }, "cannot start node process"),
      )
      .finally(() => this.starting.delete(c.name));
  }
}
