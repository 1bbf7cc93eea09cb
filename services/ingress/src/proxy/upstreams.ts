// Keep-alive connection pools, one per endpoint (and protocol and connect timeout), and
// round-robin choice of where a request goes first. Pools of endpoints that left every
// backend are closed once their requests in flight are done.
import type { Endpoint } from "../backends/backends.js";
import { UpstreamPool } from "./h1/client.js";

/** Pools and round-robin counters. */
export class Upstreams {
  private readonly pools = new Map<string, { pool: UpstreamPool; ep: string }>();
  private readonly rr = new Map<string, number>();

  /** The pool of one endpoint (created on first use). */
  pool(ep: Endpoint, https: boolean, connectTimeoutMs: number): UpstreamPool {
    const id = `${https ? "https" : "http"}://${ep.ip}:${ep.port}|${connectTimeoutMs}`;
    let p = this.pools.get(id);
    if (!p) {
      // Unbounded like ingress-nginx's upstream. Pods serve their own certificates (usually
      // self-signed): like ingress-nginx, the pool does not verify them.
      p = { ep: `${ep.ip}:${ep.port}`, pool: new UpstreamPool(ep.ip, ep.port, https, connectTimeoutMs) };
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
      p.pool.close();
    }
  }

  close(): void {
    for (const p of this.pools.values()) p.pool.destroy();
    this.pools.clear();
  }
}
