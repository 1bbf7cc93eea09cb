// DaemonSet: one pod per eligible node (nodeSelector matches, NoSchedule/NoExecute taints
// tolerated), bound directly to its node; follows nodes joining and leaving; rolling update
// replaces out-of-date pods at most maxUnavailable at a time. Daemon pods tolerate the
// not-ready/unreachable NoExecute taints forever (no tolerationSeconds), so eviction spares them.
import { clone, objectKey, type DaemonSet, type Node, type Pod, type Toleration } from "@skiff/api";
import { QueueController } from "../common/base.js";
import { Expectations, ownedPodHandlers } from "../common/expectations.js";
import { controllerRef, newControllerRef, tolerant } from "../common/ownership.js";
import { isPodActive, isPodReady, podFromTemplate } from "../common/pods.js";
import { templateHash } from "../common/hash.js";
import { resolveIntOrPercent } from "../common/intstr.js";
import { tolerates } from "../nodelifecycle/eviction.js";

export const DS_HASH_LABEL = "controller-revision-hash";
const daemonTolerations: Toleration[] = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

/** Whether a daemon pod of this template should run on the node. */
export function nodeEligible(ds: DaemonSet, node: Node): boolean {
  const sel = ds.spec.template.spec.nodeSelector ?? {};
  if (!Object.entries(sel).every(([k, v]) => node.metadata.labels?.[k] === v)) return false;
  const tols = [...(ds.spec.template.spec.tolerations ?? []), ...daemonTolerations];
  // The unreachable/not-ready taints of a failing node do not remove its daemon pod.
  return (node.spec?.taints ?? []).filter((t) => t.effect !== "PreferNoSchedule").every((t) => tols.some((x) => tolerates(x, t)));
}

/** The DaemonSet controller. */
export class DaemonSetController extends QueueController {
  readonly expectations = new Expectations();
  private get sets() {
    return this.ctx.informers.get<DaemonSet>("daemonsets");
  }
  private get pods() {
    return this.ctx.informers.get<Pod>("pods");
  }
  private get nodes() {
    return this.ctx.informers.get<Node>("nodes");
  }

  protected async setup(): Promise<void> {
    const all = () => {
      for (const d of this.sets.list()) this.queue.add(objectKey(d));
    };
    this.sets.addHandlers({
      onAdd: (d) => this.queue.add(objectKey(d)),
      onUpdate: (_a, d) => this.queue.add(objectKey(d)),
      onDelete: (d) => this.expectations.delete(objectKey(d)),
    });
    this.nodes.addHandlers({
      onAdd: all,
      onUpdate: (a, b) => {
        if (JSON.stringify([a.metadata.labels, a.spec?.taints]) !== JSON.stringify([b.metadata.labels, b.spec?.taints])) all();
      },
      onDelete: all,
    });
    const owner = (p: Pod) => {
      const r = controllerRef(p);
      return r?.kind === "DaemonSet" ? `${p.metadata.namespace}/${r.name}` : undefined;
    };
    this.pods.addHandlers(ownedPodHandlers(owner, this.expectations, this.queue));
    await Promise.all([this.sets.waitForSync(), this.pods.waitForSync(), this.nodes.waitForSync()]);
  }

  async reconcile(key: string): Promise<void> {
    const ds0 = this.sets.get(key);
    if (!ds0 || ds0.metadata.deletionTimestamp) return;
    const ds = clone(ds0);
    const hash = templateHash(ds.spec.template);
    const pods = this.pods.list().filter((p) => p.metadata.namespace === ds.metadata.namespace && controllerRef(p)?.uid === ds.metadata.uid && isPodActive(p));
    const byNode = new Map<string, Pod[]>();
    for (const p of pods) byNode.set(p.spec.nodeName ?? "", [...(byNode.get(p.spec.nodeName ?? "") ?? []), p]);
    const nodes = this.nodes.list();
    const eligible = new Set(nodes.filter((n) => nodeEligible(ds, n)).map((n) => n.metadata.name!));
    const create: string[] = [];
    const remove: Pod[] = [];
    for (const n of eligible) {
      const ps = byNode.get(n) ?? [];
      if (ps.length === 0) create.push(n);
      else remove.push(...ps.slice(1)); // a duplicate on one node
    }
    for (const [n, ps] of byNode) if (!eligible.has(n)) remove.push(...ps);
    // Rolling update: out-of-date pods go while at most maxUnavailable daemon pods are unavailable.
    if (ds.spec.updateStrategy?.type !== "OnDelete") {
      const maxUnavailable = Math.max(1, resolveIntOrPercent(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable, eligible.size, false, 1));
      let unavailable = [...eligible].filter((n) => !(byNode.get(n) ?? []).some(isPodReady)).length;
      for (const n of eligible) {
        const p = (byNode.get(n) ?? [])[0];
        if (!p || p.metadata.labels?.[DS_HASH_LABEL] === hash || remove.includes(p)) continue;
        if (!isPodReady(p)) {
          remove.push(p);
          continue;
        }
        if (unavailable >= maxUnavailable) continue;
        unavailable++;
        remove.push(p);
      }
    }
    if (this.expectations.satisfied(key)) {
      const ref = newControllerRef(ds, "apps/v1", "DaemonSet");
      this.expectations.expectCreations(key, create.length);
      this.expectations.expectDeletions(key, remove.map(objectKey));
      for (const n of create) {
        const pod = podFromTemplate(ds.spec.template, ds.metadata.namespace!, ref, {
          labels: { [DS_HASH_LABEL]: hash },
          spec: { nodeName: n, tolerations: [...(ds.spec.template.spec.tolerations ?? []), ...daemonTolerations] },
        });
        try {
          await this.ctx.client.create("pods", pod);
        } catch (err) {
          this.expectations.creationObserved(key);
          throw err;
        }
      }
      for (const p of remove) {
        const r = await tolerant(() => this.ctx.client.delete("pods", p.metadata.name!, p.metadata.namespace, { preconditionUid: p.metadata.uid }));
        if (!r) this.expectations.deletionObserved(key, objectKey(p));
      }
    }
    const status = {
      desiredNumberScheduled: eligible.size,
      currentNumberScheduled: [...eligible].filter((n) => byNode.has(n)).length,
      numberMisscheduled: [...byNode.keys()].filter((n) => !eligible.has(n)).length,
      numberReady: pods.filter((p) => eligible.has(p.spec.nodeName ?? "") && isPodReady(p)).length,
      updatedNumberScheduled: pods.filter((p) => p.metadata.labels?.[DS_HASH_LABEL] === hash).length,
      numberAvailable: pods.filter((p) => eligible.has(p.spec.nodeName ?? "") && isPodReady(p)).length,
      numberUnavailable: Math.max(0, eligible.size - pods.filter((p) => isPodReady(p)).length),
      observedGeneration: ds.metadata.generation,
    };
    if (JSON.stringify(status) !== JSON.stringify(ds.status ?? {})) await tolerant(() => this.ctx.client.updateStatus("daemonsets", { ...ds, status }));
  }
}
