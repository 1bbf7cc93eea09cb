// The cluster store: every object in one NATS JetStream KV bucket. resourceVersion is the
// bucket's stream sequence (one global, monotonic counter, like etcd's revision); writes are
// compare-and-set on the key's last sequence; watches are ordered consumers from a sequence.
//
// We talk to JetStream directly (the bucket is still a standard KV bucket, readable with
// `nats kv`) for two things the KV client does not offer: a header that tells creates from
// updates (watch events need ADDED vs MODIFIED), and delete markers that carry the object's
// final state (DELETED events need it).
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { randomUUID } from "node:crypto";
import { headers as natsHeaders, errors as natsErrors, type MsgHdrs } from "@nats-io/nats-core";
import { jetstream, jetstreamManager, DeliverPolicy, JetStreamApiError, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { Logger } from "@skiff/log";
import { ApiError, UnavailableError, GoneError } from "@skiff/api";
import { parseKey } from "./keys.js";
import { WatchCache } from "./cache.js";
import { RevisionMismatch, type ObjectStore, type StoredEntry, type StoreEvent, type WatchIndex } from "./types.js";
import type { ValueTransformer } from "./encryption.js";
import { defaultRetry, transient, wrap, type RetryOptions } from "./retry.js";
import { AckPublisher } from "./publisher.js";

const OP_HEADER = "KV-Operation";
const SKIFF_OP_HEADER = "Skiff-Op";
const COMPACTED_KEY = "_meta._._compacted";

/**
 * Long-lived consumers (the watch cache's, fallback watches) pull with short expiries and
 * heartbeats: a consumer lost with its stream leader is noticed after two missed heartbeats
 * (about 2 s) and recreated from the last sequence seen, instead of after the default 30 s.
 */
const liveConsume = { expires: 5000, idle_heartbeat: 1000 };

export { RevisionMismatch, type ObjectStore, type StoredEntry, type StoreEvent };
/** How long a cached read waits for the watch cache to show this apiserver's own writes. */
const CACHED_READ_WAIT_MS = 250;
/**
 * Largest object the store takes: etcd's default request limit (1.5 MiB), which Kubernetes
 * users know. nats-server must accept messages this large (max_payload 2 MB in every topology
 * Skiff starts; the default 1 MB is too small); when the server says less, its own limit less
 * room for headers applies instead.
 */
export const maxObjectBytes = 1536 * 1024;
const headerRoom = 16 * 1024;

export interface StoreOptions {
  servers: string[];
  bucket: string;
  /** Replicas of the bucket's stream (3 on a NATS cluster). */
  replicas: number;
  log: Logger;
  retry?: RetryOptions;
  /**
   * The watch cache (cache.ts): lists and recent watches served from memory. `windowMs` is how
   * far back a resuming watch is served from it (default 10 min, the compaction horizon).
   */
  cache?: { maxEvents?: number; windowMs?: number } | false;
  /** TLS towards NATS (PEM ca, cert, key): the store's user is identified by its certificate. */
  tls?: { ca: string; cert: string; key: string };
  /** Encryption at rest (encryption.ts): applied to every value written and read. */
  transformer?: ValueTransformer;
}

/** Store is the only code that touches the cluster bucket. */
export class Store implements ObjectStore {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly subjectPrefix: string,
    private readonly log: Logger,
    private readonly retry: RetryOptions,
    private readonly cache: WatchCache | undefined,
  ) {
    this.publisher = new AckPublisher(nc, retry.attemptMs);
  }

  /** Every write goes through it: pipelined publishes, one subscription for their acks. */
  private readonly publisher: AckPublisher;

  private closing = false;
  /** The highest revision this apiserver wrote (cached reads wait for the cache to reach it). */
  private written = 0;
  private stopCacheFeed?: () => void;
  private transformer?: ValueTransformer;

  /** A stored value as the registry wrote it (decrypted). */
  private plain(key: string, data: Uint8Array): Uint8Array {
    return this.transformer ? this.transformer.fromStorage(key, data) : data;
  }

  /** Connects and creates the bucket when it does not exist yet. */
  static async open(opts: StoreOptions): Promise<Store> {
    const retry = opts.retry ?? defaultRetry;
    // noAsyncTraces: otherwise every request builds an Error up front for its stack (about a
    // tenth of the apiserver's CPU under write load); store errors are wrapped with context anyway.
    const nc = await connect({
      servers: opts.servers,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      name: "skiff-apiserver",
      noAsyncTraces: true,
      ...(opts.tls ? { tls: opts.tls } : {}),
    });
    const js = jetstream(nc, { timeout: retry.attemptMs });
    const jsm = await jetstreamManager(nc, { timeout: retry.attemptMs });
    const kvm = new Kvm(js);
    // history 1: the bucket keeps the latest value of each key; a watch that resumes from an
    // old revision still sees every key's latest change (a compacted log, like etcd after
    // compaction), and delete markers keep deletions visible until they are compacted.
    await kvm.create(opts.bucket, { history: 1, replicas: opts.replicas, maxValueSize: 4 * 1024 * 1024 });
    const cache =
      opts.cache === false ? undefined : new WatchCache({ maxEvents: opts.cache?.maxEvents ?? 50_000, windowMs: opts.cache?.windowMs ?? 10 * 60_000 });
    const store = new Store(nc, js, jsm, `KV_${opts.bucket}`, `$KV.${opts.bucket}.`, opts.log, retry, cache);
    store.transformer = opts.transformer;
    if (cache) store.feedCache(cache);
    return store;
  }

  /** The watch cache's figures (for the metrics); undefined without a cache. */
  cacheStats() {
    return this.cache?.stats();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopCacheFeed?.();
    await this.nc.drain().catch(() => undefined);
  }

  /**
   * Keeps the watch cache fed by one consumer over the whole stream; when the consumer breaks
   * (its connection closed, the stream recreated), the cache fails its watches and starts over.
   */
  private feedCache(cache: WatchCache): void {
    void (async () => {
      for (let attempt = 0; !this.closing; attempt++) {
        try {
          const floor = await this.currentRevision();
          const c = await this.retrying("cache consumer", () => this.js.consumers.get(this.stream, { deliver_policy: DeliverPolicy.All }));
          const msgs = await c.consume(liveConsume);
          this.stopCacheFeed = () => void msgs.close().catch(() => undefined);
          if (this.closing) break;
          cache.reset(floor);
          attempt = 0;
          for await (const m of msgs) {
            const op = m.headers?.get(OP_HEADER);
            const key = this.keyOf(m.subject);
            if (op === "PURGE") cache.apply({ type: "PURGED", key, revision: m.seq });
            else {
              let value: Uint8Array;
              try {
                value = compact(this.plain(key, m.data));
              } catch (err) {
                // A value no configured key opens: say so, and keep serving everything else.
                this.log.error({ err, key }, "cannot decrypt a stored value");
                continue;
              }
              cache.apply({
                type: op === "DEL" ? "DELETED" : m.headers?.get(SKIFF_OP_HEADER) === "create" ? "ADDED" : "MODIFIED",
                key,
                revision: m.seq,
                value,
              });
            }
          }
          if (!this.closing) this.log.warn("watch cache consumer ended; starting over");
        } catch (err) {
          if (!this.closing) this.log.warn({ err }, "watch cache consumer failed; starting over");
        }
        cache.fail(new UnavailableError("watch cache restarting"));
        if (!this.closing) await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5000)));
      }
    })();
  }

  /** Resolves when the connection closes for good. */
  async closed(): Promise<Error | undefined> {
    return (await this.nc.closed()) ?? undefined;
  }

  private subject(key: string): string {
    return this.subjectPrefix + key;
  }

  private keyOf(subject: string): string {
    return subject.slice(this.subjectPrefix.length);
  }

  /**
   * Runs one JetStream operation, again while it fails in a way that a leader election or a
   * reconnect cures, until the retry budget is spent. Other failures are not retried.
   */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retry.budgetMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!transient(err) || Date.now() + 100 >= deadline || this.nc.isClosed()) throw wrap(err);
        this.log.debug({ err, what, attempt }, "store request failed; retrying");
        await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 500)));
      }
    }
  }

  /** Reads the last message of a key, deleted or not; null when the key never existed. */
  private async last(key: string): Promise<{ seq: number; data: Uint8Array; deleted: boolean } | null> {
    return this.retrying(`get ${key}`, async () => {
      try {
        const sm = await this.jsm.streams.getMessage(this.stream, { last_by_subj: this.subject(key) });
        if (!sm) return null;
        const op = sm.header?.get(OP_HEADER);
        return { seq: sm.seq, data: this.plain(key, sm.data), deleted: op === "DEL" || op === "PURGE" };
      } catch (err) {
        if (err instanceof JetStreamApiError && err.status === 404) return null;
        throw err;
      }
    });
  }

  /** The current value of a key, or null. */
  async get(key: string): Promise<StoredEntry | null> {
    const m = await this.last(key);
    if (!m || m.deleted) return null;
    return { key, revision: m.seq, value: m.data };
  }

  private async publish(key: string, value: Uint8Array, expectSeq: number, hdrs: MsgHdrs): Promise<number> {
    // One id for every attempt of this write: a retry of an attempt that landed is answered
    // with the landed write's ack, not stored again nor refused by the compare-and-set.
    const msgID = randomUUID();
    const stored = this.transformer ? this.transformer.toStorage(key, value) : value;
    return this.retrying(`write ${key}`, async () => {
      try {
        const seq = await this.publisher.publish(this.subject(key), stored, hdrs, msgID, expectSeq);
        if (seq > this.written) this.written = seq;
        return seq;
      } catch (err) {
        if (err instanceof JetStreamApiError && err.apiError().err_code === 10071) throw new RevisionMismatch(key);
        throw err;
      }
    });
  }

  /**
   * Creates a key; throws RevisionMismatch when it exists. Returns the new revision.
   * One round trip for a key never written: the publish expects no message on the subject; a key
   * with history (live, or a delete marker) fails that compare-and-set and is read, then written
   * after its marker.
   */
  async create(key: string, value: Uint8Array): Promise<number> {
    this.checkSize(key, value);
    const h = natsHeaders();
    h.set(SKIFF_OP_HEADER, "create");
    try {
      return await this.publish(key, value, 0, h);
    } catch (err) {
      if (!(err instanceof RevisionMismatch)) throw err;
    }
    const prev = await this.last(key);
    if (!prev?.deleted) throw new RevisionMismatch(key);
    return this.publish(key, value, prev.seq, h);
  }

  /**
   * The value of a key as the watch cache holds it, falling back to a read from the stream when
   * the cache does not have it. Sees this apiserver's own writes; may miss another apiserver's
   * latest: only for compare-and-set writes, which fail on a stale revision (and then read again
   * with get), and checks that tolerate that race (Kubernetes' admission reads informers).
   */
  async getCached(key: string): Promise<StoredEntry | null> {
    if (!(await this.cacheHasOwnWrites())) return this.get(key);
    return this.cache?.get(key) ?? this.get(key);
  }

  /**
   * Read-your-writes for the cached reads: waits (locally, no request) until the cache has
   * applied every write this apiserver made; false when there is no cache or it does not catch up.
   */
  private async cacheHasOwnWrites(): Promise<boolean> {
    if (!this.cache?.serving) return false;
    // A short wait: a cache further behind than that is skipped for a direct read (one round
    // trip), so that a lagging cache never adds more than this to a request.
    return this.cache.revision >= this.written || this.cache.waitFor(this.written, CACHED_READ_WAIT_MS);
  }

  /** Replaces a key's value if its revision is still `revision`. */
  async update(key: string, value: Uint8Array, revision: number): Promise<number> {
    this.checkSize(key, value);
    const h = natsHeaders();
    h.set(SKIFF_OP_HEADER, "update");
    return this.publish(key, value, revision, h);
  }

  /** The largest value a write may carry (maxObjectBytes, or less when the NATS server allows less). */
  get objectLimit(): number {
    const serverMax = this.nc.info?.max_payload;
    return serverMax ? Math.min(maxObjectBytes, serverMax - headerRoom) : maxObjectBytes;
  }

  /** Refuses a value over objectLimit with a 422 that says so (instead of a 503 from NATS). */
  private checkSize(key: string, value: Uint8Array): void {
    const limit = this.objectLimit;
    if (value.length <= limit) return;
    const { resource, name } = parseKey(key);
    throw new ApiError(
      "Invalid",
      `${resource} "${name}" is invalid: the object is too large to store: ${value.length} bytes encoded, the limit is ${limit} bytes (1.5 MiB, etcd's request limit in Kubernetes)`,
      { name, kind: resource },
    );
  }

  /** Deletes a key if its revision is still `revision`, leaving `finalValue` in the marker. */
  async delete(key: string, finalValue: Uint8Array, revision: number): Promise<number> {
    const h = natsHeaders();
    h.set(OP_HEADER, "DEL");
    return this.publish(key, finalValue, revision, h);
  }

  /** The bucket's current revision (the last sequence written). */
  async currentRevision(): Promise<number> {
    return this.retrying("stream info", async () => (await this.jsm.streams.info(this.stream)).state.last_seq);
  }

  /**
   * Every live value under a key filter, and the revision the list is consistent with: a
   * watch from that revision sees every later change (maybe again, with its own revision).
   */
  async list(filter: string): Promise<{ items: StoredEntry[]; revision: number }> {
    const revision = await this.currentRevision();
    // From the cache once it has applied everything up to now (a consistent read).
    if (this.cache && (await this.cache.waitFor(revision, this.retry.attemptMs))) {
      return { items: this.cache.list(filter), revision: this.cache.revision };
    }
    let items: StoredEntry[] = [];
    await this.scan(
      filter,
      DeliverPolicy.LastPerSubject,
      0,
      (m) => {
        const op = m.headers?.get(OP_HEADER);
        if (op !== "DEL" && op !== "PURGE") items.push({ key: this.keyOf(m.subject), revision: m.seq, value: this.plain(this.keyOf(m.subject), m.data) });
      },
      false,
      () => {
        items = [];
      },
    );
    return { items, revision };
  }

  /**
   * Like list, from the watch cache without asking the stream for its last revision (it sees
   * this apiserver's own writes, see getCached): for admission's lookups, which Kubernetes
   * serves from informers too. A direct list without a cache.
   */
  async listCached(filter: string): Promise<{ items: StoredEntry[]; revision: number }> {
    if (this.cache && (await this.cacheHasOwnWrites())) return { items: this.cache.list(filter), revision: this.cache.revision };
    return this.list(filter);
  }

  /**
   * Reads what a consumer has pending at its creation, then stops. A failed attempt is retried
   * from scratch, so `fn` must tolerate seeing messages again after a reset.
   */
  private async scan(filter: string, policy: DeliverPolicy, startSeq: number, fn: (m: JsMsg) => void, headersOnly = false, reset?: () => void): Promise<void> {
    await this.retrying(`scan ${filter}`, async () => {
      reset?.();
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
      // A consumer whose stream lost its leader mid-scan goes quiet: give up on a silence
      // longer than one attempt and let the retry start over.
      let stalled = false;
      let timer = setTimeout(() => {
        stalled = true;
        void msgs.close();
      }, this.retry.attemptMs);
      let done = false;
      try {
        for await (const m of msgs) {
          clearTimeout(timer);
          timer = setTimeout(() => {
            stalled = true;
            void msgs.close();
          }, this.retry.attemptMs);
          fn(m);
          if (m.info.pending === 0) {
            done = true;
            break;
          }
        }
      } finally {
        clearTimeout(timer);
      }
      await msgs.close().catch(() => undefined);
      await c.delete().catch(() => undefined);
      if (!done) throw stalled ? new natsErrors.TimeoutError() : new natsErrors.TimeoutError({ cause: new Error("scan ended early") });
    });
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
  async watch(filter: string, afterRevision: number, onEvent: (e: StoreEvent) => void, onError: (err: Error) => void, index?: WatchIndex): Promise<() => void> {
    const cached = this.cache?.watch(filter, afterRevision, onEvent, onError, index);
    if (cached) return cached;
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
      const msgs = await c.consume(liveConsume);
      void (async () => {
        try {
          for await (const m of msgs) {
            if (stopped) break;
            const op = m.headers?.get(OP_HEADER);
            if (op === "PURGE") continue;
            const type = op === "DEL" ? "DELETED" : m.headers?.get(SKIFF_OP_HEADER) === "create" ? "ADDED" : "MODIFIED";
            onEvent({ type, key: this.keyOf(m.subject), revision: m.seq, value: this.plain(this.keyOf(m.subject), m.data) });
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
    let doomed: { subject: string; seq: number }[] = [];
    await this.scan(
      ">",
      DeliverPolicy.LastPerSubject,
      0,
      (m) => {
        if (m.headers?.get(OP_HEADER) === "DEL" && m.info.timestampNanos / 1e6 < cutoff) doomed.push({ subject: m.subject, seq: m.seq });
      },
      true,
      () => {
        doomed = [];
      },
    );
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

/**
 * A value the watch cache may keep: nats.js hands out each message's data as a view into the
 * connection's read buffer (up to 64 KB, shared by the messages read with it), so a cached view
 * would keep that whole buffer alive for as long as the object or its event stays cached — with
 * 1,000 pods, about 10 MB of buffers for 3 MB of objects. A view is copied to its own bytes.
 */
export function compact(value: Uint8Array): Uint8Array {
  // new Uint8Array(view) copies; a Buffer's slice() would be another view of the same memory.
  return value.byteLength === value.buffer.byteLength ? value : new Uint8Array(value);
}
