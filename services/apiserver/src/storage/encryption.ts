// Encryption at rest: a value transformer the store applies to the keys of chosen resources
// (Secrets by default) on every write and read, configured by a file in the shape of
// Kubernetes' EncryptionConfiguration (apiserver.config.k8s.io/v1). Providers: aesgcm (AES-256-GCM,
// random 12-byte nonce, the store key as additional authenticated data) and identity. Writes use
// the first provider's first key; reads pick the key named in the value's prefix
// ("k8s:enc:aesgcm:v1:<key>:"), so rotation is: put a new key first, restart the apiservers,
// then rewrite every Secret (each write re-encrypts with the new primary key), then drop the old key.
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ensureEncryptionConfig } from "@skiff/client";
import { parse as parseYaml } from "yaml";

/** Turns stored bytes into what is written to NATS and back, per store key. */
export interface ValueTransformer {
  toStorage(key: string, value: Uint8Array): Uint8Array;
  fromStorage(key: string, value: Uint8Array): Uint8Array;
}

type Provider = { kind: "aesgcm"; keys: { name: string; key: Buffer }[] } | { kind: "identity" };

const PREFIX = "k8s:enc:aesgcm:v1:";

/** Parses an EncryptionConfiguration (YAML or JSON); throws naming the bad field. */
export function parseEncryptionConfig(text: string): Map<string, Provider[]> {
  const doc = parseYaml(text) as {
    kind?: string;
    resources?: { resources?: string[]; providers?: Record<string, { keys?: { name?: string; secret?: string }[] }>[] }[];
  };
  if (doc?.kind !== "EncryptionConfiguration") throw new Error("kind: must be EncryptionConfiguration");
  const out = new Map<string, Provider[]>();
  (doc.resources ?? []).forEach((r, i) => {
    const providers: Provider[] = (r.providers ?? []).map((p, j) => {
      const field = `resources[${i}].providers[${j}]`;
      if ("identity" in p) return { kind: "identity" };
      if (!("aesgcm" in p)) throw new Error(`${field}: only aesgcm and identity are supported, got ${Object.keys(p).join(", ")}`);
      const keys = (p.aesgcm.keys ?? []).map((k, n) => {
        const key = Buffer.from(k.secret ?? "", "base64");
        if (!k.name || !/^[\w.-]+$/.test(k.name)) throw new Error(`${field}.aesgcm.keys[${n}].name: required, [A-Za-z0-9_.-]`);
        if (![16, 24, 32].includes(key.length)) throw new Error(`${field}.aesgcm.keys[${n}].secret: must be 16, 24 or 32 bytes, base64-encoded`);
        return { name: k.name, key };
      });
      if (!keys.length) throw new Error(`${field}.aesgcm.keys: at least one key`);
      return { kind: "aesgcm", keys };
    });
    if (!providers.length) throw new Error(`resources[${i}].providers: at least one provider`);
    for (const res of r.resources ?? []) out.set(res.replace(/\.$/, "").replace(/^secrets\.?$/, "secrets"), providers);
  });
  return out;
}

const enc = new TextEncoder();

/** The transformer of a configuration file (created with a fresh key when missing: closed by default). */
export function encryptionTransformer(file: string): ValueTransformer {
  ensureEncryptionConfig(file);
  const byResource = parseEncryptionConfig(readFileSync(file, "utf8"));
  const providersOf = (key: string) => byResource.get(key.slice(0, key.indexOf(".")));
  return {
    toStorage(key, value) {
      const first = providersOf(key)?.[0];
      if (!first || first.kind === "identity") return value;
      const { name, key: k } = first.keys[0];
      const nonce = randomBytes(12);
      const c = createCipheriv(`aes-${k.length * 8}-gcm` as CipherGCMTypes, k, nonce);
      c.setAAD(enc.encode(key));
      const body = Buffer.concat([c.update(value), c.final(), c.getAuthTag()]);
      return Buffer.concat([enc.encode(`${PREFIX}${name}:`), nonce, body]);
    },
    fromStorage(key, value) {
      const providers = providersOf(key);
      if (!providers || value.length === 0) return value;
      const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (!b.subarray(0, PREFIX.length).equals(Buffer.from(PREFIX))) {
        // Plain JSON (written before encryption was configured) is readable only with identity listed.
        if (providers.some((p) => p.kind === "identity")) return value;
        throw new Error(`${key}: stored unencrypted, and the encryption configuration has no identity provider`);
      }
      const end = b.indexOf(":", PREFIX.length);
      const name = b.subarray(PREFIX.length, end).toString();
      const k = providers.flatMap((p) => (p.kind === "aesgcm" ? p.keys : [])).find((x) => x.name === name)?.key;
      if (!k) throw new Error(`${key}: encrypted with key "${name}", which the encryption configuration does not list`);
      const nonce = b.subarray(end + 1, end + 13);
      const tag = b.subarray(b.length - 16);
      const d = createDecipheriv(`aes-${k.length * 8}-gcm` as CipherGCMTypes, k, nonce);
      d.setAAD(enc.encode(key));
      d.setAuthTag(tag);
      return Buffer.concat([d.update(b.subarray(end + 13, b.length - 16)), d.final()]);
    },
  };
}
