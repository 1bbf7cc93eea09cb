// Where names outside the cluster go: the resolvers the host uses (the nameservers of its
// /etc/resolv.conf, as CoreDNS's `forward . /etc/resolv.conf` in Kubernetes' default Corefile),
// unless --upstream names others, or "none" (then such names get REFUSED).
import { readFileSync } from "node:fs";

/** The nameservers of a resolv.conf text, as host:port (port 53), in order. */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const ip = m[1].replace(/%.*$/, ""); // drop an IPv6 zone
    if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) out.push(`${ip}:53`);
    else if (ip.includes(":")) out.push(`[${ip}]:53`);
  }
  return out;
}

/**
 * The upstream resolvers: `upstream` when given ("none" = no forwarding; a comma list of
 * host:port), else the nameservers of the resolv.conf file. Our own listen address is left out
 * (a host whose resolv.conf points at this server would loop).
 */
export function resolveUpstreams(upstream: string, resolvConf: string, listen: string): string[] {
  if (upstream === "none") return [];
  if (upstream)
    return upstream
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  let text = "";
  try {
    text = readFileSync(resolvConf, "utf8");
  } catch {
    return [];
  }
  return parseResolvConf(text).filter((u) => u !== listen);
}

/** Splits "host:port" or "[v6]:port". */
export function splitHostPort(hp: string): { host: string; port: number } {
  const i = hp.lastIndexOf(":");
  return { host: hp.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(hp.slice(i + 1)) };
}
