// Turns the store's changes of one resource into Kubernetes watch events for one client: a
// selector's view (ADDED when an object enters it, DELETED when one leaves), the initial
// ADDED events of a watch from "now", and periodic bookmarks.
import { BadRequestError, apiVersionOf, type KObject, type ResourceInfo } from "@skiff/api";
import type { ObjectStore, StoreEvent, WatchIndex } from "../storage/types.js";
import { decodePrevious, decodeShared } from "./codec.js";
import type { Filter } from "./filter.js";

/** A watch event as the registry emits it. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  /** Shared by every watch that sees the change: read it, never change it. */
  object: KObject;
}

/** What one watch asks for, once compiled. */
export interface WatchRequest {
  info: ResourceInfo;
  prefix: string;
  filter: Filter;
  resourceVersion?: string;
  bookmarkIntervalMs?: number;
}

/**
 * Streams changes. resourceVersion "" or "0" first sends ADDED for every current object.
 * With selectors, an object entering the selection is ADDED and one leaving it DELETED.
 */
export async function watchStore(store: ObjectStore, w: WatchRequest, send: (e: WatchEvent) => void, onError: (err: Error) => void): Promise<() => void> {
  const { info, filter } = w;
  const selective = !filter.empty;
  const rvText = w.resourceVersion ?? "";
  if (rvText !== "" && !/^\d+$/.test(rvText)) throw new BadRequestError(`invalid resourceVersion: ${rvText}`);
  let from = Number(rvText || 0);
  /** Keys the client currently holds (for selective watches) and the revisions it saw. */
  const held = new Map<string, number>();
  if (from === 0) {
    const { items, revision } = await store.list(w.prefix);
    for (const e of items) {
      const o = decodeShared(e);
      if (!filter.matches(o)) continue;
      held.set(e.key, e.revision);
      send({ type: "ADDED", object: o });
    }
    from = revision;
  }
  let lastRevision = from;
  const resumed = rvText !== "" && rvText !== "0";
  const index = indexFor(info, filter);
  const stop = await store.watch(
    w.prefix,
    from,
    (e) => {
      lastRevision = e.revision;
      const seen = held.get(e.key);
      if (seen !== undefined && seen >= e.revision) return; // already sent by the initial list
      const o = decodeShared(e);
      const match = !selective || filter.matches(o);
      // Whether the object matched before this change, when the store knows its previous value
      // (the watch cache does): then a resumed watch knows what the client holds, as Kubernetes' does.
      // Without selectors every version matches: the previous value need not be decoded.
      const prevMatched = e.prevValue ? !selective || filter.matches(decodePrevious(e.prevValue)) : undefined;
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
    },
    onError,
    index,
  );
  let timer: NodeJS.Timeout | undefined;
  if (w.bookmarkIntervalMs && w.bookmarkIntervalMs > 0) {
    timer = setInterval(() => {
      const rv = index?.revision ? Math.max(lastRevision, index.revision()) : lastRevision;
      send({ type: "BOOKMARK", object: { apiVersion: apiVersionOf(info), kind: info.kind, metadata: { resourceVersion: String(rv) } } });
    }, w.bookmarkIntervalMs);
    timer.unref();
  }
  return () => {
    if (timer) clearInterval(timer);
    stop();
  };
}

/** spec.nodeName of a pod ("" when unbound), as the field selector reads it. */
const nodeNameOf = (o: KObject): string => {
  const n = (o as { spec?: { nodeName?: unknown } }).spec?.nodeName;
  return typeof n === "string" ? n : "";
};

/** The nodes a pod event concerns: where the pod is now and where it was (the agents' watches). */
function podNodes(e: StoreEvent): string[] | undefined {
  try {
    const now = nodeNameOf(decodeShared(e));
    return e.prevValue ? [now, nodeNameOf(decodePrevious(e.prevValue))] : [now];
  } catch {
    return undefined; // not JSON: every watcher of the index judges it
  }
}

/**
 * A pod watch with `spec.nodeName=X` (every node agent's) is indexed: the watch cache hands it
 * only the events of pods on X, not every pod's change on every node (Kubernetes' cacher indexes
 * these watches the same way).
 */
function indexFor(info: ResourceInfo, filter: Filter): WatchIndex | undefined {
  if (info.group !== "" || info.resource !== "pods") return undefined;
  const node = filter.requires("spec.nodeName");
  return node === undefined ? undefined : { name: "pods/spec.nodeName", value: node, of: podNodes };
}
