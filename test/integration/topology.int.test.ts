// The container topology as machines: `skiff up --nodes 2` on an internal Docker network —
// a 3-server NATS JetStream cluster, 2 apiservers, 2 schedulers and 2 controller-managers
// (active/standby), and two node containers, each with its own Docker engine (no shared
// engine, no shared filesystem) — nodes join with the join token, the real kubectl works with
// the kubeconfig `up` writes, pods run inside the nodes' engines and reach each other across
// nodes (host-gw), a NodePort answers on every node and a ClusterIP from pods on every node,
// an Ingress answers from the host on the pool address of the ingress controller's Service,
// `skiff image load` copies an image in, the control plane survives an apiserver and a NATS
// server being killed, the chaos verbs cut nodes off and back, and `skiff down` leaves nothing.
import { execFile, execFileSync } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caCertHash, joinCluster, ApiClient, waitFor } from "@skiff/client";
import { isAlreadyExists, type ConfigMap, type Node, type Pod } from "@skiff/api";
import { httpGet, nodeIP } from "../chaos/workloads.js";
import { repoRoot } from "../harness/cluster.js";
import { defaultImages } from "../../packages/cli/src/topology/plan.js";

const run = promisify(execFile);
const name = `t${Date.now().toString(36).slice(-6)}`;
const home = mkdtempSync(join(tmpdir(), "skiff-topology-home-"));
const env = { ...process.env, SKIFF_HOME: home, SKIFF_SKIP_SETUP: "1" };
const node1 = `${name}-node-1`;
const node2 = `${name}-node-2`;
let client: ApiClient;
let upSeconds = 0;
const measured: Record<string, number> = {};

/** Runs the CLI as a user does; never throws on exit codes. */
async function skiff(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  try {
    const r = await run(join(repoRoot, "skiff"), args, { env, cwd: home, timeout: 400_000 });
    return { out: r.stdout, err: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { out: x.stdout, err: x.stderr, code: typeof x.code === "number" ? x.code : 1 };
  }
}
const dockerOut = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8", timeout: 120_000 }).trim();
const labelled = (kind: "ps" | "network" | "volume") =>
  (kind === "ps"
    ? dockerOut("ps", "-aq", "--filter", `label=io.skiff.topology=${name}`)
    : dockerOut(kind, "ls", "-q", "--filter", `label=io.skiff.topology=${name}`)
  )
    .split("\n")
    .filter(Boolean);
const ready = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === "Ready")?.status;
const nodeReady = async (node: string) => ready(await client.get<Node>("nodes", node).catch(() => undefined));

function podOn(podName: string, node: string, image = "skiff/busybox:1.35"): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: podName, namespace: "default", labels: { app: "topo" } },
    spec: {
      nodeName: node,
      containers: [
        {
          name: "web",
          image,
          imagePullPolicy: "IfNotPresent",
          command: ["sh", "-c", "echo served-by-$HOSTNAME > /var/www/index.html; exec httpd -f -p 80 -h /var/www"],
        },
      ],
    },
  } as Pod;
}

