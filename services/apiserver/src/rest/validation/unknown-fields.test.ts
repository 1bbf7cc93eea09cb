// Unknown-field detection against the OpenAPI schemas, and the three fieldValidation modes.
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { builtinResources, type ResourceInfo } from "@skiff/api";
import { enforceFieldValidation, fieldValidationOf, unknownFields } from "./unknown-fields.js";

const info = (kind: string): ResourceInfo => builtinResources.find((r) => r.kind === kind)!;
const unknown = (kind: string, body: unknown, patch = false) => unknownFields(builtinResources, info(kind), body, { patch });

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { any: "label" }, annotations: { "a/b": "c" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          {
            name: "web",
            image: "i",
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: "1" } },
            livenessProbe: { httpGet: { path: "/", port: 80, httpHeaders: [{ name: "a", value: "b" }] }, periodSeconds: 5 },
            securityContext: { runAsUser: 1, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
          },
        ],
        securityContext: { runAsNonRoot: true, sysctls: [{ name: "a", value: "b" }], appArmorProfile: { type: "RuntimeDefault" } },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "k", operator: "In", values: ["v"] }] }] },
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: "t", labelSelector: { matchLabels: { a: "b" } } } }],
          },
        },
        volumes: [
          { name: "d", emptyDir: { medium: "Memory" } },
          { name: "c", configMap: { name: "x" } },
        ],
        hostPID: false,
      },
    },
    strategy: { type: "RollingUpdate" },
  },
};

describe("unknown fields", () => {
  it("knows the fields of RBAC objects and ServiceAccounts (kubectl apply -f role.yaml passes Strict)", () => {
    const role = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "r" },
      rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] }],
    };
    expect(unknown("Role", role)).toEqual([]);
    expect(unknown("Role", { ...role, rules: [{ verbs: ["get"], resource: ["pods"] }] })).toEqual(["rules[0].resource"]);
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "b" },
      subjects: [{ kind: "User", name: "u", apiGroup: "rbac.authorization.k8s.io" }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    };
    expect(unknown("ClusterRoleBinding", binding)).toEqual([]);
    expect(unknown("ClusterRole", { metadata: { name: "c" }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: "b" } }] }, rules: [] })).toEqual(
      [],
    );
    expect(
      unknown("ServiceAccount", { metadata: { name: "s" }, automountServiceAccountToken: false, imagePullSecrets: [{ name: "p" }], secrets: [{ name: "t" }] }),
    ).toEqual([]);
  });

  it("accepts a Deployment that only uses known fields (maps, free-form parts, volume sources)", () => {
    expect(unknown("Deployment", deployment)).toEqual([]);
  });

  it("names each misspelt field by its path, list indexes included", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the test reaches deep into an untyped copy
    const bad = structuredClone(deployment) as Record<string, any>;
    bad.spec.template.spec.containerz = [];
    bad.spec.template.spec.containers[0].imagePullPolicyy = "Never";
    bad.metadata.nmae = "x";
    bad.extra = 1;
    expect(unknown("Deployment", bad).sort()).toEqual([
      "extra",
      "metadata.nmae",
      "spec.template.spec.containers[0].imagePullPolicyy",
      "spec.template.spec.containerz",
    ]);
    // Inside probes, security contexts, affinity and volume sources too.
    // biome-ignore lint/suspicious/noExplicitAny: a test reaches into nested fixtures to misspell them
    const deep = structuredClone(deployment) as Record<string, any>;
    const pod = deep.spec.template.spec;
    pod.containers[0].livenessProbe.httpGet.paht = "/";
    pod.containers[0].livenessProbe.periodSecond = 1;
    pod.containers[0].securityContext.runAsUsr = 1;
    pod.securityContext.fsgroup = 1;
    pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operater = "In";
    pod.volumes[0].emptyDir.sizelimit = "1Gi";
    expect(unknown("Deployment", deep).sort()).toEqual([
      "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operater",
      "spec.template.spec.containers[0].livenessProbe.httpGet.paht",
      "spec.template.spec.containers[0].livenessProbe.periodSecond",
      "spec.template.spec.containers[0].securityContext.runAsUsr",
      "spec.template.spec.securityContext.fsgroup",
      "spec.template.spec.volumes[0].emptyDir.sizelimit",
    ]);
  });

  it("lets kinds with a free-form spec and map-shaped data pass", () => {
    // A kind without a schema of its own (none of the built-in ones now) gets a free-form spec.
    const generic = { ...info("Lease"), schema: undefined };
    expect(unknownFields(builtinResources, generic, { metadata: { name: "l" }, spec: { whatever: { deep: true } } })).toEqual([]);
    expect(unknown("Lease", { metadata: { name: "l" }, spec: { whatever: { deep: true } } })).toEqual(["spec.whatever"]);
    // Ingress's spec is spelled out now.
    expect(unknown("Ingress", { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i" }, spec: { whatever: { deep: true } } })).toEqual([
      "spec.whatever",
    ]);
    // Job's spec is spelled out: the same field is unknown there.
    expect(unknown("Job", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { whatever: { deep: true } } })).toEqual(["spec.whatever"]);
    expect(unknown("ConfigMap", { metadata: { name: "c" }, data: { "any.key": "v" } })).toEqual([]);
    expect(unknown("ConfigMap", { metadata: { name: "c" }, dat: { k: "v" } })).toEqual(["dat"]);
  });

  it("accepts the workload kinds' spelled-out specs in full (no false unknowns)", () => {
    const template = deployment.spec.template;
    expect(
      unknown("Deployment", {
        ...deployment,
        spec: {
          ...deployment.spec,
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } },
          minReadySeconds: 1,
          revisionHistoryLimit: 2,
          paused: false,
          progressDeadlineSeconds: 60,
        },
      }),
    ).toEqual([]);
    expect(
      unknown("StatefulSet", {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "s" },
        spec: {
          replicas: 2,
          serviceName: "s",
          selector: { matchLabels: { app: "web" } },
          template,
          podManagementPolicy: "Parallel",
          minReadySeconds: 0,
          revisionHistoryLimit: 3,
          ordinals: { start: 1 },
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0, maxUnavailable: 1 } },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
          volumeClaimTemplates: [
            { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "standard", resources: { requests: { storage: "1Gi" } } } },
          ],
        },
      }),
    ).toEqual([]);
    expect(
      unknown("DaemonSet", {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "d" },
        spec: {
          selector: { matchLabels: { app: "web" } },
          template,
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
          minReadySeconds: 0,
          revisionHistoryLimit: 10,
        },
      }),
    ).toEqual([]);
    expect(
      unknown("CronJob", {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "c" },
        spec: {
          schedule: "* * * * *",
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          suspend: false,
          startingDeadlineSeconds: 30,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1,
          jobTemplate: {
            metadata: { labels: { a: "b" } },
            spec: {
              completions: 1,
              parallelism: 1,
              backoffLimit: 2,
              activeDeadlineSeconds: 60,
              ttlSecondsAfterFinished: 10,
              completionMode: "Indexed",
              backoffLimitPerIndex: 1,
              maxFailedIndexes: 1,
              podFailurePolicy: { rules: [] },
              template,
            },
          },
        },
      }),
    ).toEqual([]);
    expect(
      unknown("ReplicationController", {
        apiVersion: "v1",
        kind: "ReplicationController",
        metadata: { name: "r" },
        spec: { replicas: 1, selector: { app: "web" }, template },
      }),
    ).toEqual([]);
    expect(
      unknown("Service", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "s" },
        spec: {
          selector: { app: "web" },
          ports: [
            { name: "http", port: 80, targetPort: "http" },
            { port: 81, targetPort: 8081 },
          ],
        },
      }),
    ).toEqual([]);
  });

  it("skips strategic-merge directives in patches, but not in objects", () => {
    const patch = {
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "web" }], containers: [{ name: "web", $patch: "replace", imag: "x" }] } } },
    };
    expect(unknown("Deployment", patch, true)).toEqual(["spec.template.spec.containers[0].imag"]);
    expect(unknown("Deployment", patch, false)).toHaveLength(3);
  });
});

