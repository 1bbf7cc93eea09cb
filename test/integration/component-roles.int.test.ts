// Skiff's own components under least privilege: the scheduler and controller-manager run as
// system:kube-scheduler and system:kube-controller-manager, authorized on the gRPC API by their
// bootstrap ClusterRoles. A Deployment still comes up and is collected (every controller
// within its role); the same identities are refused what their roles do not grant, in
// Kubernetes' words; kubectl auth can-i --as agrees.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, waitFor } from "@skiff/client";
import type { Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";
import { BUSYBOX } from "../harness/pods.js";

const run = promisify(execFile);

describe("component identities and their bootstrap roles", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let scheduler: ApiClient;
  let controllers: ApiClient;
  let kubeconfig = "";
  const canI = async (...args: string[]) => {
    const r = await run("kubectl", ["auth", "can-i", ...args], { env: { ...process.env, KUBECONFIG: kubeconfig } }).catch((e: { stdout: string }) => ({
      stdout: e.stdout,
    }));
    return r.stdout.trim();
  };

  beforeAll(async () => {
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
    scheduler = new ApiClient({ addresses: [cluster.apiAddress], timeoutMs: 10_000, tls: { dir: cluster.tlsDir("scheduler") } });
    controllers = new ApiClient({ addresses: [cluster.apiAddress], timeoutMs: 10_000, tls: { dir: cluster.tlsDir("controller-manager") } });
  });
  afterAll(async () => {
    scheduler?.close();
    controllers?.close();
    await cluster.stop();
  });

  it("the control plane does its work within its roles: a Deployment runs and is garbage-collected", async () => {
    await cluster.client.create(
      "deployments",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "default" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "c", image: BUSYBOX, command: ["sleep", "3600"] }], terminationGracePeriodSeconds: 1 },
          },
        },
      },
      "default",
    );
    const webPods = async () => (await cluster.client.list<Pod>("pods", { namespace: "default", labelSelector: "app=web" })).items;
    await waitFor(async () => (await webPods()).filter((p) => p.status?.phase === "Running").length === 2, 90_000, "2 web pods Running");
    await cluster.client.delete("deployments", "web", "default");
    await waitFor(async () => (await webPods()).length === 0, 90_000, "web pods collected");
    // Nothing was refused on the way (the apiserver logs every refused call).
    expect(cluster.logs()).not.toMatch(/call refused.*system:kube-(scheduler|controller-manager)/);
  });

  it("the scheduler may read pods and bind them, not create workloads or read Secrets", async () => {
    expect((await scheduler.list("pods", { namespace: "default" })).items).toBeDefined();
    await expect(
      scheduler.create("deployments", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "default" }, spec: {} }, "default"),
    ).rejects.toThrow(
      'deployments.apps is forbidden: User "system:kube-scheduler" cannot create resource "deployments" in API group "apps" in the namespace "default"',
    );
    await expect(scheduler.list("secrets", { namespace: "kube-system" })).rejects.toThrow(
      'secrets is forbidden: User "system:kube-scheduler" cannot list resource "secrets" in API group "" in the namespace "kube-system"',
    );
    await expect(scheduler.delete("nodes", cluster.nodeName(0))).rejects.toThrow(/forbidden: User "system:kube-scheduler" cannot delete resource "nodes"/);
  });

  it("the controller-manager may create pods and collect anything, not create Secrets or grant roles", async () => {
    expect((await controllers.list("secrets", { namespace: "kube-system" })).items).toBeDefined();
    await expect(
      controllers.create("secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "x", namespace: "default" }, data: {} }, "default"),
    ).rejects.toThrow(
      'secrets is forbidden: User "system:kube-controller-manager" cannot create resource "secrets" in API group "" in the namespace "default"',
    );
    await expect(
      controllers.create("clusterrolebindings", {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "grab" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ kind: "User", name: "system:kube-controller-manager", apiGroup: "rbac.authorization.k8s.io" }],
      }),
    ).rejects.toThrow(/clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "system:kube-controller-manager" cannot create/);
  });

  it("kubectl auth can-i --as the components answers from the same roles", async () => {
    expect(await canI("create", "pods", "--subresource=binding", "--as", "system:kube-scheduler", "-n", "default")).toBe("yes");
    expect(await canI("create", "deployments", "--as", "system:kube-scheduler", "-n", "default")).toBe("no");
    expect(await canI("update", "deployments", "--subresource=status", "--as", "system:kube-controller-manager", "-n", "default")).toBe("yes");
    expect(await canI("create", "secrets", "--as", "system:kube-controller-manager", "-n", "default")).toBe("no");
    expect(await canI("list", "endpointslices.discovery.k8s.io", "--as", "system:kube-proxy")).toBe("yes");
  });
});
