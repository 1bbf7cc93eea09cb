// The strategy of every kind: the generic one from its ResourceInfo plus the overrides of the
// kinds that behave differently, keyed by "group/resource".
import type { ResourceInfo } from "@skiff/api";
import { genericStrategy, type Strategy, type StrategyOverrides } from "../strategy.js";
import { podStrategy } from "./pods.js";
import { namespaceStrategy } from "./namespaces.js";

const overrides: Record<string, StrategyOverrides> = {
  "/pods": podStrategy,
  "/namespaces": namespaceStrategy,
  "/events": {
    selectableFields: ["involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "involvedObject.uid", "reason", "type", "source.component"],
  },
  "/nodes": { selectableFields: ["spec.unschedulable"] },
  // The Ingress controller watches only TLS Secrets (type=kubernetes.io/tls).
  "/secrets": { selectableFields: ["type"] },
};

/** Builds the strategy of a resource. */
export function strategyFor(info: ResourceInfo): Strategy {
  return genericStrategy(info, overrides[`${info.group}/${info.resource}`]);
}

export { bindTo } from "./pods.js";
