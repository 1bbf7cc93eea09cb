// The generic object registry: create/get/list/update/delete/watch for every resource. Each
// write runs the kind's strategy (strategies/) and the admission chain (../admission/); every
// read-modify-write goes through one loop (guaranteedUpdate), the only place that retries on a
// lost compare-and-set. Transport-neutral: the gRPC and REST fronts call it and map its typed
// errors once. It names no kind.
import { paginate, randomSuffix } from "./pagination.js";
import { randomUUID } from "node:crypto";
import type { Logger } from "@skiff/log";
import {
  ResourceRegistry,
  type ResourceInfo,
  type KObject,
  type FieldError,
  apiVersionOf,
  NotFoundError,
  AlreadyExistsError,
  ConflictError,
  InvalidError,
  BadRequestError,
  MethodNotAllowedError,
  isAlreadyExists,
  nowRfc3339,
  field,
} from "@skiff/api";
import { RevisionMismatch, type ObjectStore, type StoredEntry } from "../storage/types.js";
import { objectKey, prefixFilter } from "../storage/keys.js";
import { AdmissionChain, type AdmissionAttributes, type Completion } from "../admission/chain.js";
import type { UserInfo } from "../auth/user.js";
import { decode, encode } from "./codec.js";
import { compileFilter } from "./filter.js";
import { strategyFor } from "./strategies/index.js";
import type { Strategy } from "./strategy.js";
import { watchStore, type WatchEvent } from "./watch.js";

export type { WatchEvent };

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditionUid?: string;
  preconditionResourceVersion?: string;
  propagationPolicy?: string;
  dryRun?: boolean;
  user?: UserInfo;
}

/** How a write is made: by whom, on which subresource, for real or not. */
export interface WriteOptions {
  dryRun?: boolean;
  /**
   * "" (the object), "status" (only the status changes), "scale" (a full update through the
   * object's strategy), or another subresource (e.g. "binding"), whose update function owns
   * the change: what it returns is stored with only the system metadata kept.
   */
  subresource?: string;
  user?: UserInfo;
  /** Receives admission warnings for the client. */
  warn?: (message: string) => void;
}

/**
 * An update function: gets a private copy of the stored object, returns the object to store.
 * It may run more than once (when another writer got in between); a resourceVersion on what
 * it returns is a precondition (Conflict when the stored one differs, never retried).
 */
export type TryUpdate = (current: KObject) => KObject | Promise<KObject>;

/** What one pass of guaranteedUpdate decided to do with the stored object. */
type Decision = { write: KObject; complete: Completion } | { remove: KObject; complete: Completion } | { keep: KObject };

/** How often a read-modify-write is tried when other writers keep getting in between. */
const MAX_ATTEMPTS = 10;

export class Registry {
  readonly resources: ResourceRegistry;
  readonly admission: AdmissionChain;
  private readonly strategies = new Map<string, Strategy>();

  /** `admission` builds the chain from the registry itself, which its plugins may read. */
  constructor(
    private readonly store: ObjectStore,
    private readonly log: Logger,
    opts: { resources?: ResourceRegistry; admission?: (read: Registry) => AdmissionChain } = {},
  ) {
    this.resources = opts.resources ?? new ResourceRegistry();
    this.admission = opts.admission?.(this) ?? new AdmissionChain();
  }

  /** Finds a stored resource or fails: NotFound for unknown ones, MethodNotAllowed for virtual ones (reviews). */
  info(resource: string): ResourceInfo {
    const r = this.resources.find(resource);
    if (!r) throw new NotFoundError("resource", resource);
    if (r.virtual) throw new MethodNotAllowedError(`${r.resource} are not stored: only create is served, by the REST API`);
    return r;
  }

  /** The strategy of a resource (built once). */
  strategy(info: ResourceInfo): Strategy {
    const id = `${info.group}/${info.resource}`;
    let s = this.strategies.get(id);
    if (!s) this.strategies.set(id, (s = strategyFor(info)));
    return s;
  }

  private key(info: ResourceInfo, namespace: string, name: string): string {
    return objectKey(info.resource, info.namespaced ? namespace : "", name);
  }

