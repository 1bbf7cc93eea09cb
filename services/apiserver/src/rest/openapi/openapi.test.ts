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
    expect((defs["io.k8s.api.core.v1.PodSpec"].properties.tolerations.items as Record<string, unknown>)["x-kubernetes-preserve-unknown-fields"]).toBe(true);
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
});
