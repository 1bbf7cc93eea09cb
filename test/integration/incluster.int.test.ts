// A program in a pod reaches the API with nothing but its in-cluster configuration: the real
// kubectl binary, copied from the host into an image, runs in a pod whose ServiceAccount is
// bound to `view`; it lists pods through the `kubernetes` Service and is Forbidden to read Secrets.
// The same with @kubernetes/client-node's loadFromCluster(), run by the host's Node.js in a pod.
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "@skiff/client";
import type { Pod } from "@skiff/api";
import { repoRoot, TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);
const IMAGE = "skiff-test/kubectl:incluster";
/** The host's Node.js and the shared libraries it loads, on the local busybox. */
const NODE_IMAGE = "skiff-test/nodejs:incluster";

/** What the client-node pod runs: in-cluster config only, then a list it may and one it may not do. */
const CLIENT_NODE_PROBE = `import * as k8s from "@kubernetes/client-node";
const kc = new k8s.KubeConfig();
kc.loadFromCluster();
const core = kc.makeApiClient(k8s.CoreV1Api);
console.log("server=" + kc.getCurrentCluster().server + " user=" + kc.getCurrentUser().name);
try {
  const pods = await core.listNamespacedPod({ namespace: "outside" });
  console.log("pods=" + pods.items.map((p) => p.metadata.name).join(","));
} catch (e) { console.log("pods-error=" + e.code + " " + e.body); }
try {
  await core.listNamespacedSecret({ namespace: "outside" });
  console.log("secrets=allowed");
} catch (e) { console.log("secrets-error=" + e.code + " " + (typeof e.body === "string" ? e.body : JSON.stringify(e.body))); }
`;

