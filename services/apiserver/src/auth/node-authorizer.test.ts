import { describe, expect, it } from "vitest";
import type { Pod } from "@skiff/api";
import { nodeAuthorizer, type NodeGraph } from "./node-authorizer.js";
import { attributesOf } from "./attributes.js";
import { podReferences } from "./pod-refs.js";

const pod = (name: string, node: string, spec: Partial<Pod["spec"]> = {}): Pod =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName: node, containers: [{ name: "c", image: "i" }], ...spec },
  }) as Pod;

const pods = [
  pod("a", "n1", {
    volumes: [{ name: "v", secret: { secretName: "s1" } }],
    containers: [{ name: "c", image: "i", env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "cm1", key: "k" } } }] }],
  } as never),
  pod("b", "n2", {
    volumes: [
      { name: "v", secret: { secretName: "s2" } },
      { name: "d", persistentVolumeClaim: { claimName: "data" } },
    ],
  } as never),
];
const graph: NodeGraph = {
  pod: async (ns, name) => pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
  podsOn: async (node, ns) => pods.filter((p) => p.spec.nodeName === node && p.metadata.namespace === ns),
  nodeUid: async (name) => (name === "n1" ? "uid-n1" : undefined),
};
const authz = nodeAuthorizer(graph);
const call = (node: string, method: string, req: object) => authz(node, attributesOf(method, req as never));
const obj = (o: object) => ({ objectJson: JSON.stringify(o) });

