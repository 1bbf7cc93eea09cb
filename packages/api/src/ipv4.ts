// IPv4 arithmetic shared by every component that hands out or matches addresses: the apiserver's
// ClusterIP and load-balancer allocators, the controller-manager's node IPAM, the node agent's
// routes and sandbox IPAM, the proxy's --nodeport-addresses. A leaf module (no imports), so the
// proxy and dns can use it without loading the API's schemas.

/** A dotted IPv4 address as a 32-bit unsigned number; undefined when it is not one. */
export function parseIPv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

/** A 32-bit unsigned number as a dotted IPv4 address. */
export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** An IPv4 CIDR: its network address (host bits cleared), prefix length and number of addresses. */
export interface IPv4Cidr {
  net: number;
  bits: number;
  size: number;
}

/** Parses "a.b.c.d/n" (0 ≤ n ≤ 32); a bare address is a /32 when `bareIsHost`. Undefined when malformed. */
export function parseIPv4Cidr(text: string, bareIsHost = false): IPv4Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0 && !bareIsHost) return undefined;
  const base = parseIPv4(slash < 0 ? text : text.slice(0, slash));
  const bitsText = slash < 0 ? "32" : text.slice(slash + 1);
  if (base === undefined || !/^\d{1,2}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  return { net: Math.floor(base / size) * size, bits, size };
}

/** Whether `ip` lies in `cidr`; false when either is malformed (a bare address as a /32 when `bareIsHost`). */
export function ipv4InCidr(ip: string, cidr: string | IPv4Cidr, bareIsHost = false): boolean {
  const c = typeof cidr === "string" ? parseIPv4Cidr(cidr, bareIsHost) : cidr;
  const n = parseIPv4(ip);
  return c !== undefined && n !== undefined && n >= c.net && n < c.net + c.size;
}
