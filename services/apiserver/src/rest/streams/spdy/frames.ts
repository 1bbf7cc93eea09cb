// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 + the 3.1 flow-control changes): an 8-byte
// header, then either a control frame (version 3, type) or a data frame (stream id). Frames are
// encoded and parsed here without their header blocks' compression, which headers.ts owns.

/** SPDY version spoken on the wire. */
export const SPDY_VERSION = 3;

/** Control frame types. */
export const FrameType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

/** FLAG_FIN on DATA, SYN_STREAM, SYN_REPLY and HEADERS frames. */
export const FLAG_FIN = 0x01;
/** FLAG_UNIDIRECTIONAL on SYN_STREAM. */
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  unsupportedVersion: 4,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
  streamInUse: 8,
  streamAlreadyClosed: 9,
  frameTooLarge: 11,
} as const;

/** SETTINGS ids this implementation reads. */
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;

/** The largest payload a frame can declare (24-bit length). */
export const MAX_FRAME_PAYLOAD = 0xffffff;

/** One parsed frame; header blocks are still compressed (`headerBlock`). */
export type Frame =
  | { type: "data"; streamId: number; flags: number; data: Buffer }
  | { type: "synStream"; streamId: number; associatedId: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: "synReply"; streamId: number; flags: number; headerBlock: Buffer }
  | { type: "headers"; streamId: number; flags: number; headerBlock: Buffer }
  | { type: "rstStream"; streamId: number; status: number }
  | { type: "settings"; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: "ping"; id: number }
  | { type: "goAway"; lastGoodStreamId: number; status: number }
  | { type: "windowUpdate"; streamId: number; delta: number }
  | { type: "unknown"; frameType: number; flags: number; payload: Buffer };

/** A malformed frame: the connection cannot continue (SPDY's session error). */
export class SpdyProtocolError extends Error {}

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`frame payload of ${payload.length} bytes is too large`);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE((((flags & 0xff) << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => {
    b.writeUInt32BE(v >>> 0, 4 * i);
  });
  return b;
}

/** Encodes a frame; header-bearing frames carry an already compressed `headerBlock`. */
export function encodeFrame(f: Frame): Buffer {
  switch (f.type) {
    case "data": {
      if (f.data.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`data frame of ${f.data.length} bytes is too large`);
      const h = Buffer.alloc(8);
      h.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      h.writeUInt32BE((((f.flags & 0xff) << 24) | f.data.length) >>> 0, 4);
      return Buffer.concat([h, f.data]);
    }
    case "synStream": {
      const p = Buffer.alloc(10);
      p.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      p.writeUInt32BE(f.associatedId & 0x7fffffff, 4);
      p[8] = (f.priority & 0x7) << 5;
      p[9] = 0; // slot: unused
      return control(FrameType.synStream, f.flags, Buffer.concat([p, f.headerBlock]));
    }
    case "synReply":
      return control(FrameType.synReply, f.flags, Buffer.concat([u32(f.streamId & 0x7fffffff), f.headerBlock]));
    case "headers":
      return control(FrameType.headers, f.flags, Buffer.concat([u32(f.streamId & 0x7fffffff), f.headerBlock]));
    case "rstStream":
      return control(FrameType.rstStream, 0, u32(f.streamId & 0x7fffffff, f.status));
    case "settings": {
      const parts = [u32(f.entries.length)];
      for (const e of f.entries) parts.push(u32((((e.flags & 0xff) << 24) | (e.id & 0xffffff)) >>> 0, e.value));
      return control(FrameType.settings, f.flags, Buffer.concat(parts));
    }
    case "ping":
      return control(FrameType.ping, 0, u32(f.id));
    case "goAway":
      return control(FrameType.goAway, 0, u32(f.lastGoodStreamId & 0x7fffffff, f.status));
    case "windowUpdate":
      return control(FrameType.windowUpdate, 0, u32(f.streamId & 0x7fffffff, f.delta & 0x7fffffff));
    case "unknown":
      return control(f.frameType, f.flags, f.payload);
  }
}

function need(payload: Buffer, n: number, what: string): void {
  if (payload.length < n) throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
}

/** Decodes one frame from its 8-byte header and payload. */
export function decodeFrame(head: Buffer, payload: Buffer): Frame {
  const flags = head[4];
  if ((head[0] & 0x80) === 0) return { type: "data", streamId: head.readUInt32BE(0) & 0x7fffffff, flags, data: payload };
  const version = head.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = head.readUInt16BE(2);
  const id = () => payload.readUInt32BE(0) & 0x7fffffff;
  switch (type) {
    case FrameType.synStream:
      need(payload, 10, "SYN_STREAM");
      return {
        type: "synStream",
        streamId: id(),
        associatedId: payload.readUInt32BE(4) & 0x7fffffff,
        priority: payload[8] >> 5,
        flags,
        headerBlock: payload.subarray(10),
      };
    case FrameType.synReply:
      need(payload, 4, "SYN_REPLY");
      return { type: "synReply", streamId: id(), flags, headerBlock: payload.subarray(4) };
    case FrameType.headers:
      need(payload, 4, "HEADERS");
      return { type: "headers", streamId: id(), flags, headerBlock: payload.subarray(4) };
    case FrameType.rstStream:
      need(payload, 8, "RST_STREAM");
      return { type: "rstStream", streamId: id(), status: payload.readUInt32BE(4) };
    case FrameType.settings: {
      need(payload, 4, "SETTINGS");
      const n = payload.readUInt32BE(0);
      need(payload, 4 + 8 * n, "SETTINGS");
      const entries = Array.from({ length: n }, (_, i) => {
        const w = payload.readUInt32BE(4 + 8 * i);
        return { flags: w >>> 24, id: w & 0xffffff, value: payload.readUInt32BE(8 + 8 * i) };
      });
      return { type: "settings", flags, entries };
    }
    case FrameType.ping:
      need(payload, 4, "PING");
      return { type: "ping", id: payload.readUInt32BE(0) };
    case FrameType.goAway:
      need(payload, 4, "GOAWAY");
      // SPDY/2 GOAWAY had no status; accept the short form.
      return { type: "goAway", lastGoodStreamId: id(), status: payload.length >= 8 ? payload.readUInt32BE(4) : 0 };
    case FrameType.windowUpdate:
      need(payload, 8, "WINDOW_UPDATE");
      return { type: "windowUpdate", streamId: id(), delta: payload.readUInt32BE(4) & 0x7fffffff };
    default:
      // Unknown control frames must be ignored (section 2.2.1).
      return { type: "unknown", frameType: type, flags, payload };
  }
}

/** Splits a byte stream into frames, however it was chunked (TCP reads, WebSocket messages). */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly maxPayload = MAX_FRAME_PAYLOAD) {}

  /** Adds bytes; returns the frames now complete, in order. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (len > this.maxPayload) throw new SpdyProtocolError(`frame of ${len} bytes exceeds the limit of ${this.maxPayload}`);
      if (this.buf.length < 8 + len) break;
      // Copy the payload: the frame outlives this buffer, which is reused for the next reads.
      out.push(decodeFrame(this.buf.subarray(0, 8), Buffer.from(this.buf.subarray(8, 8 + len))));
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}
