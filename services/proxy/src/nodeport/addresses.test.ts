import { describe, expect, it } from "vitest";
import { ipv4InCidr } from "@skiff/api/ipv4";
import { DEFAULT_NODEPORT_ADDRESSES, nodePortAddressErrors, nodePortAddresses } from "./addresses.js";

describe("NodePort addresses", () => {
  const local = ["127.0.0.1", "10.0.0.5", "192.168.1.20"];
  it("by default: the node IP and loopback (kube-proxy answers NodePorts on localhost)", () => {
    expect(nodePortAddresses(DEFAULT_NODEPORT_ADDRESSES, "10.0.0.5", local)).toEqual(["10.0.0.5", "127.0.0.1"]);
  });
  it("--nodeport-addresses restricts to the node IP (primary) or to local addresses inside CIDRs", () => {
    expect(nodePortAddresses(["primary"], "10.0.0.5", local)).toEqual(["10.0.0.5"]);
    expect(nodePortAddresses(["192.168.0.0/16"], "10.0.0.5", local)).toEqual(["192.168.1.20"]);
    expect(nodePortAddresses(["0.0.0.0/0"], "10.0.0.5", local)).toEqual(["10.0.0.5", "127.0.0.1", "192.168.1.20"]);
    expect(nodePortAddresses(["172.16.0.0/12"], "10.0.0.5", local)).toEqual([]);
  });
  it("CIDR arithmetic and option checks", () => {
    expect(ipv4InCidr("127.3.0.1", "127.0.0.0/8", true)).toBe(true);
    expect(ipv4InCidr("128.0.0.1", "127.0.0.0/8", true)).toBe(false);
    expect(ipv4InCidr("10.1.2.3", "10.1.2.3", true)).toBe(true);
    expect(nodePortAddressErrors(["primary", "10.0.0.0/8", "nope", "10.0.0.0/33"])).toHaveLength(2);
  });
});
