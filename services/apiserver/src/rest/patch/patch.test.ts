import { describe, expect, it } from "vitest";
import { ApplyConflictError, recordUpdate, jsonMergePatch, jsonPatch, strategicMerge, serverSideApply } from "./index.js";
import type { KObject } from "@skiff/api";

const pod = (): KObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", labels: { a: "1", b: "2" }, finalizers: ["x"] },
  spec: {
    containers: [
      { name: "app", image: "a:1", ports: [{ containerPort: 80 }, { containerPort: 81 }], env: [{ name: "A", value: "1" }] },
      { name: "side", image: "s:1" },
    ],
  },
});

describe("strategic merge patch", () => {
  it("merges containers by name and ports by containerPort, keeping unnamed siblings", () => {
    const out = strategicMerge(pod(), { spec: { containers: [{ name: "app", image: "a:2", ports: [{ containerPort: 81, name: "alt" }] }] } }) as KObject;
    const cs = (out.spec as { containers: { name: string; image: string; ports?: unknown[] }[] }).containers;
    expect(cs.map((c) => `${c.name}=${c.image}`)).toEqual(["app=a:2", "side=s:1"]);
    expect(cs[0].ports).toEqual([{ containerPort: 80 }, { containerPort: 81, name: "alt" }]);
  });
  it("honours $patch: delete, null deletion, $setElementOrder, $deleteFromPrimitiveList and $retainKeys", () => {
    const out = strategicMerge(pod(), {
      metadata: { labels: { a: null }, "$deleteFromPrimitiveList/finalizers": ["x"] },
      spec: { "$setElementOrder/containers": [{ name: "side" }, { name: "app" }], containers: [{ name: "app", env: [{ name: "A", $patch: "delete" }] }] },
    }) as KObject;
    expect(out.metadata.labels).toEqual({ b: "2" });
    expect(out.metadata.finalizers).toEqual([]);
    const cs = (out.spec as { containers: { name: string; env?: unknown[] }[] }).containers;
    expect(cs.map((c) => c.name)).toEqual(["side", "app"]);
    expect(cs[1].env).toEqual([]);
    expect(strategicMerge({ s: { type: "A", x: 1, y: 2 } }, { s: { $retainKeys: ["type", "y"], type: "B" } })).toEqual({ s: { type: "B", y: 2 } });
  });
  it("takes merge keys from the kinds' schemas and ResourceInfos: service ports by port, node taints by key, claims replaced", () => {
    const svc = strategicMerge({ spec: { ports: [{ port: 80, name: "http" }, { port: 443 }] } }, { spec: { ports: [{ port: 443, name: "https" }] } });
    expect(svc).toEqual({
      spec: {
        ports: [
          { port: 80, name: "http" },
          { port: 443, name: "https" },
        ],
      },
    });
    const node = strategicMerge(
      {
        spec: {
          taints: [
            { key: "a", effect: "NoSchedule" },
            { key: "b", effect: "NoSchedule" },
          ],
        },
      },
      { spec: { taints: [{ key: "b", effect: "NoExecute" }] } },
    );
    expect(node).toEqual({
      spec: {
        taints: [
          { key: "a", effect: "NoSchedule" },
          { key: "b", effect: "NoExecute" },
        ],
      },
    });
    const claims = strategicMerge({ resources: { claims: [{ name: "a" }, { name: "b" }] } }, { resources: { claims: [{ name: "b", request: "r" }] } });
    expect(claims).toEqual({ resources: { claims: [{ name: "b", request: "r" }] } });
  });
  it("replaces lists without a merge key and never stores directives", () => {
    const out = strategicMerge({ spec: { args: ["a", "b"] } }, { spec: { args: ["c"], $unknown: 1 } });
    expect(out).toEqual({ spec: { args: ["c"] } });
  });
});

describe("JSON merge patch and JSON patch", () => {
  it("merge patch replaces lists and deletes with null", () => {
    expect(jsonMergePatch({ a: { b: 1, c: [1, 2] } }, { a: { b: null, c: [3] } })).toEqual({ a: { c: [3] } });
  });
  it("applies add/remove/replace/move/copy/test and fails a failed test", () => {
    const doc = { metadata: { labels: { a: "1" } }, list: [1, 2] };
    expect(
      jsonPatch(doc, [
        { op: "add", path: "/metadata/labels/b~1c", value: "2" },
        { op: "replace", path: "/list/0", value: 9 },
        { op: "add", path: "/list/-", value: 3 },
        { op: "copy", from: "/metadata/labels/a", path: "/copied" },
        { op: "move", from: "/copied", path: "/moved" },
        { op: "remove", path: "/metadata/labels/a" },
        { op: "test", path: "/moved", value: "1" },
      ]),
    ).toEqual({ metadata: { labels: { "b/c": "2" } }, list: [9, 2, 3], moved: "1" });
    expect(doc.metadata.labels).toEqual({ a: "1" });
    expect(() => jsonPatch(doc, [{ op: "test", path: "/list/0", value: 5 }])).toThrow(/test failed/);
    expect(() => jsonPatch(doc, [{ op: "remove", path: "/nope" }])).toThrow(/nonexistent/);
  });
});

