// The roles and bindings the RBAC authorizer reads, kept in memory from watches on the
// registry (the apiserver's watch cache), so authorizing a request reads no store.
import type { Logger } from "@skiff/log";
import { isGone, type ClusterRole, type KObject, type Role, type RoleBinding } from "@skiff/api";
import type { Registry, WatchEvent } from "../../../registry/registry.js";

/** The four RBAC kinds by resource. */
export const RBAC_RESOURCES = ["roles", "clusterroles", "rolebindings", "clusterrolebindings"] as const;
type RbacResource = (typeof RBAC_RESOURCES)[number];

/** What the authorizer reads. */
export interface PolicySource {
  clusterRoles(): Iterable<ClusterRole>;
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
  clusterRoleBindings(): Iterable<RoleBinding>;
  roleBindings(namespace: string): Iterable<RoleBinding>;
}

const keyOf = (o: KObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** A PolicySource fed by four watches that restart (relisting on Gone) when they fail. */
export class RbacCache implements PolicySource {
  private readonly maps = new Map<RbacResource, Map<string, KObject>>(RBAC_RESOURCES.map((r) => [r, new Map()]));
  private readonly stops: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly registry: Registry, private readonly log: Logger) {}

  /** Lists and watches every RBAC kind; resolves once each has its first full list. */
  async start(): Promise<void> {
    await Promise.all(RBAC_RESOURCES.map((r) => this.run(r, "")));
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.stops.splice(0)) s();
  }

  private async run(resource: RbacResource, from: string): Promise<void> {
    const map = this.maps.get(resource)!;
    let rv = from;
    const fresh = new Map<string, KObject>();
    let listed = from !== "";
    const apply = (e: WatchEvent) => {
      if (e.type === "BOOKMARK") return;
      rv = e.object.metadata.resourceVersion ?? rv;
      const target = listed ? map : fresh;
      if (e.type === "DELETED") target.delete(keyOf(e.object));
      else target.set(keyOf(e.object), e.object);
    };
    const restart = (err: Error) => {
      if (this.stopped) return;
      const gone = isGone(err);
      if (!gone) this.log.warn({ err, resource }, "RBAC watch failed; restarting");
      setTimeout(() => void this.run(resource, gone ? "" : rv).catch((e) => restart(e as Error)), gone ? 0 : 500).unref();
    };
    const stop = await this.registry.watch(resource, { resourceVersion: from }, apply, restart);
    if (!listed) {
      // A watch from "" first sends every current object: replace the map in one step.
      map.clear();
      for (const [k, v] of fresh) map.set(k, v);
      listed = true;
    }
    this.stops.push(stop);
  }

  private values<T>(r: RbacResource): T[] {
    return [...this.maps.get(r)!.values()] as T[];
  }

  clusterRoles(): ClusterRole[] { return this.values("clusterroles"); }
  clusterRole(name: string): ClusterRole | undefined { return this.maps.get("clusterroles")!.get(`/${name}`) as ClusterRole | undefined; }
  role(namespace: string, name: string): Role | undefined { return this.maps.get("roles")!.get(`${namespace}/${name}`) as Role | undefined; }
  clusterRoleBindings(): RoleBinding[] { return this.values("clusterrolebindings"); }
  roleBindings(namespace: string): RoleBinding[] { return this.values<RoleBinding>("rolebindings").filter((b) => b.metadata.namespace === namespace); }
}
