import { describe, expect, it } from "vitest";
import { compileOptions } from "./options.js";

describe("apiserver allocator ranges", () => {
  it("accepts the defaults and a load-balancer pool beside the service CIDR", () => {
    expect(compileOptions({}).serviceClusterIpRange).toBe("10.96.0.0/16");
    expect(compileOptions({ loadBalancerIpRange: "192.168.50.10-192.168.50.20" }).loadBalancerIpRange).toBe("192.168.50.10-192.168.50.20");
  });

  it("rejects malformed, too small and overlapping ranges with the flag named", () => {
    expect(() => compileOptions({ serviceClusterIpRange: "10.96.0.0" })).toThrow("--service-cluster-ip-range: want a CIDR such as 10.96.0.0/16");
    expect(() => compileOptions({ serviceClusterIpRange: "10.96.0.0/29" })).toThrow("--service-cluster-ip-range: 10.96.0.0/29 is too small");
    expect(() => compileOptions({ serviceClusterIpRange: "10.96.0.300/16" })).toThrow("--service-cluster-ip-range: invalid CIDR");
    expect(() => compileOptions({ serviceNodePortRange: "30000" })).toThrow('--service-node-port-range: want "first-last"');
    expect(() => compileOptions({ serviceNodePortRange: "32000-31000" })).toThrow("--service-node-port-range: 32000-31000 must satisfy");
    expect(() => compileOptions({ serviceNodePortRange: "0-70000" })).toThrow("must satisfy 1 <= first <= last <= 65535");
    expect(() => compileOptions({ loadBalancerIpRange: "10.96.3.0/24" })).toThrow(
      "--load-balancer-ip-range: 10.96.3.0/24 overlaps the service CIDR 10.96.0.0/16",
    );
    expect(() => compileOptions({ loadBalancerIpRange: "1.2.3.9-1.2.3.1" })).toThrow("--load-balancer-ip-range: invalid IP range");
    expect(() => compileOptions({ allocatorRepairIntervalMs: -1 })).toThrow("--allocator-repair-interval-ms: must be a non-negative number");
  });
});
