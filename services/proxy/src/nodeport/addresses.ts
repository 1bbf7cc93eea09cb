// Where NodePorts listen. kube-proxy answers a NodePort on the node's addresses, loopback
// included; its --nodeport-addresses restricts that to addresses in given CIDRs ("primary" = the
// node's own IP). Skiff's default is the node IP and 127.0.0.1 (what `curl localhost:3xxxx` on a
// single-host cluster needs) rather than every local address, so that several nodes of a test
// cluster sharing one host do not contend for one port on the host's other addresses.
import { networkInterfaces } from "node:os";
import { ipv4InCidr } from "@skiff/api/ipv4";

/** The default of --nodeport-addresses. */
export const DEFAULT_NODEPORT_ADDRESSES = ["primary", "127.0.0.1/32"];

/** Checks the --nodeport-addresses entries; returns what is wrong. */
export function nodePortAddressErrors(entries: string[]): string[] {
  return entries
    .filter((e) => e !== "primary" && !/^\d+\.\d+\.\d+\.\d+(\/(\d|[12]\d|3[0-2]))?$/.test(e))
    .map((e) => `${JSON.stringify(e)} is neither "primary" nor an IPv4 CIDR`);
}

/**
 * The addresses NodePorts listen on: the node IP for "primary", and every local IPv4 address
 * inside a CIDR entry (127.0.0.1 counts as local even where the interface list omits it).
 */
export function nodePortAddresses(entries: string[], nodeIp: string, local: string[] = localIPv4()): string[] {
  const out = new Set<string>();
  for (const e of entries) {
    if (e === "primary") {
      if (nodeIp) out.add(nodeIp);
      continue;
    }
    for (const ip of new Set([...local, "127.0.0.1", ...(nodeIp ? [nodeIp] : [])])) if (ipv4InCidr(ip, e, true)) out.add(ip);
  }
  return [...out].sort();
}

function localIPv4(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((i) => i.family === "IPv4")
    .map((i) => i.address);
}
