// Forwarding one request to a backend: endpoints tried in round-robin order, the next one on a
// connect failure (the request body is only read once a connection stands, so nothing is lost
// on a retry), bodies streamed both ways with back-pressure, proxy-body-size (413),
// connect/read timeouts (504), 502/503 with bodies that say what failed. Upgrades (WebSocket)
// are piped as raw bytes once the backend answers.
import { request as httpRequest, STATUS_CODES, type ClientRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Duplex } from "node:stream";
import type { Endpoint } from "../backends/backends.js";
import type { RouteOptions } from "../annotations/annotations.js";
import { downstreamHeaders, upstreamHeaders, type ClientSide } from "./headers.js";
import type { Upstreams } from "./upstreams.js";

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

const CONNECT_ERRORS = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "ECONNTIMEOUT"]);

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
  const body = hasBody(req);
  const https = o.backendProtocol === "HTTPS";
  const headers = upstreamHeaders(req.headers, t.client);
  let current: ClientRequest | undefined;
  let clientGone = false;
  res.on("close", () => {
    if (!res.writableFinished) {
      clientGone = true;
      current?.destroy();
      finish({ status: 499, bytesOut: 0, error: "client closed the connection" });
    }
  });
  const failures: string[] = [];

  const attempt = (i: number, sameAgain: boolean): void => {
    const ep = order[i];
    const upstream = `${ep.ip}:${ep.port}`;
    const preq = (https ? httpsRequest : httpRequest)({
      host: ep.ip,
      port: ep.port,
      method: req.method,
      path: t.path,
      headers,
      agent: pools.agent(ep, https),
      ...(https ? { servername: undefined } : {}),
    });
    current = preq;
    let connected = false,
      responded = false,
      sent = 0,
      timedOut = "";
    let readTimer: NodeJS.Timeout | undefined;
    // One timer per request, restarted (refresh) on each chunk rather than replaced: a new
    // timer per chunk was a measurable share of the per-request CPU.
    let readDone = false;
    const armRead = () => {
      if (readDone) return;
      if (readTimer) {
        readTimer.refresh();
        return;
      }
      readTimer = setTimeout(() => {
        timedOut = `no answer from ${upstream} within ${o.readTimeoutMs / 1000} s (proxy-read-timeout)`;
        preq.destroy(new Error(timedOut));
      }, o.readTimeoutMs);
    };
    let connectTimer: NodeJS.Timeout | undefined;
    const clear = () => {
      readDone = true;
      if (connectTimer) clearTimeout(connectTimer);
      if (readTimer) clearTimeout(readTimer);
    };
    const sendBody = () => {
      connected = true;
      if (connectTimer) clearTimeout(connectTimer);
      armRead();
      if (!body) {
        preq.end();
        return;
      }
      const onData = (chunk: Buffer) => {
        sent += chunk.length;
        if (limit && sent > limit) {
          req.off("data", onData);
          preq.destroy();
          sendError(res, 413, `request body is over the limit of ${limit} bytes (proxy-body-size)`, { connection: "close" });
          finish({ status: 413, upstream, bytesOut: 0 });
          return;
        }
        if (!preq.write(chunk)) req.pause();
      };
      preq.on("drain", () => req.resume());
      req.on("data", onData);
      req.once("end", () => preq.end());
      req.resume();
    };
    preq.once("socket", (s: Socket) => {
      if (!s.connecting) return sendBody(); // a pooled connection
      connectTimer = setTimeout(() => {
        const e = new Error(`connect to ${upstream} timed out after ${o.connectTimeoutMs / 1000} s`) as NodeJS.ErrnoException;
        e.code = "ECONNTIMEOUT";
        preq.destroy(e);
      }, o.connectTimeoutMs);
      s.once(https ? "secureConnect" : "connect", sendBody);
    });
    preq.once("response", (pres: IncomingMessage) => {
      responded = true;
      armRead();
      if (clientGone || finished) {
        pres.destroy();
        return;
      }
      const status = pres.statusCode ?? 502;
      (res as ServerResponse).writeHead(status, downstreamHeaders(pres.headers));
      let bytesOut = 0;
      pres.on("data", (c: Buffer) => {
        bytesOut += c.length;
        armRead();
      });
      pres.pipe(res as ServerResponse);
      pres.once("end", () => {
        clear();
        finish({ status, upstream, bytesOut });
      });
      pres.once("aborted", () => {
        clear();
        (res as ServerResponse).destroy();
        finish({ status, upstream, bytesOut, error: "backend closed mid-response" });
      });
      pres.once("error", () => {
        clear();
        (res as ServerResponse).destroy();
      });
    });
    preq.once("error", (err: NodeJS.ErrnoException) => {
      clear();
      if (finished || clientGone) return;
      if (responded) {
        (res as ServerResponse).destroy();
        return finish({ status: res.statusCode, upstream, bytesOut: 0, error: err.message });
      }
      if (timedOut) {
        sendError(res, 504, `backend ${t.backend}: ${timedOut}`);
        return finish({ status: 504, upstream, bytesOut: 0, error: timedOut });
      }
      const refused = !connected && (CONNECT_ERRORS.has(err.code ?? "") || err.code === "ECONNRESET" || err.code === "ETIMEDOUT");
      // A pooled connection the backend had just closed: nothing reached it, so try again.
      const stale = connected && preq.reusedSocket && sent === 0 && !body && (err.code === "ECONNRESET" || err.code === "EPIPE");
      failures.push(`${upstream}: ${err.code ?? err.message}`);
      if (stale && !sameAgain) return attempt(i, true);
      if (refused && i + 1 < order.length) return attempt(i + 1, false);
      const msg = refused
        ? `no endpoint of ${t.backend} accepted a connection (${failures.join(", ")})`
        : `backend ${t.backend} failed: ${failures.join(", ")}`;
      sendError(res, 502, msg);
      finish({ status: 502, upstream, bytesOut: 0, error: msg });
    });
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
