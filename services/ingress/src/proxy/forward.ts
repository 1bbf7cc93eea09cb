// Forwarding one request to a backend over the keep-alive pools of ./h1 (a lean HTTP/1.1
// client on plain sockets): endpoints tried in round-robin order, the next one on a
// connect failure (the request body is only read once a connection stands, so nothing is lost
// on a retry), bodies streamed both ways with back-pressure, proxy-body-size (413),
// connect/read timeouts (504), 502/503 with bodies that say what failed. Upgrades (WebSocket)
// are piped as raw bytes once the backend answers.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { Transform, type Duplex } from "node:stream";
import type { Endpoint } from "../backends/backends.js";
import type { RouteOptions } from "../annotations/annotations.js";
import { downstreamRaw, upstreamHeaders, type ClientSide } from "./headers.js";
import type { Upstreams } from "./upstreams.js";
import { UpstreamErrors, type ResponseHandler } from "./h1/client.js";

export type Req = IncomingMessage | Http2ServerRequest;
export type Res = ServerResponse | Http2ServerResponse;

/** Where and how one request is forwarded. */
export interface ForwardTarget {
  /** "namespace/service:port", for messages, metrics and round-robin. */
  backend: string;
  endpoints: Endpoint[];
  options: RouteOptions;
  /** Path and query to send upstream. */
  path: string;
  client: ClientSide;
}

/** What happened, for the access log and metrics. */
export interface Outcome {
  status: number;
  upstream?: string;
  bytesOut: number;
  error?: string;
}

/** Answers with a plain-text error body (or cuts the stream if a response has begun). */
export function sendError(res: Res, status: number, message: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    (res as ServerResponse).destroy?.();
    return;
  }
  const body = `${status} ${STATUS_CODES[status]}: ${message}\n`;
  // HTTP/2 forbids connection-specific headers (and ends just the stream anyway).
  if ((res as Http2ServerResponse).stream) delete extra.connection;
  (res as ServerResponse).writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), ...extra });
  res.end(body);
}

/** Whether the request carries a body (HTTP/2: the stream did not end with its headers). */
function hasBody(req: Req): boolean {
  const stream = (req as Http2ServerRequest).stream;
  if (stream) return !stream.endAfterHeaders;
  const cl = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (cl !== undefined && cl !== "0");
}

const CONNECT_ERRORS = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", UpstreamErrors.connectTimeout, "ECONNRESET", "ETIMEDOUT"]);
/** Errors of a pooled connection the backend had just closed (nothing reached it). */
const STALE_ERRORS = new Set<string>([UpstreamErrors.closed, "ECONNRESET", "EPIPE"]);
const READ_TIMEOUTS = new Set<string>([UpstreamErrors.headersTimeout, UpstreamErrors.bodyTimeout]);
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);

/** The request body on its way up: counted against proxy-body-size. */
class BodyTooLarge extends Error {}

