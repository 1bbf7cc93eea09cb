// ConfigMaps and Secrets (core/v1).
import { field } from "../errors.js";
import type { KObject } from "../types.js";
import { gv, withMeta, type Info } from "./common.js";
import * as configSchema from "../schema/config.js";

export interface ConfigMap extends KObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export interface Secret extends KObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

const keyRe = /^[-._a-zA-Z0-9]+$/;

function validateKeys(o: Record<string, unknown> | undefined, path: string) {
  return Object.keys(o ?? {})
    .filter((k) => !keyRe.test(k) || k.length > 253)
    .map((k) => field.invalid(`${path}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
}

/** Kubernetes' MaxSecretSize: the data of one ConfigMap or Secret holds at most 1 MiB. */
export const maxConfigDataBytes = 1024 * 1024;

/** The 1 MiB bound on the values (binaryData and Secret data counted decoded), as Kubernetes'. */
function validateDataSize(entries: [string, number][]): ReturnType<typeof field.invalid>[] {
  const total = entries.reduce((n, [, len]) => n + len, 0);
  return total > maxConfigDataBytes ? [{ field: "data", type: "FieldValueTooLong", message: `Too long: must have at most ${maxConfigDataBytes} bytes` }] : [];
}

const decodedLength = (v: unknown) => (typeof v === "string" ? Buffer.from(v, "base64").length : 0);

export const configResources: Info[] = [
  {
    ...gv("", "v1"),
    resource: "configmaps",
    singular: "configmap",
    kind: "ConfigMap",
    listKind: "ConfigMapList",
    schema: configSchema.ConfigMap,
    garbageCollected: true,
    namespaced: true,
    shortNames: ["cm"],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true, (o) => {
      const c = o as ConfigMap;
      return [
        ...validateKeys(c.data, "data"),
        ...validateKeys(c.binaryData, "binaryData"),
        ...validateDataSize([
          ...Object.entries(c.data ?? {}).map(([k, v]): [string, number] => [k, Buffer.byteLength(String(v))]),
          ...Object.entries(c.binaryData ?? {}).map(([k, v]): [string, number] => [k, decodedLength(v)]),
        ]),
      ];
    }),
  },
  {
    ...gv("", "v1"),
    resource: "secrets",
    singular: "secret",
    kind: "Secret",
    listKind: "SecretList",
    schema: configSchema.Secret,
    garbageCollected: true,
    namespaced: true,
    shortNames: [],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true, (o) => {
      const s = o as Secret;
      const errs = validateKeys(s.data, "data");
      for (const [k, v] of Object.entries(s.data ?? {})) {
        if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
          errs.push(field.invalid(`data[${k}]`, "<secret contents redacted>", "must be base64 encoded"));
      }
      errs.push(...validateDataSize(Object.entries(s.data ?? {}).map(([k, v]): [string, number] => [k, decodedLength(v)])));
      if (s.type === "kubernetes.io/tls") {
        for (const k of ["tls.crt", "tls.key"]) if (!(k in (s.data ?? {}))) errs.push(field.required(`data[${k}]`));
      }
      return errs;
    }),
    // stringData is write-only: merged into data (base64) on every write, as Kubernetes does.
    applyDefaults: (o) => {
      const s = o as Secret;
      s.type ??= "Opaque";
      if (s.stringData) {
        s.data = { ...(s.data ?? {}) };
        for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v), "utf8").toString("base64");
        delete s.stringData;
      }
    },
  },
];
