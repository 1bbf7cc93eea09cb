// The protobuf wire format, read side: tags, varints and length-delimited fields, which is
// all Kubernetes' go-to-protobuf messages (proto2, unpacked repeated fields) need.
import { BadRequestError } from "@skiff/api";

/** Wire types of the protobuf encoding. */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

/** One field as read from the wire: a varint (as bigint), raw bytes, or a fixed-width number. */
export type WireValue = { wt: 0; v: bigint } | { wt: 2; v: Uint8Array } | { wt: 1 | 5; v: Uint8Array };

/** A malformed body: answered as 400 BadRequest. */
function malformed(what: string): BadRequestError {
  return new BadRequestError(`the protobuf body is malformed: ${what}`);
}

/** Reads fields one by one from a message's bytes. */
export class WireReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  /** Whether all bytes were read. */
  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** An unsigned varint (up to 64 bits). */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw malformed("truncated varint");
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw malformed("varint longer than 10 bytes");
  }

  private take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) throw malformed("field length runs past the end of the message");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next field: its number and value. Groups (unused by Kubernetes) are rejected. */
  field(): { num: number; value: WireValue } {
    const tag = this.varint();
    const num = Number(tag >> 3n);
    const wt = Number(tag & 7n);
    if (num === 0) throw malformed("field number 0");
    switch (wt) {
      case WireType.varint:
        return { num, value: { wt: 0, v: this.varint() } };
      case WireType.bytes:
        return { num, value: { wt: 2, v: this.take(Number(this.varint())) } };
      case WireType.fixed64:
        return { num, value: { wt: 1, v: this.take(8) } };
      case WireType.fixed32:
        return { num, value: { wt: 5, v: this.take(4) } };
      default:
        throw malformed(`unsupported wire type ${wt} (field ${num})`);
    }
  }
}

/** All fields of a message, in wire order. */
export function readFields(buf: Uint8Array): { num: number; value: WireValue }[] {
  const r = new WireReader(buf);
  const out: { num: number; value: WireValue }[] = [];
  while (!r.done) out.push(r.field());
  return out;
}
