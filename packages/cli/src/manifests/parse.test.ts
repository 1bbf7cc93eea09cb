import { describe, it, expect } from "vitest";
import { parseManifests } from "./parse.js";

describe("parseManifests", () => {
  it("reads every YAML document and skips empty ones", () => {
    const text = `---
apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  containers: [{name: app, image: nginx}]
---
# just a comment
---
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
`;
    const ms = parseManifests(text, "pods.yaml");
    expect(ms.map((m) => `${m.object.kind}/${m.object.metadata.name}`)).toEqual(["Pod/a", "Namespace/team"]);
    expect(ms[0].source).toBe("pods.yaml");
  });

  it("expands kind: List items, recursively", () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
- apiVersion: v1
  kind: List
  items:
  - {apiVersion: v1, kind: Pod, metadata: {name: b}}
`;
    expect(parseManifests(text, "x").map((m) => m.object.metadata.name)).toEqual(["a", "b"]);
  });

  it("fills kind and apiVersion of typed list items", () => {
    const ms = parseManifests(JSON.stringify({ apiVersion: "v1", kind: "PodList", items: [{ metadata: { name: "a" } }] }), "x.json");
    expect(ms[0].object).toMatchObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "a" } });
  });

  it("reads JSON, including an array of objects", () => {
    const ms = parseManifests('[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}},{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"}}]', "x.json");
    expect(ms.map((m) => m.object.metadata.name)).toEqual(["a", "b"]);
  });

  it("rejects documents without kind or apiVersion", () => {
    expect(() => parseManifests("metadata: {name: a}\n", "bad.yaml")).toThrow(
      'error validating "bad.yaml": error validating data: [apiVersion not set, kind not set]',
    );
  });

  it("reports YAML syntax errors with the file name", () => {
    expect(() => parseManifests("kind: Pod\n  bad: [\n", "broken.yaml")).toThrow(/^error parsing broken.yaml: /);
    expect(() => parseManifests("{ nope", "broken.json")).toThrow(/^error parsing broken.json: /);
  });
});
