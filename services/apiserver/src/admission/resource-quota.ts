// ResourceQuota admission: a write that would raise a namespace's usage past a quota's hard
// limit is refused with the numbers (`exceeded quota: q, requested: pods=1, used: pods=2,
// limited: pods=2`); otherwise the quota's status.used is raised before the object is stored
// (compare-and-set on the quota, so concurrent creates never overshoot) and lowered again if
// the write fails. Usage that goes down (a deletion, a pod that finished) is released after the
// write lands. A quota seen without status.used gets it computed from the namespace's objects.
import { ForbiddenError, parseQuantity, type KObject, type Pod, type ResourceList, type ResourceQuota, type Service } from "@skiff/api";
import type { AdmissionAttributes, MutatingPlugin } from "./chain.js";

/** What the plugin reads and writes. */
export interface QuotaStore {
  quotas(namespace: string): Promise<ResourceQuota[]>;
  /** One quota as stored now (not from a cache). */
  get(namespace: string, name: string): Promise<ResourceQuota | undefined>;
  /** Every object of a resource in a namespace (to compute a new quota's usage). */
  list(resource: string, namespace: string): Promise<KObject[]>;
  /** Read-modify-write of a quota's status (retried on conflicts by the registry). */
  updateStatus(namespace: string, name: string, fn: (q: ResourceQuota) => ResourceQuota): Promise<void>;
}

/** Resources counted by name (`services`, `count/deployments.apps`, …) besides compute. */
const countedCore = new Set(["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "replicationcontrollers", "resourcequotas"]);

const isTerminal = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** Kubernetes' quota scopes a pod can fall in. */
function podScopes(p: Pod): Set<string> {
  const all = [...(p.spec.containers ?? []), ...(p.spec.initContainers ?? [])];
  const bestEffort = all.every((c) => !Object.keys(c.resources?.requests ?? {}).length && !Object.keys(c.resources?.limits ?? {}).length);
  const terminating = p.spec.activeDeadlineSeconds !== undefined && p.spec.activeDeadlineSeconds !== null;
  return new Set([bestEffort ? "BestEffort" : "NotBestEffort", terminating ? "Terminating" : "NotTerminating"]);
}

/** A pod's compute: the sum over its containers, or an init container's, whichever is more. */
function podCompute(p: Pod, kind: "requests" | "limits", res: string): number {
  const of = (cs: Pod["spec"]["containers"] | undefined) => (cs ?? []).map((c) => parseQuantity(c.resources?.[kind]?.[res] ?? "0"));
  const main = of(p.spec.containers).reduce((a, b) => a + b, 0);
  return Math.max(main, ...of(p.spec.initContainers));
}

/** What one object counts for, for the keys a quota names. */
export function usageOf(resource: string, group: string, o: KObject | undefined, keys: string[], scopes: string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  if (!o) return out;
  const pod = resource === "pods" && group === "" ? (o as Pod) : undefined;
  // A finished pod no longer counts; a pod outside the quota's scopes never did.
  if (pod && isTerminal(pod)) return out;
  if (scopes.length && (!pod || !scopes.every((s) => podScopes(pod).has(s)))) return out;
  const countKey = group ? `count/${resource}.${group}` : `count/${resource}`;
  for (const k of keys) {
    if (k === countKey || (group === "" && k === resource && countedCore.has(resource))) out[k] = 1;
    else if (pod) {
      const m = /^(requests|limits)\.(.+)$/.exec(k);
      if (m) out[k] = podCompute(pod, m[1] as "requests", m[2]);
      else if (k === "cpu" || k === "memory" || k === "ephemeral-storage") out[k] = podCompute(pod, "requests", k);
    } else if (resource === "services" && group === "") {
      const s = (o as Service).spec ?? {};
      if (k === "services.loadbalancers") out[k] = s.type === "LoadBalancer" ? 1 : 0;
      if (k === "services.nodeports") out[k] = s.type === "NodePort" || s.type === "LoadBalancer" ? (s.ports ?? []).length : 0;
    } else if (resource === "persistentvolumeclaims" && group === "" && k === "requests.storage") {
      out[k] = parseQuantity((o as { spec?: { resources?: { requests?: ResourceList } } }).spec?.resources?.requests?.storage ?? "0");
    }
  }
  return out;
}

const show = (k: string, v: number) => `${k}=${Number.isInteger(v) || !/cpu/.test(k) ? v : `${Math.round(v * 1000)}m`}`;
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : `${Math.round(v * 1000)}m`);

/** Serializes quota writes of one namespace within this apiserver (the CAS guards across replicas). */
class NamespaceLocks {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(ns) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(ns, tail);
    void tail.then(() => {
      if (this.tails.get(ns) === tail) this.tails.delete(ns);
    });
    return next;
  }
}

