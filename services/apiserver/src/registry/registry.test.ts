import { describe, it, expect, beforeEach } from "vitest";
import { silentLogger } from "@skiff/log";
import { isConflict, isInvalid, isNotFound, type ConfigMap, type KObject, type Pod } from "@skiff/api";
import { MemoryStore } from "../storage/memory.js";
import { AdmissionChain, type AdmissionAttributes, type Outcome } from "../admission/chain.js";
import { Registry } from "./registry.js";
import { bindPod } from "./binding.js";

const log = silentLogger();
const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
const pod = (name: string): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "busybox" }] } });

describe("registry.update: the one read-modify-write loop", () => {
  let store: MemoryStore;
  let registry: Registry;
  beforeEach(async () => {
    store = new MemoryStore();
    registry = new Registry(store, log);
    await registry.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    await registry.create("configmaps", "default", cm("c", { n: "0" }));
  });

  it("reruns the update function on the newer object when another writer got in between", async () => {
    let raced = false;
    store.beforeWrite = async (key) => {
      if (raced || !key.startsWith("configmaps.")) return;
      raced = true;
      // Another writer lands between our read and our compare-and-set.
      store.beforeWrite = undefined;
      await registry.update("configmaps", "default", "c", (cur) => ({ ...cur, data: { ...(cur as ConfigMap).data, other: "1" } }));
    };
    const seen: string[] = [];
    const out = (await registry.update("configmaps", "default", "c", (cur) => {
      seen.push(cur.metadata.resourceVersion!);
      const c = cur as ConfigMap;
      return { ...c, data: { ...c.data, n: String(Number(c.data!.n) + 1) } };
    })) as ConfigMap;
    expect(seen).toHaveLength(2);
    expect(seen[1]).not.toBe(seen[0]);
    // Both writes survive: ours was applied to the other writer's result.
    expect(out.data).toEqual({ n: "1", other: "1" });
  });

  it("a resourceVersion on the result is a precondition: Conflict, not retried", async () => {
    const stale = await registry.get("configmaps", "default", "c");
    await registry.update("configmaps", "default", "c", (cur) => ({ ...cur, data: { n: "1" } }));
    let calls = 0;
    const err = await registry
      .update("configmaps", "default", "c", () => {
        calls++;
        return { ...stale, data: { n: "2" } };
      })
      .catch((e) => e);
    expect(isConflict(err)).toBe(true);
    expect(calls).toBe(1);
    expect(((await registry.get("configmaps", "default", "c")) as ConfigMap).data).toEqual({ n: "1" });
  });

  it("gives up with Conflict when every attempt loses its compare-and-set", async () => {
    let n = 0;
    store.beforeWrite = async (key) => {
      if (!key.startsWith("configmaps.")) return;
      const hold = store.beforeWrite;
      store.beforeWrite = undefined;
      await registry.update("configmaps", "default", "c", (cur) => ({ ...cur, data: { n: String(++n) } }));
      store.beforeWrite = hold;
    };
    // (A real change: an update that changes nothing is never written, so it cannot conflict.)
    const err = await registry.update("configmaps", "default", "c", (cur) => ({ ...cur, data: { mine: "1" } }) as ConfigMap).catch((e) => e);
    expect(isConflict(err)).toBe(true);
    expect(n).toBe(10);
  });

  it("an update that changes nothing is not written: same resourceVersion, no store write", async () => {
    const before = await registry.get("configmaps", "default", "c");
    let writes = 0;
    store.beforeWrite = async () => {
      writes++;
    };
    const same = await registry.update("configmaps", "default", "c", (cur) => cur);
    expect(same.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(writes).toBe(0);
    const changed = await registry.update("configmaps", "default", "c", (cur) => ({ ...cur, data: { n: "1" } }) as ConfigMap);
    expect(changed.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
    expect(writes).toBe(1);
  });

  it("a dry run validates and returns the result but stores nothing", async () => {
    const before = await registry.get("configmaps", "default", "c");
    const out = (await registry.update("configmaps", "default", "c", (cur) => ({ ...cur, data: { n: "9" } }), { dryRun: true })) as ConfigMap;
    expect(out.data).toEqual({ n: "9" });
    expect(await registry.get("configmaps", "default", "c")).toEqual(before);
    const bad = await registry
      .update("configmaps", "default", "c", (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { "bad key!": "x" } } }), { dryRun: true })
      .catch((e) => e);
    expect(isInvalid(bad)).toBe(true);
  });

  it("NotFound for a missing object; upsert creates it instead", async () => {
    expect(isNotFound(await registry.update("configmaps", "default", "nope", (c) => c).catch((e) => e))).toBe(true);
    const r = await registry.upsert("configmaps", "default", "nope", (c) => c, { create: () => cm("nope", { a: "b" }) });
    expect(r.created).toBe(true);
    const again = await registry.upsert("configmaps", "default", "nope", (c) => ({ ...c, data: { a: "c" } }), { create: () => cm("nope") });
    expect(again.created).toBe(false);
    expect((again.object as ConfigMap).data).toEqual({ a: "c" });
  });

  it("a status write changes only the status; a main write keeps the stored status", async () => {
    await registry.create("pods", "default", pod("p"));
    const withStatus = await registry.update(
      "pods",
      "default",
      "p",
      (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { sneaky: "yes" } }, status: { phase: "Running" } }),
      { subresource: "status" },
    );
    expect(withStatus.metadata.labels).toBeUndefined();
    expect((withStatus as Pod).status?.phase).toBe("Running");
    const relabelled = await registry.update("pods", "default", "p", (cur) => ({
      ...cur,
      metadata: { ...cur.metadata, labels: { a: "b" } },
      status: { phase: "Failed" },
    }));
    expect(relabelled.metadata.labels).toEqual({ a: "b" });
    expect((relabelled as Pod).status?.phase).toBe("Running");
  });

  it("removing the last finalizer of a terminating object removes it", async () => {
    await registry.create("configmaps", "default", { ...cm("f"), metadata: { name: "f", finalizers: ["example.com/hold"] } });
    const d = await registry.delete("configmaps", "default", "f");
    expect(d.finished).toBe(false);
    expect(d.object.metadata.deletionTimestamp).toBeTruthy();
    await registry.update("configmaps", "default", "f", (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }));
    expect(isNotFound(await registry.get("configmaps", "default", "f").catch((e) => e))).toBe(true);
  });

  it("binding: the node must exist, a bound pod is not bound twice, the PodScheduled condition is set", async () => {
    await registry.create("pods", "default", pod("b"));
    expect(isNotFound(await bindPod(registry, "default", "b", "n1").catch((e) => e))).toBe(true);
    await registry.create("nodes", undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "n1" } });
    const bound = (await bindPod(registry, "default", "b", "n1")) as Pod;
    expect(bound.spec.nodeName).toBe("n1");
    expect(bound.status?.conditions?.find((c) => c.type === "PodScheduled")?.status).toBe("True");
    expect(isConflict(await bindPod(registry, "default", "b", "n1").catch((e) => e))).toBe(true);
  });

  it("a bound pod with a grace period waits for its node; an unbound one goes at once", async () => {
    await registry.create("nodes", undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "n1" } });
    await registry.create("pods", "default", pod("run"));
    await bindPod(registry, "default", "run", "n1");
    const d = await registry.delete("pods", "default", "run");
    expect(d.finished).toBe(false);
    expect(d.object.metadata.deletionGracePeriodSeconds).toBe(30);
    await registry.create("pods", "default", pod("idle"));
    expect((await registry.delete("pods", "default", "idle")).finished).toBe(true);
  });
});

