// Who leads a leader-elected component (scheduler, controller-manager): behind one small
// interface, so the chaos verbs do not care where the lease record lives. Implementations:
// the NATS KV lease record (leader election's own store) and a coordination.k8s.io Lease object.
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { jetstreamManager } from "@nats-io/jetstream";
import { CONTROLLER_MANAGER_LEASE, DEFAULT_SCHEDULER_LEASE, type ApiClient } from "@skiff/client";

/** The components kill-leader knows. */
export type LeaderComponent = "scheduler" | "controller-manager";

/**
 * The lease key a component campaigns on (packages/client/src/leader/leader.ts): the
 * controller-manager's fixed one, the scheduler's --scheduler-name.
 */
export function leaseKey(component: LeaderComponent, schedulerName = DEFAULT_SCHEDULER_LEASE): string {
  return component === "scheduler" ? schedulerName : CONTROLLER_MANAGER_LEASE;
}

/** Finds the current holder of a component's lease. */
export interface LeaderLookup {
  /** The holder identity of the lease `key` (a host name, possibly with a suffix), or undefined when nobody holds it. */
  holder(key: string): Promise<string | undefined>;
}

/** The holder field of a lease record, whatever the writer named it. */
export function holderOf(record: unknown): string | undefined {
  if (!record || typeof record !== "object") return undefined;
  const r = record as Record<string, unknown>;
  const spec = (r.spec ?? {}) as Record<string, unknown>;
  for (const v of [r.holderIdentity, r.holder, r.identity, spec.holderIdentity]) if (typeof v === "string" && v) return v;
  return undefined;
}

/** Reads `<bucket>/<key>` from NATS KV (the LeaseRecord JSON: { holder, … }). */
export class NatsKvLeaderLookup implements LeaderLookup {
  constructor(
    private readonly servers: string[],
    private readonly bucket: string,
    private readonly tls?: object,
  ) {}
  async holder(key: string): Promise<string | undefined> {
    const nc = await connect({ servers: this.servers, timeout: 3000, maxReconnectAttempts: 0, ...(this.tls ? { tls: this.tls } : {}) });
    try {
      const kv = await new Kvm(nc).open(this.bucket);
      const e = await kv.get(key);
      if (e?.operation !== "PUT" || !e.value.length) return undefined;
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

/** Reads the Lease object kube-system/<key> through the apiserver (where a component keeps its lease there). */
export class LeaseObjectLeaderLookup implements LeaderLookup {
  constructor(private readonly client: ApiClient) {}
  async holder(key: string): Promise<string | undefined> {
    const lease = await this.client.get("leases", key, "kube-system").catch(() => undefined);
    return holderOf(lease);
  }
}

/** Asks each lookup in turn; the first holder found wins. */
export class FirstLeaderLookup implements LeaderLookup {
  constructor(private readonly lookups: LeaderLookup[]) {}
  async holder(key: string): Promise<string | undefined> {
    for (const l of this.lookups) {
      const h = await l.holder(key).catch(() => undefined);
      if (h) return h;
    }
    return undefined;
  }
}

/** The container (by name) a holder identity names: exactly, or followed by a separator ("_", ":", "/", "-"); the longest match wins. */
export function containerOfHolder(holder: string, names: string[]): string | undefined {
  return names.filter((n) => holder === n || (holder.startsWith(n) && "_:/-".includes(holder[n.length]))).sort((a, b) => b.length - a.length)[0];
}

/**
 * The server name (--server_name, e.g. "n2") of the NATS server that leads a JetStream stream:
 * the one whose loss makes the stream elect a new leader (the cluster store's worst NATS fault).
 */
export async function natsStreamLeader(servers: string[], stream: string, tls?: object): Promise<string | undefined> {
  const nc = await connect({ servers, timeout: 3000, maxReconnectAttempts: 0, ...(tls ? { tls } : {}) });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 3000 });
    return (await jsm.streams.info(stream)).cluster?.leader || undefined;
  } finally {
    await nc.close().catch(() => undefined);
  }
}