describe("fieldValidation modes", () => {
  const res = () => {
    const headers: Record<string, unknown> = {};
    return {
      headers,
      setHeader: (k: string, v: unknown) => {
        headers[k] = v;
      },
    } as unknown as ServerResponse & { headers: Record<string, unknown> };
  };
  const bad = { metadata: { name: "p" }, spec: { containerz: [] } };

  it("reads the query parameter (default Warn) and refuses unknown modes", () => {
    expect(fieldValidationOf(new URLSearchParams(""))).toBe("Warn");
    expect(fieldValidationOf(new URLSearchParams("fieldValidation=Strict"))).toBe("Strict");
    expect(fieldValidationOf(new URLSearchParams("fieldValidation=ignore"))).toBe("Ignore");
    expect(() => fieldValidationOf(new URLSearchParams("fieldValidation=Loose"))).toThrow(/Unsupported value: "Loose"/);
  });

  it("Strict fails with the strict decoding error, Warn sets Warning headers, Ignore does nothing", () => {
    expect(() => enforceFieldValidation("Strict", res(), builtinResources, info("Pod"), bad)).toThrow(
      'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containerz"',
    );
    const warned = res();
    enforceFieldValidation("Warn", warned, builtinResources, info("Pod"), bad);
    expect(warned.headers.Warning).toEqual(['299 - "unknown field \\"spec.containerz\\""']);
    const ignored = res();
    enforceFieldValidation("Ignore", ignored, builtinResources, info("Pod"), bad);
    expect(ignored.headers).toEqual({});
  });
});
