// Keep-alive connection pools, one http(s).Agent per endpoint, and round-robin choice of
// where a request goes first. Pools of endpoints that left every backend are closed.
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Endpoint } from "../backends/backends.js";

/** Pools and round-robin counters. */
export class Upstreams {
  private readonly agents = new Map<string, HttpAgent>();
  private readonly rr = new Map<string, number>();

  /** The pool of one endpoint (created on first use). */
  agent(ep: Endpoint, https: boolean): HttpAgent {
    const id = `${https ? "https" : "http"}://${ep.ip}:${ep.port}`;
    let a = this.agents.get(id);
    if (!a) {
      // Pods serve their own certificates (usually self-signed): like ingress-nginx, do not verify them.
      const opts = { keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 256, scheduling: "lifo" as const };
      a = https ? new HttpsAgent({ ...opts, rejectUnauthorized: false }) : new HttpAgent(opts);
      this.agents.set(id, a);
    }
    return a;
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
    for (const [id, a] of this.agents) {
      if (live.has(id.replace(/^https?:\/\//, ""))) continue;
      // With keepAlive off, the agent destroys each socket as it becomes free (node:_http_agent).
      (a as HttpAgent & { keepAlive: boolean }).keepAlive = false;
      for (const list of Object.values(a.freeSockets)) for (const s of list ?? []) s.destroy();
      this.agents.delete(id);
    }
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
