// The cluster DNS server: answers questions in the cluster domain from its Services and
// Endpoints informers, over UDP and TCP on one port; other names go to the configured
// upstream resolvers (the host's, by default; the next one when one fails or is silent), or get
// REFUSED when there are none (never a guess; tests give their own fake upstream or "none").
import { createSocket, type Socket } from "node:dgram";
import { createServer, connect, type Server } from "node:net";
import type { Logger } from "@skiff/log";
import { parseQuery, buildResponse, RCODE, TYPE, type Query } from "../wire/wire.js";
import { resolve, type ClusterView } from "../records/records.js";
import { splitHostPort } from "../upstream/resolv-conf.js";

export interface DnsServerOptions {
  host: string;
  port: number;
  domain: string;
  /** host:port of the upstream resolvers, tried in order; [] = none. */
  upstreams: string[];
  upstreamTimeoutMs: number;
}

/** UDP + TCP DNS server over a ClusterView. */
export class DnsServer {
  private udp?: Socket;
  private tcp?: Server;
  port = 0;

  constructor(
    private readonly view: ClusterView,
    private readonly opts: DnsServerOptions,
    private readonly log: Logger,
  ) {}

  /** Answers one wire-format query (undefined = drop it: unparseable). */
  async answer(msg: Buffer, via: "udp" | "tcp"): Promise<Buffer | undefined> {
    let q: Query;
    try {
      q = parseQuery(msg);
    } catch {
      if (msg.length < 12) return undefined;
      return buildResponse({ id: msg.readUInt16BE(0), flags: 0, name: "", type: 0, qclass: 1 }, RCODE.FORMERR, []);
    }
    if ((q.flags & 0x7800) !== 0) return buildResponse(q, RCODE.NOTIMP, []);
    const r = resolve(this.view, this.opts.domain, q.name, q.type);
    if (r) {
      const soa =
        r.answers.length === 0
          ? [
              {
                name: this.opts.domain,
                type: TYPE.SOA,
                ttl: 5,
                mname: `ns.dns.${this.opts.domain}`,
                rname: `hostmaster.${this.opts.domain}`,
                serial: Math.floor(Date.now() / 1000) >>> 0,
                minimum: 5,
              } as const,
            ]
          : [];
      return buildResponse(q, r.rcode, r.answers, soa, { authoritative: true, recursion: this.opts.upstreams.length > 0 });
    }
    if (this.opts.upstreams.length === 0) return buildResponse(q, RCODE.REFUSED, []);
    for (const upstream of this.opts.upstreams) {
      try {
        return await this.forward(msg, via, upstream);
      } catch (err) {
        this.log.debug({ err, name: q.name, upstream }, "upstream failed");
      }
    }
    return buildResponse(q, RCODE.SERVFAIL, [], [], { recursion: true });
  }

  /** The upstream resolvers, in the order they are tried. */
  get upstreams(): string[] {
    return this.opts.upstreams;
  }

  private forward(msg: Buffer, via: "udp" | "tcp", upstream: string): Promise<Buffer> {
    const { host, port } = splitHostPort(upstream);
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error("upstream timeout"));
      }, this.opts.upstreamTimeoutMs);
      let cleanup = () => clearTimeout(timer);
      if (via === "udp") {
        const s = createSocket(host.includes(":") ? "udp6" : "udp4");
        cleanup = () => {
          clearTimeout(timer);
          try {
            s.close();
          } catch {
            /* closed */
          }
        };
        s.on("message", (m) => {
          cleanup();
          res(m);
        });
        s.on("error", (e) => {
          cleanup();
          rej(e);
        });
        s.send(msg, port, host);
      } else {
        const c = connect({ host, port });
        let buf = Buffer.alloc(0);
        cleanup = () => {
          clearTimeout(timer);
          c.destroy();
        };
        c.on("connect", () => {
          const l = Buffer.alloc(2);
          l.writeUInt16BE(msg.length);
          c.write(Buffer.concat([l, msg]));
        });
        c.on("data", (d) => {
          buf = Buffer.concat([buf, d]);
          if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            cleanup();
            res(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          }
        });
        c.on("error", (e) => {
          cleanup();
          rej(e);
        });
      }
    });
  }

  /** Binds UDP and TCP on the same port (port 0: any free one, the same for both). */
  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket("udp4");
      await new Promise<void>((res, rej) => {
        udp.once("error", rej);
        udp.bind(this.opts.port, this.opts.host, () => res());
      });
      const port = udp.address().port;
      const tcp = createServer((c) => this.serveTcp(c));
      try {
        await new Promise<void>((res, rej) => {
          tcp.once("error", rej);
          tcp.listen(port, this.opts.host, () => res());
        });
      } catch (err) {
        udp.close();
        if (this.opts.port === 0 && attempt < 5) continue; // the TCP twin of a random port was taken
        throw err;
      }
      udp.on("message", (m, r) => {
        void this.answer(m, "udp").then((out) => {
          if (!out) return;
          // Over UDP, answers that do not fit 512 bytes are truncated (TC) so the client retries on TCP.
          if (out.length > 512) {
            out = out.subarray(0, 12);
            out.writeUInt16BE(out.readUInt16BE(2) | 0x0200, 2);
            out.fill(0, 4, 12);
          }
          udp.send(out, r.port, r.address);
        });
      });
      udp.on("error", (err) => this.log.warn({ err }, "udp error"));
      this.udp = udp;
      this.tcp = tcp;
      this.port = port;
      return;
    }
  }

  private serveTcp(c: import("node:net").Socket): void {
    let buf = Buffer.alloc(0);
    c.setTimeout(10_000, () => c.destroy());
    c.on("error", () => c.destroy());
    c.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.answer(Buffer.from(msg), "tcp").then((out) => {
          if (!out || c.destroyed) return;
          const l = Buffer.alloc(2);
          l.writeUInt16BE(out.length);
          c.write(Buffer.concat([l, out]));
        });
      }
    });
  }

  stop(): void {
    try {
      this.udp?.close();
    } catch {
      /* closed */
    }
    this.tcp?.close();
  }
}
