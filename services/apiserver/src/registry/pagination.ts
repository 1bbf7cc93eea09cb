// Lists as Kubernetes pages them: sorted by namespace/name, cut at \`limit\`, resumed after the
// last key a continue token names; and the random suffix of generateName.
import { BadRequestError, type KObject } from "@skiff/api";

function sortKey(o: KObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

/** One page of `objs` (unsorted) after the continue token, at most `limit` long. */
export function paginate(objs: KObject[], opts: { continueToken?: string; limit?: number }): { items: KObject[]; continueToken: string } {
  let items = [...objs].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  if (opts.continueToken) {
    let after: string;
    try {
      after = JSON.parse(Buffer.from(opts.continueToken, "base64url").toString("utf8")).k;
    } catch {
      throw new BadRequestError("invalid continue token");
    }
    items = items.filter((o) => sortKey(o) > after);
  }
  let continueToken = "";
  if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
    items = items.slice(0, opts.limit);
    continueToken = Buffer.from(JSON.stringify({ k: sortKey(items[items.length - 1]) })).toString("base64url");
  }
  return { items, continueToken };
}

const alphabet = "bcdfghjklmnpqrstvwxz2456789";
/** Kubernetes-style 5-character suffix for generateName. */
export function randomSuffix(): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
