import { describe, expect, it } from "vitest";
import type { ControllerRevision, KObject, PersistentVolumeClaim, Pod, StatefulSet } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { StatefulSetController } from "./statefulset.js";
import { REVISION_LABEL, ordinalOf } from "./identity.js";

function sts(replicas: number, extra: Partial<StatefulSet["spec"]> = {}): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default", generation: 1 },
    spec: {
      replicas,
      serviceName: "nginx",
      selector: { matchLabels: { app: "web" } },
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "img:1" }] } },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Mi" } } } } as KObject],
      ...extra,
    },
  };
}

let rv = 10_000;

function setup() {
  const fc = new FakeCluster();
  fc.autoSync = true;
  const c = new StatefulSetController(fc.context());
  /** The node agent's part: every pod without a status becomes Running and Ready. */
  const runAll = () => {
    for (const [k, o] of fc.objects) {
      if (!k.startsWith("pods:")) continue;
      const p = o as Pod;
      if (p.status?.phase === "Running") continue;
      p.status = { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" }] };
      p.metadata.resourceVersion = String(++rv);
    }
    fc.sync();
  };
  const set = (s: StatefulSet) => {
    const cur = fc.objects.get("statefulsets:default/web") as StatefulSet | undefined;
    if (cur) {
      s.metadata = { ...cur.metadata, generation: (cur.metadata.generation ?? 1) + 1, resourceVersion: String(++rv) };
      s.status = cur.status;
      fc.objects.set("statefulsets:default/web", s);
      fc.sync();
    } else fc.seed("statefulsets", s);
  };
  const names = () =>
    fc
      .list<Pod>("pods")
      .map((p) => p.metadata.name)
      .sort();
  const get = () => fc.objects.get("statefulsets:default/web") as StatefulSet;
  return { fc, c, runAll, set, names, get };
}

describe("StatefulSet controller", () => {
  it("OrderedReady: creates web-0, web-1, web-2 one at a time, each after the previous is Running and Ready", async () => {
    const { fc, c, runAll, set, names, get } = setup();
    set(sts(3));
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0"]);
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0"]); // web-0 not ready yet: wait
    runAll();
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0", "web-1"]);
    runAll();
    await c.reconcile("default/web");
    runAll();
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0", "web-1", "web-2"]);
    expect(fc.count("create", "pods")).toBe(3);

    const p1 = fc.objects.get("pods:default/web-1") as Pod;
    expect(p1.spec.hostname).toBe("web-1");
    expect(p1.spec.subdomain).toBe("nginx");
    expect(p1.spec.volumes).toEqual([{ name: "data", persistentVolumeClaim: { claimName: "data-web-1" } }]);
    expect(p1.metadata.labels?.["statefulset.kubernetes.io/pod-name"]).toBe("web-1");
    const claims = fc.list<PersistentVolumeClaim>("persistentvolumeclaims");
    expect(claims.map((x) => x.metadata.name).sort()).toEqual(["data-web-0", "data-web-1", "data-web-2"]);
    // Claims outlive pods and the set: no owner references.
    expect(claims.every((x) => !x.metadata.ownerReferences?.length)).toBe(true);
    expect(claims[0].metadata.labels).toEqual({ app: "web" });

    const st = get().status!;
    expect(st).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(st.currentRevision).toBe(st.updateRevision);
    expect(p1.metadata.labels?.[REVISION_LABEL]).toBe(st.updateRevision);
    const revs = fc.list<ControllerRevision>("controllerrevisions");
    expect(revs.map((r) => [r.metadata.name, r.revision])).toEqual([[st.updateRevision, 1]]);
  });

  it("Parallel: creates every missing pod in one pass", async () => {
    const { c, set, names } = setup();
    set(sts(3, { podManagementPolicy: "Parallel" }));
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0", "web-1", "web-2"]);
  });

  it("recreates a deleted pod with the same name and keeps its claim", async () => {
    const { fc, c, runAll, set, names } = setup();
    set(sts(3, { podManagementPolicy: "Parallel" }));
    await c.reconcile("default/web");
    runAll();
    const claimsBefore = fc.count("create", "persistentvolumeclaims");
    await fc.client.delete("pods", "web-1", "default");
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0", "web-1", "web-2"]);
    expect(fc.count("create", "persistentvolumeclaims")).toBe(claimsBefore);
    expect((fc.objects.get("pods:default/web-1") as Pod).spec.volumes).toEqual([{ name: "data", persistentVolumeClaim: { claimName: "data-web-1" } }]);
  });

  it("replaces a Failed pod", async () => {
    const { fc, c, runAll, set, names } = setup();
    set(sts(1));
    await c.reconcile("default/web");
    runAll();
    const p = fc.objects.get("pods:default/web-0") as Pod;
    const uid = p.metadata.uid;
    p.status = { phase: "Failed" };
    p.metadata.resourceVersion = String(++rv);
    fc.sync();
    await c.reconcile("default/web");
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0"]);
    expect((fc.objects.get("pods:default/web-0") as Pod).metadata.uid).not.toBe(uid);
  });

  it("scales down from the highest ordinal, one at a time, and keeps the claims", async () => {
    const { fc, c, runAll, set, names } = setup();
    set(sts(3, { podManagementPolicy: "Parallel" }));
    await c.reconcile("default/web");
    runAll();
    set(sts(1));
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0", "web-1"]);
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0"]);
    expect(fc.list("persistentvolumeclaims")).toHaveLength(3);
  });

  it("rolls from the highest ordinal down to the partition, each after the previous is ready", async () => {
    const { fc, c, runAll, set, names, get } = setup();
    set(sts(3, { podManagementPolicy: "Parallel" }));
    await c.reconcile("default/web");
    runAll();
    await c.reconcile("default/web");
    const rev1 = get().status!.currentRevision!;
    const s = sts(3, { podManagementPolicy: "Parallel", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } });
    s.spec.template.spec.containers[0].image = "img:2";
    set(s);
    const image = (n: string) => (fc.objects.get(`pods:default/${n}`) as Pod | undefined)?.spec.containers[0].image;
    await c.reconcile("default/web"); // deletes web-2
    expect(names()).toEqual(["web-0", "web-1"]);
    const st = get().status!;
    expect(st.currentRevision).toBe(rev1);
    expect(st.updateRevision).not.toBe(rev1);
    await c.reconcile("default/web"); // recreates web-2 at the update revision
    expect(image("web-2")).toBe("img:2");
    await c.reconcile("default/web"); // web-2 not ready: web-1 waits
    expect(image("web-1")).toBe("img:1");
    runAll();
    await c.reconcile("default/web"); // deletes web-1
    await c.reconcile("default/web"); // recreates it
    runAll();
    await c.reconcile("default/web");
    expect(["web-0", "web-1", "web-2"].map(image)).toEqual(["img:1", "img:2", "img:2"]);
    expect(get().status).toMatchObject({ replicas: 3, updatedReplicas: 2, currentReplicas: 1, currentRevision: rev1 });
    const revs = fc.list<ControllerRevision>("controllerrevisions").sort((a, b) => a.revision - b.revision);
    expect(revs.map((r) => r.revision)).toEqual([1, 2]);

    // Partition 0 finishes the rollout; the update revision becomes current.
    const s2 = structuredClone(s);
    s2.spec.updateStrategy = { type: "RollingUpdate", rollingUpdate: { partition: 0 } };
    set(s2);
    await c.reconcile("default/web");
    await c.reconcile("default/web");
    runAll();
    await c.reconcile("default/web");
    expect(["web-0", "web-1", "web-2"].map(image)).toEqual(["img:2", "img:2", "img:2"]);
    expect(get().status).toMatchObject({
      updatedReplicas: 3,
      currentReplicas: 3,
      currentRevision: revs[1].metadata.name,
      updateRevision: revs[1].metadata.name,
    });
  });

  it("OnDelete: a template change touches no pod until it is deleted", async () => {
    const { fc, c, runAll, set, names } = setup();
    set(sts(2, { podManagementPolicy: "Parallel", updateStrategy: { type: "OnDelete" } }));
    await c.reconcile("default/web");
    runAll();
    await c.reconcile("default/web");
    const s = sts(2, { podManagementPolicy: "Parallel", updateStrategy: { type: "OnDelete" } });
    s.spec.template.spec.containers[0].image = "img:2";
    set(s);
    await c.reconcile("default/web");
    expect(names()).toEqual(["web-0", "web-1"]);
    expect(fc.count("delete", "pods")).toBe(0);
    await fc.client.delete("pods", "web-1", "default");
    await c.reconcile("default/web");
    expect((fc.objects.get("pods:default/web-1") as Pod).spec.containers[0].image).toBe("img:2");
    expect((fc.objects.get("pods:default/web-0") as Pod).spec.containers[0].image).toBe("img:1");
  });

  it("parses ordinals strictly", () => {
    const s = sts(1);
    const p = (name: string) => ({ metadata: { name } }) as Pod;
    expect(ordinalOf(s, p("web-12"))).toBe(12);
    expect(ordinalOf(s, p("web-01"))).toBe(-1);
    expect(ordinalOf(s, p("web-x"))).toBe(-1);
    expect(ordinalOf(s, p("webby-1"))).toBe(-1);
  });
});
