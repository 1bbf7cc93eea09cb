// SPDY/3 header blocks: a count of name/value pairs, each a 32-bit length + bytes (values may
// hold several NUL-separated values), compressed by one zlib stream per direction primed with
// SPDY's dictionary and sync-flushed after each block.
import { constants, createInflate, type Inflate } from "node:zlib";
import { spdyDictionary } from "./dictionary.js";
import { SpdyProtocolError } from "./frames.js";

/** Header names (lower-cased) to their values. */
export type SpdyHeaders = Record<string, string[]>;

/** Most pairs a block may carry: a bound for hostile input, far above what kubectl sends. */
const MAX_PAIRS = 1024;

/** Serializes headers into an uncompressed block (names lower-cased, as SPDY/3 requires). */
export function encodeHeaderBlock(headers: Record<string, string | string[]>): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), "utf8");
    const v = Buffer.from(Array.isArray(value) ? value.join("\0") : value, "utf8");
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Parses one uncompressed block from the start of `buf`; undefined while it is incomplete. */
export function parseHeaderBlock(buf: Buffer): { headers: SpdyHeaders; length: number } | undefined {
  if (buf.length < 4) return undefined;
  const pairs = buf.readUInt32BE(0);
  if (pairs > MAX_PAIRS) throw new SpdyProtocolError(`header block declares ${pairs} pairs`);
  let off = 4;
  const headers: SpdyHeaders = {};
  const str = (): string | undefined => {
    if (buf.length < off + 4) return undefined;
    const len = buf.readUInt32BE(off);
    if (buf.length < off + 4 + len) return undefined;
    const s = buf.toString("utf8", off + 4, off + 4 + len);
    off += 4 + len;
    return s;
  };
  for (let i = 0; i < pairs; i++) {
    const name = str();
    if (name === undefined) return undefined;
    const value = str();
    if (value === undefined) return undefined;
    if (name === "") throw new SpdyProtocolError("header block has an empty header name");
    const key = name.toLowerCase();
    (headers[key] ??= []).push(...value.split("\0"));
  }
  return { headers, length: off };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Adler-32 (RFC 1950), which names the dictionary in a zlib header. */
export function adler32(data: Buffer): number {
  let a = 1,
    b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * The sending half: one zlib stream made of stored (uncompressed) deflate blocks. Any inflater
 * reads it, no compression state has to be kept in sync, and the blocks we send (replies with
 * no headers) are tiny, so compressing them would not pay.
 */
export class HeaderCompressor {
  private started = false;

  /** Compresses one header block, continuing this direction's zlib stream. */
  compress(headers: Record<string, string | string[]>): Buffer {
    const raw = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF: deflate with a 32K window; FLG: FDICT set, FCHECK making the pair a multiple of 31.
      const cmf = 0x78;
      let flg = 0x20;
      flg += 31 - ((cmf * 256 + flg) % 31);
      parts.push(Buffer.from([cmf, flg]), u32(adler32(spdyDictionary)));
    }
    // A block is never empty (it starts with its pair count); stored blocks hold 64 KiB at most.
    for (let off = 0; off < raw.length; off += 0xffff) {
      const chunk = raw.subarray(off, off + 0xffff);
      const h = Buffer.alloc(5);
      h[0] = 0x00; // BFINAL=0, BTYPE=00 (stored): the stream stays open for the next block
      h.writeUInt16LE(chunk.length, 1);
      h.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(h, chunk);
    }
    // The sync-flush marker (an empty stored block), as Z_SYNC_FLUSH writes it: inflaters such as
    // Go's only hand out a block's bytes once they reach it, and the next frame may be far off.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/**
 * The receiving half: a persistent inflater primed with the dictionary. Blocks are decoded in the
 * order given; because a block is self-delimiting, each promise resolves as soon as its whole
 * block has come out of the inflater, whatever chunking zlib chooses.
 */
export class HeaderDecompressor {
  private readonly inflate: Inflate;
  private out: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve(h: SpdyHeaders): void; reject(e: Error): void }[] = [];
  private failed?: Error;

  constructor() {
    this.inflate = createInflate({ dictionary: spdyDictionary });
    this.inflate.on("data", (chunk: Buffer) => {
      this.out = this.out.length ? Buffer.concat([this.out, chunk]) : chunk;
      this.drain();
    });
    this.inflate.on("error", (err: Error) => this.fail(new SpdyProtocolError(`header decompression failed: ${err.message}`)));
  }

  /** Decompresses and parses the next header block of this direction. */
  decode(block: Buffer): Promise<SpdyHeaders> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<SpdyHeaders>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (block.length === 0) {
        // Nothing to inflate: an empty block stands for no headers (only if nothing is queued before it).
        if (this.waiting.length === 1 && this.out.length === 0) {
          this.waiting.shift();
          resolve({});
        } else this.fail(new SpdyProtocolError("empty header block"));
        return;
      }
      this.inflate.write(block);
      this.inflate.flush(constants.Z_SYNC_FLUSH);
    });
  }

  close(): void {
    this.inflate.destroy();
    this.fail(new SpdyProtocolError("connection closed"));
  }

  private drain(): void {
    try {
      while (this.waiting.length) {
        const parsed = parseHeaderBlock(this.out);
        if (!parsed) return;
        this.out = this.out.subarray(parsed.length);
        this.waiting.shift()!.resolve(parsed.headers);
      }
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}
