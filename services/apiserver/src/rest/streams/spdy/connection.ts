// The server side of a SPDY/3.1 session over any byte transport (an upgraded socket, or binary
// WebSocket messages when kubectl tunnels SPDY through WebSocket): streams opened by the client
// surface as Duplex streams; pings are answered; flow-control windows are kept both ways.
import { EventEmitter } from "node:events";
import { Duplex } from "node:stream";
import type { Logger } from "@skiff/log";
import { encodeFrame, FLAG_FIN, FLAG_UNIDIRECTIONAL, FrameReader, RstStatus, SETTINGS_INITIAL_WINDOW_SIZE, SpdyProtocolError, type Frame } from "./frames.js";
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from "./headers.js";

/** Where a session's frames go; the owner feeds received bytes to `receive`. */
export interface SpdyTransport {
  write(data: Buffer): void;
  close(): void;
}

export interface SpdyConnectionOptions {
  /** Our receive window per stream and for the session, in bytes (default 65536, SPDY/3.1's initial window). */
  initialWindow?: number;
  /** Largest DATA frame we send (default 32768). */
  maxDataFrame?: number;
  log?: Logger;
}

/** SPDY/3.1's initial window for streams and the session. */
export const DEFAULT_WINDOW = 65536;
/** GOAWAY status codes. */
export const GoAwayStatus = { ok: 0, protocolError: 1, internalError: 2 } as const;

interface Pending {
  data: Buffer;
  fin: boolean;
  cb: (err?: Error | null) => void;
}

/** One stream the client opened; `headers` are its SYN_STREAM headers. */
export class SpdyStream extends Duplex {
  /** Whether we answered the SYN_STREAM. */
  replied = false;
  /** Bytes we may still send before the peer opens the window further. */
  sendWindow: number;
  /** Bytes received and not yet acknowledged by a WINDOW_UPDATE. */
  unacked = 0;
  remoteEnded = false;
  localEnded = false;
  wasReset = false;
  readonly pending: Pending[] = [];

  constructor(
    readonly id: number,
    readonly headers: SpdyHeaders,
    private readonly conn: SpdyConnection,
    sendWindow: number,
  ) {
    super({ allowHalfOpen: true });
    this.sendWindow = sendWindow;
  }

  /** The first value of a header (names are case-insensitive). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Accepts the stream with a SYN_REPLY; `fin` also closes our side at once. */
  reply(headers: Record<string, string | string[]> = {}, fin = false): void {
    if (this.replied) return;
    this.replied = true;
    this.conn.sendReply(this, headers, fin);
    if (fin) {
      this.localEnded = true;
      this.end();
    }
  }

  /** Aborts the stream with a RST_STREAM. */
  reset(status: number = RstStatus.cancel): void {
    if (!this.wasReset) this.conn.sendReset(this, status);
    this.wasReset = true;
    this.destroy();
  }

  override _read(): void {
    // Data is pushed as frames arrive; see SpdyConnection's flow-control note.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.pending.push({ data: chunk, fin: false, cb });
    this.conn.flush(this);
  }

  override _final(cb: (err?: Error | null) => void): void {
    // Already closed by a FIN on the reply (or a unidirectional stream): nothing more to send.
    if (this.localEnded) return cb();
    this.pending.push({ data: Buffer.alloc(0), fin: true, cb });
    this.conn.flush(this);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    // Closing early (before both sides ended) tells the peer with RST_STREAM CANCEL.
    if (!this.wasReset && !(this.localEnded && this.remoteEnded)) {
      this.wasReset = true;
      this.conn.sendReset(this, RstStatus.cancel);
    }
    for (const p of this.pending.splice(0)) p.cb(err ?? new Error("stream closed"));
    this.conn.forget(this);
    cb(err);
  }
}

/**
 * A server-side SPDY/3.1 session. Emits "stream" (SpdyStream) for each stream the client opens;
 * the listener must `reply()` or `reset()` it. Emits "close" once the transport is gone.
 *
 * Flow control: we acknowledge received data as it arrives (streams buffer, they do not push
 * back), and honour the peer's windows once the peer shows it keeps them by sending a
 * WINDOW_UPDATE. Go's spdystream (kubectl) never sends one and ignores ours, like the kubelet
 * does, so holding back at 64 KiB for such a peer would stall every transfer.
 */
