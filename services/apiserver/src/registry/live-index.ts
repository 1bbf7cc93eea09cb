// An in-memory copy of one resource kept current by a watch on the registry (relisting on
// Gone), for the apiserver's own readers that must not hit the store on every request
// (admission policies: quotas, limit ranges).
import type { Logger } from "@skiff/log";
import { isGone, type KObject } from "@skiff/api";
import type { Registry, WatchEvent } from "./registry.js";

export class LiveIndex<T extends KObject = KObject> {
  private map = new Map<string, T>();
  private stopWatch?: () => void;
  private stopped = false;

  constructor(
    private readonly registry: Registry,
    private readonly resource: string,
    private readonly log: Logger,
  ) {}

  /** Lists and watches; resolves once the first full list is in. */
  async start(): Promise<void> {
    await this.run("");
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }

  /** One object by namespace and name ("" namespace for cluster-scoped objects). */
  get(namespace: string, name: string): T | undefined {
    return this.map.get(`${namespace}/${name}`);
  }

  /** Every object. */
  all(): T[] {
    return [...this.map.values()];
  }

  /** The objects of one namespace. */
  inNamespace(namespace: string): T[] {
    return [...this.map.values()].filter((o) => o.metadata.namespace === namespace);
  }

  private async run(from: string): Promise<void> {
    let rv = from;
    const fresh = from === "" ? new Map<string, T>() : this.map;
    let live = from !== "";
    const key = (o: KObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    const apply = (e: WatchEvent) => {
      if (e.type === "BOOKMARK") return;
      rv = e.object.metadata.resourceVersion ?? rv;
      const target = live ? this.map : fresh;
      if (e.type === "DELETED") target.delete(key(e.object));
      else target.set(key(e.object), e.object as T);
    };
    const restart = (err: Error) => {
      if (this.stopped) return;
      const gone = isGone(err);
      if (!gone) this.log.warn({ err, resource: this.resource }, "watch failed; restarting");
      setTimeout(() => void this.run(gone ? "" : rv).catch((e) => restart(e as Error)), gone ? 0 : 500).unref();
    };
    this.stopWatch = await this.registry.watch(this.resource, { resourceVersion: from }, apply, restart);
    if (!live) {
      this.map = fresh;
      live = true;
    }
  }
}
