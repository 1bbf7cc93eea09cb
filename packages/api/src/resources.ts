// The registry of resources the apiserver serves: names, kind, scope, and the per-kind
// validation and defaulting hooks. Adding a kind is one entry here.
import type { FieldError } from "./errors.js";
import type { KObject, Pod, Node, Namespace, Event } from "./types.js";
import { validatePod, validatePodUpdate, validateNode, validateNamespace, validateEvent } from "./validation.js";
import { defaultPod, defaultNode, defaultNamespace, defaultEvent } from "./defaults.js";
import { configResources } from "./kinds/config.js";
import { appsResources } from "./kinds/apps.js";
import { batchResources } from "./kinds/batch.js";
import { serviceResources } from "./kinds/services.js";
import { storageResources } from "./kinds/storage.js";
import { coordinationResources } from "./kinds/coordination.js";
import { schedulingResources } from "./kinds/scheduling.js";

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
  /** Discovery categories (e.g. "all" for `kubectl get all`); defaults are in the REST API's discovery. */
  categories?: string[];
  /** Discovery verbs when not the full set (create, delete, deletecollection, get, list, patch, update, watch). */
  verbs?: string[];
  validate(obj: KObject): FieldError[];
  validateUpdate?(obj: KObject, old: KObject): FieldError[];
  /** Fills defaults in place; called on create before validation. */
  applyDefaults?(obj: KObject): void;
}

/** apiVersion string of a resource: "v1" for the core group, "group/version" otherwise. */
export function apiVersionOf(info: Pick<ResourceInfo, "group" | "version">): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

const core = { group: "", version: "v1" };

/** The core four of the first issue; other kinds live in kinds/. */
const coreResources: ResourceInfo[] = [
  {
    ...core, resource: "namespaces", singular: "namespace", kind: "Namespace", listKind: "NamespaceList",
    namespaced: false, shortNames: ["ns"], hasStatus: true, gracefulDelete: false,
    validate: (o) => validateNamespace(o as Namespace),
    applyDefaults: (o) => defaultNamespace(o as Namespace),
  },
  {
    ...core, resource: "nodes", singular: "node", kind: "Node", listKind: "NodeList",
    namespaced: false, shortNames: ["no"], hasStatus: true, gracefulDelete: false,
    validate: (o) => validateNode(o as Node),
    applyDefaults: (o) => defaultNode(o as Node),
  },
  {
    ...core, resource: "pods", singular: "pod", kind: "Pod", listKind: "PodList",
    namespaced: true, shortNames: ["po"], hasStatus: true, gracefulDelete: true,
    validate: (o) => validatePod(o as Pod),
    validateUpdate: (o, old) => validatePodUpdate(o as Pod, old as Pod),
    applyDefaults: (o) => defaultPod(o as Pod),
  },
  {
    ...core, resource: "events", singular: "event", kind: "Event", listKind: "EventList",
    namespaced: true, shortNames: ["ev"], hasStatus: false, gracefulDelete: false,
    validate: (o) => validateEvent(o as Event),
    applyDefaults: (o) => defaultEvent(o as Event),
  },
];

/** The built-in resources, in discovery order. */
export const builtinResources: ResourceInfo[] = [
  ...coreResources, ...configResources, ...serviceResources, ...storageResources,
  ...appsResources, ...batchResources, ...coordinationResources, ...schedulingResources,
];

/** Looks resources up by plural, singular, short name or kind (case-insensitive). */
export class ResourceRegistry {
  private readonly byName = new Map<string, ResourceInfo>();
  readonly all: ResourceInfo[];
  constructor(resources: ResourceInfo[] = builtinResources) {
    this.all = resources;
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
