import { describe, expect, it } from "vitest";
import { requestVerb } from "./metrics.js";

const q = (s = "") => new URLSearchParams(s);

describe("REST request labels", () => {
  it("names verbs as Kubernetes' metrics do", () => {
    expect(requestVerb("GET", "/api/v1/namespaces/default/pods/x", q())).toEqual({
      verb: "GET",
      group: "",
      version: "v1",
      resource: "pods",
      subresource: "",
      scope: "resource",
    });
    expect(requestVerb("GET", "/api/v1/namespaces/default/pods", q()).verb).toBe("LIST");
    expect(requestVerb("GET", "/api/v1/pods", q("watch=true"))).toMatchObject({ verb: "WATCH", scope: "cluster" });
    expect(requestVerb("PATCH", "/apis/apps/v1/namespaces/d/deployments/x", q(), "application/apply-patch+yaml")).toMatchObject({
      verb: "APPLY",
      group: "apps",
    });
    expect(requestVerb("DELETE", "/api/v1/namespaces/d/pods", q())).toMatchObject({ verb: "DELETECOLLECTION", scope: "namespace" });
    expect(requestVerb("GET", "/api/v1/namespaces/d/services/web:80/proxy/x/y", q())).toMatchObject({
      verb: "CONNECT",
      resource: "services",
      subresource: "proxy",
    });
    expect(requestVerb("POST", "/api/v1/namespaces/d/pods/x/exec", q()).verb).toBe("CONNECT");
    expect(requestVerb("GET", "/metrics", q())).toEqual({ verb: "GET", group: "", version: "", resource: "", subresource: "", scope: "" });
    // A malformed proxy target is labelled as a non-resource request, never a throw.
    expect(requestVerb("GET", "/api/v1/nodes/ftp:n:1/proxy/", q()).resource).toBe("");
  });
});
