// A component's TLS directory: ca.crt (the cluster CA), tls.crt and tls.key (its own identity,
// key 0600). Written atomically (write, then rename) so a process reloading the files for
// rotation never sees half of a pair.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CertAndKey } from "./pki.js";

/** The three files of a TLS directory. */
export interface TlsPaths {
  ca: string;
  cert: string;
  key: string;
}

/** The file names inside a TLS directory. */
export function tlsPaths(dir: string): TlsPaths {
  return { ca: join(dir, "ca.crt"), cert: join(dir, "tls.crt"), key: join(dir, "tls.key") };
}

/** PEM contents of a TLS directory. */
export interface TlsMaterial extends CertAndKey {
  ca: string;
}

/** Writes a file atomically with `mode` (0600 for keys). */
export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** Writes ca.crt, tls.key (0600) and tls.crt into `dir` (0700, created if needed). */
export function writeTlsDir(dir: string, m: TlsMaterial): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = tlsPaths(dir);
  writeFileAtomic(p.ca, m.ca);
  // The key first: a reader that sees the new certificate must find its key.
  writeFileAtomic(p.key, m.key, 0o600);
  writeFileAtomic(p.cert, m.cert);
}

/** Whether `dir` holds all three files. */
export function hasTlsDir(dir: string): boolean {
  const p = tlsPaths(dir);
  return existsSync(p.ca) && existsSync(p.cert) && existsSync(p.key);
}

/** Reads a TLS directory; throws naming the missing file and the flag that points at it. */
export function readTlsDir(dir: string): TlsMaterial {
  const p = tlsPaths(dir);
  const read = (f: string) => {
    try {
      return readFileSync(f, "utf8");
    } catch (err) {
      throw new Error(
        `cannot read ${f} (--tls-dir ${dir}: want ca.crt, tls.crt and tls.key): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  };
  return { ca: read(p.ca), cert: read(p.cert), key: read(p.key) };
}
