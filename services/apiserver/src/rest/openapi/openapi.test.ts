import { describe, expect, it } from "vitest";
import { builtinResources } from "@skiff/api";
import { openApiV2, openApiV3 } from "./documents.js";

/** Every "$ref" string in a document. */
function refs(doc: unknown, out: string[] = []): string[] {
  if (Array.isArray(doc)) for (const d of doc) refs(d, out);
  else if (doc && typeof doc === "object") {
    for (const [k, v] of Object.entries(doc)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("OpenAPI documents", () => {
  it("v2: every reference resolves to a definition", () => {
    const doc = openApiV2(builtinResources) as { definitions: Record<string, unknown> };
    const missing = refs(doc).filter((r) => !(r.replace("#/definitions/", "") in doc.definitions));
    expect(missing).toEqual([]);
  });

  it("v3: every group/version document's references resolve", () => {
    for (const gv of ["api/v1", "apis/apps/v1", "apis/batch/v1"]) {
      const doc = openApiV3(builtinResources, gv) as { components: { schemas: Record<string, unknown> } };
      const missing = refs(doc).filter((r) => !(r.replace("#/components/schemas/", "") in doc.components.schemas));
      expect(missing, gv).toEqual([]);
    }
  });

  it("spells out the workload specs kubectl users explain (not free-form)", () => {
    const defs = (
      openApiV2(builtinResources) as { definitions: Record<string, { properties?: Record<string, { $ref?: string; allOf?: { $ref: string }[] }> }> }
    ).definitions;
    const specRef = (def: string) => {
      const s = defs[def].properties?.spec;
      return s?.$ref ?? s?.allOf?.[0].$ref;
    };
    for (const [kind, spec] of [
      ["io.k8s.api.apps.v1.StatefulSet", "io.k8s.api.apps.v1.StatefulSetSpec"],
      ["io.k8s.api.apps.v1.DaemonSet", "io.k8s.api.apps.v1.DaemonSetSpec"],
      ["io.k8s.api.batch.v1.Job", "io.k8s.api.batch.v1.JobSpec"],
      ["io.k8s.api.batch.v1.CronJob", "io.k8s.api.batch.v1.CronJobSpec"],
      ["io.k8s.api.core.v1.PersistentVolumeClaim", "io.k8s.api.core.v1.PersistentVolumeClaimSpec"],
    ])
      expect(specRef(kind), kind).toBe(`#/definitions/${spec}`);
    expect(Object.keys(defs["io.k8s.api.batch.v1.CronJobSpec"].properties!)).toContain("jobTemplate");
  });

  it("carries the schemas' list semantics: merge keys, map-type lists without a strategy, sets", () => {
    const defs = (openApiV2(builtinResources) as { definitions: Record<string, { properties: Record<string, Record<string, unknown>> }> }).definitions;
    expect(defs["io.k8s.api.core.v1.PodSpec"].properties.containers).toMatchObject({
      "x-kubernetes-patch-merge-key": "name",
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-list-map-keys": ["name"],
    });
    expect(defs["io.k8s.api.core.v1.ServiceSpec"].properties.ports["x-kubernetes-patch-merge-key"]).toBe("port");
    const claims = defs["io.k8s.api.core.v1.ResourceRequirements"].properties.claims;
    expect(claims["x-kubernetes-list-type"]).toBe("map");
    expect(claims["x-kubernetes-patch-strategy"]).toBeUndefined();
    expect(defs["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].properties.finalizers).toMatchObject({
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-list-type": "set",
    });
    // Opaque structs (known to protobuf only) stay free-form; embedded ones inline their fields.
    expect((defs["io.k8s.api.core.v1.DeleteOptions"] ?? {}) as Record<string, unknown>).not.toHaveProperty("properties");
    // Probes, security contexts, affinity and volume sources are spelt out (kubectl explain goes into them).
    expect(defs["io.k8s.api.core.v1.Container"].properties.livenessProbe.allOf).toEqual([{ $ref: "#/definitions/io.k8s.api.core.v1.Probe" }]);
    expect(Object.keys(defs["io.k8s.api.core.v1.Probe"].properties)).toEqual(
      expect.arrayContaining(["httpGet", "exec", "tcpSocket", "grpc", "periodSeconds", "terminationGracePeriodSeconds"]),
    );
    expect(Object.keys(defs["io.k8s.api.core.v1.SecurityContext"].properties)).toEqual(
      expect.arrayContaining(["capabilities", "runAsUser", "seccompProfile", "appArmorProfile", "seLinuxOptions"]),
    );
    expect(Object.keys(defs["io.k8s.api.core.v1.PodSecurityContext"].properties)).toEqual(expect.arrayContaining(["fsGroup", "sysctls", "supplementalGroups"]));
    expect(Object.keys(defs["io.k8s.api.core.v1.PodAntiAffinity"].properties)).toEqual([
      "requiredDuringSchedulingIgnoredDuringExecution",
      "preferredDuringSchedulingIgnoredDuringExecution",
    ]);
    expect(defs["io.k8s.api.core.v1.EmptyDirVolumeSource"].properties.sizeLimit).toBeDefined();
    const volume = (defs["io.k8s.api.core.v1.PodSpec"].properties.volumes.items as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(volume)).toContain("configMap");
  });

  it("spells out statuses, tolerations, spreads, DNS and env sources, as Kubernetes names and types them", () => {
    const defs = (openApiV2(builtinResources) as { definitions: Record<string, { type?: string; properties: Record<string, Record<string, unknown>> }> })
      .definitions;
    const props = (name: string) => Object.keys(defs[name]?.properties ?? {});
    const refOf = (s: Record<string, unknown>) => (s.$ref ?? (s.allOf as { $ref: string }[] | undefined)?.[0]?.$ref) as string | undefined;
    const statusRef = (kind: string) => refOf(defs[kind].properties.status);
    for (const [kind, status] of [
      ["io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.PodStatus"],
      ["io.k8s.api.core.v1.Node", "io.k8s.api.core.v1.NodeStatus"],
      ["io.k8s.api.core.v1.Namespace", "io.k8s.api.core.v1.NamespaceStatus"],
      ["io.k8s.api.core.v1.Service", "io.k8s.api.core.v1.ServiceStatus"],
      ["io.k8s.api.core.v1.PersistentVolumeClaim", "io.k8s.api.core.v1.PersistentVolumeClaimStatus"],
      ["io.k8s.api.core.v1.PersistentVolume", "io.k8s.api.core.v1.PersistentVolumeStatus"],
      ["io.k8s.api.apps.v1.Deployment", "io.k8s.api.apps.v1.DeploymentStatus"],
      ["io.k8s.api.apps.v1.ReplicaSet", "io.k8s.api.apps.v1.ReplicaSetStatus"],
      ["io.k8s.api.apps.v1.StatefulSet", "io.k8s.api.apps.v1.StatefulSetStatus"],
      ["io.k8s.api.apps.v1.DaemonSet", "io.k8s.api.apps.v1.DaemonSetStatus"],
      ["io.k8s.api.batch.v1.Job", "io.k8s.api.batch.v1.JobStatus"],
      ["io.k8s.api.batch.v1.CronJob", "io.k8s.api.batch.v1.CronJobStatus"],
      ["io.k8s.api.networking.v1.Ingress", "io.k8s.api.networking.v1.IngressStatus"],
      ["io.k8s.api.policy.v1.PodDisruptionBudget", "io.k8s.api.policy.v1.PodDisruptionBudgetStatus"],
      ["io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus"],
    ])
      expect(statusRef(kind), kind).toBe(`#/definitions/${status}`);
    expect(props("io.k8s.api.core.v1.PodStatus")).toEqual(
      expect.arrayContaining(["phase", "conditions", "containerStatuses", "initContainerStatuses", "podIP", "podIPs", "hostIP", "qosClass", "startTime"]),
    );
    expect(props("io.k8s.api.core.v1.ContainerStatus")).toEqual(
      expect.arrayContaining(["name", "state", "lastState", "ready", "restartCount", "image", "imageID", "containerID", "started"]),
    );
    expect(props("io.k8s.api.core.v1.ContainerStateTerminated")).toEqual(
      expect.arrayContaining(["exitCode", "signal", "reason", "message", "startedAt", "finishedAt", "containerID"]),
    );
    expect(props("io.k8s.api.core.v1.NodeSystemInfo")).toEqual(expect.arrayContaining(["kubeletVersion", "containerRuntimeVersion", "architecture"]));
    expect(props("io.k8s.api.core.v1.LoadBalancerIngress")).toEqual(expect.arrayContaining(["ip", "hostname", "ipMode", "ports"]));
    expect(props("io.k8s.api.core.v1.Toleration")).toEqual(["key", "operator", "value", "effect", "tolerationSeconds"]);
    expect(defs["io.k8s.api.core.v1.Toleration"].properties.tolerationSeconds).toMatchObject({ type: "integer", format: "int64" });
    expect(props("io.k8s.api.core.v1.TopologySpreadConstraint")).toEqual(expect.arrayContaining(["maxSkew", "topologyKey", "whenUnsatisfiable", "minDomains"]));
    expect(props("io.k8s.api.core.v1.PodDNSConfig")).toEqual(["nameservers", "searches", "options"]);
    expect(props("io.k8s.api.core.v1.EnvVarSource")).toEqual(["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"]);
    expect(props("io.k8s.api.core.v1.ConfigMapKeySelector")).toEqual(["name", "key", "optional"]);
    expect(props("io.k8s.api.core.v1.EnvFromSource")).toEqual(["prefix", "configMapRef", "secretRef"]);
    expect(props("io.k8s.api.core.v1.EphemeralContainer")).toEqual(expect.arrayContaining(["name", "image", "targetContainerName"]));
    // Nothing in a pod's spec or status is free-form any more, except volume sources Skiff does not implement.
    const freeForm: string[] = [];
    for (const [name, def] of Object.entries(defs))
      for (const [field, s] of Object.entries(def.properties ?? {})) {
        const inner = (s.items ?? s.additionalProperties ?? s) as Record<string, unknown>;
        if (inner["x-kubernetes-preserve-unknown-fields"]) freeForm.push(`${name}.${field}`);
      }
    expect(freeForm.filter((f) => /core\.v1\.(Pod|Container|Node|EnvVar|Toleration)/.test(f))).toEqual([]);
  });

  it("defines Quantity and IntOrString as Kubernetes does: named strings (kubectl explain prints <string>)", () => {
    const defs = (openApiV2(builtinResources) as { definitions: Record<string, { properties: Record<string, Record<string, unknown>> }> }).definitions;
    expect(defs["io.k8s.apimachinery.pkg.api.resource.Quantity"]).toMatchObject({ type: "string" });
    expect(defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]).toMatchObject({ type: "string", format: "int-or-string" });
    expect(defs["io.k8s.api.core.v1.ResourceRequirements"].properties.limits).toMatchObject({
      type: "object",
      additionalProperties: { $ref: "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity" },
    });
    const v3 = openApiV3(builtinResources, "api/v1") as { components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> } };
    expect(v3.components.schemas["io.k8s.api.core.v1.EmptyDirVolumeSource"].properties.sizeLimit).toMatchObject({
      allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity" }],
    });
  });
});
