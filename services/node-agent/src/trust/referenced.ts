// Secrets, ConfigMaps and claims fetched by name, as the pods bound to this node need them: the
// Node authorizer lets a node read only the objects its pods reference, so instead of caching a
// whole resource the agent keeps one small informer (namespace + metadata.name) per object a
// pod asked for. A change to one re-syncs the pods of its namespace.
import type { Logger } from "@skiff/log";
import type { KObject } from "@skiff/api";
import { Informer, type ApiClient } from "@skiff/client";

/** Objects of one resource, each watched from its first use. */
export class ReferencedObjects<T extends KObject> {
  private readonly informers = new Map<string, Informer<T>>();
  constructor(
    private readonly client: ApiClient,
    private readonly resource: string,
    private readonly log: Logger,
    private readonly onChange: (namespace: string) => void,
  ) {}

  /** The object if it is known; the first ask starts its watch (and answers undefined until it lands). */
  get(namespace: string, name: string): T | undefined {
    const key = `${namespace}/${name}`;
    const inf = this.informers.get(key);
    if (inf) return inf.get(key);
    const next = new Informer<T>(this.client, this.resource, { namespace, fieldSelector: `metadata.name=${name}` }, this.log.child({ object: key }));
    const changed = () => this.onChange(namespace);
    next.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
    this.informers.set(key, next);
    void next.start().then(changed);
    return undefined;
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
    this.informers.clear();
  }
}
