import { describe, expect, it } from "vitest";
import { dockerRunArgs, fixedIp, planTopology, validateOptions, type TopologyOptions } from "./plan.js";
import { upperHalf } from "./topology.js";

const base: TopologyOptions = {
  name: "t1", nodes: 2, natsServers: 3, apiservers: 2, schedulers: 1, controllerManagers: 1, internal: true,
  requireJoinToken: true, images: { nats: "n", controlplane: "c", node: "d" }, nodeAgentArgs: [], controllerManagerArgs: [],
};

describe("planTopology", () => {
  it("routes every NATS server to the two others and gives the store 3 replicas", () => {
    const p = planTopology(base, "172.30.0.0/16");
    expect(p.nats.map((n) => n.args[p.nats[0].args.indexOf("--routes") + 1])).toEqual([
      "nats://t1-nats-2:6222,nats://t1-nats-3:6222", "nats://t1-nats-1:6222,nats://t1-nats-3:6222", "nats://t1-nats-1:6222,nats://t1-nats-2:6222",
    ]);
    expect(p.apiservers[0].args).toEqual(expect.arrayContaining(["--replicas", "3", "--require-join-token"]));
    expect(p.nodes[1].env).toMatchObject({ SKIFF_APISERVER: "t1-apiserver-1:6444,t1-apiserver-2:6444", SKIFF_CGROUP_PARENT: "/skiff-t1-node-2" });
    expect(p.nodes[0].args).toContain("--pod-network-internal");
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
      expect.stringMatching(/^--name/), expect.stringMatching(/^--nodes/), "--nats-servers: 1 or 3",
    ]);
    expect(validateOptions({ ...base, publishApiPort: 6444 })).toEqual(["an internal network cannot publish ports"]);
  });
});
