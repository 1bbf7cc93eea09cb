// Leader election on a NATS KV bucket. nats-server 2.9 has no per-key TTL, so a lease is a
// record { holder, renewTime, durationMs } changed only by compare-and-set on the key's KV
// revision: the holder renews it every renewMs; a candidate takes it over once it has seen the
// record unchanged for durationMs (counted on its own clock, so clock skew between machines
// does not matter) or when it was released. A leader that has not renewed for
// durationMs − renewMs (its renew deadline, shorter than the lease) or that loses a CAS race
// stops at once, before any standby can take over.
// The NATS client is loaded when first used (why: the DNS and the ingress controller import
// @skiff/client but never talk to NATS; its code is ~0.5 MB of JavaScript).
import type { NatsConnection } from "@nats-io/transport-node";
import type { KV } from "@nats-io/kv";
import type { Logger } from "@skiff/log";
import { natsTls } from "../tls/nats.js";

/** KV bucket of the leases (LeaderElectorOptions.bucket's default). */
export const LEASE_BUCKET = "skiff-leases";
/** The controller-manager's lease key. */
export const CONTROLLER_MANAGER_LEASE = "kube-controller-manager";
/** The scheduler's lease key is its --scheduler-name; this is the default one. */
export const DEFAULT_SCHEDULER_LEASE = "default-scheduler";

/** The stored lease. */
export interface LeaseRecord {
  holder: string;
  /** ms since the epoch of the holder's last renewal (informational; takeover uses local observation). */
  renewTime: number;
  durationMs: number;
  acquireTime: number;
  leaderTransitions: number;
}

export interface LeaderElectorOptions {
  nc: NatsConnection;
  /** The lease's name, e.g. "kube-scheduler" (a key in the bucket). */
  name: string;
  /** This candidate's identity (host + pid is a good one). */
  identity: string;
  /** KV bucket holding leases (default "skiff-leases"). */
  bucket?: string;
  /** Lease duration (default 15000 ms). */
  leaseMs?: number;
  /** How often the holder renews and candidates retry (default 2000 ms). */
  renewMs?: number;
  log: Logger;
}

