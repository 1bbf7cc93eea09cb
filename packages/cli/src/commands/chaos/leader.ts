// Who leads a leader-elected component (scheduler, controller-manager): behind one small
// interface, so the chaos verbs do not care where the lease record lives. Implementations:
// the NATS KV lease record (leader election's own store) and a coordination.k8s.io Lease object.
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import type { ApiClient } from "@skiff/client";

/** Finds the current holder of a component's lease. */
export interface LeaderLookup {
  /** The holder identity (a host name, possibly with a suffix), or undefined when nobody holds it. */
  holder(component: string): Promise<string | undefined>;
}

/** The holder field of a lease record, whatever the writer named it. */
export function holderOf(record: unknown): string | undefined {
  if (!record || typeof record !== "object") return undefined;
  const r = record as Record<string, unknown>;
  const spec = (r.spec ?? {}) as Record<string, unknown>;
  for (const v of [r.holderIdentity, r.holder, r.identity, spec.holderIdentity]) if (typeof v === "string" && v) return v;
  return undefined;
}

/** Reads `<bucket>/<component>` from NATS KV (JSON with a holder identity). */
export class NatsKvLeaderLookup implements LeaderLookup {
  constructor(private readonly servers: string[], private readonly bucket: string) {}
  async holder(component: string): Promise<string | undefined> {
    const nc = await connect({ servers: this.servers, timeout: 3000, maxReconnectAttempts: 0 });
    try {
      const kv = await new Kvm(nc).open(this.bucket);
      const e = await kv.get(component);
      if (!e || e.operation !== "PUT" || !e.value.length) return undefined;
      try {
        return holderOf(JSON.parse(e.string()));
      } catch {
        return e.string().trim() || undefined; // a bare identity
      }
    } finally {
      await nc.close().catch(() => undefined);
    }
  }
}

/** Reads the Lease object kube-system/<prefix><component> through the apiserver. */
export class LeaseObjectLeaderLookup implements LeaderLookup {
  constructor(private readonly client: ApiClient, private readonly prefix = "") {}
  async holder(component: string): Promise<string | undefined> {
    const lease = await this.client.get("leases", `${this.prefix}${component}`, "kube-system").catch(() => undefined);
    return holderOf(lease);
  }
}

/** Asks each lookup in turn; the first holder found wins. */
export class FirstLeaderLookup implements LeaderLookup {
  constructor(private readonly lookups: LeaderLookup[]) {}
  async holder(component: string): Promise<string | undefined> {
    for (const l of this.lookups) {
      const h = await l.holder(component).catch(() => undefined);
      if (h) return h;
    }
    return undefined;
  }
}

/** The container (by name) a holder identity names: exactly, or followed by a separator ("_", ":", "/", "-"); the longest match wins. */
export function containerOfHolder(holder: string, names: string[]): string | undefined {
  return names
    .filter((n) => holder === n || (holder.startsWith(n) && "_:/-".includes(holder[n.length])))
    .sort((a, b) => b.length - a.length)[0];
}
