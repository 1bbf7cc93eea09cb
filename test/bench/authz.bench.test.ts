// npm run bench:authz — the cost of authorization: the same ServiceAccount token reads and lists
// through two apiservers in one run, one with RBAC (the default, with 200 extra bindings in the
// policy) and one with --authorization-mode=AlwaysAllow (the floor: authentication only).
// Requests alternate between the two in rounds, so both see the same machine load.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { expect, it } from "vitest";
import { TestCluster } from "../harness/cluster.js";
import { percentile, printTable } from "./stats.js";

const REQUESTS = Number(process.env.SKIFF_BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.SKIFF_BENCH_CONCURRENCY ?? 8);

interface Api {
  call(method: string, path: string, body?: unknown, token?: string): Promise<{ code: number; body: string }>;
}

function api(cluster: TestCluster, kubeconfig: string): Api {
  const kc = JSON.parse(readFileSync(kubeconfig, "utf8"));
  const ca = Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64");
  const admin = kc.users[0].user.token as string;
  const [host, port] = [cluster.httpsAddress.slice(0, cluster.httpsAddress.lastIndexOf(":")), cluster.httpsAddress.split(":").pop()];
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  return {
    call: (method, path, body, token = admin) =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            host,
            port,
            path,
            method,
            agent,
            headers: { authorization: `Bearer ${token}`, ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}) },
          },
          (r) => {
            let b = "";
            r.on("data", (d) => (b += d));
            r.on("end", () => resolve({ code: r.statusCode ?? 0, body: b }));
          },
        );
        req.on("error", reject);
        req.end(data);
      }),
  };
}

/** A view-bound ServiceAccount's token, with `extra` unrelated bindings in the policy. */
async function setup(a: Api, extra: number): Promise<string> {
  const must = async (path: string, body: unknown) => {
    const r = await a.call("POST", path, body);
    if (r.code >= 300 && r.code !== 409) throw new Error(`POST ${path}: ${r.code} ${r.body}`);
    return r.body;
  };
  await must("/api/v1/namespaces/default/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "bench" } });
  await must("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "bench-view" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    subjects: [{ kind: "ServiceAccount", name: "bench", namespace: "default" }],
  });
  for (let i = 0; i < extra; i++) {
    await must("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `other-${i}` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [
        { kind: "User", name: `user-${i}` },
        { kind: "Group", name: `group-${i}` },
      ],
    });
  }
  await must("/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bench" }, data: { a: "b" } });
  const tr = JSON.parse(
    await must("/api/v1/namespaces/default/serviceaccounts/bench/token", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 3600 },
    }),
  );
  return tr.status.token;
}

/** Runs `n` requests, `CONCURRENCY` at a time; returns each one's latency in ms. */
async function load(a: Api, token: string, path: string, n: number): Promise<number[]> {
  const lat: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next++;
        const t0 = performance.now();
        const r = await a.call("GET", path, undefined, token);
        lat.push(performance.now() - t0);
        if (r.code !== 200) throw new Error(`GET ${path}: ${r.code} ${r.body}`);
      }
    }),
  );
  return lat;
}

it(`authorization cost: ${REQUESTS} requests per path and mode`, async () => {
  const rbac = new TestCluster({ nodes: 0, scheduler: false });
  const open = new TestCluster({ nodes: 0, scheduler: false, apiserverFlags: ["--authorization-mode=AlwaysAllow"] });
  try {
    await Promise.all([rbac.start(), open.start()]);
    const apis = { RBAC: api(rbac, await rbac.kubeconfigPath()), AlwaysAllow: api(open, await open.kubeconfigPath()) };
    const tokens = { RBAC: await setup(apis.RBAC, 200), AlwaysAllow: await setup(apis.AlwaysAllow, 200) };
    const paths = { get: "/api/v1/namespaces/default/configmaps/bench", list: "/api/v1/namespaces/default/configmaps" };
    const lat: Record<string, number[]> = {};
    const rounds = 10;
    for (const mode of ["RBAC", "AlwaysAllow"] as const) for (const p of Object.values(paths)) await load(apis[mode], tokens[mode], p, 100); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const mode of ["RBAC", "AlwaysAllow"] as const) {
        for (const [k, p] of Object.entries(paths)) (lat[`${mode} ${k}`] ??= []).push(...(await load(apis[mode], tokens[mode], p, REQUESTS / rounds)));
      }
    }
    const row = (k: string) => [k, lat[k].length, percentile(lat[k], 50).toFixed(2), percentile(lat[k], 99).toFixed(2)];
    const rows = ["RBAC get", "AlwaysAllow get", "RBAC list", "AlwaysAllow list"].map(row);
    printTable(
      `authorization cost (${CONCURRENCY} concurrent clients, a ServiceAccount token, 200 extra bindings)`,
      ["mode / request", "n", "p50 ms", "p99 ms"],
      rows,
    );
    const ratio = (what: string, p: number) => percentile(lat[`RBAC ${what}`], p) / percentile(lat[`AlwaysAllow ${what}`], p);
    const figures = { get_p50_ratio: ratio("get", 50), get_p99_ratio: ratio("get", 99), list_p50_ratio: ratio("list", 50), list_p99_ratio: ratio("list", 99) };
    printTable(
      "RBAC / AlwaysAllow",
      ["figure", "ratio"],
      Object.entries(figures).map(([k, v]) => [k, v.toFixed(2)]),
    );
    mkdirSync("bench-results", { recursive: true });
    writeFileSync(
      join("bench-results", "authz.json"),
      JSON.stringify(
        {
          name: "authz",
          machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
          parameters: { requests: REQUESTS, concurrency: CONCURRENCY, extraBindings: 200 },
          figures: Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, { p50: percentile(v, 50), p99: percentile(v, 99) }])),
          floor: "AlwaysAllow (authentication only), same run",
          ...figures,
        },
        null,
        2,
      ),
    );
    for (const v of Object.values(lat)) expect(v.length).toBe(REQUESTS);
  } finally {
    await Promise.all([rbac.stop(), open.stop()]);
  }
});
