// NamespaceLifecycle admission: namespaced objects are created only in a namespace that exists
// and is not being deleted.
import { ForbiddenError, NotFoundError, type KObject } from "@skiff/api";
import type { ValidatingPlugin } from "./chain.js";

/** Reads a namespace (undefined when missing). */
export type NamespaceGetter = (name: string) => Promise<KObject | undefined>;

export function namespaceLifecycle(getNamespace: NamespaceGetter): ValidatingPlugin {
  return {
    name: "NamespaceLifecycle",
    handles: (a) => a.operation === "CREATE" && a.resource.namespaced && a.subresource === "",
    async validate(a) {
      const ns = await getNamespace(a.namespace);
      if (!ns) throw new NotFoundError("namespaces", a.namespace);
      if (ns.metadata.deletionTimestamp) {
        throw new ForbiddenError(
          `${a.resource.resource} "${a.name}" is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`,
        );
      }
    },
  };
}
