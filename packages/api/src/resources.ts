// The registry of resources the apiserver serves: names, kind, scope, and the per-kind
// validation and defaulting hooks, its schema and the facts other components look up (discovery
// categories, merge keys, garbage collection). Adding a kind is one entry here.
import type { FieldError } from "./errors.js";
import type { StructDef } from "./schema/dsl.js";
import type { KObject } from "./types.js";
import { namespaceResources } from "./kinds/namespaces.js";
import { nodeResources } from "./kinds/nodes.js";
import { podResources } from "./kinds/pods.js";
import { eventResources } from "./kinds/events.js";
import { configResources } from "./kinds/config.js";
import { appsResources } from "./kinds/apps.js";
import { batchResources } from "./kinds/batch.js";
import { serviceResources } from "./kinds/services.js";
import { networkingResources } from "./kinds/networking.js";
import { storageResources } from "./kinds/storage.js";
import { coordinationResources } from "./kinds/coordination.js";
import { rbacResources, reviewResources } from "./kinds/rbac.js";
import { serviceAccountResources } from "./kinds/serviceaccounts.js";
import { pdbResources, policyResources } from "./kinds/policy.js";
import { schedulingResources } from "./kinds/scheduling.js";
import { autoscalingResources } from "./kinds/autoscaling.js";

/** Everything the apiserver needs to know about one resource. */
export interface ResourceInfo {
  /** Plural lower-case name, as in URLs: "pods". */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  group: string;
  version: string;
  namespaced: boolean;
  shortNames: string[];
  /** Whether a status subresource exists (plain updates then keep the stored status). */
  hasStatus: boolean;
  /** Whether deleting an object waits (deletionTimestamp) for an owner to finish it. */
  gracefulDelete: boolean;
  /** Whether a scale subresource exists (spec.replicas / status.replicas / selector). */
  scale?: boolean;
  /** Discovery categories ("all" for `kubectl get all`). */
  categories?: string[];
  /** The kind's schema (schema/); without one, spec and status are free-form. */
  schema?: StructDef;
  /**
   * Strategic-merge keys of list fields the schema leaves free-form (status conditions, node
   * taints), by field name; they apply wherever a list of that name appears, as the schema's do.
   */
  mergeKeys?: Record<string, string>;
  /** Whether the garbage collector follows this resource (collects its orphans, honours its owners' finalizers). */
  garbageCollected?: boolean;
  /** Discovery verbs when not the full set (create, delete, deletecollection, get, list, patch, update, watch). */
  verbs?: string[];
  /** Other versions this resource is served at (views converted from and to this stored version). */
  alsoServedAs?: ResourceInfo[];
  /** Set on such a view: its stored resource and the conversions between the two. */
  conversion?: VersionConversion;
  /** Never stored: a create is answered by the apiserver itself (the review APIs). */
  virtual?: boolean;
  validate(obj: KObject): FieldError[];
  validateUpdate?(obj: KObject, old: KObject): FieldError[];
  /** Fills defaults in place; called on create before validation. */
  applyDefaults?(obj: KObject): void;
}

/** How a served version maps onto the stored one. */
export interface VersionConversion {
  /** The stored version's ResourceInfo (validation, defaults and storage are its). */
  storage: ResourceInfo;
  /** A request's object into the stored version; `stored` is the object it replaces (fields this version cannot express are kept from it). */
  toStored(o: KObject, stored?: KObject): KObject;
  /** A stored object as this version shows it. */
  fromStored(o: KObject): KObject;
}

/** apiVersion string of a resource: "v1" for the core group, "group/version" otherwise. */
export function apiVersionOf(info: Pick<ResourceInfo, "group" | "version">): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The built-in resources, in discovery order. */
export const builtinResources: ResourceInfo[] = [
  ...namespaceResources,
  ...nodeResources,
  ...podResources,
  ...eventResources,
  ...configResources,
  ...serviceAccountResources,
  ...policyResources,
  ...serviceResources,
  ...networkingResources,
  ...storageResources,
  ...appsResources,
  ...batchResources,
  ...coordinationResources,
  ...rbacResources,
  ...reviewResources,
  ...pdbResources,
  ...schedulingResources,
  ...autoscalingResources,
];

/** Looks resources up by plural, singular, short name or kind (case-insensitive). */
export class ResourceRegistry {
  private readonly byName = new Map<string, ResourceInfo>();
  readonly all: ResourceInfo[];
  /** Every served group/version of every resource: the stored ones, then the converted views (discovery, OpenAPI, URLs). */
  readonly served: ResourceInfo[];
  constructor(resources: ResourceInfo[] = builtinResources) {
    this.all = resources;
    this.served = [...resources, ...resources.flatMap((r) => r.alsoServedAs ?? [])];
    for (const r of resources) {
      for (const n of [r.resource, r.singular, r.kind.toLowerCase(), ...r.shortNames]) this.byName.set(n, r);
    }
  }
  /** Finds a resource by any of its names; undefined when unknown. */
  find(name: string): ResourceInfo | undefined {
    return this.byName.get(name.toLowerCase());
  }
  /** Finds a resource by kind (and apiVersion when given). */
  byKind(kind: string, apiVersion?: string): ResourceInfo | undefined {
    return this.all.find((r) => r.kind === kind && (!apiVersion || apiVersionOf(r) === apiVersion));
  }
}
