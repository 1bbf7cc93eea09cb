// Name and metadata validation: Kubernetes' messages and field paths.
import { describe, it, expect } from "vitest";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, validateObjectMeta, validateObjectMetaUpdate } from "../index.js";
import type { FieldError } from "../errors.js";

const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Errors as the user reads them: "path: message". */
const show = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

describe("DNS-1123 names", () => {
  it("accepts labels and rejects the rest with Kubernetes' message", () => {
    expect(isDNS1123Label("my-name")).toBeUndefined();
    expect(isDNS1123Label("123-abc")).toBeUndefined();
    expect(isDNS1123Label("My-Name")).toBe(labelMsg);
    expect(isDNS1123Label("-a")).toBe(labelMsg);
    expect(isDNS1123Label("a.b")).toBe(labelMsg);
    expect(isDNS1123Label("")).toBe(labelMsg);
    expect(isDNS1123Label("a".repeat(63))).toBeUndefined();
    expect(isDNS1123Label("a".repeat(64))).toBe("must be no more than 63 characters");
  });

  it("accepts subdomains and rejects the rest", () => {
    expect(isDNS1123Subdomain("example.com")).toBeUndefined();
    expect(isDNS1123Subdomain("a.b-c.d")).toBeUndefined();
    expect(isDNS1123Subdomain("a..b")).toBe(subdomainMsg);
    expect(isDNS1123Subdomain("Example.com")).toBe(subdomainMsg);
    expect(isDNS1123Subdomain("a".repeat(253))).toBeUndefined();
    expect(isDNS1123Subdomain("a".repeat(254))).toBe("must be no more than 253 characters");
  });

  it("checks qualified names and label values", () => {
    expect(isQualifiedName("app")).toBeUndefined();
    expect(isQualifiedName("example.com/My_Name.1")).toBeUndefined();
    expect(isQualifiedName("/x")).toBe("prefix part must be non-empty");
    expect(isQualifiedName("Bad_Prefix/x")).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isQualifiedName("a/b/c")).toMatch(
      /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/,
    );
    expect(isQualifiedName("x".repeat(64))).toBe("name part must be no more than 63 characters");
    expect(isValidLabelValue("")).toBeUndefined();
    expect(isValidLabelValue("My_value.1")).toBeUndefined();
    expect(isValidLabelValue("a b")).toMatch(/^a valid label must be an empty string or consist of alphanumeric characters/);
  });
});

describe("validateObjectMeta", () => {
  it("requires a name unless generateName is set", () => {
    expect(show(validateObjectMeta({ namespace: "default" }, { namespaced: true }))).toEqual([
      "metadata.name: Required value: name or generateName is required",
    ]);
    expect(validateObjectMeta({ generateName: "web-", namespace: "default" }, { namespaced: true })).toEqual([]);
    expect(show(validateObjectMeta({ generateName: "Web-", namespace: "default" }, { namespaced: true }))).toEqual([
      `metadata.generateName: Invalid value: "Web-": ${subdomainMsg}`,
    ]);
  });

  it("checks the name as a subdomain, or as a label when asked", () => {
    expect(validateObjectMeta({ name: "a.b" }, { namespaced: false })).toEqual([]);
    expect(show(validateObjectMeta({ name: "a.b" }, { namespaced: false, nameIsLabel: true }))).toEqual([`metadata.name: Invalid value: "a.b": ${labelMsg}`]);
    expect(show(validateObjectMeta({ name: "Web" }, { namespaced: false }))).toEqual([`metadata.name: Invalid value: "Web": ${subdomainMsg}`]);
  });

  it("requires a namespace on namespaced objects and forbids it on others", () => {
    expect(show(validateObjectMeta({ name: "a" }, { namespaced: true }))).toEqual(["metadata.namespace: Required value"]);
    expect(show(validateObjectMeta({ name: "a", namespace: "x" }, { namespaced: false }))).toEqual(["metadata.namespace: Forbidden: not allowed on this type"]);
  });

  it("checks label keys and values", () => {
    const errs = validateObjectMeta({ name: "a", labels: { "app.kubernetes.io/name": "web", "bad key": "x", ok: "-bad" } }, { namespaced: false });
    expect(show(errs)).toEqual([
      `metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      `metadata.labels: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ]);
    expect(show(validateObjectMeta({ name: "a", labels: { a: "x".repeat(64) } }, { namespaced: false }))).toEqual([
      `metadata.labels: Invalid value: "${"x".repeat(64)}": must be no more than 63 characters`,
    ]);
  });

  it("checks annotation keys and total size", () => {
    expect(validateObjectMeta({ name: "a", annotations: { "Example.com/Note": "anything goes here" } }, { namespaced: false })).toEqual([]);
    expect(show(validateObjectMeta({ name: "a", annotations: { "a b": "x" } }, { namespaced: false }))[0]).toMatch(
      /^metadata\.annotations: Invalid value: "a b": name part must consist/,
    );
    const big = validateObjectMeta({ name: "a", annotations: { a: "x".repeat(256 * 1024) } }, { namespaced: false });
    expect(big).toEqual([{ field: "metadata.annotations", type: "FieldValueTooLong", message: "Too long: must have at most 262144 bytes" }]);
  });

  it("checks owner references and finalizers", () => {
    const errs = validateObjectMeta(
      {
        name: "a",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "", controller: true },
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs2", uid: "u2", controller: true },
        ],
        finalizers: ["orphan", "foregroundDeletion", "bad finalizer"],
      },
      { namespaced: false },
    );
    expect(show(errs)).toEqual([
      'metadata.ownerReferences[0].uid: Invalid value: "": uid must not be empty',
      expect.stringMatching(
        /^metadata\.ownerReferences: Invalid value: .*Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/rs and ReplicaSet\/rs2$/,
      ),
      expect.stringMatching(/^metadata\.finalizers: Invalid value: "bad finalizer": name part must consist/),
      expect.stringMatching(/^metadata\.finalizers: .*finalizer orphan and foregroundDeletion cannot be both set$/),
    ]);
  });

  it("uses the given path prefix", () => {
    expect(show(validateObjectMeta({}, { namespaced: false }, "spec.template.metadata"))).toEqual([
      "spec.template.metadata.name: Required value: name or generateName is required",
    ]);
  });
});

describe("validateObjectMetaUpdate", () => {
  const old = { name: "a", namespace: "ns", uid: "u1", creationTimestamp: "2024-01-01T00:00:00Z", labels: { x: "1" } };

  it("allows changing labels and annotations", () => {
    expect(validateObjectMetaUpdate({ ...old, labels: { x: "2" }, annotations: { a: "b" } }, old)).toEqual([]);
  });

  it("keeps name, namespace, uid and creationTimestamp", () => {
    expect(show(validateObjectMetaUpdate({ ...old, name: "x" }, old))).toEqual(['metadata.name: Invalid value: "x": field is immutable']);
    expect(show(validateObjectMetaUpdate({ ...old, namespace: "other" }, old))).toEqual(['metadata.namespace: Invalid value: "other": field is immutable']);
    expect(show(validateObjectMetaUpdate({ ...old, uid: "u2" }, old))).toEqual(['metadata.uid: Invalid value: "u2": field is immutable']);
    expect(show(validateObjectMetaUpdate({ ...old, creationTimestamp: "2025-01-01T00:00:00Z" }, old))).toEqual([
      'metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable',
    ]);
  });

  it("treats an absent namespace like an empty one", () => {
    expect(validateObjectMetaUpdate({ name: "n" }, { name: "n", namespace: "" })).toEqual([]);
  });
});
