// Workload kinds: apps/v1 Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision,
// and core/v1 ReplicationController.
import { field } from "../errors.js";
import type { KObject, ObjectMeta, PodSpec } from "../types.js";
import { validatePod } from "./pods.js";
import { defaultPod } from "../defaults.js";
import type { LabelSelectorStruct } from "../selectors.js";
import { gv, withMeta, validateSelector, nonNegative, type Info } from "./common.js";
import {
  validateDaemonSetSpec,
  validateDeploymentSpec,
  validateSelectorImmutable,
  validateStatefulSetSpec,
  validateStatefulSetUpdate,
} from "./workload-validation.js";
import * as appsSchema from "../schema/apps.js";
import * as batchSchema from "../schema/batch.js";

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

export interface ReplicaSet extends KObject {
  spec: { replicas?: number; minReadySeconds?: number; selector: LabelSelectorStruct; template: PodTemplateSpec };
  status?: {
    replicas: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    conditions?: unknown[];
  };
}

export interface Deployment extends KObject {
  spec: {
    replicas?: number;
    selector: LabelSelectorStruct;
    template: PodTemplateSpec;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
    strategy?: { type?: "RollingUpdate" | "Recreate"; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string; lastTransitionTime?: string }[];
    collisionCount?: number;
  };
}

export interface DaemonSet extends KObject {
  spec: {
    selector: LabelSelectorStruct;
    template: PodTemplateSpec;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    updateStrategy?: { type?: "RollingUpdate" | "OnDelete"; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
  };
  status?: Record<string, unknown>;
}

export interface StatefulSet extends KObject {
  spec: {
    replicas?: number;
    selector: LabelSelectorStruct;
    template: PodTemplateSpec;
    serviceName?: string;
    podManagementPolicy?: "OrderedReady" | "Parallel";
    volumeClaimTemplates?: KObject[];
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
    updateStrategy?: { type?: "RollingUpdate" | "OnDelete"; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    collisionCount?: number;
  };
}

/** A snapshot of a workload's template at one revision (StatefulSet and DaemonSet history). */
export interface ControllerRevision extends KObject {
  data?: unknown;
  revision: number;
}

/** Validates a pod template the way a Pod is validated, with template field paths. */
export function validateTemplate(t: PodTemplateSpec | undefined, path = "spec.template"): ReturnType<typeof validatePod> {
  if (!t || typeof t !== "object") return [field.required(path)];
  if (!t.spec) return [field.required(`${path}.spec`)];
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "template", namespace: "template", ...(t.metadata ?? {}) },
    spec: structuredClone(t.spec),
  } as never;
  defaultPod(pod);
  return validatePod(pod)
    .filter((e) => !e.field.startsWith("metadata.name") && !e.field.startsWith("metadata.namespace"))
    .map((e) => ({ ...e, field: `${path}.${e.field}` }));
}

function workload(o: KObject, withReplicas: boolean) {
  const s = (o.spec ?? {}) as { replicas?: number; selector?: unknown; template?: PodTemplateSpec; minReadySeconds?: number };
  return [
    ...(withReplicas ? nonNegative(s.replicas, "spec.replicas") : []),
    ...nonNegative(s.minReadySeconds, "spec.minReadySeconds"),
    ...validateSelector(s.selector, "spec.selector", s.template?.metadata?.labels),
    ...validateTemplate(s.template),
  ];
}

/** Defaults of a workload template: the pod defaults applied inside the template. */
function defaultTemplate(o: KObject, replicas: boolean): void {
  const s = o.spec as { replicas?: number; template?: PodTemplateSpec; revisionHistoryLimit?: number };
  if (!s) return;
  if (replicas) s.replicas ??= 1;
  if (s.template?.spec) {
    const pod = { metadata: s.template.metadata ?? {}, spec: s.template.spec } as never as { spec: PodSpec; status?: unknown };
    defaultPod(pod as never);
    delete pod.status;
  }
}

const apps = gv("apps", "v1");