  private checkScope(info: ResourceInfo, namespace: string | undefined): string {
    if (info.namespaced) {
      if (!namespace) throw new BadRequestError(`${info.resource} is namespaced: a namespace is required`);
      return namespace;
    }
    return "";
  }

  private checkKind(info: ResourceInfo, obj: KObject): void {
    const errs: FieldError[] = [];
    if (obj.kind !== undefined && obj.kind !== info.kind) errs.push(field.invalid("kind", obj.kind, `must be ${info.kind}`));
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(info))
      errs.push(field.invalid("apiVersion", obj.apiVersion, `must be ${apiVersionOf(info)}`));
    if (errs.length) throw new InvalidError(info.kind, obj.metadata?.name ?? "", errs);
  }

  /** Mutating admission, strategy validation and validating admission of one write. */
  private async admit(a: AdmissionAttributes, validate: () => FieldError[]): Promise<Completion> {
    const errs = validate();
    if (errs.length) throw new InvalidError(a.resource.kind, a.name, errs);
    const complete = await this.admission.admit(a);
    try {
      await this.admission.validate(a);
    } catch (err) {
      await complete("failed");
      throw err;
    }
    return complete;
  }

  // ---- create ----

  /** Creates an object: strategy (defaults, validation), admission, then the store. */
  async create(resource: string, namespace: string | undefined, obj: KObject, opts: WriteOptions = {}): Promise<KObject> {
    const info = this.info(resource);
    if (!obj || typeof obj !== "object" || !obj.metadata || typeof obj.metadata !== "object") {
      throw new InvalidError(info.kind, "", [field.required("metadata")]);
    }
    const ns = this.checkScope(info, namespace ?? obj.metadata.namespace);
    if (info.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw new BadRequestError(`the namespace of the provided object (${obj.metadata.namespace}) does not match the namespace sent on the request (${ns})`);
    }
    this.checkKind(info, obj);
    const strategy = this.strategy(info);
    const o: KObject = structuredClone(obj);
    o.apiVersion = apiVersionOf(info);
    o.kind = info.kind;
    const m = o.metadata;
    if (!m.name && m.generateName) m.name = m.generateName + randomSuffix();
    if (info.namespaced) m.namespace = ns;
    else delete m.namespace;
    m.uid = randomUUID();
    m.creationTimestamp = nowRfc3339();
    m.generation = 1;
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    strategy.prepareForCreate(o);
    const attrs: AdmissionAttributes = {
      operation: "CREATE",
      resource: info,
      subresource: "",
      namespace: ns,
      name: m.name ?? "",
      object: o,
      dryRun: !!opts.dryRun,
      user: opts.user,
      warn: opts.warn,
    };
    const complete = await this.admit(attrs, () => strategy.validate(o));
    if (opts.dryRun) {
      await complete("failed");
      return o;
    }
    try {
      const rev = await this.store.create(this.key(info, ns, m.name!), encode(o));
      o.metadata.resourceVersion = String(rev);
    } catch (err) {
      await complete("failed");
      if (err instanceof RevisionMismatch) throw new AlreadyExistsError(info.resource, m.name!);
      throw err;
    }
    await complete("stored");
    return o;
  }

  // ---- read ----

  async get(resource: string, namespace: string | undefined, name: string): Promise<KObject> {
    const info = this.info(resource);
    const ns = this.checkScope(info, namespace);
    const e = await this.store.get(this.key(info, ns, name));
    if (!e) throw new NotFoundError(info.resource, name);
    return decode(e);
  }

  /**
   * Like get, but from the watch cache when it holds the object (may be a moment stale): for
   * checks that tolerate a race anyway, such as "the node of a binding exists".
   */
  async getCached(resource: string, namespace: string | undefined, name: string): Promise<KObject> {
    return decode(await this.entryCached(resource, namespace, name));
  }

  /** Throws NotFound unless the watch cache (or the store) holds the object; decodes nothing. */
  async mustExistCached(resource: string, namespace: string | undefined, name: string): Promise<void> {
    await this.entryCached(resource, namespace, name);
  }

  private async entryCached(resource: string, namespace: string | undefined, name: string): Promise<StoredEntry> {
    const info = this.info(resource);
    const ns = this.checkScope(info, namespace);
    const key = this.key(info, ns, name);
    const e = this.store.getCached ? await this.store.getCached(key) : await this.store.get(key);
    if (!e) throw new NotFoundError(info.resource, name);
    return e;
  }

  /** Like list, from the watch cache as it is (admission's lookups, as Kubernetes' informers serve them). */
  listCached(resource: string, opts: ListOptions = {}): Promise<{ items: KObject[]; resourceVersion: string; continueToken: string }> {
    return this.list(resource, opts, true);
  }

  /** Lists objects (one namespace or all), filtered, sorted by namespace/name, paginated. */
  async list(resource: string, opts: ListOptions = {}, cached = false): Promise<{ items: KObject[]; resourceVersion: string; continueToken: string }> {
    const info = this.info(resource);
    const filter = compileFilter(this.strategy(info).selectableFields, opts.labelSelector, opts.fieldSelector);
    const prefix = prefixFilter(info.resource, info.namespaced ? opts.namespace : undefined);
    const { items, revision } = cached && this.store.listCached ? await this.store.listCached(prefix) : await this.store.list(prefix);
    const page = paginate(
      items.map(decode).filter((o) => filter.matches(o)),
      opts,
    );
    return { ...page, resourceVersion: String(revision) };
  }

  // ---- update ----

  /**
   * Updates one object through `tryUpdate` (see TryUpdate), the kind's strategy for the
   * subresource written, and admission; retried on a lost compare-and-set.
   */
  async update(resource: string, namespace: string | undefined, name: string, tryUpdate: TryUpdate, opts: WriteOptions = {}): Promise<KObject> {
    return (await this.upsert(resource, namespace, name, tryUpdate, opts)).object;
  }

  /**
   * update, and when the object does not exist and `create` is given, creates what it returns
   * instead (server-side apply); created says which happened.
   */
  async upsert(
    resource: string,
    namespace: string | undefined,
    name: string,
    tryUpdate: TryUpdate,
    opts: WriteOptions & { create?: () => KObject } = {},
  ): Promise<{ object: KObject; created: boolean }> {
    const info = this.info(resource);
    const ns = this.checkScope(info, namespace);
    if (!name) throw new InvalidError(info.kind, "", [field.required("metadata.name")]);
    const strategy = this.strategy(info);
    const sub = opts.subresource ?? "";
    const create = opts.create ? () => this.create(resource, namespace, opts.create!(), opts) : undefined;
    return this.guaranteedUpdate(
      info,
      ns,
      name,
      async (old, copy) => {
        const next = await tryUpdate(copy());
        if (!next?.metadata || typeof next.metadata !== "object") throw new InvalidError(info.kind, name, [field.required("metadata")]);
        if (next.metadata.name && next.metadata.name !== name)
          throw new BadRequestError(`the name of the object (${next.metadata.name}) does not match the name on the request (${name})`);
        next.metadata.name = name;
        this.checkKind(info, next);
        const wantRv = next.metadata.resourceVersion;
        if (wantRv && wantRv !== old.metadata.resourceVersion) throw new ConflictError(info.resource, name);
        let stored: KObject;
        let validate: () => FieldError[] = () => [];
        if (sub === "status") {
          stored = strategy.prepareForStatusUpdate(next, copy());
        } else if (sub === "" || sub === "scale") {
          strategy.prepareForUpdate(next, old);
          stored = next;
          validate = () => strategy.validateUpdate(next, old);
        } else {
          // The subresource's own function made the change; only system metadata is kept.
          stored = {
            ...next,
            apiVersion: old.apiVersion,
            kind: old.kind,
            metadata: { ...next.metadata, uid: old.metadata.uid, namespace: old.metadata.namespace, creationTimestamp: old.metadata.creationTimestamp },
          };
        }
        const attrs: AdmissionAttributes = {
          operation: "UPDATE",
          resource: info,
          subresource: sub,
          namespace: ns,
          name,
          object: stored,
          oldObject: old,
          dryRun: !!opts.dryRun,
          user: opts.user,
          warn: opts.warn,
        };
        const complete = await this.admit(attrs, validate);
        if (opts.dryRun) {
          await complete("failed");
          return { keep: stored };
        }
        // A terminating object whose last finalizer just went is removed, unless its owner
        // still has to finish it (a bound pod and its node).
        const m = stored.metadata;
        if (m.deletionTimestamp && this.pendingFinalizers(strategy, stored).length === 0 && !strategy.awaitsOwner?.(stored)) {
          return { remove: stored, complete };
        }
        return { write: stored, complete };
      },
      create,
    );
  }

  /**
   * The one read-modify-write loop: reads the object, lets `decide` say what to do with it,
   * and writes with compare-and-set on the revision it read; when another writer got in
   * between, reads again and decides again. `create` (upsert) runs when the object is missing.
   */
  private async guaranteedUpdate(
    info: ResourceInfo,
    ns: string,
    name: string,
    /** `copy` decodes the same stored value again: a fresh object for a caller to change (cheaper than structuredClone). */
    decide: (old: KObject, copy: () => KObject) => Promise<Decision>,
    create?: () => Promise<KObject>,
  ): Promise<{ object: KObject; created: boolean; removed: boolean }> {
    const key = this.key(info, ns, name);
    // Why start from the watch cache (as kube-apiserver's GuaranteedUpdate does): it saves the
    // read's round trip to the store; a stale value fails the compare-and-set, or `decide`, and
    // the loop then starts over from a fresh read without counting an attempt.
    let cached = this.store.getCached !== undefined;
    for (let attempt = 1; ; attempt++) {
      const fromCache = cached;
      cached = false;
      const cur = fromCache ? await this.store.getCached!(key) : await this.store.get(key);
      if (!cur && fromCache) {
        attempt--;
        continue;
      }
      if (!cur) {
        if (!create) throw new NotFoundError(info.resource, name);
        try {
          return { object: await create(), created: true, removed: false };
        } catch (err) {
          if (isAlreadyExists(err) && attempt < MAX_ATTEMPTS) continue; // created meanwhile: update it
          throw err;
        }
      }
      let d: Decision;
      try {
        d = await decide(decode(cur), () => decode(cur));
      } catch (err) {
        if (!fromCache) throw err;
        attempt--; // decided on a maybe stale object: decide again on a fresh one
        continue;
      }
      if ("keep" in d) {
        if (!fromCache) return { object: d.keep, created: false, removed: false };
        attempt--; // nothing to write (or a dry run) must answer with the current object
        continue;
      }
      const o = "write" in d ? d.write : d.remove;
      const bytes = encode(o);
      // As Kubernetes' GuaranteedUpdate: an update that changes nothing is not written (no new
      // resourceVersion, no watch event), so idempotent writers cost the store nothing.
      if ("write" in d && Buffer.from(bytes).equals(Buffer.from(cur.value))) {
        // Equal to a cached (maybe stale) value says nothing about the stored one: decide again fresh.
        if (fromCache) {
          await d.complete("failed");
          attempt--;
          continue;
        }
        await d.complete("stored");
        o.metadata.resourceVersion = String(cur.revision);
        return { object: o, created: false, removed: false };
      }
      try {
        const rev = "write" in d ? await this.store.update(key, bytes, cur.revision) : await this.store.delete(key, bytes, cur.revision);
        if ("write" in d) o.metadata.resourceVersion = String(rev);
      } catch (err) {
        await d.complete("failed");
        if (!(err instanceof RevisionMismatch)) throw err;
        if (fromCache) attempt--;
        if (attempt >= MAX_ATTEMPTS) throw new ConflictError(info.resource, name);
        // Many writers of one object (a hot status, a quota) would otherwise retry in lockstep
        // and collide again: a jittered pause that grows with the attempts spreads them out.
        if (attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 64)));
        continue;
      }
      await d.complete("write" in d ? "stored" : "removed");
      return { object: o, created: false, removed: "remove" in d };
    }
  }

  // ---- delete ----

  /** Finalizers still holding an object. */
  private pendingFinalizers(strategy: Strategy, o: KObject): string[] {
    return [...(o.metadata.finalizers ?? []), ...(strategy.extraFinalizers?.(o) ?? [])];
  }

  /**
   * Deletes an object. Objects with finalizers, and objects whose owner must finish them (a
   * bound pod and its node), are marked (deletionTimestamp) and removed later; the rest go at once.
   */
  async delete(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ object: KObject; finished: boolean }> {
    const info = this.info(resource);
    const ns = this.checkScope(info, namespace);
    const strategy = this.strategy(info);
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) {
      throw new InvalidError(info.kind, name, [field.invalid("gracePeriodSeconds", opts.gracePeriodSeconds, "must be greater than or equal to 0")]);
    }
    const r = await this.guaranteedUpdate(info, ns, name, async (o) => {
      if (opts.preconditionUid && opts.preconditionUid !== o.metadata.uid) {
        throw new ConflictError(
          info.resource,
          name,
          `Precondition failed: UID in precondition: ${opts.preconditionUid}, UID in object meta: ${o.metadata.uid}`,
        );
      }
      if (opts.preconditionResourceVersion && opts.preconditionResourceVersion !== o.metadata.resourceVersion) {
        throw new ConflictError(
          info.resource,
          name,
          `Precondition failed: ResourceVersion in precondition: ${opts.preconditionResourceVersion}, ResourceVersion in object meta: ${o.metadata.resourceVersion}`,
        );
      }
      const complete = await this.admit(
        { operation: "DELETE", resource: info, subresource: "", namespace: ns, name, oldObject: o, dryRun: !!opts.dryRun, user: opts.user },
        () => [],
      );
      if (opts.dryRun) {
        await complete("failed");
        return { keep: o };
      }
      const grace = strategy.deleteGracePeriod?.(o, opts.gracePeriodSeconds) ?? 0;
      // Foreground and Orphan deletion are carried out by the garbage collector through the
      // finalizer they add, so they always mark rather than remove.
      const gcPolicy = opts.propagationPolicy === "Foreground" || opts.propagationPolicy === "Orphan";
      const hasFinalizers = this.pendingFinalizers(strategy, o).length > 0 || gcPolicy;
      if (!hasFinalizers && grace === 0) return { remove: o, complete };
      const m = o.metadata;
      const prevGrace = m.deletionGracePeriodSeconds;
      if (m.deletionTimestamp && prevGrace !== undefined && grace >= prevGrace && !(grace === 0 && prevGrace > 0)) {
        await complete("failed");
        return { keep: o }; // already terminating, no shorter grace asked
      }
      if (!m.deletionTimestamp) m.deletionTimestamp = nowRfc3339(new Date(Date.now() + grace * 1000));
      m.deletionGracePeriodSeconds = grace;
      if (grace === 0 && !hasFinalizers) return { remove: o, complete };
      strategy.prepareForDelete?.(o);
      if (opts.propagationPolicy === "Foreground" && !m.finalizers?.includes("foregroundDeletion"))
        m.finalizers = [...(m.finalizers ?? []), "foregroundDeletion"];
      if (opts.propagationPolicy === "Orphan" && !m.finalizers?.includes("orphan")) m.finalizers = [...(m.finalizers ?? []), "orphan"];
      return { write: o, complete };
    });
    return { object: r.object, finished: r.removed };
  }

  // ---- watch ----

  /**
   * Streams changes. resourceVersion "" or "0" first sends ADDED for every current object.
   * With selectors, an object entering the selection is ADDED and one leaving it DELETED.
   */
  async watch(
    resource: string,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; resourceVersion?: string; bookmarkIntervalMs?: number },
    send: (e: WatchEvent) => void,
    onError: (err: Error) => void,
  ): Promise<() => void> {
    const info = this.info(resource);
    const filter = compileFilter(this.strategy(info).selectableFields, opts.labelSelector, opts.fieldSelector);
    const prefix = prefixFilter(info.resource, info.namespaced ? opts.namespace : undefined);
    return watchStore(this.store, { info, prefix, filter, resourceVersion: opts.resourceVersion, bookmarkIntervalMs: opts.bookmarkIntervalMs }, send, onError);
  }

  /** Makes sure the namespaces every cluster starts with exist. */
  async ensureSystemNamespaces(): Promise<void> {
    for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      try {
        await this.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
        this.log.info({ namespace: name }, "created namespace");
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
    }
  }
}
