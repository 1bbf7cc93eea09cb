// The streaming subresources end to end with the real kubectl (and the skiff CLI): logs with
// every option kubectl passes, follow; exec with exit codes, piped stdin and a real terminal;
// attach (kubectl run -i --rm, kubectl attach) over WebSocket and SPDY;
// port-forward over kubectl's WebSocket-tunnelled SPDY and over its plain SPDY fallback.
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import { repoRoot, TestCluster, freePort } from "../harness/cluster.js";

const IMAGE = "skiff/busybox:1.35";

const manifest = `
apiVersion: v1
kind: Pod
metadata:
  name: talker
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${IMAGE}
    command: ["sh", "-c", "echo first line; echo second line; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done"]
  - name: side
    image: ${IMAGE}
    command: ["sh", "-c", "echo from the side container; sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo hello through the tunnel > /www/index.html && exec httpd -f -p 8080 -h /www"]
---
apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  restartPolicy: Always
  containers:
  - name: main
    image: ${IMAGE}
    command: ["sh", "-c", "echo started at $(cat /proc/uptime); sleep 2; exit 1"]
---
apiVersion: v1
kind: Pod
metadata:
  name: burner
  labels: {app: burner}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${IMAGE}
    command: ["sh", "-c", "while :; do :; done"]
    resources:
      limits: {cpu: 100m, memory: 32Mi}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: greeter
spec:
  replicas: 1
  selector:
    matchLabels: {app: greeter}
  template:
    metadata:
      labels: {app: greeter}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${IMAGE}
        command: ["sh", "-c", "echo hello from the deployment; sleep 3600"]
`;

/** GET http://127.0.0.1:port/ (through a port-forward). */
function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent: false, timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