/** Builds NODE_IMAGE: the node binary and what ldd says it needs, at the same paths. */
async function buildNodeImage(): Promise<void> {
  const ctx = mkdtempSync(join(tmpdir(), "skiff-node-image-"));
  try {
    const bin = realpathSync(process.execPath);
    const libs = (await run("ldd", [bin])).stdout
      .split("\n")
      .map((l) => /(\/\S+)\s+\(0x/.exec(l)?.[1])
      .filter((x): x is string => !!x);
    const copies = ["COPY node /usr/local/bin/node"];
    for (const [i, lib] of libs.entries()) {
      copyFileSync(realpathSync(lib), join(ctx, `lib${i}`));
      copies.push(`COPY lib${i} ${lib}`);
    }
    copyFileSync(bin, join(ctx, "node"));
    writeFileSync(join(ctx, "Dockerfile"), `FROM skiff/busybox:1.35\n${copies.join("\n")}\n`);
    await run("docker", ["build", "-q", "-t", NODE_IMAGE, ctx], { timeout: 300_000 });
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

describe("in-cluster clients", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let kubeconfig = "";
  const kubectl = async (...args: string[]) => {
    try {
      return (await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 })).stdout;
    } catch (err) {
      throw new Error(`kubectl ${args.join(" ")} failed: ${(err as { stderr?: string }).stderr}\n${cluster.logs()}`);
    }
  };

  beforeAll(async () => {
    // An image holding the host's kubectl (a static binary) on the local busybox.
    const ctx = mkdtempSync(join(tmpdir(), "skiff-kubectl-image-"));
    try {
      copyFileSync(realpathSync((await run("sh", ["-c", "command -v kubectl"])).stdout.trim()), join(ctx, "kubectl"));
      writeFileSync(join(ctx, "Dockerfile"), "FROM skiff/busybox:1.35\nCOPY kubectl /bin/kubectl\n");
      await run("docker", ["build", "-q", "-t", IMAGE, ctx], { timeout: 300_000 });
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
    await buildNodeImage();
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("kubectl in a pod lists pods with its ServiceAccount's projected token and is Forbidden to read Secrets", async () => {
    await kubectl("create", "namespace", "inside");
    await kubectl("create", "serviceaccount", "reader", "-n", "inside");
    await kubectl("create", "rolebinding", "reader-view", "-n", "inside", "--clusterrole=view", "--serviceaccount=inside:reader");
    const manifest = join(cluster.dir, "incluster.yaml");
    writeFileSync(
      manifest,
      `apiVersion: v1
kind: Pod
metadata: {name: asker, namespace: inside}
spec:
  serviceAccountName: reader
  restartPolicy: Never
  containers:
  - name: kubectl
    image: ${IMAGE}
    command: ["sh", "-c", "ls /var/run/secrets/kubernetes.io/serviceaccount; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; kubectl get pods -o name; echo pods-rc=$?; kubectl get secrets 2>&1; echo secrets-rc=$?"]
`,
    );
    await kubectl("apply", "-f", manifest);
    const pod = await waitFor(
      async () => {
        const p = JSON.parse(await kubectl("get", "pod", "asker", "-n", "inside", "-o", "json")) as Pod;
        return p.status?.phase === "Succeeded" || p.status?.phase === "Failed" ? p : undefined;
      },
      120_000,
      "the kubectl pod to finish",
    );
    const logs = await kubectl("logs", "asker", "-n", "inside");
    expect(pod.status?.phase, logs).toBe("Succeeded");
    expect(pod.spec.serviceAccountName).toBe("reader");
    expect(logs).toMatch(/ca\.crt\s+namespace\s+token/);
    expect(logs).toContain("inside");
    expect(logs).toContain("pod/asker");
    expect(logs).toContain("pods-rc=0");
    expect(logs).toContain(
      'secrets is forbidden: User "system:serviceaccount:inside:reader" cannot list resource "secrets" in API group "" in the namespace "inside"',
    );
    expect(logs).toContain("secrets-rc=1");
  });

  it("@kubernetes/client-node's in-cluster config lists pods and is Forbidden to read Secrets", async () => {
    await kubectl("create", "namespace", "outside");
    await kubectl("create", "serviceaccount", "app", "-n", "outside");
    await kubectl("create", "rolebinding", "app-view", "-n", "outside", "--clusterrole=view", "--serviceaccount=outside:app");
    // The probe and the repository's node_modules (client-node and its dependencies) reach the pod as hostPath volumes.
    // Its own directory, readable by the pod's user (the cluster's directory is 0700).
    const probeDir = mkdtempSync(join(tmpdir(), "skiff-client-node-"));
    chmodSync(probeDir, 0o755);
    onTestFinished(() => rmSync(probeDir, { recursive: true, force: true }));
    writeFileSync(join(probeDir, "probe.mjs"), CLIENT_NODE_PROBE);
    const manifest = join(cluster.dir, "client-node.yaml");
    writeFileSync(
      manifest,
      `apiVersion: v1
kind: Pod
metadata: {name: node-client, namespace: outside}
spec:
  serviceAccountName: app
  restartPolicy: Never
  securityContext: {runAsUser: 1000, runAsNonRoot: true}
  volumes:
  - {name: probe, hostPath: {path: ${probeDir}, type: Directory}}
  - {name: modules, hostPath: {path: ${join(repoRoot, "node_modules")}, type: Directory}}
  containers:
  - name: node
    image: ${NODE_IMAGE}
    command: ["node", "/app/probe/probe.mjs"]
    volumeMounts:
    - {name: probe, mountPath: /app/probe, readOnly: true}
    - {name: modules, mountPath: /app/node_modules, readOnly: true}
`,
    );
    await kubectl("apply", "-f", manifest);
    const pod = await waitFor(
      async () => {
        const p = JSON.parse(await kubectl("get", "pod", "node-client", "-n", "outside", "-o", "json")) as Pod;
        return p.status?.phase === "Succeeded" || p.status?.phase === "Failed" ? p : undefined;
      },
      200_000,
      "the client-node pod to finish",
    );
    const logs = await kubectl("logs", "node-client", "-n", "outside");
    expect(pod.status?.phase, logs).toBe("Succeeded");
    // KUBERNETES_SERVICE_HOST/PORT: the kubernetes Service's ClusterIP.
    expect(logs).toMatch(/^server=https:\/\/10\.\d+\.\d+\.\d+:443 user=inClusterUser$/m);
    expect(logs).toContain("pods=node-client");
    expect(logs).toMatch(
      /^secrets-error=403 .*secrets is forbidden: User \\?"system:serviceaccount:outside:app\\?" cannot list resource \\?"secrets\\?" in API group \\?"\\?" in the namespace \\?"outside\\?"/m,
    );
  }, 240_000); // loading client-node (57 MB of modules) from a hostPath takes a while on a loaded machine

  it("automountServiceAccountToken: false keeps the credentials out", async () => {
    const manifest = join(cluster.dir, "nomount.yaml");
    writeFileSync(
      manifest,
      `apiVersion: v1
kind: Pod
metadata: {name: quiet, namespace: inside}
spec:
  automountServiceAccountToken: false
  restartPolicy: Never
  containers:
  - name: c
    image: ${IMAGE}
    command: ["sh", "-c", "ls /var/run/secrets/kubernetes.io/serviceaccount 2>&1; echo done"]
`,
    );
    await kubectl("apply", "-f", manifest);
    await waitFor(
      async () => JSON.parse(await kubectl("get", "pod", "quiet", "-n", "inside", "-o", "json")).status?.phase === "Succeeded",
      120_000,
      "the pod to finish",
    );
    const logs = await kubectl("logs", "quiet", "-n", "inside");
    expect(logs).toContain("No such file or directory");
    const stored = JSON.parse(await kubectl("get", "pod", "quiet", "-n", "inside", "-o", "json")) as Pod;
    expect(stored.spec.serviceAccountName).toBe("default");
    expect(JSON.stringify(stored.spec)).not.toContain("kube-api-access");
  });
});