describe("the Node authorizer", () => {
  it("lets a node read the secrets and configmaps of its own pods, not another node's", async () => {
    await expect(call("n1", "Get", { ref: { resource: "secrets", namespace: "default", name: "s1" } })).resolves.toBeUndefined();
    await expect(call("n1", "Watch", { resource: "configmaps", namespace: "default", fieldSelector: "metadata.name=cm1" })).resolves.toBeUndefined();
    await expect(call("n1", "Get", { ref: { resource: "secrets", namespace: "default", name: "s2" } })).rejects.toMatchObject({
      reason: "Forbidden",
      message: expect.stringContaining(`User "system:node:n1" cannot get resource "secrets"`),
    });
    await expect(call("n2", "Get", { ref: { resource: "persistentvolumeclaims", namespace: "default", name: "data" } })).resolves.toBeUndefined();
  });

  it("refuses listing or watching secrets wholesale", async () => {
    await expect(call("n1", "List", { resource: "secrets", namespace: "" })).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "Watch", { resource: "secrets", namespace: "default" })).rejects.toMatchObject({ reason: "Forbidden" });
  });

  it("lets a node see only the pods bound to it", async () => {
    await expect(call("n1", "List", { resource: "pods", fieldSelector: "spec.nodeName=n1" })).resolves.toBeUndefined();
    await expect(call("n1", "Watch", { resource: "pods", fieldSelector: "" })).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "Get", { ref: { resource: "pods", namespace: "default", name: "b" } })).rejects.toMatchObject({ reason: "Forbidden" });
  });

  it("lets a node write only its own Node, its pods' status and Events", async () => {
    await expect(call("n1", "Create", { resource: "nodes", ...obj({ metadata: { name: "n1" } }) })).resolves.toBeUndefined();
    await expect(call("n1", "UpdateStatus", { resource: "nodes", ...obj({ metadata: { name: "n2" } }) })).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(
      call("n1", "UpdateStatus", { resource: "pods", namespace: "default", ...obj({ metadata: { name: "a", namespace: "default" } }) }),
    ).resolves.toBeUndefined();
    // The object sent may claim anything: the stored pod decides.
    await expect(
      call("n1", "UpdateStatus", {
        resource: "pods",
        namespace: "default",
        ...obj({ metadata: { name: "b", namespace: "default" }, spec: { nodeName: "n1" } }),
      }),
    ).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(
      call("n1", "Update", { resource: "pods", namespace: "default", ...obj({ metadata: { name: "a", namespace: "default" } }) }),
    ).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "Create", { resource: "events", namespace: "default", ...obj({ metadata: { name: "e" } }) })).resolves.toBeUndefined();
    await expect(call("n1", "Delete", { ref: { resource: "nodes", name: "n2" } })).rejects.toMatchObject({ reason: "Forbidden" });
  });

  it("lets a node ask for a token of its pod's service account, bound to that pod, and no other", async () => {
    const token = (sa: string, podName?: string) => ({
      namespace: "default",
      serviceAccount: sa,
      tokenRequestJson: JSON.stringify({ spec: podName ? { boundObjectRef: { kind: "Pod", name: podName } } : {} }),
    });
    await expect(call("n1", "CreateToken", token("default", "a"))).resolves.toBeUndefined();
    await expect(call("n1", "CreateToken", token("admin", "a"))).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "CreateToken", token("default", "b"))).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "CreateToken", token("default"))).rejects.toMatchObject({
      reason: "Forbidden",
      message: expect.stringContaining("bound to a pod"),
    });
  });

  it("lets the node's Ingress controller read Ingresses and TLS Secrets, write Ingress status, create only its class and Service", async () => {
    await expect(call("n1", "Watch", { resource: "ingresses", namespace: "" })).resolves.toBeUndefined();
    await expect(
      call("n1", "UpdateStatus", { resource: "ingresses", namespace: "default", ...obj({ metadata: { name: "i", namespace: "default" } }) }),
    ).resolves.toBeUndefined();
    await expect(
      call("n1", "Update", { resource: "ingresses", namespace: "default", ...obj({ metadata: { name: "i", namespace: "default" } }) }),
    ).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "Watch", { resource: "secrets", namespace: "", fieldSelector: "type=kubernetes.io/tls" })).resolves.toBeUndefined();
    await expect(call("n1", "Watch", { resource: "secrets", namespace: "", fieldSelector: "type=Opaque" })).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "Create", { resource: "ingressclasses", ...obj({ metadata: { name: "skiff" } }) })).resolves.toBeUndefined();
    await expect(call("n1", "Create", { resource: "ingressclasses", ...obj({ metadata: { name: "nginx" } }) })).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(
      call("n1", "Create", { resource: "services", namespace: "kube-system", ...obj({ metadata: { name: "skiff-ingress", namespace: "kube-system" } }) }),
    ).resolves.toBeUndefined();
    await expect(
      call("n1", "Create", { resource: "services", namespace: "default", ...obj({ metadata: { name: "x", namespace: "default" } }) }),
    ).rejects.toMatchObject({ reason: "Forbidden" });
  });

  it("refuses everything else: deployments, binding, exec, unknown methods", async () => {
    await expect(call("n1", "Create", { resource: "deployments", namespace: "default", ...obj({ metadata: { name: "d" } }) })).rejects.toMatchObject({
      reason: "Forbidden",
    });
    await expect(call("n1", "Bind", { namespace: "default", podName: "a", nodeName: "n1" })).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "PodExec", {})).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "SomethingNew", {})).rejects.toMatchObject({ reason: "Forbidden" });
    await expect(call("n1", "List", { resource: "services" })).resolves.toBeUndefined();
  });

  it("finds references in volumes, projected volumes, env, envFrom and pull secrets", () => {
    const r = podReferences(
      pod("x", "n", {
        volumes: [{ name: "p", projected: { sources: [{ secret: { name: "ps" } }, { configMap: { name: "pc" } }] } }],
        imagePullSecrets: [{ name: "pull" }],
        initContainers: [{ name: "i", image: "i", envFrom: [{ secretRef: { name: "ef" } }, { configMapRef: { name: "efc" } }] }],
      } as never),
    );
    expect([...r.secrets].sort()).toEqual(["ef", "ps", "pull"]);
    expect([...r.configmaps].sort()).toEqual(["efc", "pc"]);
  });

  describe("mirror pods (NodeRestriction)", () => {
    const mirror = (over: { annotations?: Record<string, string>; owners?: object[]; spec?: object } = {}) =>
      obj({
        metadata: {
          name: "skiff-proxy-n1",
          namespace: "kube-system",
          annotations: over.annotations ?? { "kubernetes.io/config.mirror": "abc" },
          ownerReferences: over.owners ?? [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "uid-n1", controller: true }],
        },
        spec: { nodeName: "n1", containers: [{ name: "proxy", image: "skiff/proxy" }], ...over.spec },
      });
    const create = (o: object, node = "n1") => call(node, "Create", { resource: "pods", namespace: "kube-system", ...o });
    const refused = (message: string) => ({ reason: "Forbidden", message: expect.stringContaining(message) });

    it("lets a node create a mirror pod bound to itself and owned by its Node", async () => {
      await expect(create(mirror())).resolves.toBeUndefined();
      await expect(create(mirror({ owners: [] }))).resolves.toBeUndefined();
    });

    it("refuses any other pod, with Kubernetes' reasons", async () => {
      await expect(create(mirror({ annotations: {} }))).rejects.toMatchObject(
        refused('pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods'),
      );
      await expect(create(mirror({ spec: { nodeName: "n2" } }))).rejects.toMatchObject(
        refused('node "n1" can only create pods with spec.nodeName set to itself'),
      );
      await expect(create(mirror(), "n2")).rejects.toMatchObject(refused('node "n2" can only create pods with spec.nodeName set to itself'));
      const ref = { apiVersion: "v1", kind: "Node", name: "n1", uid: "uid-n1", controller: true };
      await expect(create(mirror({ owners: [ref, ref] }))).rejects.toMatchObject(refused("a single owner reference set to itself"));
      await expect(create(mirror({ owners: [{ ...ref, name: "n2" }] }))).rejects.toMatchObject(refused("an owner reference set to itself"));
      await expect(create(mirror({ owners: [{ ...ref, controller: false }] }))).rejects.toMatchObject(refused("a controller owner reference set to itself"));
      await expect(create(mirror({ owners: [{ ...ref, blockOwnerDeletion: true }] }))).rejects.toMatchObject(refused("must not set blockOwnerDeletion"));
      await expect(create(mirror({ owners: [{ ...ref, uid: "other" }] }))).rejects.toMatchObject(refused('node "n1" UID mismatch'));
      await expect(create(mirror({ spec: { serviceAccountName: "default" } }))).rejects.toMatchObject(
        refused("can not create pods that reference a service account"),
      );
      await expect(create(mirror({ spec: { volumes: [{ name: "s", secret: { secretName: "s1" } }] } }))).rejects.toMatchObject(
        refused("can not create pods that reference secrets"),
      );
      // Updates of a pod's spec stay refused: a node only writes status.
      await expect(call("n1", "Update", { resource: "pods", namespace: "kube-system", ...mirror() })).rejects.toMatchObject({ reason: "Forbidden" });
    });
  });
});
