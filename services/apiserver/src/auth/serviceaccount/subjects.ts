// What ServiceAccount token authentication reads — the account and, for a bound token, the pod —
// from live indexes of both kinds, so a request with a token costs no store read. When the index
// has not got the object (or not with the token's uid), the store is read once: an account or pod
// made an instant ago may not have reached the watch yet.
import type { Logger } from "@skiff/log";
import type { KObject } from "@skiff/api";
import type { Registry } from "../../registry/registry.js";
import { LiveIndex } from "../../registry/live-index.js";
import type { Lookup } from "./authenticator.js";

export class TokenSubjects {
  private readonly indexes: Record<"serviceaccounts" | "pods", LiveIndex>;

  constructor(
    private readonly registry: Registry,
    log: Logger,
  ) {
    this.indexes = { serviceaccounts: new LiveIndex(registry, "serviceaccounts", log), pods: new LiveIndex(registry, "pods", log) };
  }

  /** Lists and watches both kinds; resolves once each has its first full list. */
  async start(): Promise<void> {
    await Promise.all(Object.values(this.indexes).map((i) => i.start()));
  }

  stop(): void {
    for (const i of Object.values(this.indexes)) i.stop();
  }

  /** The Lookup the authenticator uses. */
  readonly lookup: Lookup = async (resource, namespace, name, uid) => {
    const hit = this.indexes[resource].get(namespace, name);
    if (hit && (uid === undefined || hit.metadata.uid === uid)) return hit;
    return this.registry.get(resource, namespace, name).then(
      (o): KObject | undefined => o,
      () => undefined,
    );
  };
}
