// Which encryption the store applies (encryption.ts), from the apiserver's options; the
// configuration's directory is created (0700) with the PKI directory it usually lives in.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { encryptionTransformer, type ValueTransformer } from "./encryption.js";

/** The store's transformer for --encryption-provider-config. */
export function encryptionAtRest(o: { encryptionConfig: string }): ValueTransformer {
  mkdirSync(dirname(o.encryptionConfig), { recursive: true, mode: 0o700 });
  try {
    return encryptionTransformer(o.encryptionConfig);
  } catch (err) {
    throw new Error(`--encryption-provider-config ${o.encryptionConfig}: ${(err as Error).message}`);
  }
}
