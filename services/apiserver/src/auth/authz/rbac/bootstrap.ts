// Creates the default roles and bindings (policy.ts) that are missing; existing ones are left
// as an administrator may have changed them — except the components' roles still marked
// autoupdate, whose rules follow this version (a new controller's permissions reach an upgraded
// cluster). Several apiservers may race: AlreadyExists and conflicts are fine.
import type { Logger } from "@skiff/log";
import { isAlreadyExists, isNotFound } from "@skiff/api";
import type { Registry } from "../../../registry/registry.js";
import type { ClusterRole } from "@skiff/api";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "./policy.js";
import { componentClusterRoles } from "./components.js";

const AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";

export async function ensureBootstrapPolicy(registry: Registry, log: Logger): Promise<void> {
  let created = 0;
  let updated = 0;
  for (const [resource, objs] of [
    ["clusterroles", bootstrapClusterRoles],
    ["clusterrolebindings", bootstrapClusterRoleBindings],
  ] as const) {
    for (const o of objs) {
      const existing = await registry.get(resource, undefined, o.metadata.name!).then(
        (x) => x as ClusterRole,
        (err) => {
          if (isNotFound(err)) return undefined;
          throw err;
        },
      );
      if (existing) {
        if (
          componentClusterRoles.includes(o as ClusterRole) &&
          existing.metadata.annotations?.[AUTOUPDATE] === "true" &&
          JSON.stringify(existing.rules) !== JSON.stringify((o as ClusterRole).rules)
        ) {
          await registry
            .update(resource, undefined, o.metadata.name!, (cur) => ({ ...cur, rules: (o as ClusterRole).rules }) as ClusterRole)
            .then(
              () => updated++,
              (err) => log.warn({ err, role: o.metadata.name }, "could not update a component role"),
            );
        }
        continue;
      }
      await registry.create(resource, undefined, o).then(
        () => created++,
        (err) => {
          if (!isAlreadyExists(err)) throw err;
        },
      );
    }
  }
  if (created || updated) log.info({ created, updated }, "created (and brought up to date) the default RBAC roles and bindings");
}
