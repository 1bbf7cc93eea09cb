// The one list of controllers the controller-manager runs.
import type { ControllerDescriptor } from "./controller.js";
import { NodeIpamController } from "./nodeipam/ipam.js";
import { NodeLifecycleController } from "./nodelifecycle/lifecycle.js";
import { NamespaceController } from "./namespace/namespace.js";
import { VolumeBinderController } from "./volume/binder.js";
import { EndpointsController } from "./endpoints/endpoints.js";
import { EndpointSliceController } from "./endpointslices/endpointslices.js";
import { ReplicaSetController, replicationControllerKind } from "./replicaset/replicaset.js";
import { DeploymentController } from "./deployment/deployment.js";
import { GarbageCollector } from "./garbagecollector/gc.js";
import { JobController } from "./job/job.js";
import { CronJobController } from "./cronjob/cronjob.js";
import { DaemonSetController } from "./daemonset/daemonset.js";
import { StatefulSetController } from "./statefulset/statefulset.js";
import { ServiceAccountsController } from "./serviceaccount/serviceaccount.js";
import { DisruptionController } from "./disruption/disruption.js";
import { ClusterRoleAggregationController } from "./clusterroleaggregation/aggregation.js";
import { HorizontalPodAutoscalerController } from "./podautoscaler/hpa.js";
import { PodGcController } from "./podgc/podgc.js";

export const controllers: ControllerDescriptor[] = [
  { name: "nodeipam", create: (ctx) => new NodeIpamController(ctx) },
  { name: "nodelifecycle", create: (ctx) => new NodeLifecycleController(ctx) },
  { name: "namespace", create: (ctx) => new NamespaceController(ctx) },
  { name: "serviceaccount", create: (ctx) => new ServiceAccountsController(ctx) },
  { name: "disruption", create: (ctx) => new DisruptionController(ctx) },
  { name: "clusterrole-aggregation", create: (ctx) => new ClusterRoleAggregationController(ctx) },
  { name: "persistentvolume-binder", create: (ctx) => new VolumeBinderController(ctx) },
  { name: "endpoints", create: (ctx) => new EndpointsController(ctx) },
  { name: "endpointslices", create: (ctx) => new EndpointSliceController(ctx) },
  { name: "replicaset", create: (ctx) => new ReplicaSetController(ctx) },
  { name: "replicationcontroller", create: (ctx) => new ReplicaSetController(ctx, replicationControllerKind) },
  { name: "deployment", create: (ctx) => new DeploymentController(ctx) },
  { name: "garbagecollector", create: (ctx) => new GarbageCollector(ctx) },
  { name: "job", create: (ctx) => new JobController(ctx) },
  { name: "cronjob", create: (ctx) => new CronJobController(ctx) },
  { name: "daemonset", create: (ctx) => new DaemonSetController(ctx) },
  { name: "statefulset", create: (ctx) => new StatefulSetController(ctx) },
  { name: "horizontalpodautoscaling", create: (ctx) => new HorizontalPodAutoscalerController(ctx) },
  { name: "podgc", create: (ctx) => new PodGcController(ctx) },
];