export class SpdyConnection extends EventEmitter {
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly initialWindow: number;
  private readonly maxDataFrame: number;
  private peerInitialWindow = DEFAULT_WINDOW;
  private sessionSendWindow = DEFAULT_WINDOW;
  private sessionUnacked = 0;
  private peerKeepsWindows = false;
  private lastRemoteId = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private goingAway = false;
  private readonly log?: Logger;

  constructor(
    private readonly transport: SpdyTransport,
    opts: SpdyConnectionOptions = {},
  ) {
    super();
    this.initialWindow = opts.initialWindow ?? DEFAULT_WINDOW;
    this.maxDataFrame = opts.maxDataFrame ?? 32768;
    this.log = opts.log;
    if (this.initialWindow !== DEFAULT_WINDOW) {
      this.write({ type: "settings", flags: 0, entries: [{ flags: 0, id: SETTINGS_INITIAL_WINDOW_SIZE, value: this.initialWindow }] });
    }
  }

  /** Streams currently open. */
  get size(): number {
    return this.streams.size;
  }

  /** Feeds bytes read from the transport. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      return this.protocolError(err as Error);
    }
    for (const f of frames) {
      // Frames are handled strictly in order: header blocks share one decompression stream.
      this.chain = this.chain.then(() => this.handle(f)).catch((err: Error) => this.protocolError(err));
    }
  }

  /** The transport closed underneath us: every stream ends. */
  transportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.decompressor.close();
    for (const s of [...this.streams.values()]) s.destroy();
    this.streams.clear();
    this.emit("close");
  }

  /** Says GOAWAY and closes the transport once the open streams are done (at once if none). */
  goAway(status: number = GoAwayStatus.ok): void {
    if (this.closed || this.goingAway) return;
    this.goingAway = true;
    this.write({ type: "goAway", lastGoodStreamId: this.lastRemoteId, status });
    if (this.streams.size === 0) this.close();
  }

  /** Closes the transport now. */
  close(): void {
    if (this.closed) return;
    this.transport.close();
    this.transportClosed();
  }

  private protocolError(err: Error): void {
    if (this.closed) return;
    this.log?.warn({ err }, "SPDY session error: closing the connection");
    this.write({
      type: "goAway",
      lastGoodStreamId: this.lastRemoteId,
      status: err instanceof SpdyProtocolError ? GoAwayStatus.protocolError : GoAwayStatus.internalError,
    });
    this.close();
  }

  private write(f: Frame): void {
    if (!this.closed) this.transport.write(encodeFrame(f));
  }

  private async handle(f: Frame): Promise<void> {
    if (this.closed) return;
    switch (f.type) {
      case "synStream": {
        const headers = await this.decompressor.decode(f.headerBlock);
        if (f.streamId % 2 !== 1 || f.streamId <= this.lastRemoteId) {
          this.write({ type: "rstStream", streamId: f.streamId, status: RstStatus.protocolError });
          return;
        }
        this.lastRemoteId = f.streamId;
        if (this.goingAway) {
          this.write({ type: "rstStream", streamId: f.streamId, status: RstStatus.refusedStream });
          return;
        }
        const s = new SpdyStream(f.streamId, headers, this, this.peerInitialWindow);
        this.streams.set(f.streamId, s);
        if (f.flags & FLAG_FIN) {
          s.remoteEnded = true;
          s.push(null);
        }
        if (f.flags & FLAG_UNIDIRECTIONAL) {
          s.localEnded = true;
          s.end();
        }
        this.emit("stream", s);
        return;
      }
      case "synReply":
      case "headers": {
        // We open no streams, so these carry nothing for us; decode anyway to keep zlib in step.
        await this.decompressor.decode(f.headerBlock);
        const s = this.streams.get(f.streamId);
        if (s && f.flags & FLAG_FIN) this.remoteEnd(s);
        return;
      }
      case "data": {
        this.sessionUnacked += f.data.length;
        const s = this.streams.get(f.streamId);
        if (!s) {
          if (f.streamId > this.lastRemoteId) this.write({ type: "rstStream", streamId: f.streamId, status: RstStatus.invalidStream });
        } else if (s.remoteEnded) {
          s.reset(RstStatus.streamAlreadyClosed);
        } else {
          if (f.data.length) {
            s.unacked += f.data.length;
            s.push(f.data);
            if (s.unacked >= this.initialWindow / 2 && !(f.flags & FLAG_FIN)) {
              this.write({ type: "windowUpdate", streamId: s.id, delta: s.unacked });
              s.unacked = 0;
            }
          }
          if (f.flags & FLAG_FIN) this.remoteEnd(s);
        }
        if (this.sessionUnacked >= this.initialWindow / 2) {
          this.write({ type: "windowUpdate", streamId: 0, delta: this.sessionUnacked });
          this.sessionUnacked = 0;
        }
        return;
      }
      case "rstStream": {
        const s = this.streams.get(f.streamId);
        if (s) {
          s.wasReset = true;
          s.destroy();
        }
        return;
      }
      case "settings":
        for (const e of f.entries) {
          if (e.id !== SETTINGS_INITIAL_WINDOW_SIZE) continue;
          const delta = e.value - this.peerInitialWindow;
          this.peerInitialWindow = e.value;
          for (const s of this.streams.values()) {
            s.sendWindow += delta;
            this.flush(s);
          }
        }
        return;
      case "ping":
        // Odd ids are the client's (we would use even ones): echo them, as SPDY asks.
        if (f.id % 2 === 1) this.write(f);
        return;
      case "goAway":
        this.goingAway = true;
        if (this.streams.size === 0) this.close();
        return;
      case "windowUpdate": {
        this.peerKeepsWindows = true;
        if (f.streamId === 0) {
          this.sessionSendWindow += f.delta;
          for (const s of this.streams.values()) this.flush(s);
        } else {
          const s = this.streams.get(f.streamId);
          if (s) {
            s.sendWindow += f.delta;
            this.flush(s);
          }
        }
        return;
      }
      case "unknown":
        return;
    }
  }

  private remoteEnd(s: SpdyStream): void {
    if (s.remoteEnded) return;
    s.remoteEnded = true;
    s.push(null);
    this.maybeDone(s);
  }

  private maybeDone(s: SpdyStream): void {
    if (s.remoteEnded && s.localEnded) this.forget(s);
  }

  /** @internal Removes a finished stream; ends a going-away session once none are left. */
  forget(s: SpdyStream): void {
    if (this.streams.get(s.id) === s) this.streams.delete(s.id);
    if (this.goingAway && this.streams.size === 0) this.close();
  }

  /** @internal */
  sendReply(s: SpdyStream, headers: Record<string, string | string[]>, fin: boolean): void {
    this.write({ type: "synReply", streamId: s.id, flags: fin ? FLAG_FIN : 0, headerBlock: this.compressor.compress(headers) });
  }

  /** @internal */
  sendReset(s: SpdyStream, status: number): void {
    this.write({ type: "rstStream", streamId: s.id, status });
  }

  /** @internal Sends what a stream has queued, as far as the windows allow. */
  flush(s: SpdyStream): void {
    while (s.pending.length) {
      if (this.closed) {
        for (const p of s.pending.splice(0)) p.cb(new Error("SPDY connection closed"));
        return;
      }
      const p = s.pending[0];
      let n = Math.min(p.data.length, this.maxDataFrame);
      if (this.peerKeepsWindows && p.data.length > 0) {
        n = Math.min(n, s.sendWindow, this.sessionSendWindow);
        if (n <= 0) return;
      }
      const fin = p.fin && n === p.data.length;
      this.write({ type: "data", streamId: s.id, flags: fin ? FLAG_FIN : 0, data: p.data.subarray(0, n) });
      s.sendWindow -= n;
      this.sessionSendWindow -= n;
      if (n < p.data.length) {
        p.data = p.data.subarray(n);
        continue;
      }
      s.pending.shift();
      if (fin) {
        s.localEnded = true;
        this.maybeDone(s);
      }
      p.cb();
    }
  }
}
