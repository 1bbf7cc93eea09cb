// Keep-alive HTTP/1.1 connections to one endpoint, and one request/response exchange over them.
// Built on plain net/tls sockets and ResponseParser: undici's dispatch path cost the proxy about
// as much CPU per request as Node's whole HTTP server (measured: a bare Node server plus undici
// 60–110 µs per request, plus this client 48–66 µs, nginx ~30). One request at a time on a
// connection (no pipelining), idle connections reused last-in first-out and closed after a
// minute or the backend's Keep-Alive hint less a second, so a reused one is rarely stale.
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Readable } from "node:stream";
import { ParseError, ResponseParser, type ResponseEvents } from "./parser.js";

/** One request to send. `headers` are already the upstream's (hop-by-hop removed). */
export interface UpstreamRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  /** Streamed up once a connection stands; without a content-length header it is sent chunked. */
  body: Readable | null;
  /** Longest wait for the backend's next bytes (ms, 0: none): proxy-read-timeout. */
  readTimeoutMs: number;
}

/** What happens to a request, in order: connected, headers, data…, complete — or an error. */
export interface ResponseHandler {
  /** The connection stands; `abort` ends the exchange (onError follows with `err` or an abort error). */
  onConnect(abort: (err?: Error) => void): void;
  /** Final status and headers as [name, value, …]; `resume` restarts reading after onData said stop. */
  onHeaders(status: number, rawHeaders: string[], resume: () => void): void;
  /** A piece of the body; false: stop reading until `resume`. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error & { code?: string }): void;
}

/** Error codes of this client (beside the socket's own: ECONNREFUSED, ECONNRESET, …). */
export const UpstreamErrors = {
  connectTimeout: "SKIFF_CONNECT_TIMEOUT",
  headersTimeout: "SKIFF_HEADERS_TIMEOUT",
  bodyTimeout: "SKIFF_BODY_TIMEOUT",
  /** The connection ended before a complete response (a reused one: closed by the backend while idle). */
  closed: "SKIFF_UPSTREAM_CLOSED",
  aborted: "SKIFF_ABORTED",
  invalidRequest: "SKIFF_INVALID_REQUEST",
} as const;

const err = (code: string, message: string) => Object.assign(new Error(message), { code });

/** Idle connections kept this long at most (nginx's keepalive_timeout is 60 s). */
const IDLE_MS = 60_000;

/** A request target as sent on the wire: origin form, no spaces or control characters (a rewrite-target could make one). */
function validTarget(path: string): boolean {
  if (path.charCodeAt(0) !== 47 /* / */) return path === "*";
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 32 || c === 127) return false;
  }
  return true;
}

/** A connection and the exchange it carries, if any. */
interface Conn {
  socket: Socket;
  exchange?: Exchange;
  /** The socket's inactivity timeout now (re-arming a timer on every request showed in profiles). */
  timeoutMs: number;
  /** Restarts reading after a handler paused it (one function per connection, not per request). */
  resume: () => void;
}

/** Sets a connection's inactivity timeout unless it is already that. */
function setTimeoutOf(conn: Conn, ms: number): void {
  if (conn.timeoutMs === ms) return;
  conn.timeoutMs = ms;
  conn.socket.setTimeout(ms);
}

/** The connections to one endpoint. */
export class UpstreamPool {
  private readonly idle: Conn[] = [];
  private readonly busy = new Set<Conn>();
  private retired = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly https: boolean,
    private readonly connectTimeoutMs: number,
  ) {}

  /** Sends one request; the handler hears how it goes. */
  dispatch(req: UpstreamRequest, handler: ResponseHandler): void {
    if (!validTarget(req.path)) {
      handler.onError(err(UpstreamErrors.invalidRequest, `invalid request target ${JSON.stringify(req.path.slice(0, 100))}`));
      return;
    }
    const conn = this.idle.pop();
    if (conn) this.start(conn, req, handler);
    else this.connect(req, handler);
  }

  /** Closes idle connections now and busy ones once their response is done (the endpoint is gone). */
  close(): void {
    this.retired = true;
    for (const c of this.idle.splice(0)) c.socket.destroy();
  }

  /** Closes every connection at once. */
  destroy(): void {
    this.close();
    for (const c of this.busy) c.socket.destroy();
  }

  private connect(req: UpstreamRequest, handler: ResponseHandler): void {
    const socket = this.https
      ? tlsConnect({ host: this.host, port: this.port, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] })
      : netConnect({ host: this.host, port: this.port });
    const conn: Conn = { socket, timeoutMs: 0, resume: () => void socket.resume() };
    let connected = false;
    const timer = setTimeout(() => socket.destroy(err(UpstreamErrors.connectTimeout, "connect timed out")), this.connectTimeoutMs);
    socket.once("error", (e) => {
      clearTimeout(timer);
      if (!connected) handler.onError(e);
    });
    socket.once(this.https ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      connected = true;
      socket.setNoDelay(true);
      // Listeners for the connection's whole life; they act on whichever exchange it carries.
      socket.on("data", (d: Buffer) => (conn.exchange ? conn.exchange.data(d) : socket.destroy()));
      socket.on("end", () => conn.exchange?.ended());
      socket.on("error", (e) => conn.exchange?.fail(e));
      socket.on("timeout", () => (conn.exchange ? conn.exchange.timedOut() : socket.destroy()));
      socket.on("close", () => {
        conn.exchange?.fail(err(UpstreamErrors.closed, "the backend closed the connection"));
        this.forget(conn);
      });
      this.start(conn, req, handler);
    });
  }

  private start(conn: Conn, req: UpstreamRequest, handler: ResponseHandler): void {
    this.busy.add(conn);
    conn.exchange = new Exchange(this, conn, req, handler);
    conn.exchange.begin();
  }

  /** Back to the idle list when the response ended cleanly, else closed (by the exchange that ends). */
  release(conn: Conn, reusable: boolean, hintMs: number): void {
    conn.exchange = undefined;
    this.busy.delete(conn);
    const idleMs = hintMs > 0 ? Math.min(IDLE_MS, hintMs - 1000) : IDLE_MS;
    if (!reusable || this.retired || idleMs <= 0 || conn.socket.destroyed) {
      conn.socket.destroy();
      return;
    }
    setTimeoutOf(conn, idleMs);
    conn.socket.resume();
    this.idle.push(conn);
  }

  private forget(conn: Conn): void {
    this.busy.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }
}

