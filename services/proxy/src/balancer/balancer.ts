// Endpoint choice for one frontend: the candidate set (traffic policies, PreferClose), then
// ClientIP affinity, then round-robin; `exclude` skips endpoints whose dial just failed.

/** One backend as the proxy sees it. */
export interface Backend {
  ip: string;
  port: number;
  nodeName: string;
}

/** The routing facts of one service port that the balancer needs. */
export interface Route {
  endpoints: Backend[];
  affinitySeconds: number;
  internalLocal: boolean;
  externalLocal: boolean;
  preferClose: boolean;
}

/** Key of an endpoint (ip:port). */
export function backendKey(b: Backend): string {
  return `${b.ip}:${b.port}`;
}

/** Picks endpoints for one service port (shared by all its frontends: ClusterIP, NodePort, LB). */
export class Balancer {
  private next = 0;
  private readonly affinity = new Map<string, { key: string; until: number }>();

  constructor(
    public route: Route,
    private readonly nodeName: string,
  ) {}

  /** The endpoints this traffic may go to. External traffic = NodePort / load-balancer frontends. */
  candidates(external: boolean): Backend[] {
    const all = this.route.endpoints;
    const local = all.filter((e) => e.nodeName === this.nodeName);
    if (external ? this.route.externalLocal : this.route.internalLocal) return local;
    if (this.route.preferClose && local.length > 0) return local;
    return all;
  }

  /** How many endpoints this traffic could still try, those in `exclude` aside. */
  left(external: boolean, exclude: Set<string>): number {
    let n = 0;
    for (const e of this.candidates(external)) if (!exclude.has(backendKey(e))) n++;
    return n;
  }

  /** The endpoint for a new connection or session; undefined when none is left to try. */
  pick(clientIP: string, external: boolean, exclude?: Set<string>): Backend | undefined {
    const cands = this.candidates(external).filter((e) => !exclude?.has(backendKey(e)));
    if (cands.length === 0) return undefined;
    const now = Date.now();
    if (this.route.affinitySeconds > 0) {
      const pinned = this.affinity.get(clientIP);
      if (pinned && pinned.until > now) {
        const b = cands.find((e) => backendKey(e) === pinned.key);
        if (b) {
          pinned.until = now + this.route.affinitySeconds * 1000;
          return b;
        }
      }
    }
    const b = cands[this.next++ % cands.length];
    if (this.next > 1e9) this.next = 0;
    if (this.route.affinitySeconds > 0) {
      this.affinity.set(clientIP, { key: backendKey(b), until: now + this.route.affinitySeconds * 1000 });
      if (this.affinity.size > 10_000) this.expire(now);
    }
    return b;
  }

  /** Drops expired affinity entries (bounded memory under many clients). */
  expire(now = Date.now()): void {
    for (const [k, v] of this.affinity) if (v.until <= now) this.affinity.delete(k);
  }
}
