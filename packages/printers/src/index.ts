// @skiff/printers: table builders for `get` (the Kubernetes meta.k8s.io/v1 Table shape), shared
// by the apiserver (kubectl's server-side printing) and the skiff CLI so both print the same columns.
import type {
  HorizontalPodAutoscaler,
  ConfigMap,
  Ingress,
  IngressClass,
  CronJob,
  DaemonSet,
  Deployment,
  Endpoints,
  Event,
  Job,
  KObject,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PriorityClass,
  Secret,
  Service,
  StatefulSet,
} from "@skiff/api";
import { configMapTable, persistentVolumeClaimTable, persistentVolumeTable, secretTable } from "./config.js";
import { endpointsTable, serviceTable } from "./services.js";
import { ingressClassTable, ingressTable } from "./networking.js";
import { cronJobTable, daemonSetTable, deploymentTable, jobTable, replicaSetTable, statefulSetTable } from "./workloads.js";
import { eventTable } from "./events.js";
import { defaultTable } from "./generic.js";
import { namespaceTable } from "./namespaces.js";
import { nodeTable } from "./nodes.js";
import { podTable } from "./pods.js";
import { priorityClassTable } from "./scheduling.js";
import { hpaTable } from "./autoscaling.js";
import type { Table, TableOptions } from "./types.js";

export * from "./types.js";
export * from "./age.js";
export * from "./pods.js";
export * from "./nodes.js";
export * from "./namespaces.js";
export * from "./events.js";
export * from "./generic.js";
export * from "./workloads.js";
export * from "./services.js";
export * from "./networking.js";
export * from "./config.js";
export * from "./scheduling.js";
export * from "./autoscaling.js";

/** Builds the table of a resource (plural name, e.g. "pods"); unknown kinds get NAME AGE. */
export function tableFor(resource: string, objects: KObject[], opts: TableOptions = {}): Table {
  switch (resource) {
    case "pods":
      return podTable(objects as Pod[], opts);
    case "nodes":
      return nodeTable(objects as Node[], opts);
    case "namespaces":
      return namespaceTable(objects as Namespace[], opts);
    case "events":
      return eventTable(objects as Event[], opts);
    case "deployments":
      return deploymentTable(objects as Deployment[], opts);
    case "replicasets":
    case "replicationcontrollers":
      return replicaSetTable(objects, opts);
    case "daemonsets":
      return daemonSetTable(objects as DaemonSet[], opts);
    case "statefulsets":
      return statefulSetTable(objects as StatefulSet[], opts);
    case "jobs":
      return jobTable(objects as Job[], opts);
    case "cronjobs":
      return cronJobTable(objects as CronJob[], opts);
    case "services":
      return serviceTable(objects as Service[], opts);
    case "endpoints":
      return endpointsTable(objects as Endpoints[], opts);
    case "ingresses":
      return ingressTable(objects as Ingress[], opts);
    case "ingressclasses":
      return ingressClassTable(objects as IngressClass[], opts);
    case "configmaps":
      return configMapTable(objects as ConfigMap[], opts);
    case "secrets":
      return secretTable(objects as Secret[], opts);
    case "persistentvolumes":
      return persistentVolumeTable(objects as PersistentVolume[], opts);
    case "persistentvolumeclaims":
      return persistentVolumeClaimTable(objects as PersistentVolumeClaim[], opts);
    case "priorityclasses":
      return priorityClassTable(objects as PriorityClass[], opts);
    case "horizontalpodautoscalers":
      return hpaTable(objects as HorizontalPodAutoscaler[], opts);
    default:
      return defaultTable(objects, opts);
  }
}
export * from "./render.js";
