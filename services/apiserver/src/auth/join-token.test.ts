import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { joinTokenAuthorizer, newJoinToken } from "./join-token.js";

const md = (auth?: string) => { const m = new Metadata(); if (auth) m.set("authorization", auth); return m; };

describe("join token", () => {
  it("has kubeadm's shape and differs every time", () => {
    const t = newJoinToken();
    expect(t).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(newJoinToken()).not.toBe(t);
  });
  it("guards only node registration", () => {
    const check = joinTokenAuthorizer(() => "abcdef.0123456789abcdef");
    expect(() => check("create", "nodes", md("Bearer abcdef.0123456789abcdef"))).not.toThrow();
    expect(() => check("create", "nodes", md())).toThrow(/needs the cluster's join token/);
    expect(() => check("create", "nodes", md("Bearer zzzzzz.0123456789abcdef"))).toThrow(/not valid/);
    expect(() => check("create", "pods", md())).not.toThrow();
    expect(() => check("update", "nodes", md())).not.toThrow();
  });
});
