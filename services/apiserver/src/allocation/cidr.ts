// IPv4 range arithmetic for the allocators (service CIDR, load-balancer pool).
import { formatIPv4, parseIPv4, parseIPv4Cidr } from "@skiff/api";

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
    const a = parseIPv4(dash[0].trim()),
      b = parseIPv4(dash[1].trim());
    if (a === undefined || b === undefined || a > b) throw new Error(`invalid IP range ${JSON.stringify(text)}`);
    return { text, first: a, last: b };
  }
  const c = parseIPv4Cidr(text);
  if (!c || c.bits < 8 || c.bits > 30) throw new Error(`invalid CIDR ${JSON.stringify(text)} (want a.b.c.d/n with 8 <= n <= 30)`);
  return { text, first: c.net + 1, last: c.net + c.size - 2 };
}

/** Whether an address lies in a range. */
export function inRange(r: IpRange, ip: number): boolean {
  return ip >= r.first && ip <= r.last;
}

/** The n-th address of a CIDR's network (10.96.0.0/16, 10 → 10.96.0.10). */
export function nthAddress(r: IpRange, n: number): string {
  return formatIPv4(r.first - 1 + n);
}
