// UDP frontends: one session per client address, each with its own connected socket to
// the chosen endpoint so replies find their way back; idle sessions close after a timeout.
import { createSocket, type Socket } from "node:dgram";
import type { Logger } from "@skiff/log";
import type { FrontendTarget } from "../tcp/tcp.js";

function closeQuietly(s: Socket): void {
  try {
    s.close();
  } catch {
    /* already closed */
  }
}

interface Session {
  upstream: Socket;
  lastSeen: number;
}

/** One listening UDP frontend. */
export class UdpFrontend {
  private readonly socket: Socket;
  private readonly sessions = new Map<string, Session>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    readonly ip: string,
    readonly port: number,
    public target: FrontendTarget,
    private readonly idleMs: number,
    private readonly log: Logger,
  ) {
    this.socket = createSocket({ type: "udp4" });
    this.socket.on("message", (msg, rinfo) => this.onMessage(msg, rinfo.address, rinfo.port));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onErr = (err: Error) => reject(err);
      this.socket.once("error", onErr);
      this.socket.bind(this.port, this.ip, () => {
        this.socket.off("error", onErr);
        this.socket.on("error", (err) => this.log.warn({ err }, "udp socket error"));
        this.sweeper = setInterval(() => this.sweep(), Math.min(1000, this.idleMs)).unref();
        resolve();
      });
    });
  }

  /** Closes the frontend and every session. */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const s of this.sessions.values()) closeQuietly(s.upstream);
    this.sessions.clear();
    try {
      this.socket.close();
    } catch {
      /* already closed */
    }
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, s] of this.sessions) {
      if (now - s.lastSeen >= this.idleMs) {
        closeQuietly(s.upstream);
        this.sessions.delete(k);
      }
    }
  }

  private onMessage(msg: Buffer, addr: string, port: number): void {
    const { counters } = this.target;
    counters.udpPackets++;
    counters.bytesIn += msg.length;
    const key = `${addr}:${port}`;
    let s = this.sessions.get(key);
    if (!s) {
      const b = this.target.balancer.pick(addr, this.target.external);
      if (!b) {
        counters.errors++;
        return;
      }
      const upstream = createSocket({ type: "udp4" });
      s = { upstream, lastSeen: Date.now() };
      this.sessions.set(key, s);
      counters.udpSessions++;
      upstream.on("message", (reply) => {
        s!.lastSeen = Date.now();
        counters.bytesOut += reply.length;
        this.socket.send(reply, port, addr);
      });
      upstream.on("error", (err) => {
        // ICMP unreachable and friends: drop the session, the next datagram picks again.
        counters.errors++;
        this.log.debug({ err, client: key }, "udp upstream error");
        closeQuietly(upstream);
        if (this.sessions.get(key)?.upstream === upstream) this.sessions.delete(key);
      });
      upstream.connect(b.port, b.ip);
    }
    s.lastSeen = Date.now();
    const up = s.upstream;
    const send = () =>
      up.send(msg, (err) => {
        if (err) counters.errors++;
      });
    // A fresh socket connects asynchronously; queue behind its connect.
    try {
      up.remoteAddress();
      send();
    } catch {
      up.once("connect", send);
    }
  }
}
