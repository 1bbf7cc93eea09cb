// Node, namespace and event validation.
import { describe, it, expect } from "vitest";
import { validateNode, validateNamespace, validateEvent } from "../index.js";
import type { FieldError } from "../errors.js";
import type { Event, Namespace, Node } from "../types.js";

const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Errors as the user reads them: "path: message". */
const show = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

describe("validateNode", () => {
  const node = (over: Partial<Node> = {}): Node => ({ apiVersion: "v1", kind: "Node", metadata: { name: "node-1" }, spec: {}, ...over });

  it("accepts a valid node", () => {
    expect(
      validateNode(
        node({
          spec: { podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24", "fd00::/64"], taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] },
          status: { capacity: { cpu: "4", memory: "8Gi", pods: "110" }, allocatable: { cpu: "3800m", memory: "7Gi", pods: "110" } },
        }),
      ),
    ).toEqual([]);
  });

  it("checks the name and forbids a namespace", () => {
    expect(show(validateNode(node({ metadata: { name: "Node_1", namespace: "default" } })))).toEqual([
      `metadata.name: Invalid value: "Node_1": ${subdomainMsg}`,
      "metadata.namespace: Forbidden: not allowed on this type",
    ]);
  });

  it("checks taints", () => {
    const errs = validateNode(
      node({
        spec: {
          taints: [
            { key: "a", effect: "NoSchedule" },
            { key: "a", effect: "NoSchedule" },
            { key: "b", effect: "" as "NoSchedule" },
            { key: "c", effect: "Sometimes" as "NoSchedule" },
          ],
        },
      }),
    );
    expect(show(errs)).toEqual([
      'spec.taints[1]: Duplicate value: {"key":"a","effect":"NoSchedule"}: taints must be unique by key and effect pair',
      "spec.taints[2].effect: Required value",
      'spec.taints[3].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
    expect(show(validateNode(node({ spec: { taints: [{ key: "", effect: "NoSchedule" }] } })))[0]).toBe(
      'spec.taints[0].key: Invalid value: "": name part must be non-empty',
    );
  });

  it("checks pod CIDRs and resource quantities", () => {
    expect(show(validateNode(node({ spec: { podCIDR: "10.0.0.0" } })))).toEqual([
      'spec.podCIDR: Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ]);
    expect(show(validateNode(node({ status: { capacity: { cpu: "lots" } } })))).toEqual([
      expect.stringMatching(/^status\.capacity\[cpu\]: Invalid value: "lots": quantities must match/),
    ]);
  });
});

describe("validateNamespace", () => {
  const ns = (name: string, over: Partial<Namespace> = {}): Namespace => ({ apiVersion: "v1", kind: "Namespace", metadata: { name }, ...over });

  it("requires a DNS-1123 label name", () => {
    expect(validateNamespace(ns("team-a"))).toEqual([]);
    expect(show(validateNamespace(ns("team.a")))).toEqual([`metadata.name: Invalid value: "team.a": ${labelMsg}`]);
    expect(show(validateNamespace(ns("")))).toEqual(["metadata.name: Required value: name or generateName is required"]);
  });

  it("checks finalizers and phase", () => {
    expect(validateNamespace(ns("a", { spec: { finalizers: ["kubernetes", "example.com/cleanup"] } }))).toEqual([]);
    expect(show(validateNamespace(ns("a", { spec: { finalizers: ["cleanup"] } })))).toEqual([
      'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    ]);
    expect(show(validateNamespace(ns("a", { status: { phase: "Gone" as "Active" } })))).toEqual([
      'status.phase: Unsupported value: "Gone": supported values: "Active", "Terminating"',
    ]);
  });
});

describe("validateEvent", () => {
  const ev = (over: Partial<Event> = {}): Event => ({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "web.17a", namespace: "default" },
    involvedObject: { kind: "Pod", name: "web", namespace: "default" },
    reason: "Scheduled",
    ...over,
  });

  it("accepts a valid event, including one about a cluster-scoped object in default", () => {
    expect(validateEvent(ev())).toEqual([]);
    expect(validateEvent(ev({ involvedObject: { kind: "Node", name: "node-1" } }))).toEqual([]);
  });

  it("requires involvedObject with kind and name", () => {
    expect(show(validateEvent(ev({ involvedObject: undefined as unknown as Event["involvedObject"] })))).toEqual(["involvedObject: Required value"]);
    expect(show(validateEvent(ev({ involvedObject: { namespace: "default" } })))).toEqual([
      "involvedObject.kind: Required value",
      "involvedObject.name: Required value",
    ]);
  });

  it("requires the event to live in its object's namespace", () => {
    expect(show(validateEvent(ev({ involvedObject: { kind: "Pod", name: "web", namespace: "other" } })))).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
    expect(show(validateEvent(ev({ metadata: { name: "n.1", namespace: "team" }, involvedObject: { kind: "Node", name: "n" } })))).toEqual([
      'involvedObject.namespace: Invalid value: "": does not match event.namespace',
    ]);
  });

  it("checks metadata and type", () => {
    expect(show(validateEvent(ev({ metadata: { name: "e" } })))).toEqual([
      "metadata.namespace: Required value",
      'involvedObject.namespace: Invalid value: "default": does not match event.namespace',
    ]);
    expect(show(validateEvent(ev({ type: "Error" as "Normal" })))).toEqual(['type: Unsupported value: "Error": supported values: "Normal", "Warning"']);
  });
});
