// The real kubectl binary and @kubernetes/client-node against a started cluster over the
// HTTPS REST API, with only a kubeconfig (CA + admin token written from the cluster's Secret).
import { execFile, spawn } from "node:child_process";
import { writeFileSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreV1Api, KubeConfig, Watch, type V1Pod } from "@kubernetes/client-node";
import { waitFor } from "@skiff/client";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);
const IMAGE = "skiff/busybox:1.35";

const manifest = (greeting: string) => `
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: ${greeting}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${IMAGE}
        command: ["httpd", "-f", "-p", "8080"]
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: sleeper
  labels: {app: sleeper}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: main
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`;

describe("kubectl and client-node against Skiff", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let kubeconfig = "";
  const kubectl = async (...args: string[]) => {
    try {
      const r = await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 120_000 });
      return r.stdout;
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`kubectl ${args.join(" ")} failed: ${e.stderr || e.message}\n${cluster.logs()}`);
    }
  };
  /** kubectl expected to fail: its stderr. */
  const kubectlFails = async (...args: string[]) => {
    try {
      await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig } });
    } catch (err) {
      return (err as { stderr: string }).stderr;
    }
    throw new Error(`kubectl ${args.join(" ")} succeeded`);
  };

  beforeAll(async () => {
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("refuses anonymous requests with a 401 Status", async () => {
    const ca = Buffer.from(JSON.parse(readFileSync(kubeconfig, "utf8")).clusters[0].cluster["certificate-authority-data"], "base64");
    const [host, port] = [cluster.httpsAddress.slice(0, cluster.httpsAddress.lastIndexOf(":")), cluster.httpsAddress.split(":").pop()];
    const res = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      request({ host, port, path: "/api/v1/pods", ca }, (r) => {
        let body = "";
        r.on("data", (d) => (body += d));
        r.on("end", () => resolve({ code: r.statusCode ?? 0, body }));
      })
        .on("error", reject)
        .end();
    });
    expect(res.code).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });

  it("applies a multi-document manifest, re-applies unchanged, and re-applies an edit as configured", async () => {
    const file = join(cluster.dir, "app.yaml");
    writeFileSync(file, manifest("hello"));
    const created = await kubectl("apply", "-f", file);
    expect(created).toContain("configmap/web-config created");
    expect(created).toContain("deployment.apps/web created");
    expect(created).toContain("service/web created");
    expect(created).toContain("pod/sleeper created");
    const again = await kubectl("apply", "-f", file);
    expect(again).toContain("configmap/web-config unchanged");
    expect(again).toContain("pod/sleeper unchanged");
    writeFileSync(file, manifest("bonjour"));
    const edited = await kubectl("apply", "-f", file);
    expect(edited).toContain("configmap/web-config configured");
    expect(edited).toContain("deployment.apps/web unchanged");
    expect(await kubectl("get", "configmap", "web-config", "-o", "jsonpath={.data.greeting}")).toBe("bonjour");
  });

  it("server-side apply: a second field manager changing an owned field gets a conflict; --force-conflicts takes it over", async () => {
    const cm = (value: string, extra = "") => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
data:
  shared: "${value}"
${extra}`;
    const file = join(cluster.dir, "ssa.yaml");
    writeFileSync(file, cm("one"));
    expect(await kubectl("apply", "--server-side", "--field-manager=alice", "-f", file)).toContain("configmap/ssa serverside-applied");
    // Bob applies the same value (the field becomes shared) and a field of his own.
    writeFileSync(file, cm("one", `  bobs: "b"`));
    await kubectl("apply", "--server-side", "--field-manager=bob", "-f", file);
    // Bob changing alice's field is refused, and nothing changes.
    writeFileSync(file, cm("two"));
    const refused = await kubectlFails("apply", "--server-side", "--field-manager=bob", "-f", file);
    expect(refused).toContain('conflict with "alice"');
    expect(refused).toContain(".data.shared");
    expect(await kubectl("get", "configmap", "ssa", "-o", "jsonpath={.data.shared} {.data.bobs}")).toBe("one b");
    // Forced, bob takes the field over: his value wins, and now alice conflicts with bob.
    await kubectl("apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", file);
    expect(await kubectl("get", "configmap", "ssa", "-o", "jsonpath={.data.shared} {.data.bobs}")).toBe("two ");
    writeFileSync(file, cm("one"));
    expect(await kubectlFails("apply", "--server-side", "--field-manager=alice", "-f", file)).toContain('conflict with "bob"');
    await kubectl("delete", "configmap", "ssa");
  });

  it("plain writes own the fields they change: server-side apply conflicts with kubectl scale, and client-side apply moves to server-side apply", async () => {
    const deploy = (replicas?: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: owned
spec:
${replicas === undefined ? "" : `  replicas: ${replicas}\n`}  selector: {matchLabels: {app: owned}}
  template:
    metadata: {labels: {app: owned}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - {name: main, image: ${IMAGE}, command: ["sleep", "3600"]}
`;
    const file = join(cluster.dir, "owned.yaml");
    writeFileSync(file, deploy(1));
    await kubectl("apply", "--server-side", "-f", file);
    await kubectl("scale", "deployment/owned", "--replicas=2");
    // kubectl scale wrote spec.replicas through the scale subresource: it owns it now.
    const managed = JSON.parse(await kubectl("get", "deployment", "owned", "-o", "json", "--show-managed-fields")).metadata.managedFields as {
      manager: string;
      operation: string;
      subresource?: string;
      fieldsV1: object;
    }[];
    expect(managed.find((m) => m.operation === "Update" && m.subresource === "scale")?.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    const refused = await kubectlFails("apply", "--server-side", "-f", file);
    expect(refused).toMatch(/conflict with "kubectl[^"]*" with subresource "scale"/);
    expect(refused).toContain(".spec.replicas");
    // Leaving replicas out of the configuration (what Kubernetes advises next to an autoscaler) applies.
    writeFileSync(file, deploy());
    await kubectl("apply", "--server-side", "-f", file);
    expect(await kubectl("get", "deployment", "owned", "-o", "jsonpath={.spec.replicas}")).toBe("2");
    await kubectl("delete", "deployment", "owned");

    // Client-side apply, then server-side apply of a changed value: kubectl moves the fields of
    // its client-side apply manager to its server-side one first, so there is no conflict.
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: migrated\ndata:\n  k: "${v}"\n`;
    const cmFile = join(cluster.dir, "migrated.yaml");
    writeFileSync(cmFile, cm("client"));
    await kubectl("apply", "-f", cmFile);
    writeFileSync(cmFile, cm("server"));
    await kubectl("apply", "--server-side", "-f", cmFile);
    expect(await kubectl("get", "configmap", "migrated", "-o", "jsonpath={.data.k}")).toBe("server");
    await kubectl("delete", "configmap", "migrated");
  });

  it("waits for the pod to be Ready and shows it in tables, YAML, jsonpath and describe", async () => {
    expect(await kubectl("wait", "--for=condition=Ready", "pod/sleeper", "--timeout=90s")).toContain("pod/sleeper condition met");
    const table = await kubectl("get", "pods");
    expect(table.split("\n")[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(table).toMatch(/sleeper\s+1\/1\s+Running\s+0\s+\d+s/);
    const wide = await kubectl("get", "pods", "-o", "wide");
    expect(wide.split("\n")[0]).toMatch(/IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
    expect(wide).toContain(cluster.nodeName(0));
    const all = await kubectl("get", "pods", "-A");
    expect(all).toMatch(/default\s+sleeper\s+1\/1/);
    const yaml = await kubectl("get", "pod", "sleeper", "-o", "yaml");
    expect(yaml).toContain("kind: Pod");
    expect(yaml).toContain("phase: Running");
    expect(await kubectl("get", "pod", "sleeper", "-o", "jsonpath={.spec.nodeName}")).toBe(cluster.nodeName(0));
    const svc = await kubectl("get", "svc", "web");
    expect(svc.split("\n")[0]).toMatch(/NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(svc).toMatch(/web\s+ClusterIP/);
    const described = await kubectl("describe", "pod", "sleeper");
    expect(described).toMatch(/Events:\s*\n\s+Type\s+Reason/);
    expect(described).toMatch(/Scheduled\s+.*Successfully assigned default\/sleeper/);
    expect(described).toContain("Started");
  });

  it("streams changes with get -w until the watch times out", async () => {
    const child = spawn("kubectl", ["get", "pods", "-w", "--request-timeout=8s"], { env: { ...process.env, KUBECONFIG: kubeconfig } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    await waitFor(() => out.includes("sleeper"), 15_000, "kubectl get -w to list the pod");
    await kubectl("label", "pod", "sleeper", "watched=yes");
    await waitFor(() => out.split("\n").filter((l) => l.startsWith("sleeper")).length >= 2, 15_000, "a watch event row");
    expect(await exited).toBe(0);
  });

  it("scales a deployment, labels and annotates with removal", async () => {
    expect(await kubectl("scale", "deployment/web", "--replicas=3")).toContain("deployment.apps/web scaled");
    expect(await kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}")).toBe("3");
    expect((await kubectl("get", "deployment", "web")).split("\n")[0]).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    await kubectl("label", "pod", "sleeper", "tier=backend");
    await kubectl("annotate", "pod", "sleeper", "note=hi");
    expect(await kubectl("get", "pod", "sleeper", "-o", "jsonpath={.metadata.labels.tier}/{.metadata.annotations.note}")).toBe("backend/hi");
    await kubectl("label", "pod", "sleeper", "tier-");
    await kubectl("annotate", "pod", "sleeper", "note-");
    const labels = JSON.parse(await kubectl("get", "pod", "sleeper", "-o", "jsonpath={.metadata.labels}"));
    expect(labels).not.toHaveProperty("tier");
    expect(await kubectl("get", "pod", "sleeper", "-o", "jsonpath={.metadata.annotations.note}")).toBe("");
    expect(await kubectl("get", "pods", "-l", "app=sleeper", "-o", "name")).toBe("pod/sleeper\n");
    expect(await kubectl("get", "pods", "-l", "app=nothing", "-o", "name")).toBe("");
  });

  it("lists api-resources and explains fields from OpenAPI v3", async () => {
    const res = await kubectl("api-resources");
    expect(res).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    expect(res).toMatch(/pods\s+po\s+v1\s+true\s+Pod/);
    const explained = await kubectl("explain", "pods.spec.containers");
    expect(explained).toContain("FIELD: containers <[]Container>");
    expect(explained).toMatch(/image\s+<string>/);
    // The workload kinds are spelled out too, through nested templates.
    const cron = await kubectl("explain", "cronjob.spec.jobTemplate.spec.template.spec.containers.ports");
    expect(cron).toContain("FIELD: ports <[]ContainerPort>");
    expect(cron).toMatch(/containerPort\s+<integer> -required-/);
    expect(await kubectl("explain", "statefulset.spec.volumeClaimTemplates.spec")).toMatch(/storageClassName\s+<string>/);
    expect(await kubectl("explain", "deployment.spec.strategy.rollingUpdate")).toMatch(/maxSurge\s+<string>/);
    // Probes, security contexts, affinity and volume sources are spelt out.
    const probe = await kubectl("explain", "pod.spec.containers.livenessProbe");
    expect(probe).toContain("FIELD: livenessProbe <Probe>");
    expect(probe).toMatch(/httpGet\s+<HTTPGetAction>/);
    expect(await kubectl("explain", "pod.spec.containers.livenessProbe.httpGet.port")).toContain("FIELD: port <string>");
    const psc = await kubectl("explain", "pod.spec.securityContext");
    expect(psc).toContain("FIELD: securityContext <PodSecurityContext>");
    expect(psc).toMatch(/fsGroup\s+<integer>/);
    expect(await kubectl("explain", "pod.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution")).toMatch(
      /topologyKey\s+<string> -required-/,
    );
    expect(await kubectl("explain", "pod.spec.volumes.emptyDir")).toMatch(/sizeLimit\s+<string>/);
    // A typo inside a probe is an unknown field (strict validation refuses it, naming its path).
    const typo =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: typo}\nspec:\n  containers:\n  - name: c\n    image: skiff/busybox:1.35\n    livenessProbe: {exec: {command: ["true"]}, periodSecond: 5}\n';
    writeFileSync(join(cluster.dir, "typo.yaml"), typo);
    const refused = await kubectlFails("create", "--dry-run=server", "-f", join(cluster.dir, "typo.yaml"));
    expect(refused).toContain('unknown field "spec.containers[0].livenessProbe.periodSecond"');
  });

  it("deletes a pod and waits until it is gone; errors are Kubernetes statuses", async () => {
    expect(await kubectl("delete", "pod", "sleeper")).toContain('pod "sleeper" deleted');
    expect(await kubectlFails("get", "pod", "sleeper")).toContain('Error from server (NotFound): pods "sleeper" not found');
    expect(cluster.containers({ "io.kubernetes.pod.name": "sleeper" }).filter((c) => c.state === "running")).toEqual([]);
    expect(await kubectlFails("create", "-f", join(cluster.dir, "app.yaml"))).toContain("Error from server (AlreadyExists): error when creating");
  });

  it("drives pods with @kubernetes/client-node: create, list, watch, patch, delete", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    const events: string[] = [];
    const watch = new Watch(kc);
    const req = await watch.watch(
      "/api/v1/namespaces/default/pods",
      { labelSelector: "client=node" },
      (type, obj: V1Pod) => events.push(`${type} ${obj.metadata?.name}`),
      () => undefined,
    );
    const body: V1Pod = {
      metadata: { name: "from-client-node", labels: { client: "node" } },
      spec: { terminationGracePeriodSeconds: 5, containers: [{ name: "main", image: IMAGE, command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }] },
    };
    const created = await api.createNamespacedPod({ namespace: "default", body });
    expect(created.metadata?.uid).toBeTruthy();
    const list = await api.listNamespacedPod({ namespace: "default", labelSelector: "client=node" });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(["from-client-node"]);
    const patched = await api.patchNamespacedPod({
      namespace: "default",
      name: "from-client-node",
      body: [{ op: "add", path: "/metadata/labels/patched", value: "yes" }],
    });
    expect(patched.metadata?.labels?.patched).toBe("yes");
    await api.deleteNamespacedPod({ namespace: "default", name: "from-client-node" });
    await waitFor(
      async () => (await api.listNamespacedPod({ namespace: "default", labelSelector: "client=node" })).items.length === 0,
      60_000,
      "the pod to be gone",
    );
    await waitFor(() => events.includes("DELETED from-client-node"), 15_000, "a DELETED watch event");
    req.abort();
    expect(events[0]).toBe("ADDED from-client-node");
    expect(events).toContain("MODIFIED from-client-node");
  });
});
