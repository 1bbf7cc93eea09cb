// A program in a pod reaches the API with nothing but its in-cluster configuration: the real
// kubectl binary, copied from the host into an image, runs in a pod whose ServiceAccount is
// bound to `view`; it lists pods through the `kubernetes` Service and is Forbidden to read Secrets.
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);
const IMAGE = "skiff-test/kubectl:incluster";

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
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
  });
  afterAll(async () => { await cluster.stop(); });

  it("kubectl in a pod lists pods with its ServiceAccount's projected token and is Forbidden to read Secrets", async () => {
    await kubectl("create", "namespace", "inside");
    await kubectl("create", "serviceaccount", "reader", "-n", "inside");
    await kubectl("create", "rolebinding", "reader-view", "-n", "inside", "--clusterrole=view", "--serviceaccount=inside:reader");
    const manifest = join(cluster.dir, "incluster.yaml");
    writeFileSync(manifest, `apiVersion: v1
kind: Pod
metadata: {name: asker, namespace: inside}
spec:
  serviceAccountName: reader
  restartPolicy: Never
  containers:
  - name: kubectl
    image: ${IMAGE}
    command: ["sh", "-c", "ls /var/run/secrets/kubernetes.io/serviceaccount; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; kubectl get pods -o name; echo pods-rc=$?; kubectl get secrets 2>&1; echo secrets-rc=$?"]
`);
    await kubectl("apply", "-f", manifest);
    const pod = await waitFor(async () => {
      const p = JSON.parse(await kubectl("get", "pod", "asker", "-n", "inside", "-o", "json")) as Pod;
      return p.status?.phase === "Succeeded" || p.status?.phase === "Failed" ? p : undefined;
    }, 120_000, "the kubectl pod to finish");
    const logs = await kubectl("logs", "asker", "-n", "inside");
    expect(pod.status?.phase, logs).toBe("Succeeded");
    expect(pod.spec.serviceAccountName).toBe("reader");
    expect(logs).toMatch(/ca\.crt\s+namespace\s+token/);
    expect(logs).toContain("inside");
    expect(logs).toContain("pod/asker");
    expect(logs).toContain("pods-rc=0");
    expect(logs).toContain('secrets is forbidden: User "system:serviceaccount:inside:reader" cannot list resource "secrets" in API group "" in the namespace "inside"');
    expect(logs).toContain("secrets-rc=1");
  });

  it("automountServiceAccountToken: false keeps the credentials out", async () => {
    const manifest = join(cluster.dir, "nomount.yaml");
    writeFileSync(manifest, `apiVersion: v1
kind: Pod
metadata: {name: quiet, namespace: inside}
spec:
  automountServiceAccountToken: false
  restartPolicy: Never
  containers:
  - name: c
    image: ${IMAGE}
    command: ["sh", "-c", "ls /var/run/secrets/kubernetes.io/serviceaccount 2>&1; echo done"]
`);
    await kubectl("apply", "-f", manifest);
    await waitFor(async () => JSON.parse(await kubectl("get", "pod", "quiet", "-n", "inside", "-o", "json")).status?.phase === "Succeeded", 120_000, "the pod to finish");
    const logs = await kubectl("logs", "quiet", "-n", "inside");
    expect(logs).toContain("No such file or directory");
    const stored = JSON.parse(await kubectl("get", "pod", "quiet", "-n", "inside", "-o", "json")) as Pod;
    expect(stored.spec.serviceAccountName).toBe("default");
    expect(JSON.stringify(stored.spec)).not.toContain("kube-api-access");
  });
});
