// The protobuf body decoder against messages built here with a tiny encoder (the wire format
// as Go's generated marshallers write it: non-pointer fields always present, zero or not).
import { describe, expect, it } from "vitest";
import type { ApiError } from "@skiff/api";
import { decodeKubernetesProtobuf, protobufMagic } from "./decode.js";
import { schema } from "./schema.js";

const cat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
function varint(v: bigint): number[] {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}
const tag = (n: number, wt: number) => varint(BigInt((n << 3) | wt));
/** A length-delimited field. */
const ld = (n: number, b: Uint8Array) => Uint8Array.from([...tag(n, 2), ...varint(BigInt(b.length)), ...b]);
/** A string field. */
const s = (n: number, v: string) => ld(n, Buffer.from(v, "utf8"));
/** A varint field (negatives sign-extended to 64 bits, as Go does for int32 and int64). */
const i = (n: number, v: number) => Uint8Array.from([...tag(n, 0), ...varint(BigInt(v))]);
const b = (n: number, v: boolean) => i(n, v ? 1 : 0);
/** A nested message field. */
const m = (n: number, ...fields: Uint8Array[]) => ld(n, cat(...fields));
/** One map entry {key=1, value=2}. */
const entry = (n: number, k: string, value: Uint8Array) => m(n, s(1, k), value);
const strEntry = (n: number, k: string, v: string) => entry(n, k, s(2, v));
/** A zero meta/v1 Time, as sent for a non-pointer creationTimestamp: an empty message. */
const zeroTime = (n: number) => m(n);
/** A Quantity map entry (ResourceList). */
const qty = (n: number, k: string, v: string) => entry(n, k, m(2, s(1, v)));
/** IntOrString: int (type 0) or string (type 1). */
const ios = (n: number, v: number | string) => (typeof v === "number" ? m(n, i(1, 0), i(2, v), s(3, "")) : m(n, i(1, 1), i(2, 0), s(3, v)));

/** A whole body: magic + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}. */
const body = (apiVersion: string, kind: string, raw: Uint8Array) =>
  Buffer.from(cat(protobufMagic, m(1, s(1, apiVersion), s(2, kind)), ld(2, raw), s(3, ""), s(4, "")));

/** ObjectMeta as Go sends it for a new object: every non-pointer string, the zero Time. */
const meta = (name: string, ...extra: Uint8Array[]) => m(1, s(1, name), s(2, ""), s(3, ""), s(4, ""), s(5, ""), s(6, ""), i(7, 0), zeroTime(8), ...extra);

/** A container as kubectl's generators fill it. */
const container = (n: number, name: string, ...extra: Uint8Array[]) =>
  m(n, s(1, name), s(2, "skiff/busybox:1.35"), s(5, ""), m(8), s(13, ""), s(14, ""), b(16, false), b(17, false), b(18, false), s(20, ""), ...extra);

function decodeError(buf: Buffer): ApiError {
  try {
    decodeKubernetesProtobuf(buf);
  } catch (err) {
    return err as ApiError;
  }
  throw new Error("decoded");
}

