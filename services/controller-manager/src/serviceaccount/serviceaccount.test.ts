import { describe, expect, it } from "vitest";
import type { Namespace, ServiceAccount } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { ServiceAccountsController } from "./serviceaccount.js";

const ns = (name: string, terminating = false): Namespace => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, ...(terminating ? { deletionTimestamp: new Date().toISOString() } : {}) },
});

describe("service accounts controller", () => {
  it("creates the default account in an active namespace once, and not in a terminating one", async () => {
    const fc = new FakeCluster();
    fc.seed("namespaces", ns("shop"));
    fc.seed("namespaces", ns("gone", true));
    const c = new ServiceAccountsController(fc.context());
    await c.reconcile("shop");
    await c.reconcile("gone");
    expect(fc.list<ServiceAccount>("serviceaccounts").map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual(["shop/default"]);
    fc.sync();
    await c.reconcile("shop");
    expect(fc.count("create", "serviceaccounts")).toBe(1);
  });

  it("a stale cache that misses the account only meets AlreadyExists", async () => {
    const fc = new FakeCluster();
    fc.seed("namespaces", ns("shop"));
    const c = new ServiceAccountsController(fc.context());
    await c.reconcile("shop");
    await expect(c.reconcile("shop")).resolves.toBeUndefined();
    expect(fc.list("serviceaccounts")).toHaveLength(1);
  });
});
