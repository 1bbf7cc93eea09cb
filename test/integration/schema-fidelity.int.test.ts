// The spelt-out schemas against the real kubectl (v1.32): `kubectl explain` goes all the way down
// into statuses, tolerations and env sources; a typo inside them is refused under Strict field
// validation with Kubernetes' message; and every object Skiff's own components wrote (statuses of
// pods, nodes, workloads, budgets) goes back through `kubectl replace --validate=strict` unchanged.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { KObject, Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);
const IMAGE = "skiff/busybox:1.35";

const podWith = (name: string, extra: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${IMAGE}
    command: ["sleep", "3600"]
${extra}`;

const workloads = `
apiVersion: v1
kind: ConfigMap
metadata: {name: env-source}
data: {GREETING: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      tolerations:
      - {key: example.com/dedicated, operator: Equal, value: web, effect: NoExecute, tolerationSeconds: 30}
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
      dnsConfig:
        options: [{name: ndots, value: "2"}]
      containers:
      - name: main
        image: ${IMAGE}
        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: MEM
          valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
        - name: GREETING2
          valueFrom: {configMapKeyRef: {name: env-source, key: GREETING, optional: false}}
        envFrom:
        - {prefix: CM_, configMapRef: {name: env-source}}
        resources:
          requests: {cpu: 10m, memory: 16Mi}
          limits: {memory: 64Mi}
        lifecycle:
          preStop: {exec: {command: ["true"]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: ${IMAGE}, command: ["true"]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: everywhere}
spec:
  selector: {matchLabels: {app: everywhere}}
  template:
    metadata: {labels: {app: everywhere}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: main, image: ${IMAGE}, command: ["sleep", "3600"]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ordered}
spec:
  serviceName: ordered
  replicas: 1
  selector: {matchLabels: {app: ordered}}
  template:
    metadata: {labels: {app: ordered}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: main, image: ${IMAGE}, command: ["sleep", "3600"]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: spare}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: none
  hostPath: {path: /tmp/skiff-schema-fidelity-pv, type: DirectoryOrCreate}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: roomy}
spec:
  hard: {pods: "50"}
---
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: ${IMAGE}, command: ["sh", "-c", "exit 3"]}
`;

describe("schemas spelt out to the leaves (kubectl explain, Strict field validation)", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let kubeconfig = "";
  const kubectl = async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> => {
    const p = run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 120_000 });
    if (input !== undefined) {
      p.child.stdin!.write(input);
      p.child.stdin!.end();
    }
    try {
      const r = await p;
      return { stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(" ")} failed: ${e.stderr || e.message}`);
    }
  };
  const explain = async (path: string) => (await kubectl(["explain", path])).stdout;
  /** kubectl expected to fail: its stderr. */
  const fails = async (args: string[], input?: string): Promise<string> => {
    try {
      await kubectl(args, input);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error(`kubectl ${args.join(" ")} succeeded`);
  };

  beforeAll(async () => {
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
  }, 120_000);
  afterAll(async () => {
    await cluster.stop();
  });

  it("explains statuses, tolerations, env sources and resources down to their leaves", async () => {
    const waiting = await explain("pod.status.containerStatuses.state.waiting.reason");
    expect(waiting).toMatch(/KIND:\s+Pod/);
    expect(waiting).toContain("FIELD: reason <string>");
    expect(waiting).toMatch(/CrashLoopBackOff/);
    expect(await explain("pod.status.containerStatuses.lastState.terminated")).toMatch(/exitCode\s+<integer> -required-/);
    expect(await explain("pod.status")).toMatch(/qosClass\s+<string>[\s\S]*podIPs\s+<\[\]PodIP>|podIPs\s+<\[\]PodIP>[\s\S]*qosClass\s+<string>/);
    expect(await explain("node.status.nodeInfo.kubeletVersion")).toContain("FIELD: kubeletVersion <string>");
    expect(await explain("node.status.nodeInfo")).toMatch(/kubeletVersion\s+<string> -required-/);
    expect(await explain("node.status")).toMatch(/capacity\s+<map\[string\]string>/);
    const conditions = await explain("deployment.status.conditions");
    expect(conditions).toContain("FIELD: conditions <[]DeploymentCondition>");
    expect(conditions).toMatch(/lastUpdateTime\s+<string>/);
    expect(await explain("pod.spec.tolerations.tolerationSeconds")).toContain("FIELD: tolerationSeconds <integer>");
    expect(await explain("pod.spec.containers.env.valueFrom.fieldRef.fieldPath")).toContain("FIELD: fieldPath <string>");
    expect(await explain("pod.spec.containers.envFrom.configMapRef")).toMatch(/optional\s+<boolean>/);
    expect(await explain("pod.spec.topologySpreadConstraints.whenUnsatisfiable")).toContain("FIELD: whenUnsatisfiable <string>");
    expect(await explain("pod.spec.dnsConfig.options")).toMatch(/value\s+<string>/);
    // Quantity and IntOrString are strings in Kubernetes' OpenAPI: kubectl 1.32 prints them as such.
    expect(await explain("pod.spec.containers.resources.limits")).toContain("FIELD: limits <map[string]string>");
    expect(await explain("pod.spec.containers.env.valueFrom.resourceFieldRef.divisor")).toContain("FIELD: divisor <string>");
    expect(await explain("deployment.spec.strategy.rollingUpdate")).toMatch(/maxSurge\s+<string>/);
    expect(await explain("service.status.loadBalancer.ingress")).toMatch(/ipMode\s+<string>/);
    expect(await explain("job.status")).toMatch(/completionTime\s+<string>/);
    expect(await explain("poddisruptionbudget.status")).toMatch(/disruptionsAllowed\s+<integer> -required-/);
    expect(await explain("ingress.spec.rules.http.paths.backend.service.port")).toMatch(/number\s+<integer>/);
    expect(await explain("endpointslice.endpoints.conditions")).toMatch(/terminating\s+<boolean>/);
    expect(await explain("resourcequota.status")).toMatch(/used\s+<map\[string\]string>/);
  });

  it("refuses a typo inside a toleration or an env source under Strict validation, naming the field", async () => {
    const toleration = await fails(
      ["apply", "-f", "-"],
      podWith("typo-toleration", "  tolerations:\n  - {key: k, operator: Exists, effect: NoExecute, tolerationSecond: 5}\n"),
    );
    expect(toleration).toContain('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.tolerations[0].tolerationSecond"');
    const env = await fails(["create", "-f", "-"], podWith("typo-env", "    env:\n    - name: X\n      valueFrom: {fieldRef: {fieldPth: metadata.name}}\n"));
    expect(env).toContain('strict decoding error: unknown field "spec.containers[0].env[0].valueFrom.fieldRef.fieldPth"');
    const dns = await fails(["apply", "-f", "-"], podWith("typo-dns", "  dnsConfig: {nameserver: [1.1.1.1]}\n"));
    expect(dns).toContain('unknown field "spec.dnsConfig.nameserver"');
    // Nothing was created.
    expect((await cluster.client.list("pods", { namespace: "default" })).items.map((p) => p.metadata.name)).not.toEqual(
      expect.arrayContaining(["typo-toleration", "typo-env", "typo-dns"]),
    );
  });

  it("takes back every object Skiff's components wrote (statuses included) under Strict validation", async () => {
    expect((await kubectl(["apply", "-f", "-"], workloads)).stderr).not.toMatch(/unknown field/);
    const get = async <T>(res: string, name: string) => cluster.client.get<T & KObject>(res, name, "default");
    await waitFor(
      async () => ((await get<{ status?: { availableReplicas?: number } }>("deployments", "web")).status?.availableReplicas ?? 0) === 1,
      90_000,
      "web available",
    );
    await waitFor(async () => ((await get<{ status?: { succeeded?: number } }>("jobs", "once")).status?.succeeded ?? 0) === 1, 90_000, "job done");
    await waitFor(
      async () => ((await get<{ status?: { numberReady?: number } }>("daemonsets", "everywhere")).status?.numberReady ?? 0) === 1,
      90_000,
      "ds ready",
    );
    await waitFor(
      async () => ((await get<{ status?: { readyReplicas?: number } }>("statefulsets", "ordered")).status?.readyReplicas ?? 0) === 1,
      90_000,
      "sts ready",
    );
    await waitFor(async () => ((await get<Pod>("pods", "crasher")).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 90_000, "crasher restarted");
    await waitFor(
      async () => ((await get<{ status?: { expectedPods?: number } }>("poddisruptionbudgets", "web")).status?.expectedPods ?? 0) === 1,
      60_000,
      "pdb status",
    );
    // An external load balancer reports its address on the status subresource, as Kubernetes types it.
    const svc = await get<KObject>("services", "web");
    const withLb = { ...svc, status: { loadBalancer: { ingress: [{ ip: "192.0.2.10", ipMode: "VIP", ports: [{ port: 80, protocol: "TCP" }] }] } } };
    await kubectl(["replace", "--subresource=status", "--validate=strict", "-f", "-"], JSON.stringify(withLb));
    const typo = { ...withLb, status: { loadBalancer: { ingress: [{ ip: "192.0.2.10", ipmode: "VIP" }] } } };
    expect(await fails(["replace", "--subresource=status", "--validate=strict", "-f", "-"], JSON.stringify(typo))).toContain(
      'unknown field "status.loadBalancer.ingress[0].ipmode"',
    );

    const kinds =
      "pods,nodes,namespaces,deployments,replicasets,statefulsets,daemonsets,controllerrevisions,jobs,services,endpoints,endpointslices,resourcequotas,poddisruptionbudgets,persistentvolumes,leases,ingressclasses,events";
    const list = JSON.parse((await kubectl(["get", kinds, "-A", "-o", "json"])).stdout) as { items: KObject[] };
    const statuses = list.items.filter((o) => o.status && Object.keys(o.status).length);
    expect(list.items.map((o) => o.kind)).toEqual(expect.arrayContaining(["Endpoints", "EndpointSlice"]));
    expect(statuses.map((o) => o.kind)).toContain("ResourceQuota");
    expect(statuses.map((o) => o.kind)).toContain("PersistentVolume");
    expect(statuses.map((o) => o.kind)).toEqual(
      expect.arrayContaining(["Pod", "Node", "Namespace", "Deployment", "ReplicaSet", "Job", "DaemonSet", "StatefulSet", "PodDisruptionBudget", "Service"]),
    );
    const crasher = list.items.find((o) => o.kind === "Pod" && o.metadata.name === "crasher") as Pod;
    expect(crasher.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(3);
    // The stored objects as they are, without the versions that later writes (heartbeats) move on.
    for (const o of list.items) delete o.metadata.resourceVersion;
    const file = join(cluster.dir, "everything.json");
    writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: list.items }));
    const replaced = await kubectl(["replace", "--dry-run=server", "--validate=strict", "-f", file]);
    expect(replaced.stderr).not.toMatch(/unknown field|Warning/);
    expect(replaced.stdout.trim().split("\n")).toHaveLength(list.items.length);
    expect(replaced.stdout).toMatch(/pod\/crasher replaced \(server dry run\)/);
  }, 300_000);
});
