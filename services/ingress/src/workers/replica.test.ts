// Replicas behave like informers to the configurator: adds, updates, deletes, late handlers replayed.
import { describe, expect, it } from "vitest";
import type { Service } from "@skiff/api";
import { Replica } from "./replica.js";

const svc = (name: string, port: number) => ({ metadata: { name, namespace: "default" }, spec: { ports: [{ port }] } }) as Service;

describe("Replica", () => {
  it("keys objects by namespace/name and tells handlers what changed", () => {
    const r = new Replica<Service>();
    r.put(svc("a", 80));
    const seen: string[] = [];
    r.addHandlers({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (o, n) => seen.push(`update ${o.spec?.ports?.[0].port}->${n.spec?.ports?.[0].port}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    r.put(svc("a", 81));
    r.put(svc("b", 90));
    r.del(svc("a", 81));
    r.del(svc("zz", 1));
    expect(seen).toEqual(["add a", "update 80->81", "add b", "delete a"]);
    expect(r.get("default/b")?.spec?.ports?.[0].port).toBe(90);
    expect(r.list().map((o) => o.metadata.name)).toEqual(["b"]);
  });
});
