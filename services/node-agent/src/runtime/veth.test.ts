import { describe, expect, it } from "vitest";
import { PodIpam, dockerRange, hostsFile, isProcessOf, macFor, resolvConf, vethName } from "./veth.js";

describe("PodIpam", () => {
  it("hands out every host address of the podCIDR but the gateway, then none", () => {
    const ipam = new PodIpam("10.244.3.0/29", "10.244.3.1");
    const got = Array.from({ length: 6 }, (_, i) => ipam.allocate(`c${i}`));
    expect(got).toEqual(["10.244.3.2", "10.244.3.3", "10.244.3.4", "10.244.3.5", "10.244.3.6", undefined]);
    expect(ipam.prefixLength).toBe(29);
  });

  it("gives a released address back last (next-fit), and skips held ones", () => {
    const ipam = new PodIpam("10.244.0.0/29", "10.244.0.1");
    ipam.hold("10.244.0.3", "old");
    expect(ipam.allocate("a")).toBe("10.244.0.2");
    expect(ipam.allocate("b")).toBe("10.244.0.4");
    ipam.release("10.244.0.2");
    expect(ipam.allocate("c")).toBe("10.244.0.5");
    expect(ipam.allocate("d")).toBe("10.244.0.6");
    expect(ipam.allocate("e")).toBe("10.244.0.2");
  });

  it("leaves Docker's own range (the podCIDR's last sixteenth) to Docker", () => {
    expect(dockerRange("10.244.3.0/24")).toBe("10.244.3.240/28");
    expect(dockerRange("10.244.0.0/16")).toBe("10.244.240.0/20");
    expect(dockerRange("10.244.3.0/28")).toBeUndefined();
    const ipam = new PodIpam("10.244.3.0/24", "10.244.3.1", "10.244.3.240/28");
    const got = new Set<string>();
    for (let ip = ipam.allocate("x"); ip; ip = ipam.allocate("x")) got.add(ip);
    expect(got.size).toBe(238); // .2 … .239
    expect(got.has("10.244.3.239")).toBe(true);
    expect(got.has("10.244.3.240")).toBe(false);
    expect(ipam.owns("10.244.3.2")).toBe(true);
    expect(ipam.owns("10.244.3.1")).toBe(false);
    expect(ipam.owns("10.244.3.241")).toBe(false);
    expect(ipam.owns("10.244.4.2")).toBe(false);
  });

  it("forgets holders the engine no longer has, but not allocations still being created", () => {
    const ipam = new PodIpam("10.244.0.0/30", "10.244.0.1");
    expect(ipam.allocate("pending:pod-a")).toBe("10.244.0.2");
    expect(ipam.allocate("x")).toBeUndefined();
    ipam.retain(new Set());
    expect(ipam.allocate("y")).toBeUndefined(); // the pending one keeps the only address
    ipam.hold("10.244.0.2", "gone");
    ipam.retain(new Set(["other"]));
    expect(ipam.allocate("z")).toBe("10.244.0.2");
  });
});

describe("the sandbox's names and files", () => {
  it("names the host end within 15 characters and derives the MAC from the IP as Docker does", () => {
    expect(vethName("0123456789abcdef0123")).toBe("veth0123456789a");
    expect(macFor("10.244.0.2")).toBe("02:42:0a:f4:00:02");
  });

  it("writes hosts with the pod's own name on its IP", () => {
    const h = hostsFile("10.244.0.7", "web-0");
    expect(h.split("\n")[0]).toBe("127.0.0.1\tlocalhost");
    expect(h).toContain("10.244.0.7\tweb-0\n");
    expect(hostsFile("10.244.0.7", "web-0", [{ ip: "10.1.2.3", hostnames: ["db", "db.local"] }])).toMatch(
      /10\.244\.0\.7\tweb-0\n\n# Entries added by HostAliases\.\n10\.1\.2\.3\tdb\tdb\.local\n$/,
    );
  });

  it("writes the dnsPolicy's resolver settings", () => {
    const r = resolvConf({ servers: ["10.96.0.10"], searches: ["ns.svc.cluster.local", "svc.cluster.local"], options: ["ndots:5"] }, "");
    expect(r).toBe("nameserver 10.96.0.10\nsearch ns.svc.cluster.local svc.cluster.local\noptions ndots:5\n");
  });

  it("copies the node's resolv.conf for dnsPolicy Default, without loopback nameservers", () => {
    const host = "# comment\nnameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch example.org\noptions edns0\n";
    expect(resolvConf(undefined, host)).toBe("nameserver 192.0.2.1\nsearch example.org\noptions edns0\n");
    // Only a loopback resolver (systemd-resolved): its upstream list instead.
    expect(resolvConf(undefined, "nameserver 127.0.0.53\nsearch lan\n", "nameserver 192.0.2.9\n")).toBe("nameserver 192.0.2.9\nsearch lan\n");
  });
});

describe("the sandbox's process, before nsenter", () => {
  const id = "3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e";
  it("is the container's when its cgroup names the container, under any driver and version", () => {
    expect(isProcessOf(1, id, `12:memory:/docker/${id}\n11:cpuacct,cpu:/docker/${id}\n`)).toBe(true);
    expect(isProcessOf(1, id, `4:memory:/skiff-node-2/${id}\n`)).toBe(true);
    expect(isProcessOf(1, id, `0::/system.slice/docker-${id}.scope\n`)).toBe(true);
  });
  it("is not when the number is another process's in this PID namespace, or is gone", () => {
    expect(isProcessOf(1, id, "0::/init.scope\n")).toBe(false);
    expect(isProcessOf(1, id, "12:memory:/docker/0123456789abcdef\n")).toBe(false);
    expect(isProcessOf(2 ** 22 + 7, id)).toBe(false);
  });
});
