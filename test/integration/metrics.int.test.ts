// Metrics and the proxy subresource with the real kubectl against real processes: the
// apiserver's /metrics (kubectl get --raw, RBAC nonResourceURL), a node agent's through the
// node proxy, a pod and a service reached through `kubectl proxy`, and 403 for users no role
// lets in.
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import { TestCluster } from "../harness/cluster.js";

const IMAGE = "skiff/busybox:1.35";
const manifest = `
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo hello through the apiserver > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: [{name: http, containerPort: 8080}]
    readinessProbe:
      tcpSocket: {port: 8080}
      periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

function httpGet(url: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 20_000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** One A query over UDP to 127.0.0.1:port; resolves with the answer. */
function dnsQuery(port: number, name: string): Promise<Buffer> {
  const labels = name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const msg = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    const t = setTimeout(() => {
      s.close();
      reject(new Error("no DNS answer"));
    }, 10_000);
    s.on("message", (m) => {
      clearTimeout(t);
      s.close();
      resolve(m);
    });
    s.send(msg, port, "127.0.0.1");
  });
}

/** The value of the first sample of `name` whose labels include every one of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("metrics and the proxy subresource", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let env: NodeJS.ProcessEnv = {};
  const children: ChildProcess[] = [];
  const kubectl = (args: string[]) =>
    new Promise<{ stdout: string; stderr: string; code: number }>((resolve, reject) => {
      const p = spawn("kubectl", args, { env });
      let stdout = "",
        stderr = "";
      p.stdout.on("data", (d) => (stdout += d));
      p.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => p.kill("SIGKILL"), 180_000);
      p.on("error", reject);
      p.on("close", (code) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, code: code ?? -1 });
      });
      p.stdin.end();
    });
  const ok = async (...args: string[]) => {
    const r = await kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}\n${cluster.logs()}`);
    return r.stdout;
  };

  beforeAll(async () => {
    await cluster.start();
    env = { ...process.env, KUBECONFIG: await cluster.kubeconfigPath() };
    const file = join(cluster.dir, "web.yaml");
    writeFileSync(file, manifest);
    await ok("apply", "-f", file);
    await ok("wait", "--for=condition=Ready", "pod/web", "--timeout=170s");
  }, 300_000);
  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    await cluster.stop();
  });

  it("kubectl get --raw /metrics counts the request just made, by verb, resource and code", async () => {
    const before = sample(await ok("get", "--raw", "/metrics"), "apiserver_request_total", { verb: "GET", resource: "configmaps", code: "404" }) ?? 0;
    const miss = await kubectl(["get", "configmap", "no-such-map", "-n", "default"]);
    expect(miss.code).not.toBe(0);
    const text = await ok("get", "--raw", "/metrics");
    expect(sample(text, "apiserver_request_total", { verb: "GET", resource: "configmaps", scope: "resource", code: "404" })).toBe(before + 1);
    expect(sample(text, "apiserver_request_duration_seconds_count", { verb: "GET", resource: "configmaps" })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^# TYPE apiserver_request_duration_seconds histogram$/m);
    // The components' gRPC calls, the store and the watch cache are measured too.
    expect(sample(text, "grpc_server_handled_total", { grpc_code: "OK" })).toBeGreaterThan(0);
    expect(sample(text, "etcd_request_duration_seconds_count", { operation: "create" })).toBeGreaterThan(0);
    expect(sample(text, "apiserver_registered_watchers", { resource: "pods" })).toBeGreaterThan(0);
    expect(sample(text, "apiserver_storage_objects", { resource: "pods" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
  });

  it("a component's call carried on its call stream (Multiplex) counts under its own method and code", async () => {
    const count = async () => sample(await ok("get", "--raw", "/metrics"), "grpc_server_handled_total", { grpc_method: "Get", grpc_code: "NOT_FOUND" }) ?? 0;
    const before = await count();
    await expect(cluster.client.get("configmaps", "no-such-map", "default")).rejects.toMatchObject({ reason: "NotFound" });
    expect(await count()).toBe(before + 1);
  });

  it("kubectl get --raw /api/v1/nodes/NODE/proxy/metrics returns the node agent's metrics", async () => {
    const node = cluster.nodeName(0);
    const text = await ok("get", "--raw", `/api/v1/nodes/${node}/proxy/metrics`);
    expect(sample(text, "kubelet_runtime_operations_total", { operation_type: "create_container" })).toBeGreaterThanOrEqual(2); // sandbox + web
    expect(sample(text, "kubelet_runtime_operations_duration_seconds_count", { operation_type: "start_container" })).toBeGreaterThanOrEqual(2);
    expect(sample(text, "kubelet_pod_start_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(sample(text, "prober_probe_total", { probe_type: "Readiness", pod: "web", result: "successful" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "kubelet_running_pods")).toBeGreaterThanOrEqual(1);
    expect(await ok("get", "--raw", `/api/v1/nodes/${node}/proxy/healthz`)).toBe("ok");
    // The node's proxy and DNS, reached through their agent (their own listeners are loopback-only).
    expect(await ok("get", "--raw", `/api/v1/nodes/${node}/proxy/metrics/proxy`)).toMatch(/^# TYPE skiff_proxy_connections_total counter$/m);
    expect(await ok("get", "--raw", `/api/v1/nodes/${node}/proxy/metrics/dns`)).toMatch(/^# TYPE coredns_dns_requests_total counter$/m);
    const pods = JSON.parse(await ok("get", "--raw", `/api/v1/nodes/${node}/proxy/pods`)) as { kind: string; items: { metadata: { name: string } }[] };
    expect(pods.kind).toBe("PodList");
    expect(pods.items.map((p) => p.metadata.name)).toContain("web");
    const missing = await kubectl(["get", "--raw", `/api/v1/nodes/${node}/proxy/nothing-here`]);
    expect(missing.code).not.toBe(0);
    const noNode = await kubectl(["get", "--raw", "/api/v1/nodes/no-such-node/proxy/metrics"]);
    expect(noNode.stderr).toMatch(/not found/i);
  });

  it("kubectl proxy reaches a pod and a service through the proxy subresource", async () => {
    const p = spawn("kubectl", ["proxy", "--port=0"], { env });
    children.push(p);
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    await waitFor(() => /Starting to serve on 127\.0\.0\.1:\d+/.test(out), 30_000, "kubectl proxy to serve");
    const base = `http://127.0.0.1:${/127\.0\.0\.1:(\d+)/.exec(out)![1]}`;
    const pod = await httpGet(`${base}/api/v1/namespaces/default/pods/web:8080/proxy/index.html`);
    expect(pod).toMatchObject({ status: 200, body: "hello through the apiserver\n" });
    // A named container port, and the default (the first container port).
    expect((await httpGet(`${base}/api/v1/namespaces/default/pods/web:http/proxy/`)).body).toBe("hello through the apiserver\n");
    expect((await httpGet(`${base}/api/v1/namespaces/default/pods/web/proxy/`)).body).toBe("hello through the apiserver\n");
    await waitFor(async () => (await httpGet(`${base}/api/v1/namespaces/default/services/web:http/proxy/`)).status === 200, 30_000, "the service's endpoints");
    const svc = await httpGet(`${base}/api/v1/namespaces/default/services/web:http/proxy/`);
    expect(svc).toMatchObject({ status: 200, body: "hello through the apiserver\n" });
    expect((await httpGet(`${base}/api/v1/namespaces/default/services/web:80/proxy/index.html`)).body).toBe("hello through the apiserver\n");
    const missing = await httpGet(`${base}/api/v1/namespaces/default/services/web:http/proxy/nothing`);
    expect(missing.status).toBe(404); // busybox httpd's own answer, passed through
    const badPort = await httpGet(`${base}/api/v1/namespaces/default/services/web:9999/proxy/`);
    expect(badPort.status).toBe(400);
    expect(JSON.parse(badPort.body).message).toBe('no service port "9999" found for service "web"');
    const metrics = await ok("get", "--raw", "/metrics");
    expect(sample(metrics, "apiserver_request_total", { verb: "CONNECT", resource: "services", subresource: "proxy", code: "200" })).toBeGreaterThanOrEqual(2);
  });

  it("the scheduler, controller-manager, proxy and DNS serve /metrics on loopback", async () => {
    const sched = await httpGet(`http://${cluster.schedulerMetrics}/metrics`);
    expect(sample(sched.body, "scheduler_schedule_attempts_total", { result: "scheduled" })).toBeGreaterThanOrEqual(1);
    expect(sample(sched.body, "scheduler_pod_scheduling_duration_seconds_count", { attempts: "1" })).toBeGreaterThanOrEqual(1);
    expect(sample(sched.body, "scheduler_scheduling_algorithm_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(sample(sched.body, "scheduler_pending_pods", { queue: "active" })).toBe(0);
    const cm = await httpGet(`http://${cluster.controllerManagerMetrics}/metrics`);
    expect(sample(cm.body, "workqueue_adds_total", { name: "endpoints" })).toBeGreaterThanOrEqual(1);
    expect(sample(cm.body, "workqueue_queue_duration_seconds_count", { name: "endpoints" })).toBeGreaterThanOrEqual(1);
    expect(sample(cm.body, "workqueue_depth", { name: "replicaset" })).toBe(0);
    expect(cm.body).toContain("process_resident_memory_bytes");
    // The node's proxy and DNS (spawned by its agent) name their ports in their state files.
    const run = cluster.runDir(cluster.nodeName(0));
    const proxyState = JSON.parse(readFileSync(join(run, "proxy.json"), "utf8")) as { metricsAddress: string };
    const proxy = await httpGet(`http://${proxyState.metricsAddress}/metrics`);
    expect(proxy.body).toMatch(/^# TYPE skiff_proxy_connections_total counter$/m);
    expect(proxy.body).toContain("process_resident_memory_bytes");
    const dnsState = JSON.parse(readFileSync(join(run, "dns.json"), "utf8")) as { port: number; metricsAddress: string };
    const before =
      sample((await httpGet(`http://${dnsState.metricsAddress}/metrics`)).body, "coredns_dns_requests_total", {
        zone: "cluster.local.",
        type: "A",
        proto: "udp",
      }) ?? 0;
    await dnsQuery(dnsState.port, "web.default.svc.cluster.local");
    const dns = (await httpGet(`http://${dnsState.metricsAddress}/metrics`)).body;
    expect(sample(dns, "coredns_dns_requests_total", { zone: "cluster.local.", type: "A", proto: "udp" })).toBe(before + 1);
    expect(sample(dns, "coredns_dns_responses_total", { zone: "cluster.local.", rcode: "NOERROR" })).toBeGreaterThanOrEqual(1);
  });

  it("users no role lets in get 403; the system:monitoring group reads /metrics", async () => {
    const denied = await kubectl(["get", "--raw", "/metrics", "--as=alice"]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/forbidden.*alice.*cannot get path "\/metrics"/i);
    const node = await kubectl(["get", "--raw", `/api/v1/nodes/${cluster.nodeName(0)}/proxy/metrics`, "--as=alice"]);
    expect(node.code).not.toBe(0);
    expect(node.stderr).toMatch(/forbidden.*alice.*nodes\/proxy/i);
    const svc = await kubectl(["get", "--raw", "/api/v1/namespaces/default/services/web:http/proxy/", "--as=alice"]);
    expect(svc.stderr).toMatch(/forbidden.*alice.*services\/proxy/i);
    const monitor = await ok("get", "--raw", "/metrics", "--as=prometheus", "--as-group=system:monitoring");
    expect(monitor).toContain("apiserver_request_total");
  });
});
