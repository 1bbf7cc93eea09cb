// ResponseParser on byte streams cut at every point: framing by length, chunks, close and
// method/status; interim answers; keep-alive rules; malformed heads refused.
import { describe, expect, it } from "vitest";
import { ParseError, ResponseParser } from "./parser.js";

interface Seen {
  status?: number;
  headers?: string[];
  body: string;
  ended: number;
}

function parser(headRequest = false): { p: ResponseParser; seen: Seen } {
  const seen: Seen = { body: "", ended: 0 };
  const p = new ResponseParser(
    {
      onHead: (status, headers) => Object.assign(seen, { status, headers }),
      onBody: (c) => (seen.body += c.toString("latin1")),
      onEnd: () => seen.ended++,
    },
    headRequest,
  );
  return { p, seen };
}

/** Feeds `text` whole, then cut in two at every offset, then byte by byte; each must read the same. */
function every(text: string, headRequest = false): Seen[] {
  const bytes = Buffer.from(text, "latin1");
  const runs: Seen[] = [];
  const cuts: number[][] = [[]];
  for (let i = 1; i < bytes.length; i++) cuts.push([i]);
  cuts.push(Array.from({ length: bytes.length - 1 }, (_, i) => i + 1));
  for (const at of cuts) {
    const { p, seen } = parser(headRequest);
    let from = 0;
    for (const c of [...at, bytes.length]) {
      p.feed(bytes.subarray(from, c));
      from = c;
    }
    expect(p.done).toBe(true);
    runs.push(seen);
  }
  return runs;
}

describe("ResponseParser", () => {
  it("reads a body framed by Content-Length, cut anywhere", () => {
    for (const s of every("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello"))
      expect(s).toEqual({ status: 200, headers: ["Content-Type", "text/plain", "Content-Length", "5", "X-A", "1", "X-A", "2"], body: "hello", ended: 1 });
  });
  it("decodes chunked bodies with extensions and trailers, cut anywhere", () => {
    const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n";
    for (const s of every(text)) expect(s).toMatchObject({ status: 200, body: "hello world", ended: 1 });
  });
  it("lets chunked coding win over a Content-Length, drops the length and does not reuse the connection", () => {
    const { p, seen } = parser();
    p.feed(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"));
    expect(seen).toEqual({ status: 200, headers: ["Transfer-Encoding", "chunked"], body: "ok", ended: 1 });
    expect(p.keepAlive).toBe(false);
  });
  it("expects no body after HEAD, 204 and 304 whatever the length says", () => {
    for (const s of every("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true)) expect(s).toMatchObject({ status: 200, body: "", ended: 1 });
    for (const s of every("HTTP/1.1 204 No Content\r\n\r\n")) expect(s).toMatchObject({ status: 204, body: "", ended: 1 });
    for (const s of every("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")) expect(s).toMatchObject({ status: 304, ended: 1 });
  });
  it("skips interim answers (100 Continue, 103 Early Hints)", () => {
    for (const s of every("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"))
      expect(s).toEqual({ status: 201, headers: ["Content-Length", "2"], body: "ok", ended: 1 });
  });
  it("reads a body without framing until the connection ends, and does not reuse it", () => {
    const { p, seen } = parser();
    p.feed(Buffer.from("HTTP/1.1 200 OK\r\n\r\nsome"));
    p.feed(Buffer.from(" more"));
    expect(p.done).toBe(false);
    expect(p.end()).toBe(true);
    expect(seen).toMatchObject({ body: "some more", ended: 1 });
    expect(p.keepAlive).toBe(false);
  });
  it("tells a response cut short from a complete one", () => {
    const { p } = parser();
    p.feed(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
    expect(p.end()).toBe(false);
  });
  it("keeps HTTP/1.1 connections unless told to close; HTTP/1.0 only when told to keep them", () => {
    const ka = (head: string) => {
      const { p } = parser();
      p.feed(Buffer.from(`${head}\r\nContent-Length: 0\r\n\r\n`));
      return p.keepAlive;
    };
    expect(ka("HTTP/1.1 200 OK")).toBe(true);
    expect(ka("HTTP/1.1 200 OK\r\nConnection: x-custom")).toBe(true);
    expect(ka("HTTP/1.1 200 OK\r\nConnection: Close")).toBe(false);
    expect(ka("HTTP/1.0 200 OK")).toBe(false);
    expect(ka("HTTP/1.0 200 OK\r\nConnection: keep-alive")).toBe(true);
    const { p } = parser();
    p.feed(Buffer.from("HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n"));
    expect(p.keepAliveHintMs).toBe(5000);
  });
  it("marks bytes past the end of a response (the connection is then not reused)", () => {
    const { p } = parser();
    p.feed(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1"));
    expect(p.extra).toBe(true);
    expect(p.keepAlive).toBe(false);
  });
  it("accepts bare LF line ends and folds obs-fold continuations into one value", () => {
    for (const s of every("HTTP/1.1 200 OK\nX-Long: a\n  b\nContent-Length: 1\n\nz"))
      expect(s).toEqual({ status: 200, headers: ["X-Long", "a b", "Content-Length", "1"], body: "z", ended: 1 });
  });
  it("refuses malformed heads and framing", () => {
    const bad = [
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-Bad : v\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",
    ];
    for (const text of bad) expect(() => parser().p.feed(Buffer.from(text)), text).toThrow(ParseError);
    expect(() => parser().p.feed(Buffer.from(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(70_000)}`))).toThrow(/over 65536 bytes/);
  });
});
