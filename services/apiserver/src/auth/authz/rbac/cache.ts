// The roles and bindings the RBAC authorizer reads, kept in memory from watches on the
// registry (the apiserver's watch cache), so authorizing a request reads no store.
import type { Logger } from "@skiff/log";
import type { ClusterRole, Role, RoleBinding } from "@skiff/api";
import type { Registry } from "../../../registry/registry.js";
import { LiveIndex } from "../../../registry/live-index.js";

/** What the authorizer reads. */
export interface PolicySource {
  clusterRoles(): Iterable<ClusterRole>;
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
  clusterRoleBindings(): Iterable<RoleBinding>;
  roleBindings(namespace: string): Iterable<RoleBinding>;
}

/** A PolicySource over one live index per RBAC kind. */
export class RbacCache implements PolicySource {
  private readonly roles: LiveIndex<Role>;
  private readonly clusterRoleIndex: LiveIndex<ClusterRole>;
  private readonly bindings: LiveIndex<RoleBinding>;
  private readonly clusterBindings: LiveIndex<RoleBinding>;

  constructor(registry: Registry, log: Logger) {
    this.roles = new LiveIndex(registry, "roles", log);
    this.clusterRoleIndex = new LiveIndex(registry, "clusterroles", log);
    this.bindings = new LiveIndex(registry, "rolebindings", log);
    this.clusterBindings = new LiveIndex(registry, "clusterrolebindings", log);
  }

  private get indexes() {
    return [this.roles, this.clusterRoleIndex, this.bindings, this.clusterBindings];
  }

  /** Lists and watches every RBAC kind; resolves once each has its first full list. */
  async start(): Promise<void> {
    await Promise.all(this.indexes.map((i) => i.start()));
  }

  stop(): void {
    for (const i of this.indexes) i.stop();
  }

  clusterRoles(): ClusterRole[] {
    return this.clusterRoleIndex.all();
  }
  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoleIndex.get("", name);
  }
  role(namespace: string, name: string): Role | undefined {
    return this.roles.get(namespace, name);
  }
  clusterRoleBindings(): RoleBinding[] {
    return this.clusterBindings.all();
  }
  roleBindings(namespace: string): RoleBinding[] {
    return this.bindings.inNamespace(namespace);
  }
}