/** One request and its response on a connection. */
class Exchange implements ResponseEvents {
  private readonly parser: ResponseParser;
  private settled = false;
  private bodySent: boolean;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly conn: Conn,
    private readonly req: UpstreamRequest,
    private readonly handler: ResponseHandler,
  ) {
    this.bodySent = req.body === null;
    this.parser = new ResponseParser(this, req.method === "HEAD");
  }

  // The parser's events, as methods (no closures per request: this is the hot path).
  onHead(status: number, raw: string[]): void {
    this.handler.onHeaders(status, raw, this.conn.resume);
  }

  onBody(chunk: Buffer): void {
    if (!this.settled && !this.handler.onData(chunk)) this.conn.socket.pause();
  }

  onEnd(): void {
    this.complete();
  }

  begin(): void {
    const { socket } = this.conn;
    setTimeoutOf(this.conn, this.req.readTimeoutMs);
    this.handler.onConnect((e) => this.fail(e ?? err(UpstreamErrors.aborted, "request aborted")));
    if (this.settled) return;
    const { method, path, headers, body } = this.req;
    let head = `${method} ${path} HTTP/1.1\r\n`;
    for (const k in headers) {
      const v = headers[k];
      if (typeof v === "string") head += `${k}: ${v}\r\n`;
      else for (const x of v) head += `${k}: ${x}\r\n`;
    }
    const chunked = body !== null && headers["content-length"] === undefined;
    if (chunked) head += "transfer-encoding: chunked\r\n";
    socket.write(`${head}\r\n`, "latin1");
    if (body) this.sendBody(body, chunked);
  }

  /** Streams the request body with back-pressure. */
  private sendBody(body: Readable, chunked: boolean): void {
    const { socket } = this.conn;
    const onData = (chunk: Buffer) => {
      if (this.settled) return;
      let ok: boolean;
      if (chunked) {
        socket.cork();
        socket.write(`${chunk.length.toString(16)}\r\n`, "latin1");
        socket.write(chunk);
        ok = socket.write("\r\n", "latin1");
        socket.uncork();
      } else ok = socket.write(chunk);
      if (!ok) {
        body.pause();
        socket.once("drain", () => body.resume());
      }
    };
    body.on("data", onData);
    body.once("end", () => {
      if (this.settled) return;
      if (chunked) socket.write("0\r\n\r\n", "latin1");
      this.bodySent = true;
    });
    this.stopBody = () => {
      body.off("data", onData);
      // The rest of a body the backend did not wait for is read and dropped.
      body.resume();
    };
  }

  private stopBody: () => void = () => undefined;

  data(d: Buffer): void {
    if (this.settled) return;
    try {
      this.parser.feed(d);
    } catch (e) {
      this.fail(e instanceof ParseError ? e : err(UpstreamErrors.closed, String(e)));
    }
  }

  ended(): void {
    if (!this.settled && !this.parser.end()) this.fail(err(UpstreamErrors.closed, "the backend closed the connection before the response ended"));
  }

  timedOut(): void {
    const code = this.parser.headed ? UpstreamErrors.bodyTimeout : UpstreamErrors.headersTimeout;
    this.fail(err(code, `no bytes from the backend within ${this.req.readTimeoutMs} ms`));
  }

  private complete(): void {
    if (this.settled) return;
    this.settled = true;
    const p = this.parser;
    // A body still going up when the answer came: the connection cannot be reused.
    if (!this.bodySent) this.stopBody();
    this.pool.release(this.conn, p.keepAlive && !p.extra && this.bodySent, p.keepAliveHintMs);
    this.handler.onComplete();
  }

  fail(e: Error & { code?: string }): void {
    if (this.settled) return;
    this.settled = true;
    this.stopBody();
    this.pool.release(this.conn, false, 0);
    this.handler.onError(e);
  }
}