describe("the container topology: nodes as machines on a Docker network", () => {
  beforeAll(async () => {
    // Images are built once by scripts/images.sh (setup); build here only when missing.
    const missing = Object.values(defaultImages).filter((i) => {
      try {
        dockerOut("image", "inspect", "-f", "{{.Id}}", i);
        return false;
      } catch {
        return true;
      }
    });
    if (missing.length) await run("bash", [join(repoRoot, "scripts/images.sh")], { timeout: 900_000 });
    const t0 = Date.now();
    const up = await skiff("up", "--nodes", "2", "--name", name, "--internal", "--timeout", "300");
    upSeconds = (Date.now() - t0) / 1000;
    expect(up.code, up.out + up.err).toBe(0);
    expect(up.out).toMatch(/2 node\(s\) Ready/);
    const info = JSON.parse(readFileSync(join(home, "cluster.json"), "utf8"));
    client = new ApiClient({ addresses: info.apiserver.split(","), timeoutMs: 5000, tls: { dir: join(home, "pki", "admin") } });
  }, 1_000_000);

  afterAll(async () => {
    client?.close();
    const down = await skiff("down", "--name", name);
    // Whatever happened above, nothing labelled with the topology may survive.
    for (const id of labelled("ps")) execFileSync("docker", ["rm", "-f", "-v", id]);
    for (const id of labelled("network")) execFileSync("docker", ["network", "rm", id]);
    for (const id of labelled("volume")) execFileSync("docker", ["volume", "rm", "-f", id]);
    try {
      execFileSync("docker", ["rmi", `${name}/app:1`], { stdio: "ignore" });
    } catch {
      /* not tagged */
    }
    rmSync(home, { recursive: true, force: true });
    console.log(
      `[topology] up --nodes 2 (3 NATS, 2 apiservers, 2 schedulers, 2 controller-managers): ${upSeconds.toFixed(1)}s; recovery: ${JSON.stringify(measured)}`,
    );
    expect(down.code, down.out + down.err).toBe(0);
  }, 300_000);

  it("joins each node by TLS bootstrap with the join token; no certificate or a wrong token cannot register a node", async () => {
    const nodes = (await client.list<Node>("nodes")).items.map((n) => n.metadata.name).sort();
    expect(nodes).toEqual([node1, node2]);
    for (const n of [node1, node2]) expect(await nodeReady(n)).toBe("True");
    const intruder = { apiVersion: "v1", kind: "Node", metadata: { name: `${name}-intruder` } } as Node;
    const apiservers = JSON.parse(readFileSync(join(home, "cluster.json"), "utf8")).apiserver.split(",") as string[];
    // No client certificate: refused at the handshake.
    const anonymous = new ApiClient({ addresses: apiservers, timeoutMs: 5000 });
    await expect(anonymous.create("nodes", intruder)).rejects.toMatchObject({ reason: "Unavailable" });
    anonymous.close();
    // A wrong join token: TLS bootstrap refuses it, with the reason.
    const ca = readFileSync(join(home, "pki", "ca.crt"), "utf8");
    const https = apiservers.map((a) => `https://${a.slice(0, a.lastIndexOf(":"))}:6443`);
    await expect(
      joinCluster({
        tlsDir: join(home, "intruder-pki"),
        nodeName: `${name}-intruder`,
        token: "abcdef.0123456789abcdef",
        caCertHash: caCertHash(ca),
        servers: https,
        timeoutMs: 10_000,
      }),
    ).rejects.toThrow(/join token abcdef is not valid/);
    // The nodes' certificates were signed at join: no node container holds the CA key.
    expect(dockerOut("exec", node1, "sh", "-c", "ls /var/lib/skiff/pki; test ! -e /var/lib/skiff/pki/ca.key && echo no-ca-key")).toMatch(
      /tls\.crt[\s\S]*no-ca-key/,
    );
    expect((await client.list<Node>("nodes")).items).toHaveLength(2);
  });

  it("writes a kubeconfig the real kubectl uses, and runs every control-plane part twice with one leader each", async () => {
    const kubeconfig = join(home, "kubeconfig");
    const kubectl = async (...args: string[]) => (await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 })).stdout;
    const nodes = await kubectl("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}");
    expect(nodes.split(" ").sort()).toEqual([node1, node2]);
    const server = JSON.parse(readFileSync(kubeconfig, "utf8")).clusters[0].cluster.server as string;
    const apiserver1 = dockerOut("inspect", "-f", `{{(index .NetworkSettings.Networks "${name}-net").IPAddress}}`, `${name}-apiserver-1`);
    expect(server).toBe(`https://${apiserver1}:6443`);
    // Each scheduler and controller-manager container runs with leader election on: one of
    // each acts, the other stands by.
    for (const role of ["scheduler", "controller-manager"]) {
      const logs = [1, 2].map((i) => execFileSync("sh", ["-c", `docker logs ${name}-${role}-${i} 2>&1`], { encoding: "utf8" }));
      expect(
        logs.filter((l) => /acquired lease/.test(l)),
        role,
      ).toHaveLength(1);
    }
  });

  it("gives every node its own Docker engine and no filesystem shared with the host", () => {
    const hostId = dockerOut("info", "-f", "{{.ID}}");
    const ids = [node1, node2].map((n) => dockerOut("exec", n, "docker", "info", "-f", "{{.ID}}"));
    expect(new Set([hostId, ...ids]).size).toBe(3);
    for (const n of [node1, node2]) {
      const mounts = JSON.parse(dockerOut("inspect", "-f", "{{json .Mounts}}", n)) as { Type: string; Source: string; Destination: string }[];
      const binds = mounts.filter((m) => m.Type === "bind").map((m) => m.Destination);
      expect(binds).toEqual(["/sys/fs/cgroup"]);
    }
  });

  it("runs a pod on each node inside that node's engine, reachable at its pod IP from the node", async () => {
    await client.create("pods", podOn("topo-a", node1));
    await client.create("pods", podOn("topo-b", node2));
    for (const [pod, node] of [
      ["topo-a", node1],
      ["topo-b", node2],
    ]) {
      const p = await waitFor(
        async () => {
          const x = await client.get<Pod>("pods", pod, "default");
          return x.status?.phase === "Running" && x.status.podIP ? x : undefined;
        },
        120_000,
        `${pod} Running`,
        500,
      );
      expect(p.spec?.nodeName).toBe(node);
      // The pod's containers live in the node's engine…
      expect(dockerOut("exec", node, "docker", "ps", "--format", "{{.Names}}")).toContain(`_${pod}_default_`);
      const served = dockerOut(
        "exec",
        node,
        "sh",
        "-c",
        `docker run --rm --network $(docker network ls -q --filter label=io.skiff.node=${node} | head -n1) skiff/busybox:1.35 wget -q -O- http://${p.status!.podIP}/`,
      );
      expect(served).toBe(`served-by-${pod}`);
    }
    // …and none in the host's.
    expect(dockerOut("ps", "-aq", "--filter", `label=io.skiff.cluster=${name}`)).toBe("");
  });

  it("routes pod to pod across nodes, answers a NodePort on every node and a ClusterIP from pods on every node", async () => {
    const ips = await Promise.all(["topo-a", "topo-b"].map(async (p) => (await client.get<Pod>("pods", p, "default")).status!.podIP!));
    // Pod to pod across node containers: their real IPs (host-gw routes via the node IPs).
    const fromA = dockerOut(
      "exec",
      node1,
      "sh",
      "-c",
      `docker exec $(docker ps -q --filter label=io.kubernetes.pod.name=topo-a --filter label=io.skiff.kind=container) wget -q -T 5 -O- http://${ips[1]}/`,
    );
    expect(fromA).toBe("served-by-topo-b");
    const fromB = dockerOut(
      "exec",
      node2,
      "sh",
      "-c",
      `docker exec $(docker ps -q --filter label=io.kubernetes.pod.name=topo-b --filter label=io.skiff.kind=container) wget -q -T 5 -O- http://${ips[0]}/`,
    );
    expect(fromB).toBe("served-by-topo-a");
    const svc = await client.create<Pod & { spec: { clusterIP?: string; ports?: { nodePort?: number }[] } }>("services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "topo", namespace: "default" },
      spec: { type: "NodePort", selector: { app: "topo" }, ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] },
    } as unknown as Pod);
    const nodePort = svc.spec.ports?.[0]?.nodePort;
    const clusterIP = svc.spec.clusterIP;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    // The NodePort answers on every node container's address, from this host, served by pods on both nodes.
    const served = new Set<string>();
    for (const n of [node1, node2]) {
      const ip = nodeIP(await client.get<Node>("nodes", n));
      expect(ip, n).toBe(dockerOut("inspect", "-f", `{{(index .NetworkSettings.Networks "${name}-net").IPAddress}}`, n));
      await waitFor(
        async () => {
          for (let i = 0; i < 6; i++) served.add((await httpGet(`http://${ip}:${nodePort}/`, 3000)).trim());
          return true;
        },
        60_000,
        `NodePort on ${n}`,
        500,
      );
    }
    expect([...served].sort()).toEqual(["served-by-topo-a", "served-by-topo-b"]);
    // The ClusterIP from a pod on each node.
    for (const [node, pod] of [
      [node1, "topo-a"],
      [node2, "topo-b"],
    ]) {
      const out = await waitFor(
        async () => {
          try {
            return dockerOut(
              "exec",
              node,
              "sh",
              "-c",
              `docker exec $(docker ps -q --filter label=io.kubernetes.pod.name=${pod} --filter label=io.skiff.kind=container) wget -q -T 5 -O- http://${clusterIP}/`,
            );
          } catch {
            return undefined;
          }
        },
        60_000,
        `ClusterIP from ${pod}`,
        500,
      );
      expect(out).toMatch(/^served-by-topo-[ab]$/);
    }
    await client.delete("services", "topo", "default");
  });

  it("serves an Ingress from the host on the LoadBalancer pool address of kube-system/skiff-ingress", async () => {
    const svc = await waitFor(
      async () => {
        const s = await client
          .get<Pod & { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }>("services", "skiff-ingress", "kube-system")
          .catch(() => undefined);
        return s?.status?.loadBalancer?.ingress?.[0]?.ip ? s : undefined;
      },
      60_000,
      "the ingress controller's LoadBalancer address",
    );
    const lb = svc.status!.loadBalancer!.ingress![0].ip!;
    // The pool is a quarter of the topology's network that Docker never hands out.
    const subnet = dockerOut("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", `${name}-net`);
    expect(lb.split(".").slice(0, 2)).toEqual(subnet.split(".").slice(0, 2));
    await client.create("services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "topo-web", namespace: "default" },
      spec: { selector: { app: "topo" }, ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] },
    } as unknown as Pod);
    await client.create("ingresses", {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "topo", namespace: "default" },
      spec: {
        rules: [
          { host: "topo.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "topo-web", port: { number: 80 } } } }] } },
        ],
      },
    } as unknown as Pod);
    const get = () =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: lb, port: 80, path: "/", headers: { host: "topo.example.com" }, agent: false, timeout: 3000 }, (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", reject);
        req.end();
      });
    const body = await waitFor(() => get().catch(() => undefined), 60_000, `the Ingress on ${lb}:80 from the host`, 500);
    expect(body).toMatch(/^served-by-topo-[ab]$/);
    await client.delete("ingresses", "topo", "default");
    await client.delete("services", "topo-web", "default");
  });

  it("skiff image load copies a host image into every node; a pod then runs it", async () => {
    execFileSync("docker", ["tag", "skiff/busybox:1.35", `${name}/app:1`]);
    const r = await skiff("image", "load", `${name}/app:1`, "--name", name);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`loaded into node ${node1}`);
    expect(r.out).toContain(`loaded into node ${node2}`);
    await client.create("pods", podOn("topo-own-image", node2, `${name}/app:1`));
    await waitFor(async () => (await client.get<Pod>("pods", "topo-own-image", "default")).status?.phase === "Running", 120_000, "own image Running", 500);
    const missing = await skiff("image", "load", `${name}/not-there:1`, "--name", name);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/not found/);
  });

  it("keeps accepting writes when an apiserver and then a NATS server are killed", async () => {
    const write = async (i: number) =>
      client.create<ConfigMap>("configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `ha-${i}`, namespace: "default" },
        data: { i: String(i) },
      });
    await write(0);
    let i = 1;
    for (const [verb, which, key] of [
      ["kill-apiserver", "1", "apiserverKillToWriteMs"],
      ["kill-nats", "2", "natsKillToWriteMs"],
    ] as const) {
      const k = await skiff("chaos", verb, which, "--name", name, "-o", "json");
      expect(k.code, k.err).toBe(0);
      expect(JSON.parse(k.out)).toMatchObject({ ok: true, verb });
      const t0 = Date.now();
      // AlreadyExists means an earlier attempt was stored after this client's deadline had passed
      // (the apiserver keeps retrying the store through a NATS election): the write landed.
      let lastErr: unknown;
      await waitFor(
        async () =>
          write(i).then(
            () => true,
            (err) => {
              lastErr = err;
              if (isAlreadyExists(err)) measured[`${key}LandedLate`] = 1;
              return isAlreadyExists(err);
            },
          ),
        60_000,
        `a write after ${verb}`,
        200,
      ).catch((err) => {
        throw new Error(`${(err as Error).message}; last error: ${(lastErr as Error | undefined)?.message}`);
      });
      measured[key] = Date.now() - t0;
      i++;
    }
    // Every acknowledged write is in the store.
    // (A read may still wait for the JetStream cluster to settle: retried; the data is what counts.)
    const names = (
      await waitFor(() => client.list<ConfigMap>("configmaps", { namespace: "default" }).catch(() => undefined), 60_000, "list after the kills", 500)
    ).items.map((c) => c.metadata.name);
    for (let j = 0; j < i; j++) expect(names).toContain(`ha-${j}`);
    for (const c of [`${name}-apiserver-1`, `${name}-nats-2`]) expect((await skiff("chaos", "revive", c, "--name", name)).code).toBe(0);
  });

  it("pause-node, partition-node and kill-node make a node NotReady; unpause and heal bring it back", async () => {
    const cycle = async (fault: string[], undo: string[] | undefined, node: string) => {
      const f = await skiff("chaos", ...fault, "--name", name, "-o", "json");
      expect(f.code, f.out + f.err).toBe(0);
      expect(JSON.parse(f.out)).toMatchObject({ ok: true, targets: [node] });
      await waitFor(async () => (await nodeReady(node)) === "Unknown", 60_000, `${node} NotReady after ${fault[0]}`, 500);
      if (!undo) return;
      const u = await skiff("chaos", ...undo, "--name", name);
      expect(u.code, u.out + u.err).toBe(0);
      const t0 = Date.now();
      await waitFor(async () => (await nodeReady(node)) === "True", 60_000, `${node} Ready after ${undo[0]}`, 500);
      measured[`${undo[0]}ToReadyMs`] = Date.now() - t0;
    };
    const containerOf = async (pod: string) => (await client.get<Pod>("pods", pod, "default")).status?.containerStatuses?.[0]?.containerID;
    const before = await containerOf("topo-b");
    await cycle(["pause-node", node2], ["unpause-node", node2], node2);
    // A frozen machine's pods are only frozen: the thawed node keeps them, it does not recreate them.
    await waitFor(
      async () => (await client.get<Pod>("pods", "topo-b", "default")).status?.conditions?.find((c) => c.type === "Ready")?.status === "True",
      60_000,
      "topo-b Ready after unpause",
      500,
    );
    expect(await containerOf("topo-b")).toBe(before);
    await cycle(["partition-node", node1], ["heal", node1], node1);
    // The pods on the healed node kept running through the partition.
    expect((await client.get<Pod>("pods", "topo-a", "default")).status?.phase).toBe("Running");
    await cycle(["kill-node", node2], undefined, node2);
    const bad = await skiff("chaos", "kill-node", "no-such-node", "--name", name, "-o", "json");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ ok: false, verb: "kill-node" });
  });

  it("skiff down removes every container, network and volume of the topology", async () => {
    const down = await skiff("down", "--name", name);
    expect(down.code, down.err).toBe(0);
    expect(labelled("ps")).toEqual([]);
    expect(labelled("network")).toEqual([]);
    expect(labelled("volume")).toEqual([]);
  });
});
