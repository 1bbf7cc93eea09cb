// The schema of every kind (one declaration per type, in this folder) and what is derived
// from it here: the kind's schema for any resource, the protobuf body kinds, and the strategic
// merge keys. The OpenAPI documents, unknown-field checks and protobuf field tables are derived
// in the apiserver from the same declarations.
import type { ResourceInfo } from "../resources.js";
import { f, free, reachableStructs, type StructDef } from "./dsl.js";
import { DeleteOptions, kind } from "./meta.js";
import { Eviction } from "./policy.js";
import { TokenRequest } from "./reviews.js";

export { jsonFields, reachableStructs, type FieldDef, type ListSemantics, type OpenApiForm, type Scalar, type StructDef, type TypeExpr } from "./dsl.js";

/** Kubernetes' OpenAPI package of a group version ("io.k8s.api.apps.v1."). */
export function definitionPackage(r: Pick<ResourceInfo, "group" | "version">): string {
  const g = r.group === "" ? "core" : r.group.replace(/\.k8s\.io$/, "").replace(/\./g, "");
  return `io.k8s.api.${g}.${r.version}.`;
}

/** The definition name of a resource's kind ("io.k8s.api.core.v1.Pod"). */
export function definitionName(r: Pick<ResourceInfo, "group" | "version" | "kind">): string {
  return definitionPackage(r) + r.kind;
}

const generic = new WeakMap<ResourceInfo, StructDef>();

/** A resource's kind schema: its own, or a free-form spec (and status, when it has one). */
export function schemaOf(r: ResourceInfo): StructDef {
  if (r.schema) return r.schema;
  let s = generic.get(r);
  if (!s) generic.set(r, (s = kind(definitionPackage(r), r.kind, { spec: f(free, undefined), ...(r.hasStatus ? { status: f(free, undefined) } : {}) })));
  return s;
}

/** Kinds a request body may carry that are not resources: a pod's Eviction, a ServiceAccount's TokenRequest. */
export const bodyKinds: { group: string; kind: string; schema: StructDef }[] = [
  { group: "policy", kind: "Eviction", schema: Eviction },
  { group: "authentication.k8s.io", kind: "TokenRequest", schema: TokenRequest },
];

/** DeleteOptions, which every group version accepts as a DELETE body. */
export const deleteOptionsSchema: StructDef = DeleteOptions;

/** How strategic merge patches merge lists, by field name, across a set of resources. */
export interface MergeKeys {
  /** Merge keys of lists of objects; a name with several (ports) lists them in declaration order. */
  keys: Map<string, string[]>;
  /** Lists of scalars merged as sets (finalizers). */
  sets: Set<string>;
}

/** The merge keys of the resources' schemas, then those their ResourceInfos add (status lists the schema leaves free-form). */
export function mergeKeysOf(resources: ResourceInfo[]): MergeKeys {
  const out: MergeKeys = { keys: new Map(), sets: new Set() };
  const add = (name: string, key: string) => {
    const ks = out.keys.get(name) ?? [];
    if (!ks.includes(key)) out.keys.set(name, [...ks, key]);
  };
  for (const s of reachableStructs(resources.map(schemaOf))) {
    for (const [name, fd] of Object.entries(s.fields)) {
      if (fd.list?.mergeKey) add(name, fd.list.mergeKey);
      if (fd.list?.set) out.sets.add(name);
    }
  }
  for (const r of resources) for (const [name, key] of Object.entries(r.mergeKeys ?? {})) add(name, key);
  return out;
}
