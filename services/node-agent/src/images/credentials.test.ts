import { describe, expect, it } from "vitest";
import type { Pod, Secret } from "@skiff/api";
import { credentialsFor, registryOf } from "./credentials.js";
import { explainPullError, formatDuration } from "./puller.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const secret = (name: string, type: string, data: Record<string, string>): Secret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: "ns" },
  type,
  data,
});
const pod = (names: string[]): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "ns", uid: "u" },
  spec: { containers: [], imagePullSecrets: names.map((name) => ({ name })) },
});

describe("registryOf", () => {
  it("finds the registry host the way Docker does", () => {
    expect(registryOf("busybox")).toBe("docker.io");
    expect(registryOf("my/app:1")).toBe("docker.io");
    expect(registryOf("localhost:5001/app:1")).toBe("localhost:5001");
    expect(registryOf("localhost/app")).toBe("localhost");
    expect(registryOf("reg.example.com/team/app@sha256:ab")).toBe("reg.example.com");
  });
});

describe("credentialsFor", () => {
  const secrets: Record<string, Secret> = {
    regcred: secret("regcred", "kubernetes.io/dockerconfigjson", {
      ".dockerconfigjson": b64(
        JSON.stringify({ auths: { "localhost:5001": { username: "u", password: "p" }, "https://index.docker.io/v1/": { auth: b64("hub:secret") } } }),
      ),
    }),
    old: secret("old", "kubernetes.io/dockercfg", { ".dockercfg": b64(JSON.stringify({ "http://r.example:5000": { auth: b64("a:b:c") } })) }),
    opaque: secret("opaque", "Opaque", { x: b64("y") }),
  };
  const get = (_ns: string, n: string) => secrets[n];
  it("matches the image's registry among the pod's secrets", () => {
    expect(credentialsFor(pod(["regcred"]), "localhost:5001/app:1", get).auth).toEqual({ username: "u", password: "p", serveraddress: "localhost:5001" });
    expect(credentialsFor(pod(["regcred"]), "team/app:1", get).auth).toEqual({
      username: "hub",
      password: "secret",
      serveraddress: "https://index.docker.io/v1/",
    });
    expect(credentialsFor(pod(["opaque", "old"]), "r.example:5000/x", get)).toMatchObject({
      auth: { username: "a", password: "b:c" },
      invalid: ["secret ns/opaque has type Opaque, not kubernetes.io/dockerconfigjson"],
    });
    expect(credentialsFor(pod(["gone", "regcred"]), "other.example/x", get)).toEqual({ missing: ["gone"], invalid: [], registry: "other.example" });
  });
});

describe("explainPullError", () => {
  it("names the image, the node and the engine's reason, with what to do", () => {
    const none = { missing: [], invalid: [], registry: "localhost:5001" };
    expect(explainPullError("localhost:5001/app:1", "node-2", 'Head "http://localhost:5001/v2/app/manifests/1": no basic auth credentials', none)).toBe(
      'failed to pull image "localhost:5001/app:1" on node node-2: Head "http://localhost:5001/v2/app/manifests/1": no basic auth credentials (the registry localhost:5001 needs credentials: give the pod imagePullSecrets naming a Secret of type kubernetes.io/dockerconfigjson with an entry for localhost:5001)',
    );
    expect(
      explainPullError("my/app:2", "node-1", "pull access denied for my/app, repository does not exist or may require 'docker login'", {
        ...none,
        registry: "docker.io",
      }),
    ).toMatch(/^failed to pull image "my\/app:2" on node node-1: pull access denied .* \(the image is not on node node-1 .* `skiff image load my\/app:2`/);
  });
  it("formats durations as Go does", () => {
    expect(formatDuration(523)).toBe("523ms");
    expect(formatDuration(1234)).toBe("1.234s");
    expect(formatDuration(2000)).toBe("2s");
  });
});
