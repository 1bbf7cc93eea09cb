// The listeners: plain HTTP, and TLS with certificates chosen by SNI that speaks HTTP/2 (ALPN
// h2) and HTTP/1.1 on one port. Each request is matched against the current snapshot, then
// redirected to HTTPS, answered by the built-in 404, answered 503, or forwarded; upgrades go
// through forwardUpgrade. Every request is written to the access log and the metrics. Both
// listeners read an optional PROXY protocol header (from the node proxy) before the HTTP or TLS
// server sees the connection.
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest } from "node:http2";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { acceptProxyHeader, setPeer, type Peer } from "./proxy-protocol.js";
import type { AccessLog } from "./access-log.js";
import { normalizeHost, wantsHttpsRedirect } from "../routing/routing.js";
import { refKey } from "../backends/backends.js";
import { forward, forwardUpgrade, sendError, type Outcome, type Req, type Res, type ForwardTarget } from "../proxy/forward.js";
import type { Upstreams } from "../proxy/upstreams.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Snapshot } from "../config/configurator.js";
import type { CertStore } from "../tls/certs.js";

export interface ServerOptions {
  http: { host: string; port: number };
  https: { host: string; port: number };
  /** The ports clients address (X-Forwarded-Port, redirects): the Service's 80 and 443. */
  publicHttpPort: number;
  publicHttpsPort: number;
  accessLog: boolean;
  /** PEM of the default certificate (clients that send no SNI). */
  defaultCert: { cert: string; key: string };
}

type Decision =
  | { kind: "answer"; status: number; message: string; headers?: Record<string, string>; ingress: string }
  | { kind: "forward"; target: ForwardTarget; ingress: string };

/** HTTP and HTTPS listeners over a snapshot source. */
export class IngressServer {
  private http?: Server;
  private https?: Http2SecureServer;
  httpPort = 0;
  httpsPort = 0;

  constructor(
    private readonly snapshot: () => Snapshot,
    private readonly certs: CertStore,
    private readonly pools: Upstreams,
    private readonly metrics: Metrics,
    private readonly opts: ServerOptions,
    private readonly log: AccessLog,
  ) {}

  /** Decides what to do with a request. */
  decide(proto: "http" | "https", hostHeader: string | undefined, url: string, remote: string): Decision {
    const snap = this.snapshot();
    if (snap.starting) return { kind: "answer", status: 503, message: "the ingress controller is starting (waiting for the apiserver)", ingress: "" };
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const m = snap.table.match(hostHeader, path);
    const host = normalizeHost(hostHeader);
    if (proto === "http" && wantsHttpsRedirect(snap.table, hostHeader, m)) {
      const port = this.opts.publicHttpsPort === 443 ? "" : `:${this.opts.publicHttpsPort}`;
      return { kind: "answer", status: 308, message: `redirecting to HTTPS`, headers: { location: `https://${host}${port}${url}` }, ingress: m?.ingress ?? "" };
    }
    if (!m)
      return {
        kind: "answer",
        status: 404,
        message: `no Ingress rule matches host ${JSON.stringify(host)} path ${JSON.stringify(path)} and no default backend is set`,
        ingress: "",
      };
    if (!m.backend) return { kind: "answer", status: 503, message: m.route?.unsupported ?? "no backend", ingress: m.ingress ?? "" };
    const r = snap.resolved.get(refKey(m.backend));
    if (!r?.ok) return { kind: "answer", status: 503, message: r ? r.reason : "backend not resolved yet", ingress: m.ingress ?? "" };
    const upstreamUrl = m.upstreamPath !== undefined ? m.upstreamPath + (q < 0 ? "" : url.slice(q)) : url;
    return {
      kind: "forward",
      ingress: m.ingress ?? "",
      target: {
        backend: r.key,
        endpoints: r.endpoints,
        options: m.options,
        path: upstreamUrl,
        client: {
          remoteAddress: remote,
          proto,
          host: String(hostHeader ?? ""),
          port: proto === "https" ? this.opts.publicHttpsPort : this.opts.publicHttpPort,
        },
      },
    };
  }

