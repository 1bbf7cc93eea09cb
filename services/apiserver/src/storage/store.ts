// The cluster store: every object in one NATS JetStream KV bucket. resourceVersion is the
// bucket's stream sequence (one global, monotonic counter, like etcd's revision); writes are
// compare-and-set on the key's last sequence; watches are ordered consumers from a sequence.
//
// We talk to JetStream directly (the bucket is still a standard KV bucket, readable with
// `nats kv`) for two things the KV client does not offer: a header that tells creates from
// updates (watch events need ADDED vs MODIFIED), and delete markers that carry the object's
// final state (DELETED events need it).
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/nats-core";
import {
  jetstream, jetstreamManager, DeliverPolicy, JetStreamApiError,
  type JetStreamClient, type JetStreamManager, type JsMsg,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { Logger } from "@skiff/log";
import { UnavailableError, GoneError } from "@skiff/api";

const OP_HEADER = "KV-Operation";
const SKIFF_OP_HEADER = "Skiff-Op";
const COMPACTED_KEY = "_meta._._compacted";

/** One stored value, as read back. */
export interface StoredEntry {
  key: string;
  revision: number;
  value: Uint8Array;
}

/** One change seen by a watch. */
export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  key: string;
  revision: number;
  value: Uint8Array;
}

/** Thrown by CAS writes when the key's revision is not the expected one. */
export class RevisionMismatch extends Error {
  constructor(readonly key: string) { super(`revision mismatch on ${key}`); }
}

export interface StoreOptions {
  servers: string[];
  bucket: string;
  /** Replicas of the bucket's stream (3 on a NATS cluster). */
  replicas: number;
  log: Logger;
}

