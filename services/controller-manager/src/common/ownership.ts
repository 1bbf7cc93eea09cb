// Ownership: controller references (ownerReferences with controller=true), and claiming —
// adopting matching orphans and releasing owned objects whose labels no longer match.
import { clone, isConflict, isNotFound, matchesLabels, type KObject, type LabelSelector, type OwnerReference } from "@skiff/api";
import type { ApiClient } from "@skiff/client";

/** The owner reference with controller=true, if any. */
export function controllerRef(o: KObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

/** A controller reference pointing at `owner`. */
export function newControllerRef(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** Whether `o` is controlled by the object with this uid. */
export function isControlledBy(o: KObject, uid: string | undefined): boolean {
  return !!uid && controllerRef(o)?.uid === uid;
}

/** The result of claiming: objects the owner now controls (some just adopted). */
export interface Claim<T extends KObject> {
  owned: T[];
  adopted: number;
  released: number;
}

/**
 * Claims objects for an owner (client-go's ClaimPods): owned + matching → kept; orphan +
 * matching → adopted (when the owner is not being deleted); owned + not matching → released
 * (owner reference removed, the object left running). Objects of other controllers and
 * terminating orphans are ignored. Writes go through the client; a conflict means someone else
 * changed the object and the next reconcile sees it.
 */
export async function claim<T extends KObject>(
  client: Pick<ApiClient, "update">,
  resource: string,
  owner: KObject,
  ref: OwnerReference,
  selector: LabelSelector,
  candidates: T[],
): Promise<Claim<T>> {
  const out: Claim<T> = { owned: [], adopted: 0, released: 0 };
  const ownerUid = owner.metadata.uid!;
  for (const o of candidates) {
    const cref = controllerRef(o);
    const match = matchesLabels(selector, o.metadata.labels);
    if (cref) {
      if (cref.uid !== ownerUid) continue;
      if (match) {
        out.owned.push(o);
        continue;
      }
      if (owner.metadata.deletionTimestamp) continue;
      const c = clone(o);
      c.metadata.ownerReferences = (c.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
      if (await tolerant(() => client.update(resource, c))) out.released++;
      continue;
    }
    if (!match || o.metadata.deletionTimestamp || owner.metadata.deletionTimestamp) continue;
    const c = clone(o);
    c.metadata.ownerReferences = [...(c.metadata.ownerReferences ?? []), ref];
    const updated = await tolerant(() => client.update(resource, c));
    if (updated) {
      out.owned.push(updated as T);
      out.adopted++;
    }
  }
  return out;
}

/** Runs a write; NotFound/Conflict (the object changed under us) → undefined instead of a throw. */
export async function tolerant<R>(fn: () => Promise<R>): Promise<R | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err) || isConflict(err)) return undefined;
    throw err;
  }
}
