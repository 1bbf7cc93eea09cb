// The pods/binding write both fronts offer (the scheduler's one write): the node must exist,
// then the pod is bound through the registry's update loop.
import type { KObject } from "@skiff/api";
import type { UserInfo } from "../auth/user.js";
import type { Registry } from "./registry.js";
import { bindTo } from "./strategies/index.js";

/** Binds a pending pod to a node; Conflict when it is bound already, replaced or terminating. */
export async function bindPod(registry: Registry, namespace: string, name: string, nodeName: string, uid?: string, user?: UserInfo): Promise<KObject> {
  // From the watch cache, undecoded (every bind asks): a node deleted a moment ago is a race the
  // agent's admission handles anyway.
  if (nodeName) await registry.mustExistCached("nodes", undefined, nodeName);
  return registry.update("pods", namespace, name, bindTo(nodeName, uid), { subresource: "binding", user });
}
