// The pod runtime on real Docker: shared localhost and emptyDir between containers, env and
// files from ConfigMaps and Secrets (and CreateContainerConfigError), OOMKilled, a CPU quota
// measured from the engine, CrashLoopBackOff growth, and logs/exec/port-forward through the
// apiserver's NodeConnector talking to the agent's NodeService.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { Metadata } from "@grpc/grpc-js";
import { TLS_CHANNEL_OPTIONS, waitFor } from "@skiff/client";
import type { Event, Node, Pod } from "@skiff/api";
import { nodev1 } from "@skiff/proto";
import { TestCluster } from "../harness/cluster.js";
import { BUSYBOX as BB, execIn, readAll as text, testPod as pod } from "../harness/pods.js";
import { GrpcNodeConnector } from "../../services/apiserver/src/nodes/grpc-connector.js";

const TOKEN = "runtime-test-token";

function httpGet(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host, port, path, timeout: 3000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .on("timeout", function (this: { destroy(): void }) {
        this.destroy();
        reject(new Error("timeout"));
      })
      .end();
  });
}

describe("pod runtime", () => {
  const cluster = new TestCluster({ nodes: 1, agentFlags: ["--node-token", TOKEN] });
  let connector: GrpcNodeConnector;
  const get = (n: string) => cluster.client.get<Pod>("pods", n, "default");
  const running = (n: string) => waitFor(async () => (await get(n)).status?.phase === "Running", 60_000, `${n} Running`);
  const exec = (p: Pod, container: string, command: string[]) => execIn(connector, p, command, container);

  beforeAll(async () => {
    await cluster.start();
    connector = new GrpcNodeConnector({ getNode: (n) => cluster.client.get<Node>("nodes", n), token: TOKEN, credentials: (n) => cluster.agentCredentials(n) });
  });
  afterAll(async () => {
    connector?.close();
    await cluster.stop();
  });

  it("two containers share localhost and an emptyDir: a generator writes HTML, httpd serves it", async () => {
    await cluster.client.create(
      "pods",
      pod("web", {
        volumes: [
          { name: "html", emptyDir: {} },
          { name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "8Mi" } },
        ],
        containers: [
          // Written aside and renamed: httpd never serves a file truncated mid-request.
          {
            name: "gen",
            image: BB,
            command: ["sh", "-c", 'i=0; while true; do i=$((i+1)); echo "<h1>fortune $i</h1>" > /html/.next; mv /html/.next /html/index.html; sleep 1; done'],
            volumeMounts: [
              { name: "html", mountPath: "/html" },
              { name: "scratch", mountPath: "/scratch" },
            ],
          },
          {
            name: "httpd",
            image: BB,
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"],
            volumeMounts: [{ name: "html", mountPath: "/www", readOnly: true }],
            ports: [{ containerPort: 8080, name: "http" }],
          },
        ],
      }),
    );
    await running("web");
    const p = await get("web");
    // From the generator over localhost: httpd's page is the generator's file.
    await waitFor(
      async () => (await exec(p, "gen", ["wget", "-qO-", "http://127.0.0.1:8080/index.html"])).out.includes("fortune"),
      30_000,
      "page over localhost",
    );
    // From the node (the agent's side of the bridge), on the pod IP.
    const res = await httpGet(p.status!.podIP!, 8080, "/index.html");
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/<h1>fortune \d+<\/h1>/);
    // The read-only mount is read-only; the Memory emptyDir is a tmpfs of the requested size.
    expect((await exec(p, "httpd", ["sh", "-c", "echo x > /www/x"])).code).not.toBe(0);
    const df = await exec(p, "gen", ["sh", "-c", "grep ' /scratch ' /proc/mounts"]);
    expect(df.out).toMatch(/^tmpfs \/scratch tmpfs .*size=8192k/);
  });

  it("logs (tail, follow, previous), exec with exit codes, and port-forward bytes through the NodeConnector", async () => {
    await cluster.client.create(
      "pods",
      pod("chatty", {
        containers: [{ name: "main", image: BB, command: ["sh", "-c", "for i in 1 2 3 4 5; do echo line $i; done; sleep 2; echo late; exit 3"] }],
      }),
    );
    await waitFor(async () => ((await get("chatty")).status?.containerStatuses?.[0].restartCount ?? 0) >= 1, 60_000, "chatty restarted once");
    await waitFor(async () => !!(await get("chatty")).status?.containerStatuses?.[0].state.running, 30_000, "chatty running again");
    let p = await get("chatty");
    expect(await text(await connector.logs(p, { tailLines: 1, previous: true }))).toBe("late\n");
    expect(await text(await connector.logs(p, { previous: true, tailLines: 3 }))).toBe("line 4\nline 5\nlate\n");
    // follow: ends when the container exits, after "late".
    const followed = await text(await connector.logs(p, { follow: true }));
    expect(followed).toBe("line 1\nline 2\nline 3\nline 4\nline 5\nlate\n");
    const ts = await text(await connector.logs(p, { previous: true, tailLines: 1, timestamps: true }));
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z late\n$/);

    p = await get("web");
    const r = await exec(p, "gen", ["sh", "-c", "echo out; echo err >&2; exit 7"]);
    expect(r).toEqual({ out: "out\n", code: 7 });
    // stdin reaches the process and its EOF ends it.
    const s = await connector.exec(p, { container: "gen", command: ["sh", "-c", "tr a-z A-Z"], stdin: true, stdout: true, stderr: true, tty: false });
    s.stdin!.write("hello stdin\n");
    s.stdin!.end();
    expect(await text(s.stdout!)).toBe("HELLO STDIN\n");
    expect(await s.exit).toBe(0);

    const tunnel = await connector.portForward(p, 8080);
    tunnel.write("GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n");
    tunnel.end();
    const raw = await text(tunnel);
    expect(raw).toMatch(/^HTTP\/1\.[01] 200/);
    expect(raw).toContain("fortune");

    // A waiting container: a typed BadRequest like Kubernetes'.
    await cluster.client.create("pods", pod("nowhere", { containers: [{ name: "c", image: "127.0.0.1:1/none:1", imagePullPolicy: "Always" }] }));
    await waitFor(async () => !!(await get("nowhere")).status?.containerStatuses?.[0].state.waiting, 30_000, "nowhere waiting");
    await expect(connector.logs(await get("nowhere"), {})).rejects.toMatchObject({
      reason: "BadRequest",
      message: expect.stringMatching(/container "c" in pod "nowhere" is waiting to start/),
    });
    await expect(connector.exec(await get("nowhere"), { command: ["true"], stdin: false, stdout: true, stderr: false, tty: false })).rejects.toMatchObject({
      reason: "BadRequest",
    });
  });

  it("refuses NodeService calls without the node token", async () => {
    const node = await cluster.client.get<Node>("nodes", cluster.nodeName(0));
    const port = node.status!.daemonEndpoints!.kubeletEndpoint!.Port;
    expect(port).toBeGreaterThan(0);
    const c = new nodev1.NodeServiceClient(`127.0.0.1:${port}`, cluster.agentCredentials(cluster.nodeName(0)), TLS_CHANNEL_OPTIONS);
    const md = new Metadata();
    md.set("authorization", "Bearer wrong");
    const err = await new Promise<{ code: number }>((resolve) =>
      c.podStats({ pod: { namespace: "default", name: "web", uid: "" } }, md, (e) => resolve(e as never)),
    );
    expect(err.code).toBe(16); // UNAUTHENTICATED
    c.close();
  });

  it("env and files from a ConfigMap and a Secret; a missing key holds the container with CreateContainerConfigError", async () => {
    const { client } = cluster;
    await client.create("configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app-config", namespace: "default" },
      data: { color: "blue", "app.conf": "mode=fast\n" },
    });
    await client.create("secrets", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "app-secret", namespace: "default" },
      stringData: { password: "s3cr3t" },
    });
    await client.create(
      "pods",
      pod("configured", {
        volumes: [
          { name: "cfg", configMap: { name: "app-config", items: [{ key: "app.conf", path: "conf/app.conf" }] } },
          { name: "sec", secret: { secretName: "app-secret", defaultMode: 0o400 } },
          { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
        ],
        containers: [
          {
            name: "main",
            image: BB,
            command: ["sleep", "3600"],
            env: [
              { name: "COLOR", valueFrom: { configMapKeyRef: { name: "app-config", key: "color" } } },
              { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "app-secret", key: "password" } } },
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
              { name: "GREETING", value: "hi $(POD_NAME)" },
            ],
            envFrom: [{ configMapRef: { name: "app-config" }, prefix: "CFG_" }],
            volumeMounts: [
              { name: "cfg", mountPath: "/etc/app" },
              { name: "sec", mountPath: "/etc/secret" },
              { name: "info", mountPath: "/etc/podinfo" },
            ],
          },
        ],
      }),
    );
    await running("configured");
    const p = await get("configured");
    const env = (await exec(p, "main", ["env"])).out;
    expect(env).toContain("COLOR=blue\n");
    expect(env).toContain("PASSWORD=s3cr3t\n");
    expect(env).toContain("POD_NAME=configured\n");
    expect(env).toContain(`POD_IP=${p.status!.podIP}\n`);
    expect(env).toContain("GREETING=hi configured\n");
    expect(env).toContain("CFG_color=blue\n");
    expect((await exec(p, "main", ["cat", "/etc/app/conf/app.conf"])).out).toBe("mode=fast\n");
    expect((await exec(p, "main", ["cat", "/etc/secret/password"])).out).toBe("s3cr3t");
    expect((await exec(p, "main", ["stat", "-L", "-c", "%a", "/etc/secret/password"])).out.trim()).toBe("400");
    // An update of the ConfigMap reaches the mounted file in the running container.
    const cm = await client.get("configmaps", "app-config", "default");
    await client.update("configmaps", { ...cm, data: { color: "red", "app.conf": "mode=slow\n" } });
    await waitFor(async () => (await exec(p, "main", ["cat", "/etc/app/conf/app.conf"])).out === "mode=slow\n", 30_000, "configmap update in the volume");

    await client.create(
      "pods",
      pod("misconfigured", {
        containers: [
          { name: "main", image: BB, command: ["sleep", "3600"], env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "app-config", key: "nope" } } }] },
        ],
      }),
    );
    await waitFor(
      async () => (await get("misconfigured")).status?.containerStatuses?.[0].state.waiting?.reason === "CreateContainerConfigError",
      30_000,
      "CreateContainerConfigError",
    );
    const w = (await get("misconfigured")).status!.containerStatuses![0].state.waiting!;
    expect(w.message).toBe("couldn't find key nope in ConfigMap default/app-config");
    expect(cluster.containers({ "io.kubernetes.pod.name": "misconfigured", "io.skiff.kind": "container" })).toHaveLength(0);
    // Adding the key releases it.
    const cm2 = await client.get("configmaps", "app-config", "default");
    await client.update("configmaps", { ...cm2, data: { ...(cm2 as unknown as { data: Record<string, string> }).data, nope: "now here" } });
    await running("misconfigured");
  });

  it("a container allocating past its memory limit ends OOMKilled", async () => {
    await cluster.client.create(
      "pods",
      pod("hog", {
        restartPolicy: "Never",
        // tail keeps its current line in memory: /dev/zero has no newline, so it grows without bound.
        containers: [{ name: "main", image: BB, command: ["tail", "/dev/zero"], resources: { limits: { memory: "32Mi" } } }],
      }),
    );
    // Docker may report the exit (137) a moment before it flags the OOM kill; the agent
    // re-syncs on the engine's "oom" event, so the reason settles on OOMKilled.
    await waitFor(async () => (await get("hog")).status?.containerStatuses?.[0].state.terminated?.reason === "OOMKilled", 60_000, "hog OOMKilled");
    const p = await get("hog");
    expect(p.status!.containerStatuses![0].state.terminated).toMatchObject({ reason: "OOMKilled", exitCode: 137 });
    expect(p.status!.phase).toBe("Failed");
  });

  it("a CPU-limited busy loop gets no more than its quota (engine stats)", async () => {
    await cluster.client.create(
      "pods",
      pod("spin", {
        containers: [{ name: "main", image: BB, command: ["sh", "-c", "while :; do :; done"], resources: { limits: { cpu: "200m", memory: "32Mi" } } }],
      }),
    );
    await running("spin");
    const node = await cluster.client.get<Node>("nodes", cluster.nodeName(0));
    const c = new nodev1.NodeServiceClient(
      `127.0.0.1:${node.status!.daemonEndpoints!.kubeletEndpoint!.Port}`,
      cluster.agentCredentials(cluster.nodeName(0)),
      TLS_CHANNEL_OPTIONS,
    );
    const md = new Metadata();
    md.set("authorization", `Bearer ${TOKEN}`);
    const sample = () =>
      new Promise<nodev1.ContainerStats>((resolve, reject) =>
        c.podStats({ pod: { namespace: "default", name: "spin", uid: "" } }, md, (e, r) => (e ? reject(e) : resolve(r!.containers[0]))),
      );
    await new Promise((r) => setTimeout(r, 2000));
    const a = await sample();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 6000));
    const b = await sample();
    const cores = (b.cpuUsageCoreNanoSeconds - a.cpuUsageCoreNanoSeconds) / 1e6 / (Date.now() - t0);
    console.log(`busy loop under a 200m limit used ${cores.toFixed(3)} cores; working set ${b.memoryWorkingSetBytes} bytes`);
    expect(cores).toBeGreaterThan(0.05); // it really ran
    expect(cores).toBeLessThanOrEqual(0.2 * 1.15);
    expect(b.memoryWorkingSetBytes).toBeGreaterThan(0);
    c.close();
  });

  it("CrashLoopBackOff delays grow (base 1 s: 0, 1, 2, 4 s between runs)", async () => {
    await cluster.client.create("pods", pod("crasher", { containers: [{ name: "main", image: BB, command: ["sh", "-c", "sleep 0.3; exit 1"] }] }));
    const runs = new Map<number, { startedAt: string; finishedAt: string }>();
    let sawBackOff = false;
    await waitFor(
      async () => {
        const s = (await get("crasher")).status?.containerStatuses?.[0];
        if (s?.state.waiting?.reason === "CrashLoopBackOff") sawBackOff = true;
        const t = s?.lastState.terminated;
        if (s && t?.startedAt && t.finishedAt) runs.set(s.restartCount - 1, { startedAt: t.startedAt, finishedAt: t.finishedAt });
        return runs.has(4);
      },
      60_000,
      "five runs of crasher",
    );
    const gaps = [1, 2, 3, 4].map((k) => Date.parse(runs.get(k)!.startedAt) - Date.parse(runs.get(k - 1)!.finishedAt));
    console.log(`CrashLoopBackOff gaps between runs (ms): ${gaps.join(", ")}`);
    expect(sawBackOff).toBe(true);
    expect(gaps[0]).toBeLessThan(900);
    expect(gaps[1]).toBeGreaterThanOrEqual(900);
    expect(gaps[2]).toBeGreaterThanOrEqual(1900);
    expect(gaps[3]).toBeGreaterThanOrEqual(3900);
    expect(gaps[3]).toBeGreaterThan(gaps[2]);
    const events = (await cluster.client.list<Event>("events", { namespace: "default" })).items.filter((e) => e.involvedObject.name === "crasher");
    expect(events.some((e) => e.reason === "BackOff")).toBe(true);
  });
});
