// The schemas are consistent with the resources that use them and with themselves.
import { describe, expect, it } from "vitest";
import { builtinResources } from "../resources.js";
import { definitionName, jsonFields, mergeKeysOf, reachableStructs, schemaOf } from "./index.js";
import { Volume } from "./volumes.js";

const all = reachableStructs(builtinResources.map(schemaOf));

describe("kind schemas", () => {
  it("are named as their resource's definition and have a status when the resource has one", () => {
    for (const r of builtinResources) {
      const s = schemaOf(r);
      expect(s.pkg + s.name, r.resource).toBe(definitionName(r));
      expect(Object.keys(s.fields).slice(0, 3), r.resource).toEqual(["apiVersion", "kind", "metadata"]);
      if (r.hasStatus) expect(s.fields.status, r.resource).toBeDefined();
    }
  });

  it("give each struct its own OpenAPI name and each protobuf number once", () => {
    const byName = new Map<string, unknown>();
    for (const s of all) {
      expect(byName.get(s.pkg + s.name) ?? s, s.name).toBe(s);
      byName.set(s.pkg + s.name, s);
      const nums = Object.values(s.fields).flatMap((f) => (f.proto === undefined ? [] : [f.proto]));
      expect(new Set(nums).size, s.name).toBe(nums.length);
      for (const [k, f] of Object.entries(s.fields)) if (f.type.kind === "free") expect(f.proto, `${s.name}.${k}`).toBeUndefined();
    }
  });

  it("inline embedded structs' fields in JSON (a Volume's sources)", () => {
    const fields = Object.keys(jsonFields(Volume));
    expect(fields).toContain("name");
    expect(fields).toContain("persistentVolumeClaim");
    expect(fields).not.toContain("volumeSource");
  });
});

describe("merge keys", () => {
  const { keys, sets } = mergeKeysOf(builtinResources);

  it("come from the schemas' list fields", () => {
    expect(keys.get("containers")).toEqual(["name"]);
    expect(keys.get("volumeMounts")).toEqual(["mountPath"]);
    expect(keys.get("ownerReferences")).toEqual(["uid"]);
    // Containers' ports merge by containerPort, a Service's by port.
    expect(keys.get("ports")).toEqual(["containerPort", "port"]);
    expect(sets.has("finalizers")).toBe(true);
  });

  it("add the ResourceInfos' keys for lists the schemas leave free-form", () => {
    expect(keys.get("taints")).toEqual(["key"]);
    expect(keys.get("conditions")).toEqual(["type"]);
  });

  it("leave map-type lists without a merge strategy to be replaced (resource claims)", () => {
    expect(keys.has("claims")).toBe(false);
  });
});
