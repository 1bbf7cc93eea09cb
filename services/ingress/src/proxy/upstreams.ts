// Keep-alive connection pools, one undici Pool per endpoint (and connect timeout), and
// round-robin choice of where a request goes first. Pools of endpoints that left every
// backend are closed once their requests in flight are done.
import { Pool } from "undici";
import type { Endpoint } from "../backends/backends.js";

/** Pools and round-robin counters. */
export class Upstreams {
  private readonly pools = new Map<string, { pool: Pool; ep: string }>();
  private readonly rr = new Map<string, number>();

  /** The pool of one endpoint (created on first use). */
  pool(ep: Endpoint, https: boolean, connectTimeoutMs: number): Pool {
    const id = `${https ? "https" : "http"}://${ep.ip}:${ep.port}|${connectTimeoutMs}`;
    let p = this.pools.get(id);
    if (!p) {
      const host = ep.ip.includes(":") ? `[${ep.ip}]` : ep.ip;
      p = {
        ep: `${ep.ip}:${ep.port}`,
        pool: new Pool(`${https ? "https" : "http"}://${host}:${ep.port}`, {
          // Unbounded like ingress-nginx's upstream; idle connections kept a minute (nginx's
          // keepalive_timeout), shorter when the backend's Keep-Alive header says so.
          connections: null,
          pipelining: 1,
          keepAliveTimeout: 60_000,
          keepAliveMaxTimeout: 600_000,
          // The read timeouts are per request (proxy-read-timeout), given at dispatch.
          headersTimeout: 0,
          bodyTimeout: 0,
          // Pods serve their own certificates (usually self-signed): like ingress-nginx, do not verify them.
          connect: { timeout: connectTimeoutMs, ...(https ? { rejectUnauthorized: false } : {}) },
        }),
      };
      this.pools.set(id, p);
    }
    return p.pool;
  }

  /** The order to try a backend's endpoints in: round-robin start, then the others. */
  order(key: string, eps: Endpoint[]): Endpoint[] {
    const n = (this.rr.get(key) ?? 0) % eps.length;
    this.rr.set(key, n + 1);
    return n === 0 ? eps : [...eps.slice(n), ...eps.slice(0, n)];
  }

  /**
   * Retires the pools of endpoints no backend uses any more: idle connections close now,
   * busy ones when their response is done (a terminating pod's requests in flight finish).
   */
  retain(live: Set<string>): void {
    for (const [id, p] of this.pools) {
      if (live.has(p.ep)) continue;
      this.pools.delete(id);
      void p.pool.close().catch(() => undefined);
    }
  }

  close(): void {
    for (const p of this.pools.values()) void p.pool.destroy().catch(() => undefined);
    this.pools.clear();
  }
}
