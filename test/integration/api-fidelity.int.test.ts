// The REST API reads requests as Kubernetes does and holds its limits, as a client library sees
// it: boolean, integer and repeated query parameters in every spelling clients send, malformed
// ones answered 400 naming the parameter, fieldSelector operators, continue tokens; 413 bodies,
// 422 objects too large for the store; a flood of one client shed with 429 while the control
// plane's own traffic (binds, pod status, node heartbeats) goes through.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { waitFor } from "@skiff/client";
import type { Node, Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";
import { RestClient } from "../harness/rest.js";
import { BUSYBOX, testPod } from "../harness/pods.js";

describe("API fidelity: query parameters and limits", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let rest: RestClient;
  beforeAll(async () => {
    await cluster.start();
    rest = await RestClient.of(cluster);
    await cluster.client.create("pods", testPod("sleeper", { containers: [{ name: "main", image: BUSYBOX, command: ["sleep", "3600"] }] }));
    for (const n of ["qa", "qb", "qc"])
      await cluster.client.create("configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: n, namespace: "default", labels: { q: "yes" } },
        data: { k: n },
      });
  }, 120_000);
  afterAll(async () => {
    rest?.close();
    await cluster.stop();
  });

  it("watch=True, watch=1 and watch=t stream events; watch=False and watch=0 list", async () => {
    for (const v of ["True", "1", "t", "TRUE"]) {
      const w = await rest.firstLines(`/api/v1/namespaces/default/configmaps?labelSelector=q%3Dyes&watch=${v}`, 1);
      expect(w.code, v).toBe(200);
      expect(JSON.parse(w.lines[0]), v).toMatchObject({ type: "ADDED", object: { kind: "ConfigMap" } });
    }
    for (const v of ["False", "0", "false"]) {
      const r = await rest.send("GET", `/api/v1/namespaces/default/configmaps?labelSelector=q%3Dyes&watch=${v}`);
      expect(r.json, v).toMatchObject({ kind: "ConfigMapList" });
      expect(r.json.items).toHaveLength(3);
    }
  });

  it("malformed integers are a 400 Status naming the parameter; valid ones work", async () => {
    for (const [path, param] of [
      ["/api/v1/namespaces/default/configmaps?limit=abc", "limit"],
      ["/api/v1/namespaces/default/configmaps?limit=", "limit"],
      ["/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=10s", "timeoutSeconds"],
      ["/api/v1/namespaces/default/pods/sleeper/log?tailLines=ten", "tailLines"],
      ["/api/v1/namespaces/default/pods/sleeper/log?sinceSeconds=1.5", "sinceSeconds"],
    ]) {
      const r = await rest.send("GET", path);
      expect(r.code, path).toBe(400);
      expect(r.json, path).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
      expect(r.json.message, path).toContain(`"${param}"`);
    }
    const page = await rest.send("GET", "/api/v1/namespaces/default/configmaps?labelSelector=q%3Dyes&limit=%2B2");
    expect(page.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["qa", "qb"]);
    const next = await rest.send("GET", `/api/v1/namespaces/default/configmaps?labelSelector=q%3Dyes&limit=2&continue=${page.json.metadata.continue}`);
    expect(next.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["qc"]);
    const w = await rest.firstLines("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&labelSelector=q%3Dnone", 1, 10_000);
    expect(w.lines).toEqual([]); // ended by the server after 1 s, empty
  });

  it("a continue token the server did not issue is a 400, not an empty page", async () => {
    for (const token of ["not-a-token", Buffer.from("{}").toString("base64url")]) {
      const r = await rest.send("GET", `/api/v1/namespaces/default/configmaps?limit=1&continue=${token}`);
      expect(r.code, token).toBe(400);
      expect(r.json.message).toMatch(/continue/);
    }
  });

  it("fieldSelector takes =, == and !=", async () => {
    const names = async (sel: string) =>
      (await rest.send("GET", `/api/v1/namespaces/default/configmaps?labelSelector=q%3Dyes&fieldSelector=${encodeURIComponent(sel)}`)).json.items.map(
        (i: { metadata: { name: string } }) => i.metadata.name,
      );
    expect(await names("metadata.name=qa")).toEqual(["qa"]);
    expect(await names("metadata.name==qb")).toEqual(["qb"]);
    expect(await names("metadata.name!=qb")).toEqual(["qa", "qc"]);
    expect(await names("metadata.name!=qa,metadata.name!=qc")).toEqual(["qb"]);
  });

  it("exec with stdout=True and repeated command parameters (a Python client's spelling) returns the output", async () => {
    await waitFor(async () => (await cluster.client.get<Pod>("pods", "sleeper", "default")).status?.phase === "Running", 60_000, "sleeper Running");
    const url = `wss://${rest.host}:${rest.port}/api/v1/namespaces/default/pods/sleeper/exec?command=sh&command=-c&command=echo%20one%3B%20echo%20two%20%3E%262&stdout=True&stderr=True&stdin=False&tty=False`;
    const frames = await new Promise<Buffer[]>((resolve, reject) => {
      const ws = new WebSocket(url, ["v4.channel.k8s.io"], { ca: rest.ca, headers: { Authorization: `Bearer ${rest.token}` } });
      const got: Buffer[] = [];
      ws.on("message", (m: Buffer) => got.push(Buffer.from(m)));
      ws.on("close", () => resolve(got));
      ws.on("error", reject);
    });
    const on = (ch: number) =>
      frames
        .filter((f) => f[0] === ch)
        .map((f) => f.subarray(1).toString())
        .join("");
    expect(on(1)).toBe("one\n");
    expect(on(2)).toBe("two\n");
    expect(JSON.parse(on(3))).toMatchObject({ status: "Success" });
  });

  it("a 10 MiB body gets 413; a 2 MiB ConfigMap 422 (data over 1 MiB); a 1.6 MiB object 422 (store limit); a 1.4 MiB object is stored", async () => {
    const big = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "huge" }, data: { k: "x".repeat(10 * 1024 * 1024) } });
    const r413 = await rest.send("POST", "/api/v1/namespaces/default/configmaps", big);
    expect(r413.code).toBe(413);
    expect(r413.json).toMatchObject({ kind: "Status", reason: "RequestEntityTooLarge", code: 413, message: "Request entity too large: limit is 3145728" });

    const cm2 = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "two-mib" }, data: { k: "x".repeat(2 * 1024 * 1024) } });
    const r422 = await rest.send("POST", "/api/v1/namespaces/default/configmaps", cm2);
    expect(r422.code).toBe(422);
    expect(r422.json.message).toBe('ConfigMap "two-mib" is invalid: data: Too long: must have at most 1048576 bytes');

    const deployment = (name: string, bytes: number) =>
      JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: "c", image: BUSYBOX, env: Array.from({ length: 8 }, (_, i) => ({ name: `V${i}`, value: "y".repeat(bytes / 8) })) }] },
          },
        },
      });
    const tooBig = await rest.send("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("too-big", 1.6 * 1024 * 1024));
    expect(tooBig.code).toBe(422);
    expect(tooBig.json.message).toMatch(/deployments "too-big" is invalid: the object is too large to store: \d+ bytes encoded, the limit is 1572864 bytes/);
    // Stored: nats-server's default max_payload (1 MiB) would have refused it with a 503.
    const fits = await rest.send("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("fits", 1.4 * 1024 * 1024));
    expect(fits.code, fits.body.slice(0, 300)).toBe(201);
    expect((await rest.send("GET", "/apis/apps/v1/namespaces/default/deployments/fits")).body.length).toBeGreaterThan(1.4 * 1024 * 1024);
    // Nothing of the refused ones was written.
    expect((await rest.send("GET", "/api/v1/namespaces/default/configmaps/two-mib")).code).toBe(404);
    expect((await rest.send("GET", "/apis/apps/v1/namespaces/default/deployments/too-big")).code).toBe(404);
  });

  it("a flood of 2,000 requests from one client is shed with 429 Retry-After while binds, pod status and heartbeats go through", async () => {
    const flooder = await RestClient.of(cluster, { maxSockets: 400 });
    const node = cluster.nodeName(0);
    const createdAt = new Map<string, number>();
    const boundAt = new Map<string, number>();
    const runningAt = new Map<string, number>();
    const stopWatch = cluster.client.watch<Pod>(
      "pods",
      { namespace: "default", labelSelector: "flood-probe=yes" },
      (e) => {
        if (!e.object?.metadata) return;
        const n = e.object.metadata.name!;
        if (e.object.spec?.nodeName && !boundAt.has(n)) boundAt.set(n, Date.now());
        if (e.object.status?.phase === "Running" && !runningAt.has(n)) runningAt.set(n, Date.now());
      },
      () => undefined,
    );
    const probes = async (prefix: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const name = `${prefix}-${i}`;
        createdAt.set(name, Date.now());
        await cluster.client.create("pods", {
          ...testPod(name, { containers: [{ name: "c", image: BUSYBOX, command: ["sleep", "3600"] }] }),
          metadata: { name, namespace: "default", labels: { "flood-probe": "yes" } },
        });
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const latencies = (prefix: string, at: Map<string, number>) =>
      [...createdAt]
        .filter(([n]) => n.startsWith(prefix))
        .map(([n, t]) => at.get(n)! - t)
        .sort((a, b) => a - b);
    // The same probes without a flood first: the floor on this machine, now.
    await probes("calm", 3);
    await waitFor(() => runningAt.size === 3, 60_000, "calm probe pods Running");
    const codes = new Map<number, number>();
    let retryAfter: string | string[] | undefined;
    const started = Date.now();
    const flood = Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        flooder
          .send(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `flood-${i}` }, data: { i: String(i) } }),
            {},
            120_000,
          )
          .then(
            (r) => {
              codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
              if (r.code === 429) retryAfter = r.headers["retry-after"];
            },
            () => codes.set(0, (codes.get(0) ?? 0) + 1),
          ),
      ),
    );
    // The control plane's own traffic during the flood: pods the scheduler binds (gRPC) and the
    // node agent reports Running (status writes over gRPC).
    await probes("flood", 5);
    await flood;
    const floodMs = Date.now() - started;
    await waitFor(() => runningAt.size === 8, 90_000, "probe pods Running");
    stopWatch.stop();
    flooder.close();
    const bind = latencies("flood", boundAt),
      running = latencies("flood", runningAt);
    const nodeObj = await cluster.client.get<Node>("nodes", node);
    console.log(
      `flood of 2000 POSTs (400 connections) took ${floodMs} ms: ${JSON.stringify(Object.fromEntries(codes))}; ` +
        `create→bound ms without flood ${JSON.stringify(latencies("calm", boundAt))}, during it ${JSON.stringify(bind)}; ` +
        `create→Running ms without flood ${JSON.stringify(latencies("calm", runningAt))}, during it ${JSON.stringify(running)}`,
    );
    expect(codes.get(429) ?? 0).toBeGreaterThan(0);
    expect(retryAfter).toBe("1");
    expect((codes.get(201) ?? 0) + (codes.get(429) ?? 0)).toBe(2000);
    // Generous bounds: the point is that they are not stalled behind 2,000 requests.
    expect(bind[bind.length - 1]).toBeLessThan(15_000);
    expect(running[running.length - 1]).toBeLessThan(60_000);
    expect(nodeObj.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  }, 180_000);
});
