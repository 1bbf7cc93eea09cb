// Creates the default roles and bindings (policy.ts) that are missing; existing ones are left
// as an administrator may have changed them. Several apiservers may race: AlreadyExists is fine.
import type { Logger } from "@skiff/log";
import { isAlreadyExists, isNotFound } from "@skiff/api";
import type { Registry } from "../../../registry/registry.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "./policy.js";

export async function ensureBootstrapPolicy(registry: Registry, log: Logger): Promise<void> {
  let created = 0;
  for (const [resource, objs] of [["clusterroles", bootstrapClusterRoles], ["clusterrolebindings", bootstrapClusterRoleBindings]] as const) {
    for (const o of objs) {
      const exists = await registry.get(resource, undefined, o.metadata.name!).then(() => true, (err) => {
        if (isNotFound(err)) return false;
        throw err;
      });
      if (exists) continue;
      await registry.create(resource, undefined, o).then(() => created++, (err) => {
        if (!isAlreadyExists(err)) throw err;
      });
    }
  }
  if (created) log.info({ created }, "created the default RBAC roles and bindings");
}
