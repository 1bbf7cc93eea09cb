// The TypeScript types are views of the schemas: every field they name is declared in the
// kind's schema (checked by the type checker, `npm run typecheck`; the runtime part is trivial).
import { describe, expectTypeOf, it } from "vitest";
import type {
  Container,
  ContainerPort,
  ContainerState,
  ContainerStatus,
  NodeCondition,
  NodeSpec,
  NodeStatus,
  PodCondition,
  PodStatus,
  Taint,
  EnvVar,
  Event,
  Namespace,
  ObjectMeta,
  OwnerReference,
  Pod,
  PodSpec,
  ResourceRequirements,
  Toleration,
} from "../types.js";
import type { ControllerRevision, DaemonSet, Deployment, PodTemplateSpec, ReplicaSet, StatefulSet } from "../kinds/apps.js";
import type { CronJob, Job } from "../kinds/batch.js";
import type { ConfigMap, Secret } from "../kinds/config.js";
import type { Endpoints, EndpointSlice, Service, ServicePort } from "../kinds/services.js";
import type { PersistentVolumeClaim, StorageClass } from "../kinds/storage.js";
import type { ClusterRole, PolicyRule, Role, RoleBinding, RoleRef, Subject } from "../kinds/rbac.js";
import type { ServiceAccount, TokenRequest } from "../kinds/serviceaccounts.js";
import type { FieldDef, StructDef } from "./dsl.js";
import type * as meta from "./meta.js";
import type * as containers from "./containers.js";
import type * as pod from "./pod.js";
import type * as podStatus from "./pod-status.js";
import type * as node from "./node.js";
import type * as apps from "./apps.js";
import type * as batch from "./batch.js";
import type * as config from "./config.js";
import type * as service from "./service.js";
import type * as storage from "./storage.js";
import type * as rbac from "./rbac.js";
import type * as reviews from "./reviews.js";
import type * as serviceaccounts from "./serviceaccounts.js";

/** The named keys of a type (its index signature, if any, left out). */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
/** The fields a TypeScript type names that its schema does not declare (never when in step). */
type Undeclared<T, S extends StructDef<Record<string, FieldDef>>> = Exclude<KnownKeys<T>, keyof S["fields"]>;
/** The same for kinds whose data sits beside metadata (KObject gives every object an optional spec and status). */
type UndeclaredBody<T, S extends StructDef<Record<string, FieldDef>>> = Exclude<Undeclared<T, S>, "spec" | "status">;

describe("TypeScript types against the schemas", () => {
  it("name only declared fields", () => {
    expectTypeOf<Undeclared<ObjectMeta, typeof meta.ObjectMeta>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<OwnerReference, typeof meta.OwnerReference>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Container, typeof containers.Container>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<ContainerPort, typeof containers.ContainerPort>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<EnvVar, typeof containers.EnvVar>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<ResourceRequirements, typeof containers.ResourceRequirements>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Toleration, typeof pod.Toleration>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<PodSpec, typeof pod.PodSpec>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Pod, typeof pod.Pod>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<PodStatus, typeof podStatus.PodStatus>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<ContainerStatus, typeof podStatus.ContainerStatus>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<ContainerState, typeof podStatus.ContainerState>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<PodCondition, typeof podStatus.PodCondition>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Taint, typeof node.Taint>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<NodeSpec, typeof node.NodeSpec>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<NodeStatus, typeof node.NodeStatus>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<NodeCondition, typeof node.NodeCondition>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<PodTemplateSpec, typeof pod.PodTemplateSpec>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Namespace, typeof config.Namespace>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<Event, typeof config.Event>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<ConfigMap, typeof config.ConfigMap>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<Secret, typeof config.Secret>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<ServicePort, typeof service.ServicePort>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Service, typeof service.Service>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Service["spec"], typeof service.ServiceSpec>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<Endpoints, typeof service.Endpoints>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<EndpointSlice, typeof service.EndpointSlice>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Deployment["spec"], typeof apps.DeploymentSpec>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<ReplicaSet["spec"], typeof apps.ReplicaSetSpec>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<DaemonSet["spec"], typeof apps.DaemonSetSpec>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<StatefulSet["spec"], typeof apps.StatefulSetSpec>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<ControllerRevision, typeof apps.ControllerRevision>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Job["spec"], typeof batch.JobSpec>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<CronJob["spec"], typeof batch.CronJobSpec>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<PersistentVolumeClaim["spec"], typeof storage.PersistentVolumeClaimSpec>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<StorageClass, typeof storage.StorageClass>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<PolicyRule, typeof rbac.PolicyRule>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<Subject, typeof rbac.Subject>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<RoleRef, typeof rbac.RoleRef>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<Role, typeof rbac.Role>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<ClusterRole, typeof rbac.ClusterRole>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<RoleBinding, typeof rbac.RoleBinding>>().toEqualTypeOf<never>();
    expectTypeOf<UndeclaredBody<ServiceAccount, typeof serviceaccounts.ServiceAccount>>().toEqualTypeOf<never>();
    expectTypeOf<Undeclared<TokenRequest, typeof reviews.TokenRequest>>().toEqualTypeOf<never>();
  });
});
