import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { ensureEncryptionConfig } from "@skiff/client";
import { encryptionTransformer, parseEncryptionConfig } from "./encryption.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const dir = mkdtempSync(join(tmpdir(), "skiff-enc-"));
const config = (keys: [string, Buffer][], identity = true) => {
  const f = join(dir, `c-${Math.random()}.yaml`);
  writeFileSync(
    f,
    `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
${keys.map(([n, k]) => `            - name: ${n}\n              secret: ${k.toString("base64")}`).join("\n")}
${identity ? "      - identity: {}" : ""}
`,
  );
  return f;
};

describe("encryption at rest", () => {
  const value = enc.encode(JSON.stringify({ kind: "Secret", data: { password: Buffer.from("hunter2-plaintext").toString("base64") } }));
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it("encrypts secrets (no plaintext, no base64 of it) and reads them back", () => {
    const t = encryptionTransformer(config([["k1", k1]]));
    const stored = t.toStorage("secrets.default.db", value);
    const raw = Buffer.from(stored).toString("latin1");
    expect(raw.startsWith("k8s:enc:aesgcm:v1:k1:")).toBe(true);
    expect(raw).not.toContain("hunter2");
    expect(raw).not.toContain(Buffer.from("hunter2-plaintext").toString("base64"));
    expect(dec.decode(t.fromStorage("secrets.default.db", stored))).toBe(dec.decode(value));
    // Other resources are untouched.
    expect(t.toStorage("configmaps.default.x", value)).toBe(value);
  });

  it("binds a ciphertext to its key (moved to another key, it does not open)", () => {
    const t = encryptionTransformer(config([["k1", k1]]));
    const stored = t.toStorage("secrets.default.a", value);
    expect(() => t.fromStorage("secrets.default.b", stored)).toThrow();
  });

  it("rotates: a new primary key encrypts new writes, the old one still reads old values", () => {
    const old = encryptionTransformer(config([["k1", k1]]));
    const stored = old.toStorage("secrets.default.db", value);
    const rotated = encryptionTransformer(
      config([
        ["k2", k2],
        ["k1", k1],
      ]),
    );
    expect(dec.decode(rotated.fromStorage("secrets.default.db", stored))).toBe(dec.decode(value));
    expect(Buffer.from(rotated.toStorage("secrets.default.db", value)).toString("latin1")).toMatch(/^k8s:enc:aesgcm:v1:k2:/);
    const dropped = encryptionTransformer(config([["k2", k2]]));
    expect(() => dropped.fromStorage("secrets.default.db", stored)).toThrow(/key "k1", which the encryption configuration does not list/);
  });

  it("reads values stored before encryption only when identity is listed", () => {
    expect(dec.decode(encryptionTransformer(config([["k1", k1]])).fromStorage("secrets.default.db", value))).toBe(dec.decode(value));
    expect(() => encryptionTransformer(config([["k1", k1]], false)).fromStorage("secrets.default.db", value)).toThrow(/no identity provider/);
  });

  it("refuses bad configurations with the field at fault", () => {
    expect(() => parseEncryptionConfig("kind: Nope")).toThrow(/kind: must be EncryptionConfiguration/);
    expect(() => encryptionTransformer(config([["k1", randomBytes(7)]]))).toThrow(/keys\[0\]\.secret: must be 16, 24 or 32 bytes/);
  });

  it("creates a default configuration once (a second call keeps the first key)", () => {
    const f = join(dir, "default.yaml");
    ensureEncryptionConfig(f);
    const t = encryptionTransformer(f);
    ensureEncryptionConfig(f);
    expect(dec.decode(encryptionTransformer(f).fromStorage("secrets.a.b", t.toStorage("secrets.a.b", value)))).toBe(dec.decode(value));
  });
});
