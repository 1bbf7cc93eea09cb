// How objects map to NATS KV keys: "<resource>.<namespace or _>.<name>", with the characters
// NATS forbids in a token ('.', and anything outside [-/_=a-zA-Z0-9]) escaped as "=XX".

/** Escapes one key token so it holds no '.' and only characters NATS keys allow. */
export function encodeToken(s: string): string {
  return s.replace(/[^-_a-zA-Z0-9/]/g, (c) => {
    const hex = Buffer.from(c, "utf8").toString("hex").toUpperCase();
    return hex.replace(/(..)/g, "=$1");
  });
}

/** Reverses encodeToken. */
export function decodeToken(s: string): string {
  return s.replace(/(?:=[0-9A-F]{2})+/g, (m) => Buffer.from(m.replace(/=/g, ""), "hex").toString("utf8"));
}

/** The KV key of one object. */
export function objectKey(resource: string, namespace: string, name: string): string {
  return `${resource}.${namespace ? encodeToken(namespace) : "_"}.${encodeToken(name)}`;
}

/** A KV key filter for every object of a resource, optionally in one namespace. */
export function prefixFilter(resource: string, namespace?: string): string {
  return namespace ? `${resource}.${encodeToken(namespace)}.>` : `${resource}.>`;
}

/** Splits a key back into its parts. */
export function parseKey(key: string): { resource: string; namespace: string; name: string } {
  const [resource, ns, name] = key.split(".");
  return { resource, namespace: ns === "_" ? "" : decodeToken(ns), name: decodeToken(name) };
}
