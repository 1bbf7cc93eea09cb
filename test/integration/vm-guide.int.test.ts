// The VM guide (deploy/README.md, "Three VMs") run literally: three plain containers of the
// skiff/node image play cp1, node1 and node2 on one internal Docker network (each its own
// machine: own filesystem, own Docker engine on the nodes, with a cgroup parent of its own), and
// each runs the guide's commands by `docker exec` — on cp1 `skiff pki init`, `nats-server -c …`
// and `skiff controlplane`, on the nodes the printed `skiff node --join …` — not `up --nodes`.
// A node with a bad token is refused; pods on both nodes reach each other and a ClusterIP; the
// kubeconfig cp1 wrote works with the real kubectl.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, waitFor } from "@skiff/client";
import type { Node, Pod, Service } from "@skiff/api";
import { allowBridgeTraffic } from "../../packages/cli/src/topology/bridge.js";
import { defaultImages, dockerRunArgs, type ContainerPlan } from "../../packages/cli/src/topology/plan.js";
import { downTopology } from "../../packages/cli/src/topology/topology.js";

const run = promisify(execFile);
const name = `v${Date.now().toString(36).slice(-6)}`;
const network = `${name}-net`;
const machines = { cp1: `${name}-cp1`, node1: `${name}-node1`, node2: `${name}-node2` };
const host = mkdtempSync(join(tmpdir(), "skiff-vm-guide-"));
const timings: Record<string, number> = {};
let client: ApiClient;
let ip: Record<keyof typeof machines, string>;

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8", timeout: 120_000 }).trim();
/** A shell command on a machine, as its administrator types it; never throws on exit codes. */
async function onMachine(m: string, cmd: string, timeoutMs = 240_000): Promise<{ out: string; err: string; code: number }> {
  try {
    const r = await run("docker", ["exec", m, "bash", "-lc", cmd], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return { out: r.stdout, err: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; code?: number };
    return { out: x.stdout ?? "", err: x.stderr ?? String(e), code: typeof x.code === "number" ? x.code : 1 };
  }
}
const containerIp = (c: string) => docker("inspect", "-f", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, c);
const podExec = (node: string, pod: string, cmd: string) =>
  docker("exec", node, "sh", "-c", `docker exec $(docker ps -q --filter label=io.kubernetes.pod.name=${pod} --filter label=io.skiff.kind=container) ${cmd}`);

function machine(c: string, role: "apiserver" | "node", index: number, engine: boolean): ContainerPlan {
  // The machine's own settings (what a VM's /etc/environment would say): a cgroup parent of its
  // own for its engine, and its cluster DNS forwards nothing off this internal network.
  return {
    name: c,
    role,
    index,
    image: defaultImages.node,
    dind: engine,
    restart: "no",
    args: engine ? ["machine"] : ["machine", "--no-engine"],
    env: { SKIFF_CGROUP_PARENT: `/skiff-${c}`, SKIFF_DNS_UPSTREAM: "none" },
  };
}

function web(podName: string, node: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: podName, namespace: "default", labels: { app: "vm" } },
    spec: {
      nodeName: node,
      containers: [
        {
          name: "web",
          image: "skiff/busybox:1.35",
          imagePullPolicy: "IfNotPresent",
          command: ["sh", "-c", "echo served-by-$HOSTNAME > /var/www/index.html; exec httpd -f -p 80 -h /var/www"],
        },
      ],
    },
  } as Pod;
}

