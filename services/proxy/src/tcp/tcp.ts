// TCP frontends: accept on ip:port (paused: nothing is read while dialing), dial a chosen
// endpoint (next one on failure or timeout), optionally send a PROXY protocol header, then relay
// both ways with back-pressure and pooled read buffers (relay.ts, both directions). Half-close
// passes through (allowHalfOpen), and both sockets are destroyed together on any error, so
// nothing leaks under churn.
import { createServer, connect, type NetConnectOpts, type Server, type Socket } from "node:net";
import type { Logger } from "@skiff/log";
import { backendKey, type Balancer } from "../balancer/balancer.js";
import type { Counters } from "../metrics/metrics.js";
import { Relay, adopt } from "./relay.js";
import { proxyHeaderV2 } from "./proxy-protocol.js";

/** Stream buffer size: bigger reads mean fewer syscalls and event-loop turns per byte (bulk throughput). */
const HWM = 256 * 1024;

/** What a frontend needs that can change while it listens (the table is replaced in place). */
export interface FrontendTarget {
  balancer: Balancer;
  counters: Counters;
  /** NodePort / load-balancer frontends (externalTrafficPolicy applies). */
  external: boolean;
  /** Send a PROXY protocol v2 header with the client's address first on each endpoint connection. */
  proxyProtocol: boolean;
}

export interface TcpOptions {
  connectTimeoutMs: number;
  /** How many endpoints one connection tries before giving up. */
  maxAttempts: number;
}

/**
 * The dial timeout of a connection's next attempt (0: none of ours), given the attempts made
 * with it and the endpoints left after it. The timeout is there to move on to another endpoint;
 * with none left to try, the kernel's own SYN retries decide, as for a direct connection (and
 * kube-proxy's iptables rules): a first SYN lost on the way to a pod just made ready is resent
 * at 1 s, which a 1 s timeout of ours would turn into a reset the client sees.
 */
export function dialTimeoutMs(opts: TcpOptions, attempts: number, left: number): number {
  return attempts >= opts.maxAttempts || left === 0 ? 0 : opts.connectTimeoutMs;
}

/** How often one frontend may warn about its endpoints (further warnings are counted, not logged). */
const WARN_EVERY_MS = 5000;

/** One listening TCP frontend. */
export class TcpFrontend {
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  private lastWarnAt = 0;
  private unwarned = 0;

  constructor(
    readonly ip: string,
    readonly port: number,
    public target: FrontendTarget,
    private readonly opts: TcpOptions,
    private readonly log: Logger,
  ) {
    // pauseOnConnect: the accepted socket reads nothing until it is adopted with the relay's
    // `onread` once the endpoint answered (bytes the client sends meanwhile wait in the kernel).
    this.server = createServer({ allowHalfOpen: true, noDelay: true, highWaterMark: HWM, pauseOnConnect: true }, (c) => this.accept(c));
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

  /**
   * A warning about this frontend's endpoints, at most one per WARN_EVERY_MS: a connection that
   * found no endpoint answering, or a last dial slower than the dial timeout (the kernel's SYN
   * retries at work: the endpoint did not answer its first SYN). Per-connection events, so
   * rate-limited; `suppressed` says how many went unlogged since the last one.
   */
  private warn(fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) {
      this.unwarned++;
      return;
    }
    this.log.warn({ ...fields, suppressed: this.unwarned }, msg);
    this.lastWarnAt = now;
    this.unwarned = 0;
  }

  private accept(accepted: Socket): void {
    const { counters } = this.target;
    counters.connections++;
    counters.active++;
    let client = accepted;
    this.open.add(client);
    let upstream: Socket | undefined;
    let relay: Relay | undefined;
    let back: Relay | undefined;
    let done = false;
    // Byte counters are read once at close (socket.bytesRead/bytesWritten), never per chunk.
    const finish = () => {
      if (done) return;
      done = true;
      this.open.delete(client);
      counters.active--;
      counters.bytesIn += client.bytesRead;
      counters.bytesOut += client.bytesWritten;
      client.destroy();
      upstream?.destroy();
      relay?.release();
      back?.release();
    };
    client.on("error", finish);
    client.on("close", finish);
    const tried = new Set<string>();
    const clientIP = client.remoteAddress ?? "";
    const attempt = () => {
      if (done) return;
      const b = tried.size < this.opts.maxAttempts ? this.target.balancer.pick(clientIP, this.target.external, tried) : undefined;
      if (!b) {
        counters.errors++;
        this.warn({ tried: [...tried], candidates: this.target.balancer.candidates(this.target.external).length }, "no endpoint answered; connection reset");
        // Reset rather than close cleanly: the client must see a failure, not an empty reply.
        client.resetAndDestroy?.() ?? client.destroy();
        finish();
        return;
      }
      tried.add(backendKey(b));
      const r = new Relay();
      // highWaterMark (the client→endpoint write queue) is a Duplex option @types/node omits here.
      const dial: NetConnectOpts & { highWaterMark: number } = {
        host: b.ip,
        port: b.port,
        allowHalfOpen: true,
        noDelay: true,
        highWaterMark: HWM,
        onread: r.onread,
      };
      const up = connect(dial);
      upstream = up;
      relay = r;
      const timeout = dialTimeoutMs(this.opts, tried.size, this.target.balancer.left(this.target.external, tried));
      const dialStart = Date.now();
      const failDial = (err?: Error) => {
        up.removeAllListeners();
        up.on("error", () => undefined);
        up.destroy();
        r.release();
        this.log.debug({ endpoint: backendKey(b), err }, "dial failed; trying the next endpoint");
        attempt();
      };
      if (timeout > 0) {
        up.setTimeout(timeout);
        up.once("timeout", () => failDial(new Error("connect timeout")));
      }
      up.once("error", failDial);
      up.once("connect", () => {
        const dialMs = Date.now() - dialStart;
        if (timeout === 0 && dialMs >= this.opts.connectTimeoutMs) this.warn({ endpoint: backendKey(b), dialMs }, "slow dial to the last endpoint left");
        up.removeAllListeners("timeout");
        up.removeAllListeners("error");
        up.setTimeout(0);
        if (done) {
          up.destroy();
          r.release();
          return;
        }
        up.on("error", finish);
        up.on("close", finish);
        if (this.target.proxyProtocol) up.write(proxyHeaderV2(clientIP, client.remotePort ?? 0, client.localAddress ?? "", client.localPort ?? 0));
        // client → endpoint: the accepted socket re-created to read into pooled buffers (the
        // standard read path allocates per read and ran at a fraction of the other direction).
        const c = new Relay();
        const adopted = adopt(client, c.onread, HWM);
        if (adopted) {
          this.open.delete(client);
          client = adopted;
          this.open.add(client);
          back = c;
          c.attach(client, up);
          client.on("error", finish);
          client.on("close", finish);
        } else {
          c.release();
          client.pipe(up);
          client.resume();
        }
        // endpoint → client: the relay writes each chunk; each side's EOF ends the other (half-close).
        r.attach(up, client);
        if (adopted) client.on("end", () => up.end());
        up.on("end", () => client.end());
      });
    };
    attempt();
  }
}
