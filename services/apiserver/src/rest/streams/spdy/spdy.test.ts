import { constants, createDeflate, inflateSync } from "node:zlib";
import { Duplex, PassThrough } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "@skiff/log";
import type { Pod } from "@skiff/api";
import { encodeFrame, FLAG_FIN, FrameReader, RstStatus, type Frame } from "./frames.js";
import { adler32, encodeHeaderBlock, HeaderCompressor, HeaderDecompressor, parseHeaderBlock } from "./headers.js";
import { spdyDictionary } from "./dictionary.js";
import { SpdyConnection, type SpdyStream } from "./connection.js";
import { servePortForwardSpdy } from "../portforward-spdy.js";
import { serveExecSpdy } from "../exec-spdy.js";
import type { ExecOptions, NodeConnector } from "../../../nodes/connector.js";

/**
 * Lets the streams' callbacks run: rounds of setImmediate (the work here is chained through
 * immediates and microtasks), each followed by a short timer, five times over: header
 * (de)compression runs on libuv's thread pool, which a loaded machine (other test files, other
 * processes) can hold up past a single short timer.
 */
const tick = async () => {
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("SPDY frames", () => {
  const frames: Frame[] = [
    { type: "data", streamId: 5, flags: FLAG_FIN, data: Buffer.from("hello") },
    { type: "synStream", streamId: 1, associatedId: 0, priority: 3, flags: 0, headerBlock: Buffer.from([1, 2, 3]) },
    { type: "synReply", streamId: 3, flags: FLAG_FIN, headerBlock: Buffer.from([9]) },
    { type: "headers", streamId: 3, flags: 0, headerBlock: Buffer.from([7, 7]) },
    { type: "rstStream", streamId: 7, status: RstStatus.cancel },
    {
      type: "settings",
      flags: 1,
      entries: [
        { flags: 0, id: 7, value: 1 << 20 },
        { flags: 1, id: 4, value: 100 },
      ],
    },
    { type: "ping", id: 0xfffffffe },
    { type: "goAway", lastGoodStreamId: 9, status: 1 },
    { type: "windowUpdate", streamId: 0, delta: 0x7fffffff },
  ];

  it("round-trip through the encoder and a reader fed one byte at a time", () => {
    const wire = Buffer.concat(frames.map(encodeFrame));
    const reader = new FrameReader();
    const out: Frame[] = [];
    for (const b of wire) out.push(...reader.push(Buffer.from([b])));
    expect(out).toEqual(frames);
  });

  it("lays out control and data headers as the spec says", () => {
    expect([...encodeFrame({ type: "ping", id: 1 })]).toEqual([0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]);
    expect([...encodeFrame({ type: "data", streamId: 3, flags: FLAG_FIN, data: Buffer.from("x") })]).toEqual([0, 0, 0, 3, 1, 0, 0, 1, 0x78]);
  });

  it("rejects other SPDY versions and oversized frames, and passes unknown control types through", () => {
    expect(() => new FrameReader().push(Buffer.from([0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]))).toThrow(/version 2/);
    expect(() => new FrameReader(1024).push(Buffer.from([0, 0, 0, 1, 0, 0, 8, 0]))).toThrow(/exceeds/);
    expect(new FrameReader().push(Buffer.from([0x80, 3, 0, 0x63, 0, 0, 0, 1, 42]))).toEqual([
      { type: "unknown", frameType: 0x63, flags: 0, payload: Buffer.from([42]) },
    ]);
  });
});

describe("SPDY header compression", () => {
  it("uses SPDY/3's 1423-byte dictionary", () => {
    expect(spdyDictionary.length).toBe(1423);
    expect(spdyDictionary.subarray(0, 11)).toEqual(Buffer.from("\0\0\0\x07options", "latin1"));
    expect(spdyDictionary.subarray(-7).toString("latin1")).toBe(",enq=0.");
    expect(adler32(Buffer.from("Wikipedia"))).toBe(0x11e60398);
  });

  it("parses blocks only once complete, with several values per name", () => {
    const raw = encodeHeaderBlock({ StreamType: "data", Port: ["80", "81"] });
    expect(parseHeaderBlock(raw.subarray(0, raw.length - 1))).toBeUndefined();
    expect(parseHeaderBlock(raw)).toEqual({ headers: { streamtype: ["data"], port: ["80", "81"] }, length: raw.length });
  });

  it("our compressor's stream inflates with the dictionary (and only with it), block after block", async () => {
    const c = new HeaderCompressor();
    const blocks = [c.compress({}), c.compress({ streamtype: "error", port: "8080" })];
    const wire = Buffer.concat(blocks);
    // Every block ends with the sync-flush marker, so an inflater can hand out each block alone.
    for (const b of blocks) expect([...b.subarray(-5)]).toEqual([0, 0, 0, 0xff, 0xff]);
    const inflated = inflateSync(wire, { dictionary: spdyDictionary, finishFlush: constants.Z_SYNC_FLUSH });
    expect(inflated).toEqual(Buffer.concat([encodeHeaderBlock({}), encodeHeaderBlock({ streamtype: "error", port: "8080" })]));
    expect(() => inflateSync(wire, { finishFlush: constants.Z_SYNC_FLUSH })).toThrow(/dictionary/i);

    const d = new HeaderDecompressor();
    expect(await d.decode(blocks[0])).toEqual({});
    expect(await d.decode(blocks[1])).toEqual({ streamtype: ["error"], port: ["8080"] });
    d.close();
  });

  it("decodes what a real deflater (like Go's, best compression + sync flush) writes", async () => {
    const z = createDeflate({ dictionary: spdyDictionary, level: 9 });
    const chunks: Buffer[] = [];
    z.on("data", (c: Buffer) => chunks.push(c));
    const block = async (h: Record<string, string>) => {
      z.write(encodeHeaderBlock(h));
      await new Promise<void>((r) => z.flush(constants.Z_SYNC_FLUSH, () => r()));
      await tick();
      return Buffer.concat(chunks.splice(0));
    };
    const b1 = await block({ streamtype: "error", port: "8080", requestid: "0" });
    const b2 = await block({ streamtype: "data", port: "8080", requestid: "0" });
    z.close();
    const d = new HeaderDecompressor();
    // Both decodes queued before either resolves: order is kept.
    const [h1, h2] = await Promise.all([d.decode(b1), d.decode(b2)]);
    expect(h1).toEqual({ streamtype: ["error"], port: ["8080"], requestid: ["0"] });
    expect(h2).toEqual({ streamtype: ["data"], port: ["8080"], requestid: ["0"] });
    await expect(d.decode(Buffer.from([1, 2, 3, 4, 5]))).rejects.toThrow(/header decompression failed/);
    d.close();
  });
});

/** A SPDY client over an in-memory transport, to drive a server-side SpdyConnection. */
class TestClient {
  readonly frames: Frame[] = [];
  readonly replies = new Map<number, Record<string, string[]>>();
  readonly data = new Map<number, Buffer>();
  readonly fin = new Set<number>();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly reader = new FrameReader();
  private nextId = 1;
  closed = false;
  readonly server: SpdyConnection;

  constructor(initialWindow?: number) {
    this.server = new SpdyConnection(
      {
        write: (b) => this.onBytes(b),
        close: () => {
          this.closed = true;
        },
      },
      { initialWindow },
    );
  }

  private onBytes(b: Buffer): void {
    for (const f of this.reader.push(b)) {
      this.frames.push(f);
      if (f.type === "synReply") void this.decompressor.decode(f.headerBlock).then((h) => this.replies.set(f.streamId, h));
      if (f.type === "data") {
        this.data.set(f.streamId, Buffer.concat([this.data.get(f.streamId) ?? Buffer.alloc(0), f.data]));
        if (f.flags & FLAG_FIN) this.fin.add(f.streamId);
      }
    }
  }

  send(f: Frame): void {
    this.server.receive(encodeFrame(f));
  }

  open(headers: Record<string, string>, flags = 0): number {
    const id = this.nextId;
    this.nextId += 2;
    this.send({ type: "synStream", streamId: id, associatedId: 0, priority: 0, flags, headerBlock: this.compressor.compress(headers) });
    return id;
  }

  /** Sends a SYN_STREAM for an id chosen by the test (to misbehave). */
  reopen(id: number, headers: Record<string, string>): void {
    this.send({ type: "synStream", streamId: id, associatedId: 0, priority: 0, flags: 0, headerBlock: this.compressor.compress(headers) });
  }

  text(id: number): string {
    return this.data.get(id)?.toString() ?? "";
  }
}

describe("SpdyConnection", () => {
  it("surfaces client streams with their headers, replies, carries data both ways and half-closes", async () => {
    const c = new TestClient();
    const streams: SpdyStream[] = [];
    c.server.on("stream", (s: SpdyStream) => {
      streams.push(s);
      s.reply();
      s.on("data", (b: Buffer) => s.write(b.toString().toUpperCase()));
      s.on("end", () => s.end("!"));
    });
    const id = c.open({ streamtype: "data", port: "80" });
    c.send({ type: "data", streamId: id, flags: 0, data: Buffer.from("abc") });
    c.send({ type: "data", streamId: id, flags: FLAG_FIN, data: Buffer.from("def") });
    await tick();
    expect(streams[0].header("StreamType")).toBe("data");
    expect(c.replies.get(id)).toEqual({});
    expect(c.text(id)).toBe("ABCDEF!");
    expect(c.fin.has(id)).toBe(true);
    expect(c.server.size).toBe(0);
  });

  it("answers the client's pings, refuses reused stream ids, and resets streams on RST_STREAM", async () => {
    const c = new TestClient();
    const streams: SpdyStream[] = [];
    c.server.on("stream", (s: SpdyStream) => {
      streams.push(s);
      s.reply();
    });
    c.send({ type: "ping", id: 1 });
    c.send({ type: "ping", id: 2 }); // an even id would be our own ping's answer: not echoed
    const id = c.open({ a: "b" });
    c.reopen(id, {});
    await tick();
    expect(c.frames.filter((f) => f.type === "ping")).toEqual([{ type: "ping", id: 1 }]);
    expect(c.frames).toContainEqual({ type: "rstStream", streamId: id, status: RstStatus.protocolError });
    const closed = new Promise((r) => streams[0].on("close", r));
    c.send({ type: "rstStream", streamId: id, status: RstStatus.cancel });
    await closed;
    expect(c.server.size).toBe(0);
  });

  it("flow control: acknowledges received data, and keeps to the peer's window once it keeps windows", async () => {
    const c = new TestClient();
    let stream!: SpdyStream;
    c.server.on("stream", (s: SpdyStream) => {
      stream = s;
      s.reply();
      s.resume();
    });
    const id = c.open({});
    // 40 KiB in: past half the 64 KiB window, so the server opens it again for the stream and the session.
    c.send({ type: "data", streamId: id, flags: 0, data: Buffer.alloc(40 * 1024) });
    await tick();
    expect(c.frames).toContainEqual({ type: "windowUpdate", streamId: id, delta: 40 * 1024 });
    expect(c.frames).toContainEqual({ type: "windowUpdate", streamId: 0, delta: 40 * 1024 });

    // A peer that never sent WINDOW_UPDATE (Go's spdystream) gets everything at once.
    stream.write(Buffer.alloc(100 * 1024, 1));
    await tick();
    expect(c.data.get(id)?.length).toBe(100 * 1024);

    // Once the peer keeps windows, sending stops at the window and resumes when it grows.
    const id2 = c.open({});
    await tick();
    c.send({ type: "windowUpdate", streamId: id2, delta: 1 }); // the peer now keeps windows
    await tick();
    let s2!: SpdyStream;
    c.server.once("stream", (s: SpdyStream) => {
      s2 = s;
      s.reply();
    });
    const id3 = c.open({});
    await tick();
    // The session window is what is left of 64 KiB after the 100 KiB sent while unenforced: none.
    c.send({ type: "windowUpdate", streamId: 0, delta: 100 * 1024 });
    s2.write(Buffer.alloc(80 * 1024, 2));
    await tick();
    expect(c.data.get(id3)?.length).toBe(64 * 1024);
    // Both windows must open: the stream's alone is not enough.
    c.send({ type: "windowUpdate", streamId: id3, delta: 16 * 1024 });
    await tick();
    expect(c.data.get(id3)?.length).toBe(64 * 1024);
    c.send({ type: "windowUpdate", streamId: 0, delta: 16 * 1024 });
    await tick();
    expect(c.data.get(id3)?.length).toBe(80 * 1024);
  });

  it("ends every stream when the transport closes, and closes on a protocol error with GOAWAY", async () => {
    const c = new TestClient();
    const closed: number[] = [];
    const opened: number[] = [];
    c.server.on("stream", (s: SpdyStream) => {
      s.reply();
      opened.push(s.id);
      s.on("close", () => closed.push(s.id));
    });
    c.open({});
    c.open({});
    // Polled rather than a fixed number of ticks: header (de)compression runs on zlib's threads,
    // which a loaded machine may not schedule within a few ticks.
    await vi.waitFor(() => expect(opened).toEqual([1, 3]), { timeout: 5000 });
    c.server.transportClosed();
    await vi.waitFor(() => expect(closed).toEqual([1, 3]), { timeout: 5000 });

    const bad = new TestClient();
    bad.server.receive(Buffer.from([0x80, 2, 0, 1, 0, 0, 0, 0]));
    await vi.waitFor(
      () => {
        expect(bad.frames).toContainEqual({ type: "goAway", lastGoodStreamId: 0, status: 1 });
        expect(bad.closed).toBe(true);
      },
      { timeout: 5000 },
    );
  });
});

describe("port-forward over SPDY", () => {
  const pod = { metadata: { name: "web", namespace: "default" }, spec: { nodeName: "n", containers: [] } } as unknown as Pod;
  const echo: NodeConnector = {
    logs: async () => {
      throw new Error("unused");
    },
    exec: async () => {
      throw new Error("unused");
    },
    async portForward(_p, port) {
      if (port === 9) throw new Error("connection refused");
      const inbound = new PassThrough();
      const outbound = new PassThrough();
      inbound.on("data", (b: Buffer) => outbound.write(`${port}:${b}`));
      inbound.on("end", () => outbound.end());
      return Duplex.from({ writable: inbound, readable: outbound });
    },
  };

  it("pairs error and data streams by requestID and forwards the data stream to the pod port", async () => {
    const c = new TestClient();
    servePortForwardSpdy(c.server, echo, pod, silentLogger());
    const err = c.open({ streamtype: "error", port: "8080", requestid: "0" });
    c.send({ type: "data", streamId: err, flags: FLAG_FIN, data: Buffer.alloc(0) });
    const data = c.open({ streamtype: "data", port: "8080", requestid: "0" });
    c.send({ type: "data", streamId: data, flags: 0, data: Buffer.from("GET /") });
    await tick();
    expect(c.replies.has(err) && c.replies.has(data)).toBe(true);
    expect(c.text(data)).toBe("8080:GET /");
    c.send({ type: "data", streamId: data, flags: FLAG_FIN, data: Buffer.alloc(0) });
    await tick();
    // The pod side ended: the data stream ends, then the error stream ends empty (no error).
    expect(c.fin.has(data) && c.fin.has(err)).toBe(true);
    expect(c.text(err)).toBe("");
  });

  it("writes a failure on the error stream", async () => {
    const c = new TestClient();
    servePortForwardSpdy(c.server, echo, pod, silentLogger());
    const err = c.open({ streamtype: "error", port: "9", requestid: "1" });
    const data = c.open({ streamtype: "data", port: "9", requestid: "1" });
    await tick();
    expect(c.text(err)).toBe("error forwarding port 9 to pod web: connection refused");
    expect(c.fin.has(err) && c.fin.has(data)).toBe(true);
  });

  it("refuses streams with bad headers", async () => {
    const c = new TestClient();
    servePortForwardSpdy(c.server, echo, pod, silentLogger());
    const id = c.open({ streamtype: "data", port: "http", requestid: "2" });
    await tick();
    expect(c.frames).toContainEqual({ type: "rstStream", streamId: id, status: RstStatus.protocolError });
  });
});

describe("exec over SPDY (v4.channel.k8s.io)", () => {
  const pod = { metadata: { name: "p", namespace: "default" }, spec: { nodeName: "n", containers: [{ name: "c" }] } } as unknown as Pod;
  /** exec upper-cases stdin to stdout, says bye on stderr, exits with the code named by the command. */
  const connector: NodeConnector = {
    logs: async () => {
      throw new Error("unused");
    },
    portForward: async () => {
      throw new Error("unused");
    },
    async exec(_p, o: ExecOptions) {
      const stdin = new PassThrough(),
        stdout = new PassThrough(),
        stderr = new PassThrough();
      let done!: (n: number) => void;
      const exit = new Promise<number>((r) => (done = r));
      stdin.on("data", (b: Buffer) => stdout.write(b.toString().toUpperCase()));
      stdin.on("end", () => {
        stdout.end();
        stderr.end("bye\n");
        done(Number(o.command[0]));
      });
      return { stdin, stdout, stderr, exit, resize: () => undefined, close: () => undefined };
    },
  };

  it("runs once error, stdin, stdout and stderr are open; output ends before the exit Status", async () => {
    const c = new TestClient();
    serveExecSpdy(c.server, connector, pod, { container: "c", command: ["3"], stdin: true, stdout: true, stderr: true, tty: false }, silentLogger());
    const err = c.open({ streamtype: "error" });
    const stdin = c.open({ streamtype: "stdin" });
    const stdout = c.open({ streamtype: "stdout" });
    c.send({ type: "data", streamId: stdin, flags: 0, data: Buffer.from("hey") });
    await tick();
    // Not all streams are open yet: nothing runs.
    expect(c.text(stdout)).toBe("");
    const stderr = c.open({ streamtype: "stderr" });
    await tick();
    expect(c.text(stdout)).toBe("HEY");
    c.send({ type: "data", streamId: stdin, flags: FLAG_FIN, data: Buffer.alloc(0) });
    await tick();
    expect(c.text(stderr)).toBe("bye\n");
    expect(c.fin.has(stdout) && c.fin.has(stderr) && c.fin.has(err)).toBe(true);
    const outEnd = c.frames.findIndex((f) => f.type === "data" && f.streamId === stdout && f.flags & FLAG_FIN);
    const status = c.frames.findIndex((f) => f.type === "data" && f.streamId === err && f.data.length > 0);
    expect(outEnd).toBeLessThan(status);
    expect(JSON.parse(c.text(err))).toMatchObject({
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
    expect(c.frames.some((f) => f.type === "goAway")).toBe(true);
  });
});
