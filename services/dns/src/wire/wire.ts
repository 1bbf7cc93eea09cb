// The DNS wire format (RFC 1035) for what cluster DNS needs: parsing a query's header and
// question, and writing responses with A, AAAA, CNAME, SRV, PTR and SOA records (names
// written uncompressed: simpler, and our answers are small).

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, AAAA: 28, SRV: 33, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** A parsed query. */
export interface Query {
  id: number;
  /** Flags word of the query (opcode, RD…). */
  flags: number;
  name: string;
  type: number;
  qclass: number;
}

/** One resource record to write. */
export type Answer =
  | { name: string; type: typeof TYPE.A; ttl: number; ip: string }
  | { name: string; type: typeof TYPE.CNAME | typeof TYPE.PTR; ttl: number; target: string }
  | { name: string; type: typeof TYPE.SRV; ttl: number; priority: number; weight: number; port: number; target: string }
  | { name: string; type: typeof TYPE.SOA; ttl: number; mname: string; rname: string; serial: number; minimum: number };

/** Reads a (possibly compressed) name at `off`; returns it and the offset after it. */
function readName(buf: Buffer, off: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1;
  let jumps = 0;
  for (;;) {
    if (off >= buf.length) throw new Error("name past the end of the message");
    const len = buf[off];
    if (len === 0) {
      off++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (++jumps > 16) throw new Error("compression loop");
      if (next < 0) next = off + 2;
      off = ((len & 0x3f) << 8) | buf[off + 1];
      continue;
    }
    if (len > 63 || off + 1 + len > buf.length) throw new Error("bad label");
    labels.push(buf.toString("latin1", off + 1, off + 1 + len));
    off += 1 + len;
  }
  return { name: labels.join("."), next: next < 0 ? off : next };
}

/** Parses the first question of a query; throws on malformed input. */
export function parseQuery(buf: Buffer): Query {
  if (buf.length < 12) throw new Error("short message");
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  if (qd < 1) throw new Error("no question");
  const { name, next } = readName(buf, 12);
  if (next + 4 > buf.length) throw new Error("short question");
  return { id, flags, name: name.toLowerCase(), type: buf.readUInt16BE(next), qclass: buf.readUInt16BE(next + 2) };
}

function writeName(name: string): Buffer {
  const parts = name.replace(/\.$/, "").split(".").filter(Boolean);
  const bufs = parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, "latin1")]));
  return Buffer.concat([...bufs, Buffer.from([0])]);
}

function rdata(a: Answer): Buffer {
  switch (a.type) {
    case TYPE.A:
      return Buffer.from(a.ip.split(".").map(Number));
    case TYPE.CNAME:
    case TYPE.PTR:
      return writeName(a.target);
    case TYPE.SRV: {
      const h = Buffer.alloc(6);
      h.writeUInt16BE(a.priority, 0);
      h.writeUInt16BE(a.weight, 2);
      h.writeUInt16BE(a.port, 4);
      return Buffer.concat([h, writeName(a.target)]);
    }
    case TYPE.SOA: {
      const t = Buffer.alloc(20);
      t.writeUInt32BE(a.serial, 0);
      t.writeUInt32BE(7200, 4);
      t.writeUInt32BE(1800, 8);
      t.writeUInt32BE(86400, 12);
      t.writeUInt32BE(a.minimum, 16);
      return Buffer.concat([writeName(a.mname), writeName(a.rname), t]);
    }
  }
}

function record(a: Answer): Buffer {
  const rd = rdata(a);
  const h = Buffer.alloc(10);
  h.writeUInt16BE(a.type, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt32BE(a.ttl, 4);
  h.writeUInt16BE(rd.length, 8);
  return Buffer.concat([writeName(a.name), h, rd]);
}

/** Builds a response to `q`. `authoritative` sets AA; `recursion` sets RA. */
export function buildResponse(
  q: Query,
  rcode: number,
  answers: Answer[],
  authority: Answer[] = [],
  opts: { authoritative?: boolean; recursion?: boolean } = {},
): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(q.id, 0);
  const opcode = q.flags & 0x7800;
  const rd = q.flags & 0x0100;
  h.writeUInt16BE(0x8000 | opcode | (opts.authoritative ? 0x0400 : 0) | rd | (opts.recursion ? 0x0080 : 0) | (rcode & 0xf), 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answers.length, 6);
  h.writeUInt16BE(authority.length, 8);
  h.writeUInt16BE(0, 10);
  const question = Buffer.concat([writeName(q.name), Buffer.from([q.type >> 8, q.type & 255, q.qclass >> 8, q.qclass & 255])]);
  return Buffer.concat([h, question, ...answers.map(record), ...authority.map(record)]);
}

/** Builds a query (for clients and tests). */
export function buildQuery(id: number, name: string, type: number, recursionDesired = true): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(recursionDesired ? 0x0100 : 0, 2);
  h.writeUInt16BE(1, 4);
  return Buffer.concat([h, writeName(name), Buffer.from([type >> 8, type & 255, 0, 1])]);
}

/** A decoded response (for clients and tests): rcode and answers' types and values. */
export function parseResponse(buf: Buffer): { id: number; rcode: number; answers: { name: string; type: number; value: string }[] } {
  const id = buf.readUInt16BE(0);
  const rcode = buf.readUInt16BE(2) & 0xf;
  const an = buf.readUInt16BE(6);
  let off = readName(buf, 12).next + 4;
  const answers: { name: string; type: number; value: string }[] = [];
  for (let i = 0; i < an; i++) {
    const n = readName(buf, off);
    const type = buf.readUInt16BE(n.next);
    const len = buf.readUInt16BE(n.next + 8);
    const start = n.next + 10;
    let value = "";
    if (type === TYPE.A) value = [...buf.subarray(start, start + 4)].join(".");
    else if (type === TYPE.CNAME || type === TYPE.PTR) value = readName(buf, start).name;
    else if (type === TYPE.SRV)
      value = `${buf.readUInt16BE(start)} ${buf.readUInt16BE(start + 2)} ${buf.readUInt16BE(start + 4)} ${readName(buf, start + 6).name}`;
    answers.push({ name: n.name, type, value });
    off = start + len;
  }
  return { id, rcode, answers };
}
