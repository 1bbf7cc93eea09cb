import { describe, expect, it } from "vitest";
import { asList, toJson, toYaml } from "./printers.js";

describe("printers", () => {
  const obj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", managedFields: [{ manager: "kubectl" }] }, data: { a: "1" } };

  it("hide managedFields in YAML and JSON, in objects and in lists, as kubectl does", () => {
    expect(toYaml(obj)).not.toContain("managedFields");
    expect(toYaml(obj)).toContain("name: c");
    expect(JSON.parse(toJson(asList([obj, obj]))).items[1].metadata).toEqual({ name: "c" });
    // The object itself is left alone.
    expect(obj.metadata.managedFields).toHaveLength(1);
  });
});