export function resourceQuota(store: QuotaStore): MutatingPlugin {
  const locks = new NamespaceLocks();

  /** Adds `delta` to each quota's used (checking hard limits when `check`); returns what was applied, per quota. */
  const apply = async (a: AdmissionAttributes, sign: 1 | -1, deltas: Map<string, Record<string, number>>, check: boolean) => {
    for (const [name, d] of deltas) {
      await store.updateStatus(a.namespace, name, (q) => {
        const used: Record<string, number> = Object.fromEntries(Object.entries(q.status?.used ?? {}).map(([k, v]) => [k, parseQuantity(v)]));
        const hard = q.spec?.hard ?? {};
        if (check) {
          const over = Object.entries(d).filter(([k, v]) => v > 0 && hard[k] !== undefined && (used[k] ?? 0) + v > parseQuantity(hard[k]));
          if (over.length) {
            throw new ForbiddenError(
              `${a.resource.resource} "${a.name}" is forbidden: exceeded quota: ${name}, requested: ${over.map(([k, v]) => show(k, v)).join(",")}, used: ${over.map(([k]) => show(k, used[k] ?? 0)).join(",")}, limited: ${over.map(([k]) => `${k}=${hard[k]}`).join(",")}`,
              { name: a.name, kind: a.resource.resource },
            );
          }
        }
        for (const [k, v] of Object.entries(d)) used[k] = Math.max(0, (used[k] ?? 0) + sign * v);
        return { ...q, status: { hard, used: Object.fromEntries(Object.entries(used).map(([k, v]) => [k, fmt(v)])) } };
      });
    }
  };

  /** Fills status.used of quotas that have none yet from the namespace's objects. */
  const initialize = async (a: AdmissionAttributes, quotas: ResourceQuota[]) => {
    for (const cached of quotas) {
      const has = (q: ResourceQuota) => Object.keys(q.spec?.hard ?? {}).every((k) => k in (q.status?.used ?? {}));
      if (has(cached)) continue;
      // The cache may be behind: only a quota still without usage as stored is computed.
      const q = await store.get(a.namespace, cached.metadata.name!);
      if (!q || has(q)) continue;
      const keys = Object.keys(q.spec?.hard ?? {});
      const used: Record<string, number> = {};
      const resources = new Set(["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "replicationcontrollers", "resourcequotas"]);
      for (const k of keys) {
        const m = /^count\/([^.]+)$/.exec(k);
        if (m) resources.add(m[1]);
      }
      for (const r of resources) {
        const objs = await store.list(r, a.namespace).catch(() => []);
        for (const o of objs) for (const [k, v] of Object.entries(usageOf(r, "", o, keys, q.spec?.scopes))) used[k] = (used[k] ?? 0) + v;
      }
      await store.updateStatus(a.namespace, q.metadata.name!, (cur) => ({
        ...cur,
        status: { hard: cur.spec?.hard ?? {}, used: Object.fromEntries(keys.map((k) => [k, fmt(used[k] ?? 0)])) },
      }));
    }
  };

  return {
    name: "ResourceQuota",
    // Status writes change usage too (a pod finishing); quota objects themselves are not charged here.
    handles: (a) =>
      a.resource.namespaced &&
      !a.dryRun &&
      (a.subresource === "" || a.subresource === "status") &&
      !(a.resource.resource === "resourcequotas" && a.subresource === "status"),
    async admit(a) {
      const quotas = await store.quotas(a.namespace);
      if (quotas.length === 0) return;
      const up = new Map<string, Record<string, number>>();
      const down = new Map<string, Record<string, number>>();
      /** All the old object counted for: released if the write removes it. */
      const old = new Map<string, Record<string, number>>();
      for (const q of quotas) {
        const keys = Object.keys(q.spec?.hard ?? {});
        const next = a.operation === "DELETE" ? {} : usageOf(a.resource.resource, a.resource.group, a.object, keys, q.spec?.scopes);
        const prev = usageOf(a.resource.resource, a.resource.group, a.oldObject, keys, q.spec?.scopes);
        const u: Record<string, number> = {};
        const d: Record<string, number> = {};
        for (const k of keys) {
          const delta = (next[k] ?? 0) - (prev[k] ?? 0);
          if (delta > 0) u[k] = delta;
          if (delta < 0) d[k] = -delta;
        }
        if (Object.keys(u).length) up.set(q.metadata.name!, u);
        if (Object.keys(d).length) down.set(q.metadata.name!, d);
        if (Object.values(prev).some((v) => v > 0)) old.set(q.metadata.name!, prev);
      }
      if (up.size === 0 && down.size === 0 && old.size === 0) return;
      await locks.run(a.namespace, async () => {
        await initialize(a, quotas);
        if (up.size) await apply(a, 1, up, true);
      });
      return async (outcome) => {
        // Failed: give back what was taken. Removed (a delete, or an update that let the last
        // finalizer go): the object no longer counts at all. Stored: usage that went down is
        // released; a DELETE that only marked the object (a pod stopping) releases nothing yet.
        if (outcome === "failed" && up.size) await locks.run(a.namespace, () => apply(a, -1, up, false));
        if (outcome === "removed")
          await locks.run(a.namespace, async () => {
            await apply(a, -1, up, false);
            await apply(a, -1, old, false);
          });
        if (outcome === "stored" && a.operation !== "DELETE" && down.size) await locks.run(a.namespace, () => apply(a, -1, down, false));
      };
    },
  };
}
