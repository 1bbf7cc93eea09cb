// IPv4 range arithmetic for the allocators (service CIDR, load-balancer pool).

/** Parses a dotted IPv4 address into a 32-bit unsigned number; undefined when malformed. */
export function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

/** Formats a 32-bit number as a dotted IPv4 address. */
export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** An inclusive range of allocatable addresses. */
export interface IpRange {
  /** The range as the user wrote it ("10.96.0.0/16" or "172.30.0.10-172.30.0.20"). */
  text: string;
  first: number;
  last: number;
}

/**
 * Parses "a.b.c.d/n" (network and broadcast addresses excluded, as Kubernetes does) or
 * "a.b.c.d-e.f.g.h" (both ends included). Throws a readable error.
 */
export function parseRange(text: string): IpRange {
  const dash = text.split("-");
  if (dash.length === 2) {
    const a = ipToInt(dash[0].trim()),
      b = ipToInt(dash[1].trim());
    if (a === undefined || b === undefined || a > b) throw new Error(`invalid IP range ${JSON.stringify(text)}`);
    return { text, first: a, last: b };
  }
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  const base = m ? ipToInt(m[1]) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (base === undefined || !(bits >= 8 && bits <= 30)) throw new Error(`invalid CIDR ${JSON.stringify(text)} (want a.b.c.d/n with 8 <= n <= 30)`);
  const mask = (~0 << (32 - bits)) >>> 0;
  const net = (base & mask) >>> 0;
  return { text, first: net + 1, last: (net | (~mask >>> 0)) - 1 };
}

/** Whether an address lies in a range. */
export function inRange(r: IpRange, ip: number): boolean {
  return ip >= r.first && ip <= r.last;
}

/** The n-th address of a CIDR's network (10.96.0.0/16, 10 → 10.96.0.10). */
export function nthAddress(r: IpRange, n: number): string {
  return intToIp(r.first - 1 + n);
}
