// The apiserver's admission plugins, in order: mutating (allocation, defaults), then validating
// (namespace lifecycle). New policies (quota, limit ranges, pod security, RBAC-aware checks) are
// added here and nowhere else.
import type { KObject, StorageClass } from "@skiff/api";
import type { ServiceAllocator } from "../allocation/allocator.js";
import { AdmissionChain } from "./chain.js";
import { namespaceLifecycle } from "./namespace-lifecycle.js";
import { serviceAllocation } from "./service-allocation.js";
import { defaultStorageClass } from "./storage-class.js";

/** What plugins may read (the registry itself, once built). */
export interface AdmissionReader {
  get(resource: string, namespace: string | undefined, name: string): Promise<KObject>;
  list(resource: string): Promise<{ items: KObject[] }>;
}

/** Dependencies of the plugins. */
export interface AdmissionDeps {
  allocator: ServiceAllocator;
}

/** Builds the chain of one apiserver. */
export function admissionChain(read: AdmissionReader, deps: AdmissionDeps): AdmissionChain {
  return new AdmissionChain(
    [
      serviceAllocation(deps.allocator),
      defaultStorageClass(async () => (await read.list("storageclasses")).items as StorageClass[]),
    ],
    [
      namespaceLifecycle((name) => read.get("namespaces", undefined, name).then((o): KObject | undefined => o, () => undefined)),
    ],
  );
}

export { AdmissionChain } from "./chain.js";
export type { AdmissionAttributes, Completion, MutatingPlugin, Outcome, ValidatingPlugin } from "./chain.js";