export const appsResources: Info[] = [
  {
    ...apps,
    resource: "deployments",
    singular: "deployment",
    kind: "Deployment",
    listKind: "DeploymentList",
    schema: appsSchema.Deployment,
    categories: ["all"],
    garbageCollected: true,
    namespaced: true,
    shortNames: ["deploy"],
    hasStatus: true,
    gracefulDelete: false,
    scale: true,
    validate: withMeta(true, (o) => [...workload(o, true), ...validateDeploymentSpec((o as Deployment).spec)]),
    validateUpdate: validateSelectorImmutable,
    applyDefaults: (o) => {
      defaultTemplate(o, true);
      const s = (o as Deployment).spec;
      if (!s) return;
      s.strategy ??= { type: "RollingUpdate" };
      if (s.strategy.type === "RollingUpdate" || !s.strategy.type) {
        s.strategy.type = "RollingUpdate";
        s.strategy.rollingUpdate = { maxUnavailable: "25%", maxSurge: "25%", ...(s.strategy.rollingUpdate ?? {}) };
      }
      s.revisionHistoryLimit ??= 10;
      s.progressDeadlineSeconds ??= 600;
    },
  },
  {
    ...apps,
    resource: "replicasets",
    singular: "replicaset",
    kind: "ReplicaSet",
    listKind: "ReplicaSetList",
    schema: appsSchema.ReplicaSet,
    categories: ["all"],
    garbageCollected: true,
    namespaced: true,
    shortNames: ["rs"],
    hasStatus: true,
    gracefulDelete: false,
    scale: true,
    validate: withMeta(true, (o) => workload(o, true)),
    validateUpdate: validateSelectorImmutable,
    applyDefaults: (o) => defaultTemplate(o, true),
  },
  {
    ...apps,
    resource: "daemonsets",
    singular: "daemonset",
    kind: "DaemonSet",
    listKind: "DaemonSetList",
    schema: appsSchema.DaemonSet,
    categories: ["all"],
    garbageCollected: true,
    namespaced: true,
    shortNames: ["ds"],
    hasStatus: true,
    gracefulDelete: false,
    validate: withMeta(true, (o) => [...workload(o, false), ...validateDaemonSetSpec((o as DaemonSet).spec)]),
    validateUpdate: validateSelectorImmutable,
    applyDefaults: (o) => {
      defaultTemplate(o, false);
      const s = (o as DaemonSet).spec;
      if (!s) return;
      s.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      s.revisionHistoryLimit ??= 10;
    },
  },
  {
    ...apps,
    resource: "statefulsets",
    singular: "statefulset",
    kind: "StatefulSet",
    listKind: "StatefulSetList",
    schema: appsSchema.StatefulSet,
    categories: ["all"],
    garbageCollected: true,
    namespaced: true,
    shortNames: ["sts"],
    hasStatus: true,
    gracefulDelete: false,
    scale: true,
    validate: withMeta(true, (o) => [...workload(o, true), ...validateStatefulSetSpec((o as StatefulSet).spec)]),
    validateUpdate: validateStatefulSetUpdate,
    applyDefaults: (o) => {
      defaultTemplate(o, true);
      const s = (o as StatefulSet).spec;
      if (!s) return;
      s.podManagementPolicy ??= "OrderedReady";
      s.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { partition: 0 } };
      s.revisionHistoryLimit ??= 10;
    },
  },
  {
    ...apps,
    resource: "controllerrevisions",
    singular: "controllerrevision",
    kind: "ControllerRevision",
    listKind: "ControllerRevisionList",
    schema: appsSchema.ControllerRevision,
    garbageCollected: true,
    namespaced: true,
    shortNames: [],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true, (o) => nonNegative((o as { revision?: number }).revision, "revision")),
  },
  {
    ...gv("", "v1"),
    resource: "replicationcontrollers",
    singular: "replicationcontroller",
    kind: "ReplicationController",
    listKind: "ReplicationControllerList",
    schema: batchSchema.ReplicationController,
    categories: ["all"],
    garbageCollected: true,
    namespaced: true,
    shortNames: ["rc"],
    hasStatus: true,
    gracefulDelete: false,
    scale: true,
    validate: withMeta(true, (o) => {
      const s = (o.spec ?? {}) as { replicas?: number; selector?: Record<string, string>; template?: PodTemplateSpec };
      // A ReplicationController's selector is a plain map, defaulted from the template's labels.
      return [...nonNegative(s.replicas, "spec.replicas"), ...validateTemplate(s.template)];
    }),
    applyDefaults: (o) => {
      defaultTemplate(o, true);
      const s = o.spec as { selector?: Record<string, string>; template?: PodTemplateSpec };
      if (s && !s.selector && s.template?.metadata?.labels) s.selector = { ...s.template.metadata.labels };
    },
  },
];