describe("server-side apply", () => {
  it("records the manager's fields and removes fields it stops applying", () => {
    const cfg1 = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { x: "1", y: "2" } }, data: { a: "1", b: "2" } } as KObject;
    const first = serverSideApply(undefined, cfg1, "me");
    expect(first.metadata.managedFields).toMatchObject([{ manager: "me", operation: "Apply", fieldsV1: { "f:data": { "f:a": {}, "f:b": {} } } }]);
    const live = { ...first, data: { ...(first.data as object), other: "kept" } } as KObject;
    const second = serverSideApply(
      live,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { x: "1" } }, data: { a: "3" } } as KObject,
      "me",
    );
    expect(second.data).toEqual({ a: "3", other: "kept" });
    expect(second.metadata.labels).toEqual({ x: "1" });
    expect(second.metadata.managedFields).toHaveLength(1);
  });

  it("refuses to change another applier's field (one cause per field), shares equal values, and moves fields when forced", () => {
    const deploy = (replicas: number, image: string) =>
      ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d" },
        spec: { replicas, template: { spec: { containers: [{ name: "web", image }] } } },
      }) as unknown as KObject;
    const a = serverSideApply(undefined, deploy(2, "one"), "a");
    // The same values: no conflict, both own the fields.
    const shared = serverSideApply(a, deploy(2, "one"), "b");
    expect(shared.metadata.managedFields!.map((m) => (m as { manager: string }).manager)).toEqual(["a", "b"]);
    let err: unknown;
    try {
      serverSideApply(shared, deploy(3, "two"), "b");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApplyConflictError);
    expect((err as ApplyConflictError).code).toBe(409);
    expect((err as ApplyConflictError).message).toBe(
      'Apply failed with 2 conflicts: conflict with "a" using apps/v1: .spec.replicas\nconflict with "a" using apps/v1: .spec.template.spec.containers[name="web"].image',
    );
    expect((err as ApplyConflictError).details?.causes?.map((c) => c.field)).toEqual([".spec.replicas", '.spec.template.spec.containers[name="web"].image']);
    // Forced: b takes the fields; a keeps what it still owns alone (nothing here) and is dropped.
    const forced = serverSideApply(shared, deploy(3, "two"), "b", { force: true });
    expect((forced.spec as { replicas: number }).replicas).toBe(3);
    const managers = forced.metadata.managedFields as { manager: string; fieldsV1: Record<string, unknown> }[];
    expect(JSON.stringify(managers.find((m) => m.manager === "a")?.fieldsV1 ?? {})).not.toContain("f:replicas");
    // Now a conflicts with b.
    expect(() => serverSideApply(forced, deploy(2, "one"), "a")).toThrow('conflict with "b" using apps/v1: .spec.replicas');
  });
});

describe("managed fields of plain writes", () => {
  const cm = (data: Record<string, string>, labels?: Record<string, string>) =>
    ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", ...(labels ? { labels } : {}) }, data }) as KObject;
  const managers = (o: KObject) =>
    (o.metadata.managedFields as { manager: string; operation: string; fieldsV1: object }[] | undefined)?.map(
      (m) => `${m.manager}/${m.operation}:${JSON.stringify(m.fieldsV1)}`,
    );

  it("a create owns every field it sets; an update owns what it changed, taking it from the others", () => {
    const created = cm({ a: "1", b: "2" }, { app: "x" });
    recordUpdate(undefined, created, "kubectl-create");
    expect(managers(created)).toEqual(['kubectl-create/Update:{"f:metadata":{"f:labels":{"f:app":{}}},"f:data":{"f:a":{},"f:b":{}}}']);
    const edited = structuredClone(created);
    edited.data = { a: "9", b: "2", c: "3" };
    recordUpdate(created, edited, "kubectl-edit");
    expect(managers(edited)).toEqual([
      'kubectl-create/Update:{"f:metadata":{"f:labels":{"f:app":{}}},"f:data":{"f:b":{}}}',
      'kubectl-edit/Update:{"f:data":{"f:a":{},"f:c":{}}}',
    ]);
    // A removed field leaves every entry; an entry left with nothing goes.
    const trimmed = structuredClone(edited);
    trimmed.data = { a: "9", c: "3" };
    delete trimmed.metadata.labels;
    recordUpdate(edited, trimmed, "kubectl-edit");
    expect(managers(trimmed)).toEqual(['kubectl-edit/Update:{"f:data":{"f:a":{},"f:c":{}}}']);
  });

  it("an object sent without entries keeps the stored ones; a write that changes nothing records nothing", () => {
    const live = cm({ a: "1" });
    recordUpdate(undefined, live, "creator");
    const replaced = cm({ a: "1" });
    recordUpdate(live, replaced, "replacer");
    expect(managers(replaced)).toEqual(['creator/Update:{"f:data":{"f:a":{}}}']);
  });

  it("an apply then conflicts with a field a plain write owns, and takes it when forced", () => {
    const live = serverSideApply(undefined, cm({ a: "1" }), "applier");
    const scaled = structuredClone(live);
    scaled.data = { a: "2" };
    recordUpdate(live, scaled, "kubectl-edit");
    expect(() => serverSideApply(scaled, cm({ a: "1" }), "applier")).toThrow('conflict with "kubectl-edit" using v1: .data.a');
    const forced = serverSideApply(scaled, cm({ a: "1" }), "applier", { force: true });
    expect(forced.data).toEqual({ a: "1" });
    expect(managers(forced)).toEqual(['applier/Apply:{"f:data":{"f:a":{}}}']);
  });

  it("keyed list items are marked, and their entry goes when their last field does", () => {
    const pod = (image: string) =>
      ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "web", image }] } }) as unknown as KObject;
    const a = pod("one");
    recordUpdate(undefined, a, "a");
    const b = pod("two");
    b.metadata.managedFields = a.metadata.managedFields;
    recordUpdate(a, b, "b");
    expect(managers(b)).toEqual([
      'a/Update:{"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:name":{}}}}}',
      'b/Update:{"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{}}}}}',
    ]);
  });
});
