// TCP frontends: accept on ip:port, dial a chosen endpoint (next one on failure or timeout),
// then pipe both ways with back-pressure. Half-close passes through (allowHalfOpen), and
// both sockets are destroyed together on any error, so nothing leaks under churn.
import { createServer, connect, type Server, type Socket } from "node:net";
import type { Logger } from "@skiff/log";
import { backendKey, type Balancer } from "../balancer/balancer.js";
import type { Counters } from "../metrics/metrics.js";

/** Stream buffer size: bigger reads mean fewer syscalls and event-loop turns per byte (bulk throughput). */
const HWM = 256 * 1024;

/** What a frontend needs that can change while it listens (the table is replaced in place). */
export interface FrontendTarget {
  balancer: Balancer;
  counters: Counters;
  /** NodePort / load-balancer frontends (externalTrafficPolicy applies). */
  external: boolean;
}

export interface TcpOptions {
  connectTimeoutMs: number;
  /** How many endpoints one connection tries before giving up. */
  maxAttempts: number;
}

/** One listening TCP frontend. */
export class TcpFrontend {
  private readonly server: Server;
  private readonly open = new Set<Socket>();

  constructor(readonly ip: string, readonly port: number, public target: FrontendTarget, private readonly opts: TcpOptions, private readonly log: Logger) {
    this.server = createServer({ allowHalfOpen: true, noDelay: true, highWaterMark: HWM }, (c) => this.accept(c));
  }

  /** Starts listening; rejects with the system error (EADDRINUSE, EADDRNOTAVAIL…). */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onErr = (err: Error) => reject(err);
      this.server.once("error", onErr);
      this.server.listen({ host: this.ip, port: this.port, backlog: 1024 }, () => {
        this.server.off("error", onErr);
        this.server.on("error", (err) => this.log.warn({ err }, "listener error"));
        resolve();
      });
    });
  }

  /** Stops accepting; established connections carry on until they end. */
  close(): void {
    this.server.close();
  }

  /** Connections currently open through this frontend. */
  get connections(): number {
    return this.open.size;
  }

  private accept(client: Socket): void {
    const { counters } = this.target;
    counters.connections++;
    counters.active++;
    this.open.add(client);
    client.setNoDelay(true);
    let upstream: Socket | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.open.delete(client);
      counters.active--;
      counters.bytesIn += client.bytesRead;
      counters.bytesOut += client.bytesWritten;
      client.destroy();
      upstream?.destroy();
    };
    client.on("error", finish);
    client.on("close", () => {
      // A client that went away while we were still dialing takes the dial with it.
      if (!upstream || upstream.connecting) finish();
    });
    const tried = new Set<string>();
    const clientIP = client.remoteAddress ?? "";
    const attempt = () => {
      if (done) return;
      const b = tried.size < this.opts.maxAttempts ? this.target.balancer.pick(clientIP, this.target.external, tried) : undefined;
      if (!b) {
        counters.errors++;
        // Reset rather than close cleanly: the client must see a failure, not an empty reply.
        client.resetAndDestroy?.() ?? client.destroy();
        finish();
        return;
      }
      tried.add(backendKey(b));
      const up = connect({ host: b.ip, port: b.port, allowHalfOpen: true, noDelay: true, highWaterMark: HWM } as import("node:net").NetConnectOpts);
      upstream = up;
      up.setTimeout(this.opts.connectTimeoutMs);
      const failDial = (err?: Error) => {
        up.removeAllListeners();
        up.on("error", () => undefined);
        up.destroy();
        this.log.debug({ endpoint: backendKey(b), err }, "dial failed; trying the next endpoint");
        attempt();
      };
      up.once("timeout", () => failDial(new Error("connect timeout")));
      up.once("error", failDial);
      up.once("connect", () => {
        up.removeAllListeners("timeout");
        up.removeAllListeners("error");
        up.setTimeout(0);
        if (done) { up.destroy(); return; }
        up.on("error", finish);
        up.on("close", finish);
        client.on("close", finish);
        // pipe() gives back-pressure both ways and ends the other side on EOF (half-close).
        client.pipe(up);
        up.pipe(client);
      });
    };
    attempt();
  }
}