describe("admission: every write passes the chain", () => {
  it("mutating plugins run before validating ones, and a later refusal tells earlier plugins the write failed", async () => {
    const calls: string[] = [];
    const outcomes: Outcome[] = [];
    let refuse = false;
    const chain = new AdmissionChain(
      [
        {
          name: "Stamp",
          handles: (a) => a.resource.resource === "configmaps",
          async admit(a: AdmissionAttributes) {
            calls.push(`mutate ${a.operation}`);
            if (a.object) (a.object as ConfigMap).data = { ...(a.object as ConfigMap).data, stamped: "yes" };
            return async (o: Outcome) => {
              outcomes.push(o);
            };
          },
        },
      ],
      [
        {
          name: "Refuse",
          handles: (a) => a.resource.resource === "configmaps",
          async validate(a: AdmissionAttributes) {
            calls.push(`validate ${a.operation}`);
            if (refuse) throw Object.assign(new Error("no"), { name: "Refused" });
          },
        },
      ],
    );
    const registry = new Registry(new MemoryStore(), log, { admission: () => chain });
    await registry.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    const created = (await registry.create("configmaps", "default", cm("a"))) as KObject as ConfigMap;
    expect(created.data).toEqual({ stamped: "yes" });
    expect(calls).toEqual(["mutate CREATE", "validate CREATE"]);
    calls.length = 0;
    expect(outcomes).toEqual(["stored"]);
    refuse = true;
    await expect(registry.update("configmaps", "default", "a", (c) => c)).rejects.toThrow("no");
    expect(outcomes).toEqual(["stored", "failed"]);
    refuse = false;
    await registry.delete("configmaps", "default", "a");
    expect(outcomes).toEqual(["stored", "failed", "removed"]);
    expect(calls).toEqual(["mutate UPDATE", "validate UPDATE", "mutate DELETE", "validate DELETE"]);
  });
});
