// Debian bookworm's own kubectl (v1.20, package kubernetes-client) against Skiff: it reads the
// OpenAPI v2 document as gnostic protobuf (/openapi/v2 with the proto Accept, else
// /swagger-2.0.0.pb-v1), so apply, create -f, get, explain and delete work as with a newer kubectl.
import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { ConfigMap, Deployment, Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");

const deployment = (replicas: number, image = "skiff/busybox:1.35") => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: old
  labels: {app: old}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: old}
  template:
    metadata:
      labels: {app: old}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${image}
        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`;

describe("kubectl 1.20 (Debian bookworm's kubernetes-client)", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let kubeconfig = "";
  let kubectl = "";
  beforeAll(async () => {
    // Fetched into .tools/ by scripts/setup.sh; again here when missing.
    kubectl = execFileSync("bash", [join(ROOT, "scripts", "kubectl-old.sh")], { encoding: "utf8" }).trim();
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  const k = async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> => {
    const p = run(kubectl, ["--kubeconfig", kubeconfig, "-n", "default", ...args], { timeout: 60_000 });
    if (input !== undefined) {
      p.child.stdin!.write(input);
      p.child.stdin!.end();
    }
    try {
      const r = await p;
      return { stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl 1.20 ${args.join(" ")} failed: ${e.stderr || e.message}`);
    }
  };

  it("is the old client", async () => {
    expect((await k(["version", "--client", "--short"])).stdout).toContain("v1.20.");
  });

  it("apply, apply again (a patch from the OpenAPI schema), create -f, get, explain and delete", async () => {
    // apply: create, then a change computed against the protobuf schema (strategic merge).
    expect((await k(["apply", "-f", "-"], deployment(1))).stdout).toContain("deployment.apps/old created");
    expect((await k(["apply", "-f", "-"], deployment(2))).stdout).toContain("deployment.apps/old configured");
    await waitFor(async () => (await cluster.client.get<Deployment>("deployments", "old", "default")).spec.replicas === 2, 10_000, "replicas 2");
    // Client-side validation reads the schema too: a typo is refused by the client, naming the field.
    await expect(k(["apply", "-f", "-"], deployment(2).replace("replicas: 2", "replicas: 2\n  replicaz: 3"))).rejects.toThrow(/unknown field "replicaz"/);

    expect((await k(["create", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old-cm}\ndata: {a: b}\n")).stdout).toContain(
      "configmap/old-cm created",
    );
    expect((await cluster.client.get<ConfigMap>("configmaps", "old-cm", "default")).data).toEqual({ a: "b" });

    const get = (await k(["get", "deployments"])).stdout;
    expect(get.split("\n")[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(get).toMatch(/^old\s+\d\/2/m);
    expect(JSON.parse((await k(["get", "configmap", "old-cm", "-o", "json"])).stdout)).toMatchObject({ kind: "ConfigMap", data: { a: "b" } });

    const explain = (await k(["explain", "deployment.spec.replicas"])).stdout;
    expect(explain).toMatch(/KIND:\s+Deployment/);
    expect(explain).toMatch(/FIELD:\s+replicas <integer>/);
    const containers = (await k(["explain", "pods.spec.containers"])).stdout;
    expect(containers).toMatch(/RESOURCE:\s+containers <\[\]Object>/);
    expect(containers).toContain("image");
    // Spelt-out nested schemas reach the old client too (described references become $ref in v2).
    const probe = (await k(["explain", "pods.spec.containers.livenessProbe.httpGet"])).stdout;
    expect(probe).toMatch(/RESOURCE:\s+httpGet <Object>/);
    expect(probe).toMatch(/path\s+<string>/);

    expect((await k(["delete", "-f", "-"], deployment(2))).stdout).toContain('deployment.apps "old" deleted');
    expect((await k(["delete", "configmap", "old-cm"])).stdout).toContain('configmap "old-cm" deleted');
    await waitFor(async () => !(await cluster.client.list("deployments", { namespace: "default" })).items.length, 30_000, "deployment gone");
  });

  it("explains statuses and quantities, validates inside tolerations, and takes back objects with statuses", async () => {
    const waiting = (await k(["explain", "pods.status.containerStatuses.state.waiting"])).stdout;
    expect(waiting).toMatch(/RESOURCE:\s+waiting <Object>/);
    expect(waiting).toMatch(/reason\s+<string>/);
    expect((await k(["explain", "pods.spec.containers.resources.limits"])).stdout).toMatch(/FIELD:\s+limits <map\[string\]string>/);
    expect((await k(["explain", "nodes.status.nodeInfo"])).stdout).toMatch(/kubeletVersion\s+<string> -required-/);
    // Client-side validation reads the spelt-out Toleration: the typo is refused before anything is sent.
    const typo =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: old-typo}\nspec:\n  containers: [{name: c, image: skiff/busybox:1.35}]\n  tolerations: [{key: k, operator: Exists, tolerationSecond: 5}]\n";
    await expect(k(["create", "-f", "-"], typo)).rejects.toThrow(/unknown field "tolerationSecond"/);
    // A node as the agent wrote it (conditions, addresses, capacity, nodeInfo, daemon endpoints) passes the old
    // client's validation and is taken back (the spec unchanged; a PUT keeps the stored status). Without its
    // resourceVersion, as heartbeats move it on; without --dry-run=server, which this kubectl gates on path parameters.
    const nodes = JSON.parse((await k(["get", "nodes", "-o", "json"])).stdout) as { items: { metadata: { resourceVersion?: string } }[] };
    for (const n of nodes.items) delete n.metadata.resourceVersion;
    const out = await k(["replace", "-f", "-"], JSON.stringify(nodes));
    expect(out.stdout).toMatch(/node\/\S+ replaced/);
    expect(out.stderr).not.toMatch(/unknown field|ValidationError/);
    // A running pod's status (conditions with lastProbeTime: null, container states) passes too.
    await k(["run", "old-pod", "--image=skiff/busybox:1.35", "--restart=Never", "--command", "--", "sleep", "3600"]);
    await waitFor(
      async () => (await cluster.client.get<Pod>("pods", "old-pod", "default")).status?.containerStatuses?.[0]?.state?.running !== undefined,
      60_000,
      "old-pod running",
    );
    const pod = JSON.parse((await k(["get", "pod", "old-pod", "-o", "json"])).stdout) as Pod;
    delete pod.metadata.resourceVersion;
    const replaced = await k(["replace", "-f", "-"], JSON.stringify(pod));
    expect(replaced.stdout).toContain("pod/old-pod replaced");
    await k(["delete", "pod", "old-pod", "--wait=false"]);
  });
});