/** Campaigns for one lease; `run` resolves when leadership is lost (or `stop` is called). */
export class LeaderElector {
  private kv?: KV;
  private stopped = false;
  private leading = false;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  readonly leaseMs: number;
  readonly renewMs: number;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.renewMs = opts.renewMs ?? 2_000;
    if (!(this.renewMs > 0 && this.leaseMs > this.renewMs)) throw new Error("leader election: the lease must be longer than the renew interval");
  }

  isLeader(): boolean {
    return this.leading;
  }

  private async bucket(): Promise<KV> {
    if (!this.kv) {
      const [{ Kvm }, { jetstream }] = await Promise.all([import("@nats-io/kv"), import("@nats-io/jetstream")]);
      this.kv = await new Kvm(jetstream(this.opts.nc)).create(this.opts.bucket ?? LEASE_BUCKET, { history: 1 });
    }
    return this.kv;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.wake = r;
      this.timer = setTimeout(r, ms);
    });
  }

  /** Waits until this candidate holds the lease; false if stopped first. */
  async acquire(): Promise<boolean> {
    const { log, name, identity } = this.opts;
    let seen: { revision: number; at: number } | undefined;
    while (!this.stopped) {
      try {
        const kv = await this.bucket();
        const e = await kv.get(name);
        const now = Date.now();
        const rec: LeaseRecord = { holder: identity, renewTime: now, durationMs: this.leaseMs, acquireTime: now, leaderTransitions: 0 };
        if (e?.operation !== "PUT") {
          this.revision = await kv.create(name, JSON.stringify(rec));
          this.leading = true;
          log.info({ lease: name, identity }, "acquired lease (new)");
          return true;
        }
        const cur = JSON.parse(e.string()) as LeaseRecord;
        if (!seen || seen.revision !== e.revision) seen = { revision: e.revision, at: now };
        const expired = now - seen.at >= cur.durationMs;
        if (cur.holder === identity || cur.holder === "" || expired) {
          rec.leaderTransitions = cur.holder === identity ? cur.leaderTransitions : cur.leaderTransitions + 1;
          this.revision = await kv.update(name, JSON.stringify(rec), e.revision);
          this.leading = true;
          log.info({ lease: name, identity, previous: cur.holder || undefined }, "acquired lease");
          return true;
        }
      } catch (err) {
        // Lost a CAS race or NATS is unreachable: look again after the retry interval.
        log.debug({ err, lease: name }, "lease not acquired");
      }
      await this.sleep(this.renewMs);
    }
    return false;
  }

  /** KV revision of our last write of the lease (what the next CAS expects). */
  private revision = 0;

  /**
   * Renews until the lease is lost (a CAS conflict: someone else wrote it; or no successful
   * renewal within the renew deadline) or `stop` is called. Resolves with the reason.
   */
  async hold(): Promise<"lost" | "stopped"> {
    const { log, name, identity } = this.opts;
    let lastOk = Date.now();
    const deadline = this.leaseMs - this.renewMs;
    while (!this.stopped) {
      await this.sleep(this.renewMs);
      if (this.stopped) break;
      try {
        const kv = await this.bucket();
        const now = Date.now();
        const e = await kv.get(name);
        if (e?.operation !== "PUT" || e.revision !== this.revision) {
          log.error({ lease: name, identity }, "lease taken by another candidate");
          this.leading = false;
          return "lost";
        }
        const cur = JSON.parse(e.string()) as LeaseRecord;
        this.revision = await kv.update(name, JSON.stringify({ ...cur, renewTime: now }), e.revision);
        lastOk = now;
      } catch (err) {
        log.warn({ err, lease: name }, "lease renewal failed");
      }
      if (Date.now() - lastOk > deadline) {
        log.error({ lease: name, identity, sinceMs: Date.now() - lastOk }, "could not renew the lease before its deadline");
        this.leading = false;
        return "lost";
      }
    }
    return "stopped";
  }

  /** Stops campaigning; a leader releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    if (!this.leading) return;
    this.leading = false;
    try {
      const kv = await this.bucket();
      const e = await kv.get(this.opts.name);
      if (e && e.operation === "PUT" && e.revision === this.revision) {
        const cur = JSON.parse(e.string()) as LeaseRecord;
        await kv.update(this.opts.name, JSON.stringify({ ...cur, holder: "", renewTime: 0 }), e.revision);
      }
    } catch (err) {
      this.opts.log.warn({ err }, "could not release the lease");
    }
  }
}

/**
 * Runs `lead` while this process holds the lease. When the lease is lost, `onLost` is called
 * (the processes exit there: the simplest way to stop every loop at once; a supervisor restarts
 * them as standbys). Resolves once leading has started or stop was called first.
 */
export async function runWithLeaderElection(elector: LeaderElector, lead: () => Promise<void>, onLost: () => void): Promise<void> {
  if (!(await elector.acquire())) return;
  await lead();
  void elector.hold().then((r) => {
    if (r === "lost") onLost();
  });
}

/** Flags every leader-elected process shares (defaults documented in each process's options). */
export interface LeaderElectionOptions {
  /** Run active/standby (--leader-elect; default true). */
  leaderElect: boolean;
  /** Lease duration (--leader-elect-lease-ms; default 15000): a standby takes over within this long of the leader's death. */
  leaseMs: number;
  /** Renew / retry interval (--leader-elect-renew-ms; default 2000); a leader that cannot renew for lease − renew stops. */
  renewMs: number;
}

/** Connects to NATS for leader election (processes that need no other NATS traffic). */
export async function connectNats(servers: string[], name: string, tlsDir?: string): Promise<NatsConnection> {
  const { connect } = await import("@nats-io/transport-node");
  return connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 500, name, ...(tlsDir ? { tls: natsTls(tlsDir) } : {}) });
}
