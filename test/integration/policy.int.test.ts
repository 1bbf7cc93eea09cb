// Namespace policies through the real kubectl and concurrent REST clients: ResourceQuota
// (refusals with the numbers, exact usage under concurrent creates, release on delete) and
// LimitRange (defaults written into the stored pod, bounds refused).
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);

describe("ResourceQuota and LimitRange", () => {
  const cluster = new TestCluster({ nodes: 0, scheduler: false });
  let kubeconfig = "";
  const kubectl = async (...args: string[]): Promise<{ ok: boolean; out: string }> => {
    try {
      return { ok: true, out: (await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 })).stdout.trim() };
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      return { ok: false, out: (e.stderr || e.message).trim() };
    }
  };
  const must = async (...args: string[]) => {
    const r = await kubectl(...args);
    if (!r.ok) throw new Error(`kubectl ${args.join(" ")} failed: ${r.out}\n${cluster.logs()}`);
    return r.out;
  };
  const apply = (name: string, yaml: string) => {
    const f = join(cluster.dir, `${name}.yaml`);
    writeFileSync(f, yaml);
    return kubectl("apply", "-f", f);
  };
  const pod = (name: string, ns: string, resources = "") => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  containers:
  - name: c
    image: skiff/busybox:1.35
${resources}`;

  /** POSTs an object with the admin's credentials; resolves with the HTTP status. */
  let post: (path: string, body: unknown) => Promise<number>;

  beforeAll(async () => {
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
    const kc = JSON.parse(readFileSync(kubeconfig, "utf8"));
    const ca = Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64");
    const token = kc.users[0].user.token as string;
    const [host, port] = [cluster.httpsAddress.slice(0, cluster.httpsAddress.lastIndexOf(":")), cluster.httpsAddress.split(":").pop()];
    post = (path, body) =>
      new Promise((resolve, reject) => {
        const data = JSON.stringify(body);
        const req = request(
          {
            host,
            port,
            path,
            method: "POST",
            ca,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(data) },
          },
          (r) => {
            r.resume();
            r.on("end", () => resolve(r.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(data);
      });
    for (const ns of ["quota", "burst", "limits", "secure"]) await must("create", "namespace", ns);
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("refuses the third pod of a pods: 2 quota with the numbers, and admits one again after a delete", async () => {
    await must("create", "quota", "two-pods", "-n", "quota", "--hard=pods=2");
    // The apiserver's copy of the quota follows the store through a watch.
    await new Promise((r) => setTimeout(r, 500));
    for (const n of ["a", "b"]) expect((await apply(n, pod(n, "quota"))).ok).toBe(true);
    const third = await apply("c", pod("c", "quota"));
    expect(third.ok).toBe(false);
    expect(third.out).toContain('pods "c" is forbidden: exceeded quota: two-pods, requested: pods=1, used: pods=2, limited: pods=2');
    const used = JSON.parse(await must("get", "quota", "two-pods", "-n", "quota", "-o", "json")).status.used;
    expect(used).toEqual({ pods: "2" });
    await must("delete", "pod", "a", "-n", "quota", "--wait=false");
    expect(JSON.parse(await must("get", "quota", "two-pods", "-n", "quota", "-o", "json")).status.used).toEqual({ pods: "1" });
    expect((await apply("c", pod("c", "quota"))).ok).toBe(true);
  });

  it("20 concurrent creates against a quota of 10 more leave exactly 10", async () => {
    // Every namespace holds the cluster CA's ConfigMap (kube-root-ca.crt), which counts too.
    const until = Date.now() + 15_000;
    while (!(await kubectl("get", "configmap", "kube-root-ca.crt", "-n", "burst")).ok) {
      if (Date.now() > until) throw new Error("kube-root-ca.crt never appeared in burst");
      await new Promise((r) => setTimeout(r, 200));
    }
    await must("create", "quota", "ten", "-n", "burst", "--hard=configmaps=11");
    await new Promise((r) => setTimeout(r, 500));
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post("/api/v1/namespaces/burst/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}` }, data: { i: String(i) } }),
      ),
    );
    expect(codes.filter((c) => c === 201)).toHaveLength(10);
    expect(codes.filter((c) => c === 403)).toHaveLength(10);
    expect((await must("get", "configmaps", "-n", "burst", "-o", "name")).split("\n").filter((l) => l.startsWith("configmap/cm-"))).toHaveLength(10);
    expect(JSON.parse(await must("get", "quota", "ten", "-n", "burst", "-o", "json")).status.used).toEqual({ configmaps: "11" });
  });

  it("LimitRange defaults appear in the stored pod; a container over the maximum is refused", async () => {
    const lr = await apply(
      "lr",
      `apiVersion: v1
kind: LimitRange
metadata: {name: bounds, namespace: limits}
spec:
  limits:
  - type: Container
    default: {cpu: 300m, memory: 64Mi}
    defaultRequest: {cpu: 100m}
    max: {cpu: "1"}
`,
    );
    expect(lr.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect((await apply("d", pod("plain", "limits"))).ok).toBe(true);
    const stored = JSON.parse(await must("get", "pod", "plain", "-n", "limits", "-o", "json"));
    expect(stored.spec.containers[0].resources).toEqual({ limits: { cpu: "300m", memory: "64Mi" }, requests: { cpu: "100m", memory: "64Mi" } });
    const big = await apply("big", pod("big", "limits", '    resources: {limits: {cpu: "2"}}'));
    expect(big.ok).toBe(false);
    expect(big.out).toContain('pods "big" is forbidden: [maximum cpu usage per Container is 1, but limit is 2]');
  });

  it("a restricted namespace refuses a privileged pod with the Pod Security message; warn mode admits with a warning", async () => {
    await must("label", "namespace", "secure", "pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/warn=restricted");
    const priv = await apply("priv", pod("priv", "secure", "    securityContext: {privileged: true}"));
    expect(priv.ok).toBe(false);
    expect(priv.out).toContain(
      'pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true)',
    );
    expect(priv.out).toContain("allowPrivilegeEscalation != false");
    const hardened = await apply(
      "ok",
      pod(
        "ok",
        "secure",
        `    securityContext:
      allowPrivilegeEscalation: false
      runAsNonRoot: true
      runAsUser: 1000
      capabilities: {drop: [ALL]}
      seccompProfile: {type: RuntimeDefault}`,
      ),
    );
    expect(hardened.ok).toBe(true);
    await must("label", "namespace", "limits", "pod-security.kubernetes.io/warn=baseline");
    const f = join(cluster.dir, "hostnet.yaml");
    writeFileSync(f, pod("hostnet", "limits").replace("spec:\n", "spec:\n  hostNetwork: true\n"));
    const r = await run("kubectl", ["apply", "-f", f], { env: { ...process.env, KUBECONFIG: kubeconfig } });
    expect(r.stderr).toContain('Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)');
  });
});