/** Forwards `req` to the target; calls `done` once with the outcome. */
export function forward(req: Req, res: Res, t: ForwardTarget, pools: Upstreams, done: (o: Outcome) => void): void {
  const o = t.options;
  const limit = o.bodyLimit;
  const declared = Number(req.headers["content-length"] ?? 0);
  let finished = false;
  const finish = (out: Outcome) => {
    if (!finished) {
      finished = true;
      done(out);
    }
  };
  if (limit && declared > limit) {
    sendError(res, 413, `request body of ${declared} bytes is over the limit of ${limit} bytes (proxy-body-size)`, { connection: "close" });
    return finish({ status: 413, bytesOut: 0 });
  }
  const order = pools.order(t.backend, t.endpoints);
  const https = o.backendProtocol === "HTTPS";
  const headers = upstreamHeaders(req.headers, t.client);
  const method = req.method ?? "GET";
  let abortUpstream: ((err?: Error) => void) | undefined;
  let clientGone = false;
  let upstream = "";
  const tooLarge = () => {
    req.unpipe(counter);
    abortUpstream?.(new BodyTooLarge());
    sendError(res, 413, `request body is over the limit of ${limit} bytes (proxy-body-size)`, { connection: "close" });
    finish({ status: 413, upstream, bytesOut: 0 });
  };
  // The body goes up through a counter that the pool reads only once a connection stands, so
  // nothing is lost when a connect fails and the next endpoint is tried.
  let sent = 0;
  const counter: Transform | undefined = hasBody(req)
    ? new Transform({
        transform(chunk: Buffer, _enc, cb) {
          sent += chunk.length;
          if (limit && sent > limit) return cb(new BodyTooLarge());
          cb(null, chunk);
        },
      })
    : undefined;
  if (counter) {
    counter.on("error", (err) => {
      if (err instanceof BodyTooLarge) tooLarge();
    });
    req.pipe(counter);
  }
  res.on("close", () => {
    if (!res.writableFinished) {
      clientGone = true;
      abortUpstream?.();
      finish({ status: 499, bytesOut: 0, error: "client closed the connection" });
    }
  });
  const failures: string[] = [];

  const attempt = (i: number, sameAgain: boolean): void => {
    const ep = order[i];
    upstream = `${ep.ip}:${ep.port}`;
    let connected = false,
      responded = false,
      bytesOut = 0;
    const handler: ResponseHandler = {
      onConnect(abort: (err?: Error) => void) {
        connected = true;
        abortUpstream = abort;
        if (clientGone || finished) abort();
      },
      onHeaders(status: number, raw: string[], resume: () => void) {
        responded = true;
        if (clientGone || finished) return;
        (res as ServerResponse).writeHead(status, downstreamRaw(raw));
        drain = resume;
      },
      onData(chunk: Buffer): boolean {
        bytesOut += chunk.length;
        // Paused only past 1 MB queued: pausing the pool's parser on every 64 KB chunk (a
        // response's high-water mark is 16 KB) doubled the CPU of large bodies.
        if ((res as ServerResponse).write(chunk) || res.writableLength < 1 << 20) return true;
        res.once("drain", drain);
        return false;
      },
      onComplete() {
        res.end();
        finish({ status: res.statusCode, upstream, bytesOut });
      },
      onError(err: Error & { code?: string }) {
        if (finished || clientGone || err instanceof BodyTooLarge) return;
        const code = err.code ?? "";
        if (responded) {
          (res as ServerResponse).destroy();
          return finish({ status: res.statusCode, upstream, bytesOut, error: `backend closed mid-response (${code || err.message})` });
        }
        if (READ_TIMEOUTS.has(code)) {
          const msg = `no answer from ${upstream} within ${o.readTimeoutMs / 1000} s (proxy-read-timeout)`;
          sendError(res, 504, `backend ${t.backend}: ${msg}`);
          return finish({ status: 504, upstream, bytesOut: 0, error: msg });
        }
        const refused = !connected && CONNECT_ERRORS.has(code);
        const stale = connected && !counter && !sameAgain && IDEMPOTENT.has(method) && STALE_ERRORS.has(code);
        failures.push(
          `${upstream}: ${code === UpstreamErrors.connectTimeout ? `connect timed out after ${o.connectTimeoutMs / 1000} s` : code || err.message}`,
        );
        if (stale) return attempt(i, true);
        if (refused && i + 1 < order.length) return attempt(i + 1, false);
        const msg = refused
          ? `no endpoint of ${t.backend} accepted a connection (${failures.join(", ")})`
          : `backend ${t.backend} failed: ${failures.join(", ")}`;
        sendError(res, 502, msg);
        finish({ status: 502, upstream, bytesOut: 0, error: msg });
      },
    };
    let drain: () => void = () => undefined;
    pools.pool(ep, https, o.connectTimeoutMs).dispatch({ path: t.path, method, headers, body: counter ?? null, readTimeoutMs: o.readTimeoutMs }, handler);
  };
  attempt(0, false);
}

/** Forwards an Upgrade request (WebSocket, h2c, …): raw bytes both ways once connected. */
export function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, t: ForwardTarget, pools: Upstreams, done: (o: Outcome) => void): void {
  const order = pools.order(t.backend, t.endpoints);
  const https = t.options.backendProtocol === "HTTPS";
  const headers = upstreamHeaders(req.headers, t.client, true);
  const lines = [`${req.method} ${t.path} HTTP/1.1`];
  for (const [k, v] of Object.entries(headers)) for (const x of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${x}`);
  const preamble = lines.join("\r\n") + "\r\n\r\n";
  const failures: string[] = [];
  socket.on("error", () => undefined);
  const attempt = (i: number): void => {
    const ep = order[i];
    const up = https ? tlsConnect({ host: ep.ip, port: ep.port, rejectUnauthorized: false }) : netConnect({ host: ep.ip, port: ep.port });
    const timer = setTimeout(() => up.destroy(Object.assign(new Error("connect timeout"), { code: "ECONNTIMEOUT" })), t.options.connectTimeoutMs);
    let connected = false;
    up.once(https ? "secureConnect" : "connect", () => {
      connected = true;
      clearTimeout(timer);
      up.write(preamble);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
      socket.once("close", () => up.destroy());
      up.once("close", () => {
        socket.destroy();
        done({ status: 101, upstream: `${ep.ip}:${ep.port}`, bytesOut: up.bytesRead });
      });
    });
    up.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (connected) {
        socket.destroy();
        return;
      }
      failures.push(`${ep.ip}:${ep.port}: ${err.code ?? err.message}`);
      if (i + 1 < order.length) return attempt(i + 1);
      const body = `502 Bad Gateway: no endpoint of ${t.backend} accepted a connection (${failures.join(", ")})\n`;
      socket.end(
        `HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      done({ status: 502, bytesOut: 0, error: failures.join(", ") });
    });
  };
  attempt(0);
}
