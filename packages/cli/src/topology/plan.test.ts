import { describe, expect, it } from "vitest";
import { dockerRunArgs, natsConfigs, fixedIp, loadBalancerPool, planTopology, validateOptions, type TopologyOptions } from "./plan.js";
import { upperHalf } from "./topology.js";

const base: TopologyOptions = {
  name: "t1",
  nodes: 2,
  natsServers: 3,
  apiservers: 2,
  schedulers: 1,
  controllerManagers: 1,
  internal: true,
  pkiDir: "/home/u/.skiff/pki",
  images: { nats: "n", controlplane: "c", node: "d" },
  nodeAgentArgs: [],
  controllerManagerArgs: [],
  schedulerArgs: [],
  nodeToken: "0123456789abcdef0123",
};

describe("planTopology", () => {
  it("routes every NATS server to the two others and gives the store 3 replicas", () => {
    const p = planTopology(base, "172.30.0.0/16");
    // Routes live in each server's configuration (TLS, users), which the container reads.
    expect(p.nats.map((n) => n.args)).toEqual([1, 2, 3].map((i) => ["-c", `/etc/skiff/nats/n${i}.conf`]));
    expect(natsConfigs(base, p).map((c) => c.options.cluster?.routes.join(","))).toEqual([
      "nats://t1-nats-2:6222,nats://t1-nats-3:6222",
      "nats://t1-nats-1:6222,nats://t1-nats-3:6222",
      "nats://t1-nats-1:6222,nats://t1-nats-2:6222",
    ]);
    // Every node may heartbeat on its own subject.
    expect(natsConfigs(base, p)[0].options.nodes).toEqual(p.nodes.map((n) => n.name));
    expect(p.apiservers[0].args).toEqual(expect.arrayContaining(["--replicas", "3", "--pki-dir", "/var/lib/skiff/pki"]));
    expect(p.apiservers[0].mounts).toEqual([{ host: "/home/u/.skiff/pki", container: "/var/lib/skiff/pki" }]);
    // Only the control plane sees the CA key: nodes get no PKI mount (they join with a token).
    expect(p.nodes.every((n) => !n.mounts?.length)).toBe(true);
    expect(p.nodes[1].env).toMatchObject({ SKIFF_APISERVER: "t1-apiserver-1:6444,t1-apiserver-2:6444", SKIFF_CGROUP_PARENT: "/skiff-t1-node-2" });
    expect(p.nodes[0].args).toContain("--pod-network-internal");
  });
  it("runs schedulers and controller-managers active/standby on the NATS lease, nodes with the cluster CIDR and the node token", () => {
    const p = planTopology({ ...base, schedulers: 2, controllerManagers: 2 }, "172.30.0.0/16");
    const nats = "nats://t1-nats-1:4222,nats://t1-nats-2:4222,nats://t1-nats-3:4222";
    expect(p.controllers.map((c) => c.name)).toEqual(["t1-scheduler-1", "t1-scheduler-2", "t1-controller-manager-1", "t1-controller-manager-2"]);
    for (const c of p.controllers) {
      expect(c.args.join(" ")).toContain(`--nats ${nats} --leader-elect true`);
      expect(c.env).not.toHaveProperty("SKIFF_LEADER_ELECT");
    }
    expect(p.nodes[0].env).toMatchObject({ SKIFF_CLUSTER_CIDR: "10.244.0.0/16", SKIFF_NODE_TOKEN: base.nodeToken });
    expect(p.apiservers[1].env).toMatchObject({ SKIFF_NODE_TOKEN: base.nodeToken });
    expect(p.apiservers[0].args.join(" ")).toContain(
      "--https-address 0.0.0.0:6443 --tls-san t1-apiserver-1,localhost,172.30.0.20 --advertise-address 172.30.0.20",
    );
  });
  it("publishes gRPC and HTTPS of apiserver-1 on loopback only", () => {
    const p = planTopology({ ...base, internal: false, publishApiPort: 6444, publishHttpsPort: 6443 }, "172.30.0.0/16");
    expect(p.apiservers[0].publish).toEqual([
      { host: 6444, container: 6444 },
      { host: 6443, container: 6443 },
    ]);
    expect(p.apiservers[1].publish).toBeUndefined();
    expect(dockerRunArgs("t1", "t1-net", p.apiservers[0]).join(" ")).toContain("-p 127.0.0.1:6444:6444 -p 127.0.0.1:6443:6443");
  });
  it("pins control-plane addresses below the dynamic half of the subnet", () => {
    const p = planTopology(base, "172.30.0.0/16");
    expect(p.apiservers.map((a) => a.ip)).toEqual(["172.30.0.20", "172.30.0.21"]);
    expect(p.nodes[0].ip).toBeUndefined();
    expect(fixedIp("10.1.2.0/24", "nats", 3)).toBe("10.1.2.12");
    expect(upperHalf("10.1.2.0/24")).toBe("10.1.2.128/25");
  });
  it("gives nodes the Docker-in-Docker privileges short of --privileged", () => {
    const a = dockerRunArgs("t1", "t1-net", planTopology(base).nodes[0]);
    expect(a).not.toContain("--privileged");
    expect(a.join(" ")).toContain("--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined");
    expect(a.join(" ")).toContain("type=volume,src=t1-node-1-docker,dst=/var/lib/docker,volume-label=io.skiff.topology=t1");
  });
  it("rejects bad options with the flag to fix", () => {
    expect(validateOptions({ ...base, name: "Bad_Name", nodes: 0, natsServers: 2 as 3 })).toEqual([
      expect.stringMatching(/^--name/),
      expect.stringMatching(/^--nodes/),
      "--nats-servers: 1 or 3",
    ]);
    expect(validateOptions({ ...base, publishApiPort: 6444 })).toEqual(["an internal network cannot publish ports"]);
    expect(validateOptions({ ...base, nodeToken: "short" })).toEqual([expect.stringMatching(/^node token/)]);
  });
  it("runs the cluster registry with a data volume, published on loopback, and points every node agent at it", () => {
    const p = planTopology({ ...base, internal: false, registry: { port: 5001, auth: "u:p", image: "r" } }, "172.30.0.0/16");
    expect(p.registry.map((r) => [r.name, r.ip, r.env])).toEqual([["t1-registry-1", "172.30.0.50", { SKIFF_REGISTRY_AUTH: "u:p" }]]);
    const args = dockerRunArgs("t1", "t1-net", p.registry[0]).join(" ");
    expect(args).toContain("-p 127.0.0.1:5001:5000 --mount type=volume,src=t1-registry-1-data,dst=/var/lib/docker-registry,volume-label=io.skiff.topology=t1");
    for (const n of p.nodes) expect(n.env).toMatchObject({ SKIFF_LOCAL_REGISTRY: "t1-registry-1:5000", SKIFF_LOCAL_REGISTRY_PORT: "5001" });
    expect(planTopology(base).registry).toEqual([]);
    expect(planTopology(base).nodes[0].env).not.toHaveProperty("SKIFF_LOCAL_REGISTRY");
    expect(validateOptions({ ...base, registry: { port: 0, auth: "nocolon", image: "r" } })).toEqual([
      "--registry-port: a port number, got 0",
      "--registry-auth: USER:PASSWORD",
    ]);
  });
});

describe("loadBalancerPool", () => {
  it("takes addresses Docker never hands out (below the dynamic upper half, above the fixed ones)", () => {
    expect(loadBalancerPool("172.20.0.0/16")).toBe("172.20.64.0-172.20.64.255");
    expect(loadBalancerPool("10.1.2.0/24")).toBe("10.1.2.64-10.1.2.127");
    const plan = planTopology(base, "10.1.2.0/24");
    expect(plan.apiservers[0].args).toEqual(expect.arrayContaining(["--load-balancer-ip-range", "10.1.2.64-10.1.2.127"]));
  });
});
