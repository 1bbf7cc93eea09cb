import { createServer, type Server } from "node:http";
import { PassThrough, Duplex, Readable } from "node:stream";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { silentLogger } from "@skiff/log";
import type { KObject, Pod } from "@skiff/api";
import { upgradeHandler } from "./upgrade.js";
import { TokenAuthenticator } from "../auth/authn.js";
import type { ExecOptions, ExecSession, NodeConnector } from "../../nodes/connector.js";
import type { RestContext } from "../handlers/context.js";
import { Channel, frame } from "./channels.js";
import { connect } from "node:net";
import { encodeFrame, FrameReader, type Frame } from "./spdy/frames.js";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "default" },
  spec: { nodeName: "n1", containers: [{ name: "c", image: "i" }] },
} as Pod;

/** A fake connector: exec echoes stdin upper-cased, records resizes, exits with the code asked for. */
class FakeConnector implements NodeConnector {
  resizes: [number, number][] = [];
  execs: ExecOptions[] = [];
  async logs(): Promise<Readable> {
    return Readable.from(["line\n"]);
  }
  async exec(_p: Pod, opts: ExecOptions): Promise<ExecSession> {
    this.execs.push(opts);
    const stdin = new PassThrough(),
      stdout = new PassThrough(),
      stderr = new PassThrough();
    let exitResolve!: (c: number) => void;
    const exit = new Promise<number>((r) => (exitResolve = r));
    stdin.on("data", (d: Buffer) => stdout.write(d.toString().toUpperCase()));
    stdin.on("end", () => {
      stderr.end("bye\n");
      stdout.end();
      exitResolve(Number(opts.command[opts.command.length - 1]));
    });
    if (!opts.stdin) {
      // Without stdin the command runs to completion at once.
      stdout.end("done");
      stderr.end();
      exitResolve(Number(opts.command[opts.command.length - 1]));
    }
    return { stdin, stdout, stderr, exit, resize: (c, r) => this.resizes.push([c, r]), close: () => undefined };
  }
  async portForward(_p: Pod, port: number): Promise<Duplex> {
    const d = new PassThrough();
    // An echo server that prefixes what it got with the port.
    const out = new PassThrough();
    d.on("data", (b: Buffer) => out.write(`${port}:${b}`));
    return Duplex.from({ writable: d, readable: out });
  }
}

let server: Server | undefined;
afterEach(() => server?.close());

async function start(connector?: NodeConnector): Promise<string> {
  const ctx = { log: silentLogger(), connector, bookmarkIntervalMs: 0, registry: { get: async () => pod as KObject } } as unknown as RestContext;
  server = createServer();
  server.on("upgrade", upgradeHandler(ctx, new TokenAuthenticator([{ token: "t0k", user: { name: "a", groups: [] } }])));
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function collect(ws: WebSocket): { frames: { channel: number; data: string }[]; closed: Promise<void> } {
  const frames: { channel: number; data: string }[] = [];
  ws.on("message", (m: Buffer) => frames.push({ channel: m[0], data: m.subarray(1).toString() }));
  return { frames, closed: new Promise((r) => ws.on("close", () => r())) };
}

describe("exec over the v5 channel protocol", () => {
  it("carries stdin, stdout, stderr and resize on their channels and ends with the exit status", async () => {
    const fake = new FakeConnector();
    const base = await start(fake);
    const ws = new WebSocket(
      `${base}/api/v1/namespaces/default/pods/p/exec?command=sh&command=3&stdin=true&stdout=true&stderr=true`,
      ["v5.channel.k8s.io", "v4.channel.k8s.io"],
      { headers: { Authorization: "Bearer t0k" } },
    );
    const { frames, closed } = collect(ws);
    await new Promise((r) => ws.on("open", r));
    expect(ws.protocol).toBe("v5.channel.k8s.io");
    ws.send(frame(Channel.resize, JSON.stringify({ Width: 120, Height: 40 })));
    ws.send(frame(Channel.stdin, "hello"));
    ws.send(Buffer.from([Channel.close, Channel.stdin]));
    await closed;
    expect(fake.execs[0]).toMatchObject({ container: "c", command: ["sh", "3"], stdin: true, stdout: true, stderr: true, tty: false });
    expect(fake.resizes).toEqual([[120, 40]]);
    expect(
      frames
        .filter((f) => f.channel === Channel.stdout)
        .map((f) => f.data)
        .join(""),
    ).toBe("HELLO");
    expect(
      frames
        .filter((f) => f.channel === Channel.stderr)
        .map((f) => f.data)
        .join(""),
    ).toBe("bye\n");
    const status = JSON.parse(frames.find((f) => f.channel === Channel.error)!.data);
    expect(status).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "3" }] } });
  });

  it("reports Success for exit code 0", async () => {
    const base = await start(new FakeConnector());
    const ws = new WebSocket(`${base}/api/v1/namespaces/default/pods/p/exec?command=0&stdout=true`, ["v4.channel.k8s.io"], {
      headers: { Authorization: "Bearer t0k" },
    });
    const { frames, closed } = collect(ws);
    await closed;
    expect(ws.protocol).toBe("v4.channel.k8s.io");
    expect(
      frames
        .filter((f) => f.channel === Channel.stdout)
        .map((f) => f.data)
        .join(""),
    ).toBe("done");
    expect(JSON.parse(frames.find((f) => f.channel === Channel.error)!.data)).toEqual({ metadata: {}, status: "Success" });
  });
});

