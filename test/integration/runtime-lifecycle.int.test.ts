// Container lifecycle on real Docker, through what a user observes: tcpSocket liveness, a startup
// probe that never succeeds (and holds the other probes off), postStart/preStop hooks, termination
// messages (file and FallbackToLogsOnError), Init:CrashLoopBackOff, json-file log rotation at a
// small --container-log-max-size, logs sinceSeconds/limitBytes and a tty exec with resize through
// the apiserver's NodeConnector.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { waitFor } from "@skiff/client";
import type { Node, Pod } from "@skiff/api";
import { podStatusReason } from "@skiff/printers";
import { TestCluster } from "../harness/cluster.js";
import { BUSYBOX as BB, execIn, podEvents, readAll as text, testPod as pod } from "../harness/pods.js";
import { GrpcNodeConnector } from "../../services/apiserver/src/nodes/grpc-connector.js";

const LOG_MAX = 100 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("container lifecycle, messages, logs and exec", () => {
  const cluster = new TestCluster({ nodes: 1, agentFlags: ["--container-log-max-size", "100k"] });
  let connector: GrpcNodeConnector;
  const get = (n: string) => cluster.client.get<Pod>("pods", n, "default");
  const events = (name: string) => podEvents(cluster.client, name);
  const exec = async (name: string, command: string[]) => execIn(connector, await get(name), command);
  const logs = async (name: string, opts: Parameters<GrpcNodeConnector["logs"]>[1] = {}) => text(await connector.logs(await get(name), opts));
  const appContainer = (name: string) =>
    cluster.containers({ "io.kubernetes.pod.name": name, "io.skiff.kind": "container" }).find((c) => c.state === "running")!;

  beforeAll(async () => {
    await cluster.start();
    connector = new GrpcNodeConnector({ getNode: (n) => cluster.client.get<Node>("nodes", n), token: "", credentials: (n) => cluster.agentCredentials(n) });
  });
  afterAll(async () => {
    connector?.close();
    await cluster.stop();
  });

  it("a tcpSocket liveness probe restarts the container once its port closes", async () => {
    await cluster.client.create(
      "pods",
      pod("tcp", {
        containers: [
          {
            name: "main",
            image: BB,
            command: ["sh", "-c", "mkdir -p /w; httpd -f -p 8080 -h /w & sleep 5; kill $!; sleep 3600"],
            livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
      }),
    );
    await waitFor(async () => (await get("tcp")).status?.phase === "Running", 60_000, "tcp Running");
    // While the port is open the probe passes.
    await sleep(2000);
    expect((await get("tcp")).status!.containerStatuses![0].restartCount).toBe(0);
    await waitFor(async () => (await get("tcp")).status!.containerStatuses![0].restartCount >= 1, 30_000, "tcp liveness restart");
    const ev = await events("tcp");
    expect(ev.some((e) => e.reason === "Unhealthy" && /^Liveness probe failed: .*8080/.test(e.message ?? ""))).toBe(true);
    expect(ev.some((e) => e.reason === "Killing" && /failed liveness probe/.test(e.message ?? ""))).toBe(true);
  });

  it("a startup probe that never succeeds restarts the container after its failureThreshold and holds liveness and readiness off", async () => {
    await cluster.client.create(
      "pods",
      pod("slow", {
        containers: [
          {
            name: "main",
            image: BB,
            command: ["sleep", "3600"],
            startupProbe: { exec: { command: ["cat", "/never"] }, periodSeconds: 2, failureThreshold: 3 },
            // Both would act within a second if they ran: liveness would restart, readiness would mark Ready.
            livenessProbe: { exec: { command: ["false"] }, periodSeconds: 1, failureThreshold: 1 },
            readinessProbe: { exec: { command: ["true"] }, periodSeconds: 1 },
          },
        ],
      }),
    );
    await waitFor(async () => (await get("slow")).status?.containerStatuses?.[0].state.running !== undefined, 60_000, "slow running");
    for (let i = 0; i < 4; i++) {
      const s = (await get("slow")).status!.containerStatuses![0];
      if (s.restartCount === 0) {
        expect(s.started).toBe(false);
        expect(s.ready).toBe(false);
      }
      await sleep(500);
    }
    await waitFor(async () => (await get("slow")).status!.containerStatuses![0].restartCount >= 1, 30_000, "startup-probe restart");
    const last = (await get("slow")).status!.containerStatuses![0].lastState.terminated!;
    const ran = Date.parse(last.finishedAt!) - Date.parse(last.startedAt!);
    console.log(`startup probe (period 2 s, failureThreshold 3) killed the container after ${ran} ms`);
    // The third failure lands at (failureThreshold − 1) × period after the first probe; allow a period and the 1 s grace on top.
    expect(ran).toBeGreaterThanOrEqual((3 - 1) * 2000 - 500);
    expect(ran).toBeLessThanOrEqual(3 * 2000 + 2000 + 1000 + 1500);
    const ev = await events("slow");
    expect(ev.some((e) => e.reason === "Unhealthy" && /^Startup probe failed/.test(e.message ?? ""))).toBe(true);
    expect(ev.some((e) => e.reason === "Killing" && /failed startup probe, will be restarted/.test(e.message ?? ""))).toBe(true);
    expect(ev.some((e) => /^Liveness probe failed/.test(e.message ?? ""))).toBe(false);
    expect((await get("slow")).status!.conditions!.find((c) => c.type === "Ready")!.status).toBe("False");
  });

  it("postStart completes before the container is reported running; a failing postStart kills it with FailedPostStartHook", async () => {
    await cluster.client.create(
      "pods",
      pod("hooked", {
        containers: [
          {
            name: "main",
            image: BB,
            command: ["sleep", "3600"],
            lifecycle: { postStart: { exec: { command: ["sh", "-c", "sleep 2; echo done > /tmp/hook"] } } },
          },
        ],
      }),
    );
    await waitFor(async () => (await get("hooked")).status?.containerStatuses?.[0].state.running !== undefined, 60_000, "hooked running", 100);
    // The first moment the status says running, the hook's file is already there.
    expect(await exec("hooked", ["cat", "/tmp/hook"])).toEqual({ out: "done\n", code: 0 });
    expect((await get("hooked")).status!.containerStatuses![0].started).toBe(true);

    await cluster.client.create(
      "pods",
      pod("badhook", {
        containers: [{ name: "main", image: BB, command: ["sleep", "3600"], lifecycle: { postStart: { exec: { command: ["sh", "-c", "exit 7"] } } } }],
      }),
    );
    await waitFor(async () => (await events("badhook")).some((e) => e.reason === "FailedPostStartHook"), 60_000, "FailedPostStartHook");
    const ev = (await events("badhook")).find((e) => e.reason === "FailedPostStartHook")!;
    expect(ev.type).toBe("Warning");
    expect(ev.message).toContain('Exec lifecycle hook (["sh","-c","exit 7"]) failed');
    // The container was killed: it restarts (and fails again) rather than running on.
    await waitFor(async () => (await get("badhook")).status!.containerStatuses![0].restartCount >= 1, 30_000, "badhook restarted");
    expect((await get("badhook")).status!.containerStatuses![0].lastState.terminated).toBeDefined();
  });

  it("preStop runs to completion before SIGTERM, within the grace period", async () => {
    const dir = join(cluster.dir, "prestop");
    await cluster.client.create(
      "pods",
      pod("stopper", {
        terminationGracePeriodSeconds: 15,
        volumes: [{ name: "out", hostPath: { path: dir, type: "DirectoryOrCreate" } }],
        containers: [
          {
            name: "main",
            image: BB,
            volumeMounts: [{ name: "out", mountPath: "/out" }],
            command: ["sh", "-c", "trap 'echo term >> /out/log; exit 0' TERM; echo started >> /out/log; while true; do sleep 0.2; done"],
            lifecycle: { preStop: { exec: { command: ["sh", "-c", "echo prestop >> /out/log; sleep 2; echo prestop-done >> /out/log"] } } },
          },
        ],
      }),
    );
    await waitFor(async () => (await get("stopper")).status?.phase === "Running", 60_000, "stopper Running");
    const t0 = Date.now();
    await cluster.client.delete("pods", "stopper", "default");
    await waitFor(
      async () => (await cluster.client.list<Pod>("pods", { namespace: "default", fieldSelector: "metadata.name=stopper" })).items.length === 0,
      30_000,
      "stopper gone",
    );
    const took = Date.now() - t0;
    expect(readFileSync(join(dir, "log"), "utf8")).toBe("started\nprestop\nprestop-done\nterm\n");
    // The container left on SIGTERM, well before the 15 s grace period ran out.
    expect(took).toBeLessThan(12_000);
  });

  it("termination messages reach state and lastState; FallbackToLogsOnError uses the log's tail", async () => {
    const { client } = cluster;
    await client.create(
      "pods",
      pod("msg-file", {
        restartPolicy: "Never",
        containers: [{ name: "main", image: BB, terminationMessagePath: "/tmp/why", command: ["sh", "-c", "echo -n 'disk full' > /tmp/why; exit 3"] }],
      }),
    );
    await client.create(
      "pods",
      pod("msg-last", { containers: [{ name: "main", image: BB, command: ["sh", "-c", "echo -n 'run failed' > /dev/termination-log; sleep 1; exit 1"] }] }),
    );
    const fromLogs = (name: string, policy: "File" | "FallbackToLogsOnError") =>
      pod(name, {
        restartPolicy: "Never",
        containers: [
          { name: "main", image: BB, terminationMessagePolicy: policy, command: ["sh", "-c", "echo starting; echo 'fatal: config missing'; exit 2"] },
        ],
      });
    await client.create("pods", fromLogs("msg-logs", "FallbackToLogsOnError"));
    await client.create("pods", fromLogs("msg-nologs", "File"));

    await waitFor(async () => (await get("msg-file")).status?.phase === "Failed", 60_000, "msg-file Failed");
    expect((await get("msg-file")).status!.containerStatuses![0].state.terminated).toMatchObject({ exitCode: 3, reason: "Error", message: "disk full" });
    await waitFor(async () => ((await get("msg-last")).status!.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000, "msg-last restarted");
    expect((await get("msg-last")).status!.containerStatuses![0].lastState.terminated).toMatchObject({ exitCode: 1, message: "run failed" });
    await waitFor(
      async () => (await get("msg-logs")).status?.phase === "Failed" && (await get("msg-nologs")).status?.phase === "Failed",
      60_000,
      "msg-logs Failed",
    );
    expect((await get("msg-logs")).status!.containerStatuses![0].state.terminated!.message).toBe("starting\nfatal: config missing\n");
    expect((await get("msg-nologs")).status!.containerStatuses![0].state.terminated!.message).toBeUndefined();
  });

  it("a failing init container under restartPolicy Always shows Init:CrashLoopBackOff", async () => {
    await cluster.client.create(
      "pods",
      pod("initloop", {
        initContainers: [{ name: "setup", image: BB, command: ["sh", "-c", "exit 1"] }],
        containers: [{ name: "main", image: BB, command: ["sleep", "3600"] }],
      }),
    );
    await waitFor(
      async () => (await get("initloop")).status?.initContainerStatuses?.[0].state.waiting?.reason === "CrashLoopBackOff",
      60_000,
      "init CrashLoopBackOff",
      250,
    );
    const p = await get("initloop");
    expect(podStatusReason(p)).toBe("Init:CrashLoopBackOff");
    expect(p.status!.phase).toBe("Pending");
    const s = p.status!.initContainerStatuses![0];
    expect(s.restartCount).toBeGreaterThanOrEqual(1);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(p.status!.containerStatuses![0].state.waiting?.reason).toBe("PodInitializing");
    expect(p.status!.conditions!.find((c) => c.type === "Initialized")!.status).toBe("False");
    expect(cluster.containers({ "io.kubernetes.pod.name": "initloop", "io.kubernetes.container.name": "main" })).toHaveLength(0);
  });

  it("logs rotate at --container-log-max-size, keeping two files; sinceSeconds and limitBytes cut the log", async () => {
    await cluster.client.create(
      "pods",
      pod("chatty", {
        containers: [
          {
            name: "main",
            image: BB,
            command: [
              "sh",
              "-c",
              'i=0; while [ $i -lt 20000 ]; do echo "line $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); done; echo DONE; sleep 3600',
            ],
          },
        ],
      }),
    );
    await waitFor(async () => (await get("chatty")).status?.phase === "Running", 60_000, "chatty Running");
    await waitFor(async () => (await logs("chatty", { tailLines: 1 })) === "DONE\n", 60_000, "chatty wrote everything");
    const c = appContainer("chatty");
    const info = JSON.parse(execFileSync("docker", ["inspect", "--format", "{{json .}}", c.id], { encoding: "utf8" })) as {
      LogPath: string;
      HostConfig: { LogConfig: { Type: string; Config: Record<string, string> } };
    };
    expect(info.HostConfig.LogConfig).toEqual({ Type: "json-file", Config: { "max-size": "100k", "max-file": "2" } });
    const files = readdirSync(dirname(info.LogPath)).filter((f) => f.startsWith(basename(info.LogPath)));
    const sizes = files.map((f) => statSync(join(dirname(info.LogPath), f)).size);
    console.log(`json-file logs after ~2.4 MB written: ${files.map((f, i) => `${f.slice(-12)}=${sizes[i]}`).join(", ")}`);
    expect(files.length).toBe(2);
    // A file is rotated once a write takes it past max-size: at most one line (~120 bytes as JSON) over.
    for (const s of sizes) expect(s).toBeLessThanOrEqual(LOG_MAX + 1024);
    const all = await logs("chatty");
    expect(all.startsWith("line 0 ")).toBe(false); // the beginning was rotated away
    expect(all.endsWith("line 19999 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nDONE\n")).toBe(true);

    await cluster.client.create(
      "pods",
      pod("timed", { containers: [{ name: "main", image: BB, command: ["sh", "-c", "echo early; sleep 6; echo late; sleep 3600"] }] }),
    );
    await waitFor(async () => (await get("timed")).status?.phase === "Running", 60_000, "timed Running");
    await waitFor(async () => (await logs("timed")).includes("late"), 30_000, "late line", 200);
    expect(await logs("timed", { sinceSeconds: 3 })).toBe("late\n");
    expect(await logs("timed")).toBe("early\nlate\n");
    expect(await logs("timed", { limitBytes: 3 })).toBe("ear");
  });

  it("exec with a tty sees a terminal and the size it was resized to", async () => {
    await cluster.client.create("pods", pod("term", { containers: [{ name: "main", image: BB, command: ["sleep", "3600"] }] }));
    await waitFor(async () => (await get("term")).status?.phase === "Running", 60_000, "term Running");
    const s = await connector.exec(await get("term"), {
      command: ["sh", "-c", "sleep 1; stty size; [ -t 1 ] && echo is-a-tty"],
      stdin: true,
      stdout: true,
      stderr: false,
      tty: true,
    });
    s.resize(123, 45);
    const [out, code] = await Promise.all([text(s.stdout!), s.exit]);
    expect(code).toBe(0);
    expect(out.replace(/\r/g, "")).toBe("45 123\nis-a-tty\n");
    // Without a tty, the same check says so.
    expect((await exec("term", ["sh", "-c", "[ -t 1 ] && echo is-a-tty || echo no-tty"])).out).toBe("no-tty\n");
  });
});
