// PROXY protocol v2 (haproxy's spec, section 2.2): the binary header a proxy sends first on a
// connection to tell the receiver the original client's address. Sent to endpoints of service
// ports marked `proxy_protocol` (the node's ingress controller), so X-Forwarded-For carries the
// client rather than this proxy's own address.
import { isIPv4, isIPv6 } from "node:net";

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** "::ffff:1.2.3.4" → "1.2.3.4" (a dual-stack listener reports IPv4 clients that way). */
function unmap(ip: string): string {
  return ip.startsWith("::ffff:") && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

function ipv6Bytes(ip: string): Buffer {
  const out = Buffer.alloc(16);
  let s = ip.split("%")[0];
  // A trailing dotted quad (::ffff:1.2.3.4) becomes its two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (quad) {
    const b = quad[1].split(".").map(Number);
    s = s.slice(0, -quad[1].length) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  for (let i = 0; i < 8; i++) out.writeUInt16BE(parseInt(groups[i], 16) || 0, i * 2);
  return out;
}

/**
 * The v2 header of a TCP connection from src to dst (the address the client connected to).
 * Addresses of different families are sent as IPv6 (IPv4 mapped); an address that is neither
 * gives the LOCAL command with no address (the receiver then uses the connection's own).
 */
export function proxyHeaderV2(srcIp: string, srcPort: number, dstIp: string, dstPort: number): Buffer {
  const src = unmap(srcIp),
    dst = unmap(dstIp);
  if (isIPv4(src) && isIPv4(dst)) {
    const h = Buffer.alloc(28);
    SIGNATURE.copy(h);
    h[12] = 0x21; // version 2, PROXY
    h[13] = 0x11; // AF_INET, STREAM
    h.writeUInt16BE(12, 14);
    Buffer.from(src.split(".").map(Number)).copy(h, 16);
    Buffer.from(dst.split(".").map(Number)).copy(h, 20);
    h.writeUInt16BE(srcPort, 24);
    h.writeUInt16BE(dstPort, 26);
    return h;
  }
  const v6 = (ip: string) => (isIPv4(ip) ? `::ffff:${ip}` : ip);
  if ((isIPv4(src) || isIPv6(src)) && (isIPv4(dst) || isIPv6(dst))) {
    const h = Buffer.alloc(52);
    SIGNATURE.copy(h);
    h[12] = 0x21;
    h[13] = 0x21; // AF_INET6, STREAM
    h.writeUInt16BE(36, 14);
    ipv6Bytes(v6(src)).copy(h, 16);
    ipv6Bytes(v6(dst)).copy(h, 32);
    h.writeUInt16BE(srcPort, 48);
    h.writeUInt16BE(dstPort, 50);
    return h;
  }
  const h = Buffer.alloc(16);
  SIGNATURE.copy(h);
  h[12] = 0x20; // version 2, LOCAL
  return h;
}