describe("deploy/README.md run literally: one control-plane machine and two node machines", () => {
  let joinCmd = "";

  beforeAll(async () => {
    for (const img of [defaultImages.node, defaultImages.nats]) docker("image", "inspect", "-f", "{{.Id}}", img);
    docker("network", "create", "--internal", "--label", `io.skiff.topology=${name}`, network);
    // The machines share a LAN segment (the guide's condition for host-gw pod routes): the host
    // bridge plays the switch, so it must forward pod-addressed packets within this network.
    const warn = await allowBridgeTraffic(name, network);
    if (warn) console.warn(`[vm-guide] ${warn}`);
    docker(...dockerRunArgs(name, network, machine(machines.cp1, "apiserver", 1, false)));
    docker(...dockerRunArgs(name, network, machine(machines.node1, "node", 1, true)));
    docker(...dockerRunArgs(name, network, machine(machines.node2, "node", 2, true)));
    ip = { cp1: containerIp(machines.cp1), node1: containerIp(machines.node1), node2: containerIp(machines.node2) };
    // Step 1 on cp1 (`apt-get install nats-server`): the binary of the skiff/nats image.
    execFileSync(
      "sh",
      [
        "-c",
        `id=$(docker create --label io.skiff.topology=${name} ${defaultImages.nats}) && docker cp "$id":/usr/sbin/nats-server - | docker cp - ${machines.cp1}:/usr/local/bin/ ; rc=$?; docker rm -f "$id" >/dev/null; exit $rc`,
      ],
      { timeout: 120_000 },
    );
    // The nodes' engines are up (their "VM" booted with docker running).
    for (const n of [machines.node1, machines.node2]) {
      await waitFor(async () => (await onMachine(n, "docker info -f '{{.ID}}'", 20_000)).code === 0, 120_000, `${n}'s Docker engine`, 1000);
    }
  }, 300_000);

  afterAll(async () => {
    client?.close();
    await downTopology(name).catch((err) => console.warn(`[vm-guide] down: ${(err as Error).message}`));
    rmSync(host, { recursive: true, force: true });
    console.log(`[vm-guide] ${JSON.stringify(timings)}`);
  }, 300_000);

  it("cp1: skiff pki init, nats-server -c …, skiff controlplane print a join command with a fresh token and the CA hash", async () => {
    const t0 = Date.now();
    const init = await onMachine(machines.cp1, `skiff pki init --nats-hosts ${ip.cp1} --nodes node1,node2 --nats-store-dir ~/.skiff/nats`);
    expect(init.code, init.out + init.err).toBe(0);
    const pin = /CA pin for joining: (sha256:[0-9a-f]{64})/.exec(init.out)?.[1];
    expect(pin).toBeDefined();
    // `nats-server -c ~/.skiff/pki/nats/n1.conf &` (docker exec -d keeps it running after the command returns).
    docker("exec", "-d", machines.cp1, "bash", "-lc", "nats-server -c ~/.skiff/pki/nats/n1.conf >~/.skiff/nats.log 2>&1");
    await waitFor(
      async () => (await onMachine(machines.cp1, "grep -q 'Server is ready' ~/.skiff/nats.log", 10_000)).code === 0,
      30_000,
      "nats-server on cp1",
      500,
    );
    const cp = await onMachine(machines.cp1, `skiff controlplane --nats nats://${ip.cp1}:4222 --advertise ${ip.cp1}:6444`);
    expect(cp.code, cp.out + cp.err).toBe(0);
    joinCmd =
      cp.out
        .split("\n")
        .map((l) => l.trim())
        .find((l) => l.startsWith("skiff node --join")) ?? "";
    expect(joinCmd).toMatch(
      new RegExp(
        `^skiff node --join ${ip.cp1.replace(/\./g, "\\.")}:6444 --token [a-z0-9]{6}\\.[a-z0-9]{16} --ca-cert-hash ${pin} --nats nats://${ip.cp1.replace(/\./g, "\\.")}:4222$`,
      ),
    );
    expect(cp.out).toContain("export KUBECONFIG=/root/.skiff/kubeconfig");
    timings.controlplaneMs = Date.now() - t0;
    // This test drives the cluster from the host with cp1's admin certificate (as `skiff` on cp1 does).
    docker("cp", `${machines.cp1}:/root/.skiff/pki/admin`, join(host, "admin"));
    client = new ApiClient({ addresses: [`${ip.cp1}:6444`], timeoutMs: 5000, tls: { dir: join(host, "admin") } });
  }, 300_000);

  it("a node machine with a bad token is refused with the reason, and starts nothing", async () => {
    expect(joinCmd).not.toBe("");
    const bad = joinCmd.replace(/--token \S+/, "--token abcdef.0123456789abcdef");
    const r = await onMachine(machines.node2, `${bad} --node-ip ${ip.node2} --node-name node2`);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/the cluster refused to let this machine join: join token abcdef is not valid/);
    const left = await onMachine(
      machines.node2,
      "ls ~/.skiff/pki/node/tls.crt ~/.skiff/run/node-agent.pid 2>&1; pgrep -f 'node-agen[t]/dist/main.js' || echo no-agent",
    );
    expect(left.out).toContain("no-agent");
    expect(left.out).not.toMatch(/^\/root\/.skiff\/pki\/node\/tls\.crt$/m);
  });

  it("node1 and node2 run the printed command (with --node-ip and --node-name) and are Ready; skiff get nodes and kubectl agree", async () => {
    const t0 = Date.now();
    const joins = await Promise.all(
      (["node1", "node2"] as const).map((n) => onMachine(machines[n], `${joinCmd} --node-ip ${ip[n]} --node-name ${n}`, 300_000)),
    );
    for (const j of joins) expect(j.code, j.out + j.err).toBe(0);
    for (const j of joins) expect(j.out).toMatch(/node node[12] joined and is Ready/);
    timings.joinMs = Date.now() - t0;
    // Step 5: on cp1, `skiff get nodes` shows both Ready.
    const get = await onMachine(machines.cp1, "skiff get nodes");
    expect(get.code, get.err).toBe(0);
    expect(get.out).toMatch(/^node1\s+Ready/m);
    expect(get.out).toMatch(/^node2\s+Ready/m);
    // …and the kubeconfig cp1 wrote works with the real kubectl from another machine of the LAN.
    docker("cp", `${machines.cp1}:/root/.skiff/kubeconfig`, join(host, "kubeconfig"));
    const names = execFileSync("kubectl", ["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"], {
      env: { ...process.env, KUBECONFIG: join(host, "kubeconfig") },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(names.split(" ").sort()).toEqual(["node1", "node2"]);
    // Each node got its own certificate by the CSR; no node machine holds the CA key.
    for (const n of [machines.node1, machines.node2]) {
      const pki = await onMachine(n, "find ~/.skiff/pki -type f | sort");
      expect(pki.out.trim().split("\n")).toEqual(["/root/.skiff/pki/node/ca.crt", "/root/.skiff/pki/node/tls.crt", "/root/.skiff/pki/node/tls.key"]);
    }
    // The node IP is what the guide passed.
    for (const n of ["node1", "node2"] as const) {
      const node = await client.get<Node>("nodes", n);
      expect(node.status?.addresses?.find((a) => a.type === "InternalIP")?.address).toBe(ip[n]);
    }
  }, 400_000);

  it("pods on node1 and node2 reach each other at their pod IPs and through a ClusterIP", async () => {
    await client.create("pods", web("vm-a", "node1"));
    await client.create("pods", web("vm-b", "node2"));
    const pods: Record<string, Pod> = {};
    for (const p of ["vm-a", "vm-b"]) {
      pods[p] = await waitFor(
        async () => {
          const x = await client.get<Pod>("pods", p, "default");
          return x.status?.phase === "Running" && x.status.podIP ? x : undefined;
        },
        120_000,
        `${p} Running`,
        500,
      );
    }
    // The pods live in the node machines' own engines.
    expect(docker("exec", machines.node1, "docker", "ps", "--format", "{{.Names}}")).toContain("_vm-a_default_");
    expect(docker("exec", machines.node2, "docker", "ps", "--format", "{{.Names}}")).toContain("_vm-b_default_");
    expect(
      await waitFor(
        () => {
          try {
            return podExec(machines.node1, "vm-a", `wget -q -T 5 -O- http://${pods["vm-b"].status!.podIP}/`);
          } catch {
            return undefined;
          }
        },
        60_000,
        "vm-a → vm-b",
        1000,
      ),
    ).toBe("served-by-vm-b");
    expect(
      await waitFor(
        () => {
          try {
            return podExec(machines.node2, "vm-b", `wget -q -T 5 -O- http://${pods["vm-a"].status!.podIP}/`);
          } catch {
            return undefined;
          }
        },
        60_000,
        "vm-b → vm-a",
        1000,
      ),
    ).toBe("served-by-vm-a");
    const svc = await client.create<Service>("services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "vm", namespace: "default" },
      spec: { selector: { app: "vm" }, ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] },
    } as Service);
    const clusterIP = svc.spec?.clusterIP;
    expect(clusterIP).toMatch(/^10\.96\./);
    // From a pod on each node, the ClusterIP answers, served by pods on both nodes.
    const served = new Set<string>();
    for (const [node, pod] of [
      [machines.node1, "vm-a"],
      [machines.node2, "vm-b"],
    ]) {
      await waitFor(
        () => {
          try {
            for (let i = 0; i < 4; i++) served.add(podExec(node, pod, `wget -q -T 5 -O- http://${clusterIP}/`));
            return true;
          } catch {
            return undefined;
          }
        },
        60_000,
        `ClusterIP ${clusterIP} from ${pod}`,
        1000,
      );
    }
    expect([...served].sort()).toEqual(["served-by-vm-a", "served-by-vm-b"]);
  }, 300_000);

  it("writes the guide's files where it says: the CA key only on cp1, 0600", async () => {
    const ls = await onMachine(machines.cp1, "stat -c '%a %n' ~/.skiff/pki/ca.key ~/.skiff/pki/admin.token ~/.skiff/pki/encryption-config.yaml");
    expect(
      ls.out
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[0]),
    ).toEqual(["600", "600", "600"]);
  });
});