describe("port-forward over WebSocket", () => {
  it("opens data and error channels with the port prefix and carries bytes both ways", async () => {
    const base = await start(new FakeConnector());
    const ws = new WebSocket(`${base}/api/v1/namespaces/default/pods/p/portforward?ports=8080`, ["v4.channel.k8s.io"], {
      headers: { Authorization: "Bearer t0k" },
    });
    const { frames } = collect(ws);
    await new Promise((r) => ws.on("open", r));
    await new Promise((r) => setTimeout(r, 50));
    expect(frames.slice(0, 2).map((f) => [f.channel, Buffer.from(f.data, "binary").length])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    ws.send(frame(0, "ping"));
    await new Promise((r) => setTimeout(r, 100));
    expect(
      frames
        .filter((f) => f.channel === 0)
        .map((f) => f.data)
        .join(""),
    ).toContain("8080:ping");
    ws.close();
  });
});

describe("upgrade refusals", () => {
  async function rawStatus(base: string, headers: Record<string, string>): Promise<{ code: number }> {
    const ws = new WebSocket(`${base}/api/v1/namespaces/default/pods/p/exec?command=ls&stdout=true`, ["v5.channel.k8s.io"], { headers });
    return new Promise((resolve) => ws.on("unexpected-response", (_req, res) => resolve({ code: res.statusCode ?? 0 })));
  }
  it("answers 401 without a token and 503 when no node connector is configured", async () => {
    const base = await start(undefined);
    expect((await rawStatus(base, {})).code).toBe(401);
    expect((await rawStatus(base, { Authorization: "Bearer t0k" })).code).toBe(503);
  });
});

describe("port-forward upgrades to SPDY", () => {
  /** Sends a raw upgrade request; resolves with the response head and a reader of the frames after it. */
  function rawUpgrade(base: string, headers: string[]): Promise<{ head: string; frames: Frame[]; send(f: Frame): void; close(): void }> {
    const { port } = new URL(base);
    return new Promise((resolve, reject) => {
      const sock = connect(Number(port), "127.0.0.1");
      const reader = new FrameReader();
      const frames: Frame[] = [];
      let buf = Buffer.alloc(0);
      let head: string | undefined;
      sock.on("error", reject);
      sock.on("data", (d: Buffer) => {
        if (head !== undefined) return void frames.push(...reader.push(d));
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        head = buf.subarray(0, end).toString();
        frames.push(...reader.push(buf.subarray(end + 4)));
        resolve({ head, frames, send: (f) => sock.write(encodeFrame(f)), close: () => sock.destroy() });
      });
      sock.write(
        `${headers[0]} /api/v1/namespaces/default/pods/p/portforward HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0k\r\nConnection: Upgrade\r\n${headers
          .slice(1)
          .map((h) => h + "\r\n")
          .join("")}\r\n`,
      );
    });
  }

  it("answers kubectl's plain SPDY/3.1 upgrade with 101 and speaks SPDY after it", async () => {
    const base = await start(new FakeConnector());
    const c = await rawUpgrade(base, ["POST", "Upgrade: SPDY/3.1", "X-Stream-Protocol-Version: portforward.k8s.io"]);
    expect(c.head).toMatch(/^HTTP\/1.1 101 /);
    expect(c.head).toMatch(/\r\nUpgrade: SPDY\/3.1\r\n/i);
    expect(c.head).toMatch(/\r\nX-Stream-Protocol-Version: portforward.k8s.io/i);
    c.send({ type: "ping", id: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(c.frames).toContainEqual({ type: "ping", id: 1 });
    c.close();
  });

  it("accepts the SPDY-over-WebSocket subprotocol that ws itself would refuse (it has a '/')", async () => {
    const base = await start(new FakeConnector());
    const c = await rawUpgrade(base, [
      "GET",
      "Upgrade: websocket",
      "Sec-WebSocket-Version: 13",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io",
    ]);
    expect(c.head).toMatch(/^HTTP\/1.1 101 /);
    expect(c.head).toMatch(/\r\nSec-WebSocket-Protocol: SPDY\/3.1\+portforward.k8s.io/i);
    c.close();
  });

  it("refuses a SPDY upgrade that offers no stream protocol it serves", async () => {
    const base = await start(new FakeConnector());
    const c = await rawUpgrade(base, ["POST", "Upgrade: SPDY/3.1", "X-Stream-Protocol-Version: v9.example"]);
    expect(c.head).toMatch(/^HTTP\/1.1 400 /);
    c.close();
  });
});