describe("kubectl logs, exec and port-forward against Skiff", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let env: NodeJS.ProcessEnv = {};
  const children: ChildProcess[] = [];

  /** Runs kubectl; resolves with stdout, stderr and the exit code (never rejects on a non-zero exit). */
  const kubectl = async (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) => {
    return new Promise<{ stdout: string; stderr: string; code: number }>((resolve, reject) => {
      const p = spawn("kubectl", args, { env: { ...env, ...opts.env } });
      let stdout = "",
        stderr = "";
      p.stdout.on("data", (d) => (stdout += d));
      p.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
      p.on("error", reject);
      p.on("close", (code) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, code: code ?? -1 });
      });
      if (opts.input !== undefined) p.stdin.end(opts.input);
      else p.stdin.end();
    });
  };
  const ok = async (...args: string[]) => {
    const r = await kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}\n${cluster.logs()}`);
    return r.stdout;
  };
  const skiff = (args: string[], input?: string) =>
    new Promise<{ stdout: string; stderr: string; code: number }>((resolve, reject) => {
      const p = spawn(process.execPath, [join(repoRoot, "packages/cli/dist/main.js"), "--server", cluster.apiAddress, ...args], {
        env: { ...process.env, SKIFF_HOME: cluster.dir },
      });
      let stdout = "",
        stderr = "";
      p.stdout.on("data", (d) => (stdout += d));
      p.stderr.on("data", (d) => (stderr += d));
      p.on("error", reject);
      p.on("close", (code) => resolve({ stdout, stderr, code: code ?? -1 }));
      p.stdin.end(input ?? "");
    });

  beforeAll(async () => {
    await cluster.start();
    env = { ...process.env, KUBECONFIG: await cluster.kubeconfigPath() };
    const file = join(cluster.dir, "streams.yaml");
    writeFileSync(file, manifest);
    await ok("apply", "-f", file);
    await ok("wait", "--for=condition=Ready", "pod/talker", "pod/web", "pod/burner", "--timeout=120s");
    await ok("rollout", "status", "deployment/greeter", "--timeout=120s");
  });
  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    await cluster.stop();
  });

  it("kubectl logs: whole log, -c, --tail, --timestamps, --since", async () => {
    await waitFor(async () => (await ok("logs", "talker", "-c", "main")).includes("tick 3"), 30_000, "three ticks in the log");
    const all = await ok("logs", "talker", "-c", "main");
    expect(all.startsWith("first line\nsecond line\ntick 1\n")).toBe(true);
    expect(await ok("logs", "talker", "-c", "side")).toBe("from the side container\n");
    const noContainer = await kubectl(["logs", "pod/talker", "--all-containers=false", "--container=nope"]);
    expect(noContainer.code).not.toBe(0);
    expect(noContainer.stderr).toContain("container nope is not valid for pod talker");

    const tail = (await ok("logs", "talker", "-c", "main", "--tail=2")).trimEnd().split("\n");
    expect(tail).toHaveLength(2);
    expect(tail.every((l) => /^tick \d+$/.test(l))).toBe(true);
    expect(Number(tail[1].split(" ")[1])).toBe(Number(tail[0].split(" ")[1]) + 1);

    const stamped = (await ok("logs", "talker", "-c", "main", "--timestamps", "--tail=1")).trimEnd();
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+$/);
    const stampMs = Date.parse(stamped.split(" ")[0]);
    expect(Math.abs(Date.now() - stampMs)).toBeLessThan(60_000);

    // --since=2s leaves out the first lines (written 8+ s before) but keeps the latest tick.
    await waitFor(async () => (await ok("logs", "talker", "-c", "main")).includes("tick 8"), 30_000, "eight ticks in the log");
    const since = await ok("logs", "talker", "-c", "main", "--since=2s");
    expect(since).not.toContain("first line");
    expect(since).toMatch(/tick \d+\n$/);
  });

  it("kubectl logs of a deployment picks one of its pods", async () => {
    expect(await ok("logs", "deployment/greeter")).toBe("hello from the deployment\n");
  });

  it("kubectl logs -f streams new lines until the client goes away", async () => {
    const p = spawn("kubectl", ["logs", "-f", "talker", "-c", "main", "--tail=1"], { env });
    children.push(p);
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    await waitFor(() => out.length > 0, 30_000, "the first followed line");
    const first = Number(/tick (\d+)/.exec(out)![1]);
    // New lines keep arriving on the same request: at least two more ticks.
    await waitFor(() => (out.match(/tick \d+/g) ?? []).some((t) => Number(t.split(" ")[1]) >= first + 2), 30_000, "two more followed lines");
    p.kill("SIGTERM");
    await new Promise((r) => p.on("close", r));
    const ticks = (out.match(/tick (\d+)/g) ?? []).map((t) => Number(t.split(" ")[1]));
    expect(ticks).toEqual(ticks.map((_, i) => first + i));
  });

  it("kubectl logs --previous shows the last terminated instance", async () => {
    await waitFor(
      async () => {
        const n = await ok("get", "pod", "crasher", "-o", "jsonpath={.status.containerStatuses[0].restartCount}");
        return Number(n) >= 1;
      },
      90_000,
      "the crasher to restart",
    );
    const previous = await ok("logs", "crasher", "--previous");
    expect(previous).toMatch(/^started at [\d.]+ [\d.]+\n$/);
    const current = await kubectl(["logs", "crasher"]);
    // The current instance may be waiting in back-off; when it runs, it is another instance.
    if (current.code === 0 && current.stdout) expect(current.stdout).not.toBe(previous);
  });

  it("kubectl exec: output and exit code, piped stdin, errors", async () => {
    const r = await kubectl(["exec", "talker", "-c", "main", "--", "sh", "-c", "echo hi; echo oops >&2; exit 3"]);
    expect(r.stdout).toBe("hi\n");
    expect(r.stderr).toContain("oops\n");
    expect(r.stderr).toContain("command terminated with exit code 3");
    expect(r.code).toBe(3);

    const cat = await kubectl(["exec", "-i", "talker", "-c", "main", "--", "sh", "-c", "cat; echo done"], { input: "line one\nline two\n" });
    expect(cat).toMatchObject({ stdout: "line one\nline two\ndone\n", code: 0 });

    // -c picks the container: the side container's PID 1 is its own command.
    expect(await ok("exec", "talker", "-c", "main", "--", "cat", "/proc/1/cmdline")).toContain("echo tick");
    expect(await ok("exec", "talker", "-c", "side", "--", "cat", "/proc/1/cmdline")).not.toContain("echo tick");

    const missing = await kubectl(["exec", "talker", "-c", "main", "--", "/no/such/binary"]);
    expect(missing.code).not.toBe(0);
  });

  it("kubectl exec over SPDY (older kubectl's protocol, forced with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)", async () => {
    const spdy = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false" };
    const r = await kubectl(["exec", "talker", "-c", "main", "-v=6", "--", "sh", "-c", "echo hi; echo oops >&2; exit 3"], { env: spdy });
    expect(r.stdout).toBe("hi\n");
    expect(r.stderr).toContain("oops\n");
    expect(r.stderr).toMatch(/POST https:\/\/\S+\/exec\?\S+ 101 Switching Protocols/);
    expect(r.code).toBe(3);
    const cat = await kubectl(["exec", "-i", "talker", "-c", "main", "--", "sh", "-c", "cat; echo done"], { input: "over spdy\n", env: spdy });
    expect(cat).toMatchObject({ stdout: "over spdy\ndone\n", code: 0 });
  });

  it("kubectl exec -it runs the command on a terminal", async () => {
    // `script` gives kubectl a pseudo-terminal of its own, so -t is honoured.
    const kc = env.KUBECONFIG!;
    const r = await new Promise<{ out: string; code: number }>((resolve, reject) => {
      const p = spawn("script", ["-qec", `kubectl exec -it talker -c main -- sh -c 'tty; test -t 0 && echo stdin-is-a-tty; exit 5'`, "/dev/null"], {
        env: { ...process.env, KUBECONFIG: kc },
      });
      children.push(p);
      let out = "";
      p.stdout.on("data", (d) => (out += d));
      p.on("error", reject);
      p.on("close", (code) => resolve({ out, code: code ?? -1 }));
    });
    expect(r.out).toMatch(/\/dev\/pts\/\d+/);
    expect(r.out).toContain("stdin-is-a-tty");
    expect(r.code).toBe(5);
  });

  for (const [name, extraEnv] of [
    ["WebSocket (kubectl's default)", {}],
    ["SPDY/3.1 (kubectl's fallback)", { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false" }],
  ] as const) {
    it(`kubectl run -i --rm attaches to the new pod's process over ${name}: stdin in, output out, pod gone after`, async () => {
      const pod = `att-${extraEnv.KUBECTL_REMOTE_COMMAND_WEBSOCKETS ? "spdy" : "ws"}`;
      // The process blocks on its stdin until kubectl attaches and sends the line, so nothing it
      // prints can be lost before the attach.
      const r = await kubectl(
        ["run", pod, "-i", "--rm", "--restart=Never", `--image=${IMAGE}`, "--", "sh", "-c", "read line; echo got:$line; echo to-stderr >&2"],
        { input: "hello attach\n", env: extraEnv },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("got:hello attach");
      expect(r.stdout + r.stderr).toContain("to-stderr");
      expect(r.stdout + r.stderr).toContain(`pod "${pod}" deleted`);
      await waitFor(async () => (await kubectl(["get", "pod", pod])).code !== 0, 30_000, `${pod} gone`);
    });
  }

  it("kubectl attach follows a running container's output from now on, and detaching leaves it running", async () => {
    const p = spawn("kubectl", ["attach", "talker", "-c", "main"], { env });
    children.push(p);
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    await waitFor(() => /tick \d+/.test(out), 15_000, "a tick through attach");
    // Attach shows what the process writes from now on, not its past output.
    expect(out).not.toContain("first line");
    p.kill("SIGINT");
    await new Promise((r) => p.once("close", r));
    const after = await kubectl(["get", "pod", "talker", "-o", "jsonpath={.status.containerStatuses[?(@.name=='main')].restartCount} {.status.phase}"]);
    expect(after.stdout).toBe("0 Running");
  });

  for (const [name, extraEnv] of [
    ["WebSocket-tunnelled SPDY (kubectl's default)", {}],
    ["plain SPDY/3.1 (kubectl's fallback)", { KUBECTL_PORT_FORWARD_WEBSOCKETS: "false" }],
  ] as const) {
    it(`kubectl port-forward over ${name} carries HTTP to the pod`, async () => {
      const local = await freePort();
      const p = spawn("kubectl", ["port-forward", "pod/web", `${local}:8080`, "-v=6"], { env: { ...env, ...extraEnv } });
      children.push(p);
      let out = "",
        err = "";
      p.stdout.on("data", (d) => (out += d));
      p.stderr.on("data", (d) => (err += d));
      await waitFor(() => out.includes(`Forwarding from 127.0.0.1:${local} -> 8080`), 30_000, "kubectl to listen");
      // Several connections in a row over the one session (each is a new stream pair).
      for (let i = 0; i < 3; i++) {
        const res = await httpGet(local);
        expect(res).toEqual({ status: 200, body: "hello through the tunnel\n" });
      }
      // What kubectl negotiated: the tunnel's 101 on GET, or the fallback's 101 on POST.
      if ("KUBECTL_PORT_FORWARD_WEBSOCKETS" in extraEnv) expect(err).toMatch(/POST https:\/\/\S+\/portforward 101 Switching Protocols/);
      else expect(err).toMatch(/GET https:\/\/\S+\/portforward 101 Switching Protocols/);
      expect(err).not.toContain("fallback to secondary dialer");
      expect(out).not.toMatch(/error/i);
      p.kill("SIGTERM");
      await new Promise((r) => p.on("close", r));
    });
  }

  it("kubectl port-forward to a closed port reports the pod-side error", async () => {
    const local = await freePort();
    const p = spawn("kubectl", ["port-forward", "pod/web", `${local}:9999`], { env });
    children.push(p);
    let out = "",
      err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    await waitFor(() => out.includes("Forwarding from"), 30_000, "kubectl to listen");
    await expect(httpGet(local)).rejects.toThrow();
    await waitFor(() => err.includes("error forwarding port 9999 to pod web"), 20_000, "the forwarding error on kubectl's stderr");
    expect(err).not.toContain("error forwarding port 9999 to pod web: error forwarding");
    p.kill("SIGTERM");
    await new Promise((r) => p.on("close", r));
  });

  it("kubectl top pod / node read the metrics API (figures from the engine)", async () => {
    expect(await ok("api-resources", "--api-group=metrics.k8s.io")).toMatch(/pods\s+metrics.k8s.io\/v1beta1\s+true\s+PodMetrics/);
    const millicores = (text: string, name: string) => Number(new RegExp(`^${name}\\s+(\\d+)m`, "m").exec(text)?.[1] ?? -1);
    // The busy loop is held to its 100m quota: it shows up with a clearly non-zero rate, not more than the quota allows.
    let top = "";
    await waitFor(
      async () => {
        top = await ok("top", "pod", "-l", "app=burner");
        return millicores(top, "burner") >= 30;
      },
      60_000,
      "the burner's CPU in kubectl top pod",
    );
    expect(top.split("\n")[0]).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    expect(millicores(top, "burner")).toBeLessThanOrEqual(150);
    const node = await ok("top", "node");
    expect(node.split("\n")[0]).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
    expect(millicores(node, cluster.nodeName(0))).toBeGreaterThanOrEqual(1);
    const raw = JSON.parse(await ok("get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/talker"));
    expect(raw).toMatchObject({ kind: "PodMetrics", metadata: { name: "talker" } });
    expect(raw.containers.map((c: { name: string }) => c.name).sort()).toEqual(["main", "side"]);
    for (const c of raw.containers) expect(Number(/^(\d+)Ki$/.exec(c.usage.memory)?.[1])).toBeGreaterThan(0);
  });

  it("skiff logs and skiff exec", async () => {
    const logs = await skiff(["logs", "talker", "-c", "main", "--tail", "1"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^tick \d+\n$/);
    expect((await skiff(["logs", "deployment-less-pod"])).stderr).toContain('pods "deployment-less-pod" not found');
    expect((await skiff(["logs", "talker"])).stderr).toContain("a container name must be specified for pod talker, choose one of: [main side]");

    const ex = await skiff(["exec", "talker", "-c", "main", "--", "sh", "-c", "echo out; echo err >&2; exit 4"]);
    expect(ex).toMatchObject({ stdout: "out\n", code: 4 });
    expect(ex.stderr).toContain("err\n");
    expect(ex.stderr).toContain("command terminated with exit code 4");
    const piped = await skiff(["exec", "-i", "talker", "-c", "main", "--", "tr", "a-z", "A-Z"], "shout\n");
    expect(piped).toMatchObject({ stdout: "SHOUT\n", code: 0 });

    // -it under a pseudo-terminal: the command gets one too.
    const cli = `${process.execPath} ${join(repoRoot, "packages/cli/dist/main.js")} --server ${cluster.apiAddress} --tls-dir ${cluster.tlsDir("admin")}`;
    const term = await new Promise<{ out: string; code: number }>((resolve, reject) => {
      const p = spawn("script", ["-qec", `${cli} exec -it talker -c main -- sh -c 'tty; exit 2'`, "/dev/null"], { env: process.env });
      children.push(p);
      let out = "";
      p.stdout.on("data", (d) => (out += d));
      p.on("error", reject);
      p.on("close", (code) => resolve({ out, code: code ?? -1 }));
    });
    expect(term.out).toMatch(/\/dev\/pts\/\d+/);
    expect(term.code).toBe(2);
  });
});
