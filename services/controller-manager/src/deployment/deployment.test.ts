import { describe, expect, it } from "vitest";
import type { Deployment, Pod, ReplicaSet } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { DeploymentController, HASH_LABEL, REVISION_ANNOTATION, equalIgnoreHash } from "./deployment.js";

function deploy(
  image: string,
  replicas = 3,
  strategy: Deployment["spec"]["strategy"] = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", annotations: { "kubernetes.io/change-cause": `image ${image}` } },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image }] } },
      strategy,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  };
}

/** Gives a ReplicaSet `n` ready pods in the pod cache. */
function readyPods(fc: FakeCluster, rs: ReplicaSet, n: number): void {
  for (let i = 0; i < n; i++) {
    fc.seed<Pod>("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${rs.metadata.name}-${i}`,
        namespace: "default",
        labels: rs.spec.template.metadata!.labels,
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true }],
      },
      spec: { containers: [{ name: "c", image: "x" }], nodeName: "n" },
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" }] },
    });
  }
}

const sets = (fc: FakeCluster) => fc.list<ReplicaSet>("replicasets");

describe("Deployment controller", () => {
  it("creates a hash-named ReplicaSet at revision 1 and mirrors the revision", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new DeploymentController(fc.context());
    fc.seed("deployments", deploy("a"));
    await c.reconcile("default/web");
    const [rs] = sets(fc);
    const hash = rs.metadata.labels![HASH_LABEL];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.selector.matchLabels).toEqual({ app: "web", [HASH_LABEL]: hash });
    expect(rs.spec.template.metadata!.labels![HASH_LABEL]).toBe(hash);
    expect(rs.spec.replicas).toBe(3);
    expect(rs.metadata.annotations).toMatchObject({ [REVISION_ANNOTATION]: "1", "kubernetes.io/change-cause": "image a" });
    expect(rs.metadata.ownerReferences![0]).toMatchObject({ kind: "Deployment", name: "web", controller: true });
    const d = fc.objects.get("deployments:default/web") as Deployment;
    expect(d.metadata.annotations![REVISION_ANNOTATION]).toBe("1");
    expect(d.status!.conditions!.find((x) => x.type === "Progressing")!.reason).toBe("NewReplicaSetCreated");
    // A second pass with the cache current creates nothing more.
    await c.reconcile("default/web");
    expect(fc.count("create", "replicasets")).toBe(1);
  });

  it("rolls with surge 1 / unavailable 0: old pods go only after new ones are available", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new DeploymentController(fc.context());
    fc.seed("deployments", deploy("a"));
    await c.reconcile("default/web");
    const oldRs = sets(fc)[0];
    readyPods(fc, oldRs, 3);
    // New template.
    const d = structuredClone(fc.objects.get("deployments:default/web") as Deployment);
    d.spec.template.spec.containers[0].image = "b";
    d.metadata.annotations!["kubernetes.io/change-cause"] = "image b";
    fc.seed("deployments", { ...d, metadata: { ...d.metadata, resourceVersion: undefined } });
    await c.reconcile("default/web");
    let newRs = sets(fc).find((r) => r.metadata.uid !== oldRs.metadata.uid)!;
    expect(newRs.spec.replicas).toBe(1);
    expect(newRs.metadata.annotations![REVISION_ANNOTATION]).toBe("2");
    expect((fc.objects.get(`replicasets:default/${oldRs.metadata.name}`) as ReplicaSet).spec.replicas).toBe(3);
    // Still not available: nothing changes.
    await c.reconcile("default/web");
    expect((fc.objects.get(`replicasets:default/${oldRs.metadata.name}`) as ReplicaSet).spec.replicas).toBe(3);
    // The new pod is ready: one old goes.
    newRs = fc.objects.get(`replicasets:default/${newRs.metadata.name}`) as ReplicaSet;
    readyPods(fc, newRs, 1);
    await c.reconcile("default/web");
    expect((fc.objects.get(`replicasets:default/${oldRs.metadata.name}`) as ReplicaSet).spec.replicas).toBe(2);
    const st = (fc.objects.get("deployments:default/web") as Deployment).status!;
    expect(st).toMatchObject({ replicas: 4, updatedReplicas: 1, availableReplicas: 4 });
  });

  it("rollback: the old ReplicaSet becomes new again with the next revision", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new DeploymentController(fc.context());
    const d1 = deploy("a", 1, { type: "Recreate" });
    fc.seed("deployments", d1);
    await c.reconcile("default/web");
    const rev1 = sets(fc)[0];
    const d2 = structuredClone(fc.objects.get("deployments:default/web") as Deployment);
    d2.spec.template.spec.containers[0].image = "b";
    fc.informer("deployments").set(d2);
    await c.reconcile("default/web");
    await c.reconcile("default/web");
    expect(sets(fc)).toHaveLength(2);
    // kubectl rollout undo: copy revision 1's template (minus the hash label) into the Deployment.
    const tmpl = structuredClone(rev1.spec.template);
    delete tmpl.metadata!.labels![HASH_LABEL];
    const d3 = structuredClone(fc.objects.get("deployments:default/web") as Deployment);
    d3.spec.template = tmpl;
    fc.informer("deployments").set(d3);
    await c.reconcile("default/web");
    await c.reconcile("default/web");
    expect(sets(fc)).toHaveLength(2);
    const back = fc.objects.get(`replicasets:default/${rev1.metadata.name}`) as ReplicaSet;
    expect(back.metadata.annotations![REVISION_ANNOTATION]).toBe("3");
    expect(back.spec.replicas).toBe(1);
    expect((fc.objects.get("deployments:default/web") as Deployment).metadata.annotations![REVISION_ANNOTATION]).toBe("3");
  });

  it("deletes idle old sets beyond revisionHistoryLimit once complete", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new DeploymentController(fc.context());
    const d = deploy("v0", 1);
    d.spec.revisionHistoryLimit = 1;
    const dep = fc.seed("deployments", d);
    const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: dep.metadata.uid!, controller: true };
    for (let i = 1; i <= 3; i++) {
      fc.seed<ReplicaSet>("replicasets", {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `web-old${i}`,
          namespace: "default",
          labels: { app: "web" },
          annotations: { [REVISION_ANNOTATION]: String(i) },
          ownerReferences: [ref],
        },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: "web" } },
          template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: `old${i}` }] } },
        },
      });
    }
    await c.reconcile("default/web");
    const newRs = sets(fc).find((r) => !r.metadata.name!.startsWith("web-old"))!;
    expect(newRs.metadata.annotations![REVISION_ANNOTATION]).toBe("4");
    readyPods(fc, newRs, 1);
    await c.reconcile("default/web");
    expect(
      sets(fc)
        .map((r) => r.metadata.name)
        .sort(),
    ).toEqual([newRs.metadata.name, "web-old3"].sort());
    const st = (fc.objects.get("deployments:default/web") as Deployment).status!;
    expect(st.conditions!.find((x) => x.type === "Progressing")!.reason).toBe("NewReplicaSetAvailable");
    expect(st.conditions!.find((x) => x.type === "Available")!.status).toBe("True");
  });

  it("a paused Deployment does not roll", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new DeploymentController(fc.context());
    fc.seed("deployments", deploy("a", 2));
    await c.reconcile("default/web");
    const d = structuredClone(fc.objects.get("deployments:default/web") as Deployment);
    d.spec.paused = true;
    d.spec.template.spec.containers[0].image = "b";
    fc.informer("deployments").set(d);
    await c.reconcile("default/web");
    expect(sets(fc)).toHaveLength(1);
    expect((fc.objects.get("deployments:default/web") as Deployment).status!.conditions!.find((x) => x.type === "Progressing")!.reason).toBe(
      "DeploymentPaused",
    );
  });

  it("treats a template kubectl round-tripped (null creationTimestamp, empty resources) as the same template", () => {
    const t = { metadata: { labels: { app: "web", [HASH_LABEL]: "abc" } }, spec: { containers: [{ name: "c", image: "i" }] } };
    const back = { metadata: { creationTimestamp: null, labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "i", resources: {} }] } };
    expect(equalIgnoreHash(t as never, back as never)).toBe(true);
    expect(equalIgnoreHash(t as never, { ...back, spec: { containers: [{ name: "c", image: "j" }] } } as never)).toBe(false);
  });
});
