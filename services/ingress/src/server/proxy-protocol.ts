// PROXY protocol v2 on the controller's listeners: the node proxy starts each connection it
// forwards from kube-system/skiff-ingress with a header naming the client (haproxy's spec,
// section 2.2), as ingress-nginx's `use-proxy-protocol`. Only connections from loopback (where
// the node proxy dials from) may carry one, and for them it is optional: a direct client's
// bytes never start with the signature (HTTP starts with a method, TLS with 0x16). The address
// read becomes the socket's peer address, so X-Forwarded-For, X-Real-IP and the access log
// carry the client, not the proxy.
import type { Socket } from "node:net";

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** The longest header accepted (addresses plus TLVs); the spec caps the length at 65535 + 16. */
const MAX_HEADER = 16 + 536;

export type Peer = { address: string; port: number; family: "IPv4" | "IPv6" };

/** What a connection's first bytes say. */
export type Parsed =
  | { kind: "none" } // not a PROXY header: the bytes belong to the protocol
  | { kind: "more" } // a header prefix: read on
  | { kind: "invalid"; reason: string }
  | { kind: "header"; length: number; peer?: Peer }; // peer undefined: LOCAL (keep the connection's own)

function ipv6(b: Buffer, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(b.readUInt16BE(at + i * 2).toString(16));
  const s = groups.join(":");
  // ::ffff:a.b.c.d as Node writes IPv4-mapped addresses.
  if (s.startsWith("0:0:0:0:0:ffff:")) return `::ffff:${b[at + 12]}.${b[at + 13]}.${b[at + 14]}.${b[at + 15]}`;
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = -1,
    bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  return best < 0 ? s : `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** Parses the start of a connection. */
export function parseProxyHeader(b: Buffer): Parsed {
  const n = Math.min(b.length, SIGNATURE.length);
  if (!b.subarray(0, n).equals(SIGNATURE.subarray(0, n))) return { kind: "none" };
  if (b.length < 16) return { kind: "more" };
  const version = b[12] >> 4,
    command = b[12] & 0x0f;
  const length = 16 + b.readUInt16BE(14);
  if (version !== 2) return { kind: "invalid", reason: `PROXY protocol version ${version}` };
  if (length > MAX_HEADER) return { kind: "invalid", reason: `PROXY header of ${length} bytes` };
  if (b.length < length) return { kind: "more" };
  if (command === 0) return { kind: "header", length };
  if (command !== 1) return { kind: "invalid", reason: `PROXY command ${command}` };
  const fam = b[13];
  if (fam === 0x11 && length >= 28)
    return { kind: "header", length, peer: { address: `${b[16]}.${b[17]}.${b[18]}.${b[19]}`, port: b.readUInt16BE(24), family: "IPv4" } };
  if (fam === 0x21 && length >= 52) return { kind: "header", length, peer: { address: ipv6(b, 16), port: b.readUInt16BE(48), family: "IPv6" } };
  // UNSPEC or a transport we do not forward: keep the connection's own address (the spec's advice).
  return { kind: "header", length };
}

const isLoopback = (ip: string | undefined) => !!ip && (ip.startsWith("127.") || ip === "::1" || ip.startsWith("::ffff:127."));

/** Sets the peer address Node reports for a socket (remoteAddress/remotePort read `_peername` first). */
export function setPeer(socket: Socket, peer: Peer): void {
  (socket as unknown as { _peername: Peer })._peername = peer;
}

/**
 * Hands `socket` to `deliver` once its PROXY header (if any) is read: from loopback peers the
 * first bytes are read and, after a header, put back minus the header; others go at once.
 * A malformed header or none within `timeoutMs` closes the connection.
 */
export function acceptProxyHeader(socket: Socket, deliver: (s: Socket) => void, timeoutMs = 30_000): void {
  if (!isLoopback(socket.remoteAddress)) return deliver(socket);
  let buf: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  const cleanup = () => {
    clearTimeout(timer);
    socket.off("readable", onReadable);
    socket.off("error", onError);
    socket.off("end", onEnd);
  };
  const onError = () => {
    cleanup();
    socket.destroy();
  };
  const onEnd = () => {
    cleanup();
    socket.destroy();
  };
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const p = parseProxyHeader(buf);
    if (p.kind === "more") return;
    cleanup();
    if (p.kind === "invalid") {
      socket.destroy();
      return;
    }
    if (p.kind === "header") {
      if (p.peer) setPeer(socket, p.peer);
      buf = buf.subarray(p.length);
    }
    if (buf.length) socket.unshift(buf);
    deliver(socket);
  };
  socket.on("readable", onReadable);
  socket.on("error", onError);
  socket.on("end", onEnd);
}