  private handle(proto: "http" | "https", req: Req, res: Res): void {
    const start = process.hrtime.bigint();
    const host = (req.headers[":authority"] as string | undefined) ?? req.headers.host;
    const url = req.url ?? "/";
    const remote = req.socket?.remoteAddress ?? "";
    const d = this.decide(proto, host, url, remote);
    const done = (o: Outcome) => {
      const secs = Number(process.hrtime.bigint() - start) / 1e9;
      this.metrics.observe(d.ingress, o.status, secs, o.bytesOut);
      if (this.opts.accessLog)
        this.log.write({
          remote,
          proto: `${proto}/${req.httpVersion}`,
          method: req.method,
          host,
          url,
          status: o.status,
          bytes: o.bytesOut,
          ms: Math.round(secs * 1e4) / 10,
          ingress: d.ingress,
          upstream: o.upstream,
          err: o.error,
        });
    };
    if (d.kind === "answer") {
      // The body of a refused request is not read: close an HTTP/1.1 connection that has one.
      sendError(res, d.status, d.message, d.headers);
      return done({ status: d.status, bytesOut: 0 });
    }
    forward(req, res, d.target, this.pools, done);
  }

  private upgrade(proto: "http" | "https", req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const d = this.decide(proto, req.headers.host, req.url ?? "/", req.socket.remoteAddress ?? "");
    const done = (o: Outcome) => {
      this.metrics.observe(d.ingress, o.status, 0, o.bytesOut);
      if (this.opts.accessLog)
        this.log.write({
          remote: req.socket.remoteAddress ?? "",
          proto: `${proto}/upgrade`,
          method: req.method,
          host: req.headers.host,
          url: req.url,
          status: o.status,
          ingress: d.ingress,
          upstream: o.upstream,
          err: o.error,
        });
    };
    if (d.kind === "answer") {
      const body = `${d.status} ${d.message}\n`;
      const extra = Object.entries(d.headers ?? {})
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("");
      socket.end(
        `HTTP/1.1 ${d.status} ${d.status === 308 ? "Permanent Redirect" : d.status === 404 ? "Not Found" : "Service Unavailable"}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
      );
      return done({ status: d.status, bytesOut: 0 });
    }
    forwardUpgrade(req, socket, head, d.target, this.pools, done);
  }

  async start(): Promise<void> {
    const http = createHttpServer({ keepAliveTimeout: 75_000, headersTimeout: 60_000, requestTimeout: 0 }, (req, res) => this.handle("http", req, res));
    http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade("http", req, socket, head));
    http.on("clientError", (_err, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      else socket.destroy();
    });
    const https = createSecureServer(
      { allowHTTP1: true, SNICallback: this.certs.sni, ...this.opts.defaultCert, settings: { enableConnectProtocol: false } },
      (req, res) => this.handle("https", req as Http2ServerRequest, res),
    );
    https.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade("https", req, socket, head));
    https.on("sessionError", () => undefined);
    https.on("tlsClientError", () => undefined);
    // The TLS socket asks the TCP handle for its peer: give it the address of the PROXY header.
    https.on("secureConnection", (t: TLSSocket) => {
      const raw = (t as unknown as { _parent?: Socket })._parent;
      const peer = raw && (raw as unknown as { _peername?: Peer })._peername;
      if (peer) setPeer(t, peer);
    });
    const listen = (s: Server | Http2SecureServer, a: { host: string; port: number }) =>
      new Promise<number>((res, rej) => {
        // The server's own 'connection' listener (HTTP parser / TLS handshake) runs once the
        // PROXY header, if any, has been read off the socket.
        const own = s.listeners("connection") as ((c: Socket) => void)[];
        s.removeAllListeners("connection");
        s.on("connection", (c: Socket) =>
          acceptProxyHeader(c, (c2) => {
            for (const l of own) l.call(s, c2);
          }),
        );
        s.once("error", rej);
        s.listen(a.port, a.host, () => res((s.address() as { port: number }).port));
      });
    this.httpPort = await listen(http, this.opts.http);
    this.httpsPort = await listen(https, this.opts.https);
    this.http = http;
    this.https = https;
  }

  /** Stops accepting; open connections finish their requests (HTTP/1.1 idle ones are closed). */
  async stop(): Promise<void> {
    await Promise.all(
      [this.http, this.https].map(
        (s) =>
          new Promise<void>((r) => {
            if (!s) return r();
            s.close(() => r());
            (s as Server).closeIdleConnections?.();
          }),
      ),
    );
  }
}