describe("Kubernetes protobuf bodies", () => {
  it("parses every message of the schema table (field references resolve)", () => {
    expect(schema.size).toBeGreaterThan(60);
    expect(schema.get("Container")!.get(22)!.json).toBe("startupProbe");
  });

  it("decodes a ConfigMap: labels, annotations, data, binary data, an explicit immutable=false; drops zero values", () => {
    const raw = cat(
      meta("cfg", strEntry(11, "app", "web"), strEntry(12, "note", "hi")),
      strEntry(2, "greeting", "hello"),
      strEntry(2, "file.txt", "line\n"),
      entry(3, "bin", ld(2, Uint8Array.from([0, 1, 255]))),
      b(4, false),
    );
    expect(decodeKubernetesProtobuf(body("v1", "ConfigMap", raw))).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", labels: { app: "web" }, annotations: { note: "hi" } },
      data: { greeting: "hello", "file.txt": "line\n" },
      binaryData: { bin: "AAH/" },
      immutable: false,
    });
  });

  it("decodes a Secret: bytes become base64, stringData stays text", () => {
    const raw = cat(meta("tls"), entry(2, "tls.crt", ld(2, Buffer.from("CERT"))), s(3, "kubernetes.io/tls"), strEntry(4, "extra", "plain"));
    expect(decodeKubernetesProtobuf(body("v1", "Secret", raw))).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "tls" },
      data: { "tls.crt": Buffer.from("CERT").toString("base64") },
      type: "kubernetes.io/tls",
      stringData: { extra: "plain" },
    });
  });

  it("decodes a Namespace with finalizers and skips its status", () => {
    const raw = cat(meta("team"), m(2, s(1, "kubernetes")), m(3, s(1, "Active")));
    expect(decodeKubernetesProtobuf(body("v1", "Namespace", raw))).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team" },
      spec: { finalizers: ["kubernetes"] },
    });
  });

  it("decodes a Node (its schema numbers the spec now): taints with a time, pod CIDRs, unschedulable; skips its status", () => {
    const taint = m(5, s(1, "dedicated"), s(2, "web"), s(3, "NoExecute"), m(4, i(1, 1767225600)));
    const raw = cat(meta("n1"), m(2, s(1, "10.1.0.0/24"), s(2, ""), s(3, ""), b(4, true), taint, s(7, "10.1.0.0/24")), m(3, s(3, "Running")));
    expect(decodeKubernetesProtobuf(body("v1", "Node", raw))).toEqual({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1" },
      spec: {
        podCIDR: "10.1.0.0/24",
        podCIDRs: ["10.1.0.0/24"],
        unschedulable: true,
        taints: [{ key: "dedicated", value: "web", effect: "NoExecute", timeAdded: "2026-01-01T00:00:00Z" }],
      },
    });
  });

  it("decodes a NodePort Service: int and named target ports, node ports, selector; empty clusterIP dropped", () => {
    const port = (name: string, p: number, target: number | string, nodePort: number) => m(1, s(1, name), s(2, "TCP"), i(3, p), ios(4, target), i(5, nodePort));
    const raw = cat(
      meta("web"),
      m(
        2,
        port("http", 80, 8080, 30080),
        port("admin", 81, "admin", 0),
        strEntry(2, "app", "web"),
        s(3, ""),
        s(4, "NodePort"),
        s(7, ""),
        s(10, ""),
        s(11, ""),
        i(12, 0),
        b(13, false),
        s(17, "SingleStack"),
      ),
      m(3, m(1)),
    );
    expect(decodeKubernetesProtobuf(body("v1", "Service", raw))).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: {
        ports: [
          { name: "http", protocol: "TCP", port: 80, targetPort: 8080, nodePort: 30080 },
          { name: "admin", protocol: "TCP", port: 81, targetPort: "admin" },
        ],
        selector: { app: "web" },
        type: "NodePort",
        ipFamilyPolicy: "SingleStack",
      },
    });
  });

  it("decodes a Deployment: replicas 0, the pod template with env, resources, probes, mounts and volumes, the strategy", () => {
    const c = container(
      2,
      "web",
      s(3, "httpd"),
      s(4, "-f"),
      m(6, s(1, "http"), i(2, 0), i(3, 8080), s(4, "TCP"), s(5, "")),
      m(7, s(1, "MODE"), s(2, "prod")),
      m(7, s(1, "KEY"), s(2, ""), m(3, m(4, m(1, s(1, "creds")), s(2, "key"), b(3, true)))),
      m(7, s(1, "POD"), s(2, ""), m(3, m(1, s(1, "v1"), s(2, "metadata.name")))),
      m(8, qty(1, "memory", "64Mi"), qty(2, "cpu", "100m")),
      m(9, s(1, "data"), b(2, true), s(3, "/data"), s(4, ""), s(6, "")),
      m(11, m(1, m(2, s(1, "/healthz"), ios(2, "http"), s(3, ""), s(4, "HTTP"))), i(2, 1), i(3, 1), i(4, 2), i(5, 1), i(6, 3)),
      m(10, m(1, m(1, s(1, "true"))), i(2, 0), i(3, 0), i(4, 0), i(5, 0), i(6, 0)),
    );
    const template = m(
      3,
      meta("", strEntry(11, "app", "web")),
      m(
        2,
        m(1, s(1, "data"), m(2, m(2, s(1, "")))),
        m(1, s(1, "cfg"), m(2, m(19, m(1, s(1, "web-config")), m(2, s(1, "k"), s(2, "k.txt"), i(3, 0o600)), i(3, 0o644)))),
        c,
        s(3, "Always"),
        i(4, 0),
        s(6, "ClusterFirst"),
        s(8, ""),
        b(11, false),
      ),
    );
    const raw = cat(
      meta("web", strEntry(11, "app", "web")),
      m(2, i(1, 0), m(2, strEntry(1, "app", "web")), template, m(4, s(1, "RollingUpdate"), m(2, ios(1, 0), ios(2, "25%"))), i(5, 0), b(7, false)),
      m(3),
    );
    expect(decodeKubernetesProtobuf(body("apps/v1", "Deployment", raw))).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            volumes: [
              { name: "data", emptyDir: {} },
              { name: "cfg", configMap: { name: "web-config", items: [{ key: "k", path: "k.txt", mode: 0o600 }], defaultMode: 0o644 } },
            ],
            containers: [
              {
                name: "web",
                image: "skiff/busybox:1.35",
                command: ["httpd"],
                args: ["-f"],
                ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                env: [
                  { name: "MODE", value: "prod" },
                  { name: "KEY", valueFrom: { secretKeyRef: { name: "creds", key: "key", optional: true } } },
                  { name: "POD", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
                ],
                resources: { limits: { memory: "64Mi" }, requests: { cpu: "100m" } },
                volumeMounts: [{ name: "data", readOnly: true, mountPath: "/data" }],
                readinessProbe: {
                  httpGet: { path: "/healthz", port: "http", scheme: "HTTP" },
                  initialDelaySeconds: 1,
                  timeoutSeconds: 1,
                  periodSeconds: 2,
                  successThreshold: 1,
                  failureThreshold: 3,
                },
                livenessProbe: { exec: { command: ["true"] } },
              },
            ],
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 0,
            dnsPolicy: "ClusterFirst",
          },
        },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
      },
    });
  });

  it("decodes a Job made from a CronJob: owner references, annotations, timestamps, limits", () => {
    const owner = m(13, s(1, "CronJob"), s(3, "nightly"), s(4, "uid-1"), s(5, "batch/v1"), b(6, true), b(7, false));
    const raw = cat(
      m(1, s(1, "manual"), s(2, ""), s(3, "default"), m(8, i(1, 1_700_000_000), i(2, 5)), strEntry(12, "cronjob.kubernetes.io/instantiate", "manual"), owner),
      m(2, i(1, 2), i(2, 4), i(7, 0), m(6, meta(""), m(2, container(2, "job", s(3, "echo")), s(3, "Never"))), b(10, false)),
    );
    expect(decodeKubernetesProtobuf(body("batch/v1", "Job", raw))).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "manual",
        namespace: "default",
        creationTimestamp: "2023-11-14T22:13:20Z",
        annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
        ownerReferences: [{ kind: "CronJob", name: "nightly", uid: "uid-1", apiVersion: "batch/v1", controller: true, blockOwnerDeletion: false }],
      },
      spec: {
        parallelism: 2,
        completions: 4,
        backoffLimit: 0,
        suspend: false,
        template: {
          metadata: {},
          spec: { containers: [{ name: "job", image: "skiff/busybox:1.35", command: ["echo"], resources: {} }], restartPolicy: "Never" },
        },
      },
    });
  });

  it("decodes a CronJob with its job template", () => {
    const raw = cat(
      meta("nightly"),
      m(2, s(1, "*/5 * * * *"), s(3, ""), m(5, meta("nightly"), m(2, m(6, meta(""), m(2, container(2, "c"), s(3, "OnFailure"))))), i(6, 3)),
    );
    expect(decodeKubernetesProtobuf(body("batch/v1", "CronJob", raw))).toEqual({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "nightly" },
      spec: {
        schedule: "*/5 * * * *",
        successfulJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { name: "nightly" },
          spec: { template: { metadata: {}, spec: { containers: [{ name: "c", image: "skiff/busybox:1.35", resources: {} }], restartPolicy: "OnFailure" } } },
        },
      },
    });
  });

  it("decodes a Pod (kubectl run): negative int32, pointer zeros, tolerations, affinity, packed int64 lists", () => {
    const packed = ld(4, Uint8Array.from([...varint(1000n), ...varint(2000n)]));
    const raw = cat(
      meta("r1", strEntry(11, "run", "r1")),
      m(
        2,
        container(2, "r1", s(4, "sleep"), s(4, "60"), b(16, true), b(18, true)),
        s(3, "Never"),
        s(6, "ClusterFirst"),
        b(11, false),
        m(14, i(2, 0), packed, i(5, 3000)),
        m(18, m(1, m(1, m(1, m(1, s(1, "disk"), s(2, "In"), s(3, "ssd")))))),
        m(22, s(1, "node.kubernetes.io/unreachable"), s(2, "Exists"), s(3, ""), s(4, "NoExecute"), i(5, 0)),
        i(25, -5),
        b(21, false),
      ),
    );
    expect(decodeKubernetesProtobuf(body("v1", "Pod", raw))).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "r1", labels: { run: "r1" } },
      spec: {
        containers: [{ name: "r1", image: "skiff/busybox:1.35", args: ["sleep", "60"], resources: {}, stdin: true, tty: true }],
        restartPolicy: "Never",
        dnsPolicy: "ClusterFirst",
        securityContext: { runAsUser: 0, supplementalGroups: [1000, 2000], fsGroup: 3000 },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] }] },
          },
        },
        tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 0 }],
        priority: -5,
        automountServiceAccountToken: false,
      },
    });
  });

  it("decodes an Eviction (kubectl drain) with gracePeriodSeconds 0 and preconditions, and a bare DeleteOptions", () => {
    const raw = cat(m(1, s(1, "web-1"), s(3, "default"), zeroTime(8)), m(2, i(1, 0), m(2, s(1, "uid-9")), s(4, "Foreground")));
    expect(decodeKubernetesProtobuf(body("policy/v1", "Eviction", raw))).toEqual({
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: "web-1", namespace: "default" },
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: "uid-9" }, propagationPolicy: "Foreground" },
    });
    expect(decodeKubernetesProtobuf(body("v1", "DeleteOptions", cat(s(4, "Background"), s(5, "All"))))).toEqual({
      apiVersion: "v1",
      kind: "DeleteOptions",
      propagationPolicy: "Background",
      dryRun: ["All"],
    });
  });

  it("decodes an Ingress: rules with embedded rule values, service backends by number and name, TLS", () => {
    const backend = (n: number, svc: string, port: Uint8Array) => m(n, m(4, s(1, svc), m(2, port)));
    const raw = cat(
      meta("ing"),
      m(
        2,
        backend(1, "default", cat(s(1, ""), i(2, 80))),
        m(2, s(1, "a.example"), s(2, "a-tls")),
        m(3, s(1, "a.example"), m(2, m(1, m(1, s(1, "/api"), backend(2, "api", cat(s(1, "http"), i(2, 0))), s(3, "Prefix"))))),
        s(4, "nginx"),
      ),
    );
    expect(decodeKubernetesProtobuf(body("networking.k8s.io/v1", "Ingress", raw))).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "ing" },
      spec: {
        defaultBackend: { service: { name: "default", port: { number: 80 } } },
        tls: [{ hosts: ["a.example"], secretName: "a-tls" }],
        rules: [{ host: "a.example", http: { paths: [{ path: "/api", backend: { service: { name: "api", port: { name: "http" } } }, pathType: "Prefix" }] } }],
        ingressClassName: "nginx",
      },
    });
  });

  it("skips unknown fields of every wire type", () => {
    const fixed64 = Uint8Array.from([...tag(90, 1), 1, 2, 3, 4, 5, 6, 7, 8]);
    const fixed32 = Uint8Array.from([...tag(91, 5), 1, 2, 3, 4]);
    const raw = cat(meta("x", s(99, "future")), i(50, 7), fixed64, fixed32, m(51, s(1, "nested")), strEntry(2, "k", "v"));
    expect(decodeKubernetesProtobuf(body("v1", "ConfigMap", raw))).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { k: "v" } });
  });

  it("decodes each served version of a kind with its own message (what kubectl autoscale sends: autoscaling/v1)", () => {
    const ref = m(1, s(1, "Deployment"), s(2, "web"), s(3, "apps/v1"));
    const v1 = body("autoscaling/v1", "HorizontalPodAutoscaler", cat(meta("web"), m(2, ref, i(2, 1), i(3, 4), i(4, 50))));
    expect(decodeKubernetesProtobuf(v1)).toMatchObject({
      apiVersion: "autoscaling/v1",
      spec: { scaleTargetRef: { kind: "Deployment", name: "web", apiVersion: "apps/v1" }, minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 50 },
    });
    // Field 4 of the v2 spec is the list of metrics.
    const metric = m(4, s(1, "Resource"), m(4, s(1, "cpu"), m(2, s(1, "Utilization"), i(4, 60))));
    const v2 = body("autoscaling/v2", "HorizontalPodAutoscaler", cat(meta("web"), m(2, ref, i(3, 4), metric)));
    expect(decodeKubernetesProtobuf(v2)).toMatchObject({
      spec: { maxReplicas: 4, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }] },
    });
  });

  it("answers 415 for kinds without a schema and 400 for malformed bodies", () => {
    const unsupported = decodeError(body("example.com/v1", "Widget", meta("w")));
    expect(unsupported.code).toBe(415);
    expect(unsupported.message).toContain("cannot decode Widget (example.com/v1) from application/vnd.kubernetes.protobuf");
    // A resource whose schema numbers no fields (StatefulSet) is not decodable either.
    expect(decodeError(body("apps/v1", "StatefulSet", meta("s"))).code).toBe(415);
    expect(decodeError(Buffer.from('{"kind":"Pod"}')).code).toBe(400);
    const truncated = body("v1", "ConfigMap", meta("x")).subarray(0, 20);
    expect(decodeError(Buffer.from(truncated)).message).toContain("the protobuf body is malformed");
    expect(decodeError(body("v1", "ConfigMap", Uint8Array.from([...tag(1, 0), 5]))).message).toContain("metadata is not length-delimited");
  });
});
