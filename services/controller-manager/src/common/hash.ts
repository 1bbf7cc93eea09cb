// Stable hashes of pod templates (the pod-template-hash label and controller revisions).

/** FNV-1a 32-bit of a template's JSON with sorted keys, rendered in Kubernetes' safe alphabet. */
export function templateHash(template: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const s = stableJson(template) + (collisionCount ? String(collisionCount) : "");
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Kubernetes' SafeEncodeString alphabet (no vowels, no ambiguous characters).
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let out = "";
  let n = h;
  do {
    out = alphabet[n % alphabet.length] + out;
    n = Math.floor(n / alphabet.length);
  } while (n > 0);
  return out;
}

/** JSON with object keys sorted, so equal templates hash equally. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * A template with what Go's decoding would not tell apart removed: null values and empty objects
 * (kubectl round-trips templates through Go types, e.g. `rollout undo` sends
 * `creationTimestamp: null` and `resources: {}`), so such a template equals the original.
 */
export function semanticValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(semanticValue);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = semanticValue(x);
      if (n === null || n === undefined) continue;
      if (typeof n === "object" && !Array.isArray(n) && Object.keys(n).length === 0) continue;
      out[k] = n;
    }
    return out;
  }
  return v;
}