/** Store is the only code that touches the cluster bucket. */
export class Store {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly subjectPrefix: string,
    private readonly log: Logger,
  ) {}

  /** Connects and creates the bucket when it does not exist yet. */
  static async open(opts: StoreOptions): Promise<Store> {
    const nc = await connect({ servers: opts.servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, name: "skiff-apiserver" });
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const kvm = new Kvm(js);
    // history 1: the bucket keeps the latest value of each key; a watch that resumes from an
    // old revision still sees every key's latest change (a compacted log, like etcd after
    // compaction), and delete markers keep deletions visible until they are compacted.
    await kvm.create(opts.bucket, { history: 1, replicas: opts.replicas, maxValueSize: 4 * 1024 * 1024 });
    return new Store(nc, js, jsm, `KV_${opts.bucket}`, `$KV.${opts.bucket}.`, opts.log);
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
  }

  /** Resolves when the connection closes for good. */
  closed(): Promise<void | Error> {
    return this.nc.closed();
  }

  private subject(key: string): string {
    return this.subjectPrefix + key;
  }

  private keyOf(subject: string): string {
    return subject.slice(this.subjectPrefix.length);
  }

  /** Reads the last message of a key, deleted or not; null when the key never existed. */
  private async last(key: string): Promise<{ seq: number; data: Uint8Array; deleted: boolean } | null> {
    try {
      const sm = await this.jsm.streams.getMessage(this.stream, { last_by_subj: this.subject(key) });
      if (!sm) return null;
      const op = sm.header?.get(OP_HEADER);
      return { seq: sm.seq, data: sm.data, deleted: op === "DEL" || op === "PURGE" };
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === 404) return null;
      throw wrap(err);
    }
  }

  /** The current value of a key, or null. */
  async get(key: string): Promise<StoredEntry | null> {
    const m = await this.last(key);
    if (!m || m.deleted) return null;
    return { key, revision: m.seq, value: m.data };
  }

  private async publish(key: string, value: Uint8Array, expectSeq: number, hdrs: MsgHdrs): Promise<number> {
    try {
      const ack = await this.js.publish(this.subject(key), value, { headers: hdrs, expect: { lastSubjectSequence: expectSeq } });
      return ack.seq;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.apiError().err_code === 10071) throw new RevisionMismatch(key);
      throw wrap(err);
    }
  }

  /** Creates a key; throws RevisionMismatch when it exists. Returns the new revision. */
  async create(key: string, value: Uint8Array): Promise<number> {
    const prev = await this.last(key);
    if (prev && !prev.deleted) throw new RevisionMismatch(key);
    const h = natsHeaders();
    h.set(SKIFF_OP_HEADER, "create");
    return this.publish(key, value, prev?.seq ?? 0, h);
  }

  /** Replaces a key's value if its revision is still `revision`. */
  async update(key: string, value: Uint8Array, revision: number): Promise<number> {
    const h = natsHeaders();
    h.set(SKIFF_OP_HEADER, "update");
    return this.publish(key, value, revision, h);
  }

  /** Deletes a key if its revision is still `revision`, leaving `finalValue` in the marker. */
  async delete(key: string, finalValue: Uint8Array, revision: number): Promise<number> {
    const h = natsHeaders();
    h.set(OP_HEADER, "DEL");
    return this.publish(key, finalValue, revision, h);
  }

  /** The bucket's current revision (the last sequence written). */
  async currentRevision(): Promise<number> {
    try {
      const si = await this.jsm.streams.info(this.stream);
      return si.state.last_seq;
    } catch (err) {
      throw wrap(err);
    }
  }

  /**
   * Every live value under a key filter, and the revision the list is consistent with: a
   * watch from that revision sees every later change (maybe again, with its own revision).
   */
  async list(filter: string): Promise<{ items: StoredEntry[]; revision: number }> {
    const revision = await this.currentRevision();
    const items: StoredEntry[] = [];
    await this.scan(filter, DeliverPolicy.LastPerSubject, 0, (m) => {
      const op = m.headers?.get(OP_HEADER);
      if (op !== "DEL" && op !== "PURGE") items.push({ key: this.keyOf(m.subject), revision: m.seq, value: m.data });
    });
    return { items, revision };
  }

  /** Reads what a consumer has pending at its creation, then stops. */
  private async scan(filter: string, policy: DeliverPolicy, startSeq: number, fn: (m: JsMsg) => void, headersOnly = false): Promise<void> {
    try {
      const c = await this.js.consumers.get(this.stream, {
        filter_subjects: this.subject(filter),
        deliver_policy: policy,
        ...(startSeq ? { opt_start_seq: startSeq } : {}),
        headers_only: headersOnly,
      });
      const info = await c.info(true);
      if (info.num_pending === 0) {
        await c.delete().catch(() => undefined);
        return;
      }
      const msgs = await c.consume();
      for await (const m of msgs) {
        fn(m);
        if (m.info.pending === 0) break;
      }
      await msgs.close().catch(() => undefined);
      await c.delete().catch(() => undefined);
    } catch (err) {
      throw wrap(err);
    }
  }

  /** The revision below which watches answer Gone (deletions before it were compacted). */
  async compactedRevision(): Promise<number> {
    const m = await this.get(COMPACTED_KEY);
    return m ? Number(new TextDecoder().decode(m.value)) : 0;
  }

  /**
   * Watches a key filter from a revision (exclusive). Events arrive in revision order;
   * `onEvent` is awaited (back-pressure). Throws GoneError when `afterRevision` is too old.
   * Returns a stop function.
   */
  async watch(filter: string, afterRevision: number, onEvent: (e: StoreEvent) => void, onError: (err: Error) => void): Promise<() => void> {
    const compacted = await this.compactedRevision();
    if (afterRevision < compacted) {
      throw new GoneError(`too old resource version: ${afterRevision} (${compacted})`);
    }
    let stopped = false;
    try {
      const c = await this.js.consumers.get(this.stream, {
        filter_subjects: this.subject(filter),
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: afterRevision + 1,
      });
      const msgs = await c.consume();
      void (async () => {
        try {
          for await (const m of msgs) {
            if (stopped) break;
            const op = m.headers?.get(OP_HEADER);
            if (op === "PURGE") continue;
            const type = op === "DEL" ? "DELETED" : m.headers?.get(SKIFF_OP_HEADER) === "create" ? "ADDED" : "MODIFIED";
            onEvent({ type, key: this.keyOf(m.subject), revision: m.seq, value: m.data });
          }
        } catch (err) {
          if (!stopped) onError(wrap(err));
        }
      })();
      return () => {
        stopped = true;
        void msgs.close().catch(() => undefined);
      };
    } catch (err) {
      throw wrap(err);
    }
  }

  /**
   * Removes delete markers older than `olderThanMs` and records the highest revision removed,
   * so that watches resuming from before it get Gone (they could have missed a deletion).
   */
  async compact(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    const doomed: { subject: string; seq: number }[] = [];
    await this.scan(">", DeliverPolicy.LastPerSubject, 0, (m) => {
      if (m.headers?.get(OP_HEADER) === "DEL" && m.info.timestampNanos / 1e6 < cutoff) doomed.push({ subject: m.subject, seq: m.seq });
    }, true);
    if (doomed.length === 0) return 0;
    const maxSeq = Math.max(...doomed.map((d) => d.seq));
    // Record the compaction point first: a watcher must never resume across a removed marker.
    const prev = await this.last(COMPACTED_KEY);
    const prevValue = prev && !prev.deleted ? Number(new TextDecoder().decode(prev.data)) : 0;
    if (maxSeq > prevValue) {
      try {
        await this.publish(COMPACTED_KEY, new TextEncoder().encode(String(maxSeq)), prev?.seq ?? 0, natsHeaders());
      } catch (err) {
        if (err instanceof RevisionMismatch) return 0; // another apiserver is compacting
        throw err;
      }
    }
    for (const d of doomed) {
      // keep: 0 with the marker's own sequence as the upper bound, so a re-created key survives.
      await this.jsm.streams.purge(this.stream, { filter: d.subject, seq: d.seq + 1 }).catch((err) => this.log.warn({ err }, "compaction purge failed"));
    }
    this.log.info({ removed: doomed.length, compactedRevision: maxSeq }, "compacted delete markers");
    return doomed.length;
  }
}

/** Maps NATS failures to Unavailable; the API edge turns it into 503 / UNAVAILABLE. */
function wrap(err: unknown): Error {
  if (err instanceof GoneError || err instanceof RevisionMismatch || err instanceof UnavailableError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new UnavailableError(`store unavailable: ${msg}`);
}
