// Garbage collector: objects whose owners (ownerReferences) are all gone are deleted
// (background cascade); an owner deleted with propagationPolicy Foreground keeps its
// "foregroundDeletion" finalizer until its dependents are gone; one deleted with Orphan has its
// dependents' references to it removed, then its "orphan" finalizer.
import { builtinResources, clone, isNotFound, type KObject, type OwnerReference } from "@skiff/api";
import { QueueController } from "../common/base.js";
import { tolerant } from "../common/ownership.js";

export const FOREGROUND_FINALIZER = "foregroundDeletion";
export const ORPHAN_FINALIZER = "orphan";

/** Resources the collector follows (ResourceInfo.garbageCollected), by the kind owner references name. */
export const gcResources: Record<string, string> = Object.fromEntries(builtinResources.filter((r) => r.garbageCollected).map((r) => [r.kind, r.resource]));

/** Followed resources that are cluster-scoped (a Node owns its mirror pods): their key has no namespace. */
const clusterScoped = new Set(builtinResources.filter((r) => r.garbageCollected && r.namespaced === false).map((r) => r.resource));

const SEP = "|";

/** The garbage collector. Queue keys are "resource|namespace/name". */
export class GarbageCollector extends QueueController {
  protected async setup(): Promise<void> {
    for (const resource of Object.values(gcResources)) {
      const inf = this.ctx.informers.get<KObject>(resource);
      inf.addHandlers({
        onAdd: (o) => this.onChange(resource, o),
        onUpdate: (_a, o) => this.onChange(resource, o),
        onDelete: (o) => {
          // Dependents of a deleted owner, and a foreground owner waiting for this dependent.
          for (const d of this.dependents(o.metadata.uid!)) this.queue.add(d.key);
          this.enqueueOwners(o);
        },
      });
    }
    await Promise.all(Object.values(gcResources).map((r) => this.ctx.informers.get(r).waitForSync()));
  }

  private onChange(resource: string, o: KObject): void {
    if (o.metadata.ownerReferences?.length || o.metadata.deletionTimestamp) this.queue.add(keyOf(resource, o));
    if (o.metadata.deletionTimestamp) this.enqueueOwners(o);
  }

  private enqueueOwners(o: KObject): void {
    for (const ref of o.metadata.ownerReferences ?? []) {
      const r = gcResources[ref.kind];
      if (r) this.queue.add(`${r}${SEP}${o.metadata.namespace && !clusterScoped.has(r) ? `${o.metadata.namespace}/` : ""}${ref.name}`);
    }
  }

  /** Every cached object with an owner reference to this uid. */
  dependents(uid: string): { resource: string; key: string; obj: KObject }[] {
    const out: { resource: string; key: string; obj: KObject }[] = [];
    for (const resource of Object.values(gcResources)) {
      for (const o of this.ctx.informers.get<KObject>(resource).list()) {
        if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ resource, key: keyOf(resource, o), obj: o });
      }
    }
    return out;
  }

  async reconcile(key: string): Promise<void> {
    const [resource, objKey] = key.split(SEP);
    const o = this.ctx.informers.get<KObject>(resource).get(objKey);
    if (!o) return;
    const fin = o.metadata.finalizers ?? [];
    if (o.metadata.deletionTimestamp && fin.includes(ORPHAN_FINALIZER)) return this.orphan(resource, o);
    if (o.metadata.deletionTimestamp && fin.includes(FOREGROUND_FINALIZER)) return this.foreground(resource, o);
    if (o.metadata.deletionTimestamp) return;
    await this.collect(resource, o);
  }

  /** Deletes `o` when every owner is gone; drops references to the owners that are gone. */
  private async collect(resource: string, o: KObject): Promise<void> {
    const refs = o.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const absent: OwnerReference[] = [];
    let foregroundOwner = false;
    for (const ref of refs) {
      const state = await this.ownerState(o, ref);
      if (state === "absent") absent.push(ref);
      if (state === "foreground") foregroundOwner = true;
    }
    if (absent.length === 0) return;
    const { client, log } = this.ctx;
    if (absent.length === refs.length) {
      log.info({ object: keyOf(resource, o) }, "deleting object whose owners are gone");
      await tolerant(() =>
        client.delete(resource, o.metadata.name!, o.metadata.namespace, {
          preconditionUid: o.metadata.uid,
          propagationPolicy: foregroundOwner ? "Foreground" : "Background",
        }),
      );
      return;
    }
    const next = clone(o);
    next.metadata.ownerReferences = refs.filter((r) => !absent.some((a) => a.uid === r.uid));
    await tolerant(() => client.update(resource, next));
  }

  /** present / absent (confirmed with the apiserver, never from the cache alone) / foreground (being deleted in the foreground). */
  private async ownerState(o: KObject, ref: OwnerReference): Promise<"present" | "absent" | "foreground"> {
    const r = gcResources[ref.kind];
    if (!r) return "present"; // a kind we do not follow: never collect on its account
    const ns = clusterScoped.has(r) ? undefined : o.metadata.namespace;
    const cached = this.ctx.informers.get<KObject>(r).get(ns ? `${ns}/${ref.name}` : ref.name);
    let owner: KObject | undefined = cached?.metadata.uid === ref.uid ? cached : undefined;
    if (!owner) {
      // The cache may lag behind a just-created owner: ask the apiserver before deleting anything.
      try {
        const fresh = await this.ctx.client.get<KObject>(r, ref.name, ns);
        owner = fresh.metadata.uid === ref.uid ? fresh : undefined;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (!owner) return "absent";
    if (owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return "foreground";
    return "present";
  }

  /** Foreground: delete dependents first; drop the finalizer when none is left. */
  private async foreground(resource: string, o: KObject): Promise<void> {
    const deps = this.dependents(o.metadata.uid!);
    const { client } = this.ctx;
    if (deps.length > 0) {
      for (const d of deps) {
        if (d.obj.metadata.deletionTimestamp) continue;
        await tolerant(() =>
          client.delete(d.resource, d.obj.metadata.name!, d.obj.metadata.namespace, { preconditionUid: d.obj.metadata.uid, propagationPolicy: "Foreground" }),
        );
      }
      this.queue.addAfter(keyOf(resource, o), 2000); // re-check even if a delete event is missed
      return;
    }
    await this.removeFinalizer(resource, o, FOREGROUND_FINALIZER);
  }

  /** Orphan: remove every dependent's reference to the owner, then the finalizer. */
  private async orphan(resource: string, o: KObject): Promise<void> {
    for (const d of this.dependents(o.metadata.uid!)) {
      const next = clone(d.obj);
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== o.metadata.uid);
      const res = await tolerant(() => this.ctx.client.update(d.resource, next));
      if (!res) throw new Error(`could not orphan ${d.key}; retrying`);
    }
    await this.removeFinalizer(resource, o, ORPHAN_FINALIZER);
  }

  private async removeFinalizer(resource: string, o: KObject, f: string): Promise<void> {
    const fresh = await this.ctx.client.get<KObject>(resource, o.metadata.name!, o.metadata.namespace).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!fresh?.metadata.finalizers?.includes(f)) return;
    fresh.metadata.finalizers = fresh.metadata.finalizers.filter((x) => x !== f);
    await this.ctx.client.update(resource, fresh);
  }
}

function keyOf(resource: string, o: KObject): string {
  return `${resource}${SEP}${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}
