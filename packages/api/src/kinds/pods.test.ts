// Pod validation for create and update.
import { describe, it, expect } from "vitest";
import { validatePod, validatePodUpdate } from "../index.js";
import { defaultPod } from "../defaults.js";
import type { FieldError } from "../errors.js";
import type { Container, Pod } from "../types.js";

const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Errors as the user reads them: "path: message". */
const show = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

function pod(over: Partial<Pod["spec"]> = {}, meta: Partial<Pod["metadata"]> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", ...meta },
    spec: { containers: [{ name: "app", image: "nginx:1.25" }], ...over },
  };
}

function withContainer(c: Partial<Container>): Pod {
  return pod({ containers: [{ name: "app", image: "nginx:1.25", ...c }] });
}

describe("validatePod", () => {
  it("accepts a minimal pod, before and after defaulting", () => {
    expect(validatePod(pod())).toEqual([]);
    const p = pod();
    defaultPod(p);
    expect(validatePod(p)).toEqual([]);
  });

  it("accepts a full, valid pod", () => {
    const p = pod({
      initContainers: [{ name: "init", image: "busybox", command: ["sh", "-c", "true"] }],
      containers: [
        {
          name: "app",
          image: "registry.local:5000/team/app@sha256:abc",
          imagePullPolicy: "IfNotPresent",
          args: ["--port", "8080"],
          env: [
            { name: "MY_ENV.NAME", value: "1" },
            { name: "-x_", value: "" },
          ],
          ports: [
            { name: "http", containerPort: 8080, protocol: "TCP" },
            { containerPort: 53, protocol: "UDP", hostPort: 53 },
          ],
          resources: { requests: { cpu: "250m", memory: "64Mi", "example.com/gpu": "1" }, limits: { cpu: "1", memory: "128Mi", "example.com/gpu": "1" } },
        },
      ],
      restartPolicy: "OnFailure",
      terminationGracePeriodSeconds: 0,
      activeDeadlineSeconds: 60,
      nodeSelector: { "kubernetes.io/hostname": "node-1" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }, { operator: "Exists" }],
      nodeName: "node-1",
    });
    expect(show(validatePod(p))).toEqual([]);
  });

  it("requires containers", () => {
    expect(show(validatePod(pod({ containers: [] })))).toEqual(["spec.containers: Required value"]);
    expect(show(validatePod({ ...pod(), spec: undefined } as unknown as Pod))).toEqual(["spec: Required value"]);
  });

  it("validates the pod's metadata", () => {
    expect(show(validatePod(pod({}, { name: "Web" })))).toEqual([`metadata.name: Invalid value: "Web": ${subdomainMsg}`]);
  });

  it("requires a container image", () => {
    expect(show(validatePod(withContainer({ image: "" })))).toEqual(["spec.containers[0].image: Required value"]);
    expect(show(validatePod(withContainer({ image: undefined as unknown as string })))).toEqual(["spec.containers[0].image: Required value"]);
    expect(show(validatePod(withContainer({ image: " nginx" })))).toEqual([
      'spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace',
    ]);
  });

  it("requires valid, unique container names across containers and init containers", () => {
    expect(show(validatePod(withContainer({ name: "" })))).toEqual(["spec.containers[0].name: Required value"]);
    expect(show(validatePod(withContainer({ name: "App_1" })))).toEqual([`spec.containers[0].name: Invalid value: "App_1": ${labelMsg}`]);
    const dup = pod({
      containers: [
        { name: "x", image: "a" },
        { name: "x", image: "b" },
      ],
    });
    expect(show(validatePod(dup))).toEqual(['spec.containers[1].name: Duplicate value: "x"']);
    const dupInit = pod({ containers: [{ name: "x", image: "a" }], initContainers: [{ name: "x", image: "b" }] });
    expect(show(validatePod(dupInit))).toEqual(['spec.initContainers[0].name: Duplicate value: "x"']);
  });

  it("checks image pull policy, command and args", () => {
    expect(show(validatePod(withContainer({ imagePullPolicy: "Sometimes" as "Always" })))).toEqual([
      'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    ]);
    expect(show(validatePod(withContainer({ command: "sleep 10" as unknown as string[] })))).toEqual([
      'spec.containers[0].command: Invalid value: "sleep 10": must be a list of strings',
    ]);
    expect(show(validatePod(withContainer({ args: [1, 2] as unknown as string[] })))).toEqual([
      "spec.containers[0].args: Invalid value: [1,2]: must be a list of strings",
    ]);
  });

  it("checks environment variables", () => {
    expect(show(validatePod(withContainer({ env: [{ name: "" }] })))).toEqual(["spec.containers[0].env[0].name: Required value"]);
    expect(show(validatePod(withContainer({ env: [{ name: "1ABC", value: "x" }] })))).toEqual([
      `spec.containers[0].env[0].name: Invalid value: "1ABC": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`,
    ]);
    expect(show(validatePod(withContainer({ env: [{ name: "..x" }] })))).toEqual([
      "spec.containers[0].env[0].name: Invalid value: \"..x\": must not start with '..'",
    ]);
    expect(show(validatePod(withContainer({ env: [{ name: "A", value: "x", valueFrom: { fieldRef: {} } }] })))).toEqual([
      'spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    ]);
  });

  it("checks ports", () => {
    expect(show(validatePod(withContainer({ ports: [{ containerPort: 0 }] })))).toEqual(["spec.containers[0].ports[0].containerPort: Required value"]);
    expect(show(validatePod(withContainer({ ports: [{ containerPort: 70000 }] })))).toEqual([
      "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
    ]);
    expect(show(validatePod(withContainer({ ports: [{ containerPort: 80, hostPort: -1 }] })))).toEqual([
      "spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive",
    ]);
    expect(show(validatePod(withContainer({ ports: [{ containerPort: 80, protocol: "HTTP" as "TCP" }] })))).toEqual([
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    expect(
      show(
        validatePod(
          withContainer({
            ports: [
              { containerPort: 80, name: "http" },
              { containerPort: 81, name: "http" },
            ],
          }),
        ),
      ),
    ).toEqual(['spec.containers[0].ports[1].name: Duplicate value: "http"']);
    expect(show(validatePod(withContainer({ ports: [{ containerPort: 80, name: "a-very-long-port-name" }] })))).toEqual([
      'spec.containers[0].ports[0].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters',
    ]);
    expect(show(validatePod(withContainer({ ports: [{ containerPort: 80, name: "HTTP" }] })))).toEqual([
      'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
    expect(show(validatePod(withContainer({ ports: [{ containerPort: 80, name: "8080" }] })))).toEqual([
      'spec.containers[0].ports[0].name: Invalid value: "8080": must contain at least one letter (a-z)',
    ]);
    // Port names are per container: two containers may both call a port "http".
    const two = pod({
      containers: [
        { name: "a", image: "x", ports: [{ containerPort: 80, name: "http" }] },
        { name: "b", image: "x", ports: [{ containerPort: 81, name: "http" }] },
      ],
    });
    expect(validatePod(two)).toEqual([]);
  });

  it("checks resources: names, quantities, and requests within limits", () => {
    expect(show(validatePod(withContainer({ resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } })))).toEqual([
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]);
    expect(show(validatePod(withContainer({ resources: { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } } })))).toEqual([
      'spec.containers[0].resources.requests: Invalid value: "1Gi": must be less than or equal to memory limit of 512Mi',
    ]);
    // Equal amounts written differently are equal.
    expect(validatePod(withContainer({ resources: { requests: { cpu: "1000m" }, limits: { cpu: "1" } } }))).toEqual([]);
    expect(show(validatePod(withContainer({ resources: { limits: { gpu: "1" } } })))).toEqual([
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ]);
    expect(show(validatePod(withContainer({ resources: { requests: { cpu: "one" } } })))).toEqual([
      `spec.containers[0].resources.requests[cpu]: Invalid value: "one": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
    expect(show(validatePod(withContainer({ resources: { requests: { memory: "-1" } } })))).toEqual([
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
    expect(validatePod(withContainer({ resources: { requests: { "ephemeral-storage": "1Gi" } } }))).toEqual([]);
  });

  it("requires extended resources to have equal requests and limits", () => {
    expect(show(validatePod(withContainer({ resources: { requests: { "example.com/gpu": "1" } } })))).toEqual([
      "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources",
    ]);
    expect(show(validatePod(withContainer({ resources: { requests: { "example.com/gpu": "1" }, limits: { "example.com/gpu": "2" } } })))).toEqual([
      'spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2',
    ]);
  });

  it("validates init containers like containers", () => {
    expect(show(validatePod(pod({ initContainers: [{ name: "init", image: "" }] })))).toEqual(["spec.initContainers[0].image: Required value"]);
  });

  it("checks pod-level policies", () => {
    expect(show(validatePod(pod({ restartPolicy: "Sometimes" as "Always" })))).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    expect(show(validatePod(pod({ terminationGracePeriodSeconds: -1 })))).toEqual([
      "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0",
    ]);
    expect(show(validatePod(pod({ activeDeadlineSeconds: 0 })))).toEqual([
      "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
    ]);
    expect(show(validatePod(pod({ dnsPolicy: "Magic" })))).toEqual([
      'spec.dnsPolicy: Unsupported value: "Magic": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"',
    ]);
    expect(show(validatePod(pod({ nodeName: "Node_1" })))).toEqual([`spec.nodeName: Invalid value: "Node_1": ${subdomainMsg}`]);
  });

  it("checks the node selector as labels", () => {
    expect(show(validatePod(pod({ nodeSelector: { disk: "ssd!" } })))).toEqual([
      expect.stringMatching(/^spec\.nodeSelector: Invalid value: "ssd!": a valid label must be an empty string/),
    ]);
  });

  it("checks tolerations", () => {
    expect(show(validatePod(pod({ tolerations: [{ key: "k", operator: "Sometimes" as "Exists" }] })))).toEqual([
      'spec.tolerations[0].operator: Unsupported value: "Sometimes": supported values: "Equal", "Exists"',
    ]);
    expect(show(validatePod(pod({ tolerations: [{ operator: "Equal", value: "x" }] })))).toEqual([
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ]);
    expect(show(validatePod(pod({ tolerations: [{ key: "k", operator: "Exists", value: "v" }] })))).toEqual([
      "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
    ]);
    expect(show(validatePod(pod({ tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 10 }] })))).toEqual([
      "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    ]);
    expect(show(validatePod(pod({ tolerations: [{ key: "k", operator: "Exists", effect: "Later" as "NoExecute" }] })))).toEqual([
      'spec.tolerations[0].effect: Unsupported value: "Later": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });

  it("reports every mistake at once", () => {
    const p = pod({ containers: [{ name: "", image: "" }], restartPolicy: "Nope" as "Always" }, { name: "" });
    expect(show(validatePod(p))).toEqual([
      "metadata.name: Required value: name or generateName is required",
      "spec.containers[0].name: Required value",
      "spec.containers[0].image: Required value",
      'spec.restartPolicy: Unsupported value: "Nope": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it("survives malformed JSON without throwing", () => {
    const weird = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "a", namespace: "d" },
      spec: { containers: [null, 5, { name: 1, image: 2, ports: "x", env: {}, resources: [] }] },
    } as unknown as Pod;
    expect(() => validatePod(weird)).not.toThrow();
    expect(validatePod(weird).length).toBeGreaterThan(0);
  });
});

describe("validatePodUpdate", () => {
  /** A stored pod: created, defaulted and bound. */
  function stored(): Pod {
    const p = pod({
      containers: [{ name: "app", image: "nginx:1.25" }],
      initContainers: [{ name: "init", image: "busybox:1" }],
      activeDeadlineSeconds: 100,
    });
    defaultPod(p);
    return p;
  }

  it("allows changing container and init container images", () => {
    const old = stored();
    const next = structuredClone(old);
    next.spec.containers[0].image = "nginx:1.26";
    next.spec.initContainers![0].image = "busybox:2";
    expect(validatePodUpdate(next, old)).toEqual([]);
  });

  it("allows an unchanged spec, even when defaulted fields are omitted", () => {
    const old = stored();
    expect(validatePodUpdate(structuredClone(old), old)).toEqual([]);
    const sent = pod({
      containers: [{ name: "app", image: "nginx:1.25" }],
      initContainers: [{ name: "init", image: "busybox:1" }],
      activeDeadlineSeconds: 100,
    });
    expect(validatePodUpdate(sent, old)).toEqual([]);
  });

  it("forbids other spec changes, naming what changed", () => {
    const old = stored();
    const next = structuredClone(old);
    next.spec.restartPolicy = "Never";
    next.spec.containers[0].command = ["sh"];
    const errs = validatePodUpdate(next, old);
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe("spec");
    expect(errs[0].type).toBe("FieldValueForbidden");
    expect(errs[0].message).toBe(
      "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations); changed: spec.containers[0].command, spec.restartPolicy",
    );
  });

  it("forbids changing nodeName in a plain update", () => {
    const old = stored();
    const next = structuredClone(old);
    next.spec.nodeName = "node-1";
    expect(show(validatePodUpdate(next, old))).toEqual([
      expect.stringMatching(/^spec: Forbidden: pod updates may not change fields .*; changed: spec\.nodeName$/),
    ]);
    const bound = structuredClone(next);
    const moved = structuredClone(next);
    moved.spec.nodeName = "node-2";
    expect(show(validatePodUpdate(moved, bound))).toEqual([expect.stringMatching(/changed: spec\.nodeName$/)]);
  });

  it("forbids adding or removing containers", () => {
    const old = stored();
    const next = structuredClone(old);
    next.spec.containers.push({ name: "sidecar", image: "envoy" });
    expect(show(validatePodUpdate(next, old))).toEqual(["spec.containers: Forbidden: pod updates may not add or remove containers"]);
  });

  it("allows lowering activeDeadlineSeconds but not raising or removing it", () => {
    const old = stored();
    const lower = structuredClone(old);
    lower.spec.activeDeadlineSeconds = 50;
    expect(validatePodUpdate(lower, old)).toEqual([]);
    const higher = structuredClone(old);
    higher.spec.activeDeadlineSeconds = 200;
    expect(show(validatePodUpdate(higher, old))).toEqual(["spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value"]);
    const removed = structuredClone(old);
    delete removed.spec.activeDeadlineSeconds;
    expect(show(validatePodUpdate(removed, old))).toEqual([
      "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value",
    ]);
  });

  it("allows adding tolerations but not changing existing ones", () => {
    const old = stored();
    const added = structuredClone(old);
    added.spec.tolerations!.push({ key: "dedicated", operator: "Equal", value: "x", effect: "NoSchedule" });
    expect(validatePodUpdate(added, old)).toEqual([]);
    const shorter = structuredClone(old);
    shorter.spec.tolerations![0].tolerationSeconds = 10;
    expect(validatePodUpdate(shorter, old)).toEqual([]);
    const custom = structuredClone(old);
    custom.spec.tolerations!.push({ key: "dedicated", operator: "Equal", value: "x", effect: "NoSchedule" });
    const changed = structuredClone(custom);
    changed.spec.tolerations![2].value = "y";
    expect(show(validatePodUpdate(changed, custom))).toEqual([
      "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds",
    ]);
    const removed = structuredClone(custom);
    removed.spec.tolerations!.pop();
    expect(show(validatePodUpdate(removed, custom))).toEqual([
      "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds",
    ]);
  });
});
