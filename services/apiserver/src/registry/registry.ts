// The generic object registry: create/get/list/update/status/delete/bind/watch for every
// resource, with defaulting, validation, admission (namespace exists and is not terminating),
// optimistic concurrency, graceful deletion and finalizers. Transport-neutral: the gRPC
// service (and later the REST API) call it and map its typed errors once.
import { randomUUID } from "node:crypto";
import type { Logger } from "@skiff/log";
import {
  ResourceRegistry, type ResourceInfo, type KObject, type Pod, type FieldError, apiVersionOf,
  NotFoundError, AlreadyExistsError, ConflictError, InvalidError, BadRequestError, ForbiddenError,
  parseLabelSelector, matchesLabels, parseFieldSelector, matchesFields, type LabelSelector, type FieldRequirement,
  validateObjectMetaUpdate, nowRfc3339, setCondition, field,
} from "@skiff/api";
import { Store, RevisionMismatch, type StoredEntry } from "../storage/store.js";
import { objectKey, prefixFilter } from "../storage/keys.js";

/** Fields each resource may be selected on besides metadata.name and metadata.namespace. */
const selectableFields: Record<string, string[]> = {
  pods: ["spec.nodeName", "status.phase", "spec.schedulerName", "spec.restartPolicy", "status.podIP"],
  events: ["involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "involvedObject.uid", "reason", "type", "source.component"],
  nodes: ["spec.unschedulable"],
  namespaces: ["status.phase"],
  secrets: ["type"],
};

/** A watch event as the registry emits it. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  object: KObject;
}

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
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Decodes a stored entry, stamping resourceVersion from the revision. */
function decode(e: StoredEntry): KObject {
  const o = JSON.parse(dec.decode(e.value)) as KObject;
  o.metadata.resourceVersion = String(e.revision);
  return o;
}

/** Encodes an object for storage; the revision is the resourceVersion, so it is not stored. */
function encode(o: KObject): Uint8Array {
  const copy = { ...o, metadata: { ...o.metadata } };
  delete copy.metadata.resourceVersion;
  return enc.encode(JSON.stringify(copy));
}

/** Per-resource hooks around writes (the service allocator: ClusterIPs, NodePorts). */
export interface WriteHooks {
  /** After validation, before the object is stored; may fill fields; throws to refuse. */
  beforeCreate?(o: KObject): Promise<void>;
  /** The store refused the create (e.g. AlreadyExists): undo beforeCreate. */
  createFailed?(o: KObject): Promise<void>;
  beforeUpdate?(next: KObject, old: KObject): Promise<void>;
  /** ok = the update was stored. */
  afterUpdate?(next: KObject, old: KObject, ok: boolean): Promise<void>;
  afterDelete?(o: KObject): Promise<void>;
}

/** Compiled selectors of one list or watch call. */
interface Filter {
  labels: LabelSelector;
  fields: FieldRequirement[];
}

export class Registry {
  readonly resources: ResourceRegistry;
  /** Write hooks by resource plural (see WriteHooks). */
  readonly hooks = new Map<string, WriteHooks>();
  constructor(private readonly store: Store, private readonly log: Logger, resources = new ResourceRegistry()) {
    this.resources = resources;
  }

  /** Finds a resource or fails with NotFound, as the API does for unknown resources. */
  info(resource: string): ResourceInfo {
    const r = this.resources.find(resource);
    if (!r || r.resource !== resource.toLowerCase()) {
      const byAny = this.resources.find(resource);
      if (byAny) return byAny;
      throw new NotFoundError("resource", resource);
    }
    return r;
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

  private async requireNamespace(info: ResourceInfo, namespace: string, creating: boolean): Promise<void> {
    if (!info.namespaced) return;
    const ns = await this.store.get(objectKey("namespaces", "", namespace));
    if (!ns) throw new NotFoundError("namespaces", namespace);
    if (creating) {
      const o = decode(ns);
      if (o.metadata.deletionTimestamp) {
        throw new ForbiddenError(`${info.resource} "..." is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
      }
    }
  }

  private compileFilter(info: ResourceInfo, labelSelector?: string, fieldSelector?: string): Filter {
    const labels = labelSelector ? parseLabelSelector(labelSelector) : [];
    const fields = fieldSelector ? parseFieldSelector(fieldSelector) : [];
    const allowed = ["metadata.name", "metadata.namespace", ...(selectableFields[info.resource] ?? [])];
    for (const f of fields) {
      if (!allowed.includes(f.field)) throw new BadRequestError(`field label not supported: ${f.field}`);
    }
    return { labels, fields };
  }

  private matches(f: Filter, o: KObject): boolean {
    return matchesLabels(f.labels, o.metadata.labels) && matchesFields(f.fields, o);
  }

  // ---- create ----

  /** Creates an object after defaulting, validation and admission. */
  async create(resource: string, namespace: string | undefined, obj: KObject, dryRun = false): Promise<KObject> {
    const info = this.info(resource);
    if (!obj || typeof obj !== "object" || !obj.metadata || typeof obj.metadata !== "object") {
      throw new InvalidError(info.kind, "", [field.required("metadata")]);
    }
    const ns = this.checkScope(info, namespace ?? obj.metadata.namespace);
    if (info.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw new BadRequestError(`the namespace of the provided object (${obj.metadata.namespace}) does not match the namespace sent on the request (${ns})`);
    }
    this.checkKind(info, obj);
    const o: KObject = structuredClone(obj);
    o.apiVersion = apiVersionOf(info);
    o.kind = info.kind;
    const m = o.metadata;
    if (!m.name && m.generateName) m.name = m.generateName + randomSuffix();
    if (info.namespaced) m.namespace = ns; else delete m.namespace;
    m.uid = randomUUID();
    m.creationTimestamp = nowRfc3339();
    m.generation = 1;
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    info.applyDefaults?.(o);
    const errs = info.validate(o);
    if (errs.length) throw new InvalidError(info.kind, m.name ?? "", errs);
    await this.requireNamespace(info, ns, true);
    if (dryRun) return o;
    const hook = this.hooks.get(info.resource);
    await hook?.beforeCreate?.(o);
    try {
      const rev = await this.store.create(this.key(info, ns, m.name!), encode(o));
      o.metadata.resourceVersion = String(rev);
      return o;
    } catch (err) {
      await hook?.createFailed?.(o);
      if (err instanceof RevisionMismatch) throw new AlreadyExistsError(info.resource, m.name!);
      throw err;
    }
  }

  private checkKind(info: ResourceInfo, obj: KObject): void {
    const errs: FieldError[] = [];
    if (obj.kind !== undefined && obj.kind !== info.kind) errs.push(field.invalid("kind", obj.kind, `must be ${info.kind}`));
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(info)) errs.push(field.invalid("apiVersion", obj.apiVersion, `must be ${apiVersionOf(info)}`));
    if (errs.length) throw new InvalidError(info.kind, obj.metadata?.name ?? "", errs);
  }

  // ---- read ----

  async get(resource: string, namespace: string | undefined, name: string): Promise<KObject> {
    const info = this.info(resource);
    const ns = this.checkScope(info, namespace);
    const e = await this.store.get(this.key(info, ns, name));
    if (!e) throw new NotFoundError(info.resource, name);
    return decode(e);
  }

  /** Lists objects (one namespace or all), filtered, sorted by namespace/name, paginated. */
  async list(resource: string, opts: ListOptions = {}): Promise<{ items: KObject[]; resourceVersion: string; continueToken: string }> {
    const info = this.info(resource);
    const filter = this.compileFilter(info, opts.labelSelector, opts.fieldSelector);
    const { items, revision } = await this.store.list(prefixFilter(info.resource, info.namespaced ? opts.namespace : undefined));
    let objs = items.map(decode).filter((o) => this.matches(filter, o));
    objs.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    let after = "";
    if (opts.continueToken) {
      try {
        after = JSON.parse(Buffer.from(opts.continueToken, "base64url").toString("utf8")).k;
      } catch {
        throw new BadRequestError("invalid continue token");
      }
      objs = objs.filter((o) => sortKey(o) > after);
    }
    let continueToken = "";
    if (opts.limit && opts.limit > 0 && objs.length > opts.limit) {
      objs = objs.slice(0, opts.limit);
      continueToken = Buffer.from(JSON.stringify({ k: sortKey(objs[objs.length - 1]) })).toString("base64url");
    }
    return { items: objs, resourceVersion: String(revision), continueToken };
  }

  // ---- update ----

  /** Replaces an object's spec and metadata (status kept when the resource has a status subresource). */
  /**
   * Replaces an object (not its status). `beforeWrite` sees the object to be stored, before
   * defaults, beside the stored one it replaces (the REST API records field managers there).
   */
  async update(resource: string, namespace: string | undefined, obj: KObject, dryRun = false, beforeWrite?: (next: KObject, old: KObject) => void): Promise<KObject> {
    return this.write(resource, namespace, obj, "spec", dryRun, beforeWrite);
  }

  /** Replaces only an object's status. */
  async updateStatus(resource: string, namespace: string | undefined, obj: KObject): Promise<KObject> {
    return this.write(resource, namespace, obj, "status", false);
  }

  private async write(resource: string, namespace: string | undefined, obj: KObject, part: "spec" | "status", dryRun: boolean, beforeWrite?: (next: KObject, old: KObject) => void): Promise<KObject> {
    const info = this.info(resource);
    if (!obj?.metadata?.name) throw new InvalidError(info.kind, "", [field.required("metadata.name")]);
    const ns = this.checkScope(info, namespace ?? obj.metadata.namespace);
    this.checkKind(info, obj);
    const name = obj.metadata.name;
    const key = this.key(info, ns, name);
    const cur = await this.store.get(key);
    if (!cur) throw new NotFoundError(info.resource, name);
    const old = decode(cur);
    const wantRv = obj.metadata.resourceVersion;
    if (wantRv && wantRv !== old.metadata.resourceVersion) throw new ConflictError(info.resource, name);
    let next: KObject;
    if (part === "status") {
      next = { ...structuredClone(old), status: structuredClone(obj.status) };
    } else {
      next = structuredClone(obj);
      next.apiVersion = apiVersionOf(info);
      next.kind = info.kind;
      beforeWrite?.(next, old);
      // Defaults apply on update too (a client may omit defaulted fields), before the stored
      // status is put back.
      info.applyDefaults?.(next);
      if (info.hasStatus) next.status = structuredClone(old.status);
      const m = next.metadata;
      // System fields are not the writer's to change.
      m.namespace = old.metadata.namespace;
      m.creationTimestamp = old.metadata.creationTimestamp;
      m.deletionTimestamp = old.metadata.deletionTimestamp;
      m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      if (!m.uid) m.uid = old.metadata.uid;
      const errs = [...validateObjectMetaUpdate(m, old.metadata), ...info.validate(next), ...(info.validateUpdate?.(next, old) ?? [])];
      if (errs.length) throw new InvalidError(info.kind, name, errs);
      if (old.metadata.deletionTimestamp && (m.finalizers ?? []).some((f) => !(old.metadata.finalizers ?? []).includes(f))) {
        throw new InvalidError(info.kind, name, [field.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted")]);
      }
      m.generation = (old.metadata.generation ?? 1) + (JSON.stringify(next.spec) !== JSON.stringify(old.spec) ? 1 : 0);
    }
    if (dryRun) return next;
    const hook = part === "spec" ? this.hooks.get(info.resource) : undefined;
    await hook?.beforeUpdate?.(next, old);
    // A terminating object whose last finalizer just went is removed (pods are finished by their node).
    if (next.metadata.deletionTimestamp && pendingFinalizers(next).length === 0 && !this.waitsForNode(info, next)) {
      await this.removeNow(info, key, next, cur.revision);
      return next;
    }
    try {
      const rev = await this.store.update(key, encode(next), cur.revision);
      next.metadata.resourceVersion = String(rev);
      await hook?.afterUpdate?.(next, old, true);
      return next;
    } catch (err) {
      await hook?.afterUpdate?.(next, old, false);
      if (err instanceof RevisionMismatch) throw new ConflictError(info.resource, name);
      throw err;
    }
  }

  // ---- delete ----

  /** A bound pod is finished by its node agent, which stops its containers first. */
  private waitsForNode(info: ResourceInfo, o: KObject): boolean {
    return info.gracefulDelete && !!(o as Pod).spec?.nodeName && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  private async removeNow(info: ResourceInfo, key: string, o: KObject, revision: number): Promise<number> {
    try {
      const rev = await this.store.delete(key, encode(o), revision);
      await this.hooks.get(info.resource)?.afterDelete?.(o);
      return rev;
    } catch (err) {
      if (err instanceof RevisionMismatch) throw new ConflictError(info.resource, o.metadata.name ?? "");
      throw err;
    }
  }

  /**
   * Deletes an object. Objects with finalizers, bound pods with a grace period, and namespaces
   * are marked (deletionTimestamp) and finished later by whoever owns them; the rest go at once.
   */
  async delete(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ object: KObject; finished: boolean }> {
    const info = this.info(resource);
    const ns = this.checkScope(info, namespace);
    const key = this.key(info, ns, name);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.store.get(key);
      if (!cur) throw new NotFoundError(info.resource, name);
      const o = decode(cur);
      if (opts.preconditionUid && opts.preconditionUid !== o.metadata.uid) {
        throw new ConflictError(info.resource, name, `Precondition failed: UID in precondition: ${opts.preconditionUid}, UID in object meta: ${o.metadata.uid}`);
      }
      if (opts.preconditionResourceVersion && opts.preconditionResourceVersion !== o.metadata.resourceVersion) {
        throw new ConflictError(info.resource, name, `Precondition failed: ResourceVersion in precondition: ${opts.preconditionResourceVersion}, ResourceVersion in object meta: ${o.metadata.resourceVersion}`);
      }
      if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) {
        throw new InvalidError(info.kind, name, [field.invalid("gracePeriodSeconds", opts.gracePeriodSeconds, "must be greater than or equal to 0")]);
      }
      let grace = 0;
      if (info.gracefulDelete) {
        grace = opts.gracePeriodSeconds ?? (o as Pod).spec?.terminationGracePeriodSeconds ?? 30;
        // A pod that never ran, or has finished, has nothing to stop.
        const phase = (o as Pod).status?.phase;
        if (!(o as Pod).spec?.nodeName || phase === "Succeeded" || phase === "Failed") grace = 0;
      }
      // Foreground and Orphan deletion are carried out by the garbage collector through the
      // finalizer they add, so they always mark rather than remove.
      const gcPolicy = opts.propagationPolicy === "Foreground" || opts.propagationPolicy === "Orphan";
      const hasFinalizers = pendingFinalizers(o).length > 0 || gcPolicy;
      const marks = hasFinalizers || grace > 0;
      try {
        if (!marks) {
          await this.removeNow(info, key, o, cur.revision);
          return { object: o, finished: true };
        }
        const m = o.metadata;
        const prevGrace = m.deletionGracePeriodSeconds;
        if (m.deletionTimestamp && prevGrace !== undefined && grace >= prevGrace && !(grace === 0 && prevGrace > 0)) {
          return { object: o, finished: false }; // already terminating, no shorter grace asked
        }
        if (!m.deletionTimestamp) m.deletionTimestamp = nowRfc3339(new Date(Date.now() + grace * 1000));
        m.deletionGracePeriodSeconds = grace;
        if (grace === 0 && !hasFinalizers) {
          await this.removeNow(info, key, o, cur.revision);
          return { object: o, finished: true };
        }
        if (info.resource === "namespaces") (o.status as { phase?: string }) = { ...(o.status as object), phase: "Terminating" };
        if (opts.propagationPolicy === "Foreground" && !m.finalizers?.includes("foregroundDeletion")) m.finalizers = [...(m.finalizers ?? []), "foregroundDeletion"];
        if (opts.propagationPolicy === "Orphan" && !m.finalizers?.includes("orphan")) m.finalizers = [...(m.finalizers ?? []), "orphan"];
        const rev = await this.store.update(key, encode(o), cur.revision);
        o.metadata.resourceVersion = String(rev);
        return { object: o, finished: false };
      } catch (err) {
        // Lost a race with another writer: read again and decide again.
        if ((err instanceof RevisionMismatch || err instanceof ConflictError) && attempt < 5) continue;
        throw err;
      }
    }
  }

  // ---- bind ----

  /** Binds a pending pod to a node (the scheduler's one write). */
  async bind(namespace: string, podName: string, nodeName: string, podUid?: string): Promise<KObject> {
    const info = this.info("pods");
    const key = this.key(info, namespace, podName);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.store.get(key);
      if (!cur) throw new NotFoundError("pods", podName);
      const pod = decode(cur) as Pod;
      if (podUid && pod.metadata.uid !== podUid) throw new ConflictError("pods", podName, "the pod was replaced (uid changed)");
      if (pod.spec.nodeName) throw new ConflictError("pods", podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
      if (pod.metadata.deletionTimestamp) throw new ConflictError("pods", podName, "pod is being deleted");
      if (!nodeName) throw new InvalidError("Binding", podName, [field.required("target.name")]);
      const node = await this.store.get(objectKey("nodes", "", nodeName));
      if (!node) throw new NotFoundError("nodes", nodeName);
      pod.spec.nodeName = nodeName;
      pod.status ??= {};
      pod.status.conditions ??= [];
      setCondition(pod.status.conditions, { type: "PodScheduled", status: "True", lastProbeTime: null });
      try {
        const rev = await this.store.update(key, encode(pod), cur.revision);
        pod.metadata.resourceVersion = String(rev);
        return pod;
      } catch (err) {
        if (err instanceof RevisionMismatch && attempt < 5) continue; // status writes race with binds; retry
        throw err;
      }
    }
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
    const filter = this.compileFilter(info, opts.labelSelector, opts.fieldSelector);
    const selective = filter.labels.length > 0 || filter.fields.length > 0;
    const prefix = prefixFilter(info.resource, info.namespaced ? opts.namespace : undefined);
    const rvText = opts.resourceVersion ?? "";
    if (rvText !== "" && !/^\d+$/.test(rvText)) throw new BadRequestError(`invalid resourceVersion: ${rvText}`);
    let from = Number(rvText || 0);
    /** Keys the client currently holds (for selective watches) and the revisions it saw. */
    const held = new Map<string, number>();
    if (from === 0) {
      const { items, revision } = await this.store.list(prefix);
      for (const e of items) {
        const o = decode(e);
        if (!this.matches(filter, o)) continue;
        held.set(e.key, e.revision);
        send({ type: "ADDED", object: o });
      }
      from = revision;
    }
    let lastRevision = from;
    const resumed = rvText !== "" && rvText !== "0";
    const stop = await this.store.watch(prefix, from, (e) => {
      lastRevision = e.revision;
      const seen = held.get(e.key);
      if (seen !== undefined && seen >= e.revision) return; // already sent by the initial list
      const o = decode({ key: e.key, revision: e.revision, value: e.value });
      const match = this.matches(filter, o);
      // Whether the object matched before this change, when the store knows its previous value
      // (the watch cache does): then a resumed watch knows what the client holds, as Kubernetes' does.
      const prevMatched = e.prevValue ? this.matches(filter, decode({ key: e.key, revision: e.revision, value: e.prevValue })) : undefined;
      if (e.type === "DELETED") {
        // A resumed watch without the previous value cannot know what the client holds: it
        // reports deletions it may care about.
        if (held.delete(e.key) || (resumed && (prevMatched ?? match))) send({ type: "DELETED", object: o });
        return;
      }
      if (match) {
        const known = held.has(e.key) || (resumed && prevMatched === true);
        held.set(e.key, e.revision);
        // Unknown to this watch: new, entering the selection, or (resumed, previous value
        // unknown) held from before.
        const type = known ? "MODIFIED" : !resumed || selective || prevMatched === false ? "ADDED" : e.type;
        send({ type, object: o });
      } else if (held.delete(e.key) || (resumed && prevMatched === true)) {
        send({ type: "DELETED", object: o });
      }
    }, onError);
    let timer: NodeJS.Timeout | undefined;
    if (opts.bookmarkIntervalMs && opts.bookmarkIntervalMs > 0) {
      timer = setInterval(() => {
        send({ type: "BOOKMARK", object: { apiVersion: apiVersionOf(info), kind: info.kind, metadata: { resourceVersion: String(lastRevision) } } });
      }, opts.bookmarkIntervalMs);
      timer.unref();
    }
    return () => {
      if (timer) clearInterval(timer);
      stop();
    };
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

/** Finalizers still holding an object: metadata.finalizers, and a namespace's spec.finalizers. */
function pendingFinalizers(o: KObject): string[] {
  const spec = o.kind === "Namespace" ? ((o.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
  return [...(o.metadata.finalizers ?? []), ...spec];
}

function sortKey(o: KObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

const alphabet = "bcdfghjklmnpqrstvwxz2456789";
/** Kubernetes-style 5-character suffix for generateName. */
function randomSuffix(): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
