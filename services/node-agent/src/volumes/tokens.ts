// ServiceAccount tokens for projected volumes (the kubelet's token manager): one token per pod,
// account, audience and lifetime, bound to the pod, fetched from the apiserver and fetched again
// once 80 % of its life has passed (or after 24 h), so the file in the pod never holds an
// expired token.
import type { Pod } from "@skiff/api";

/** Fetches a token (TokenRequest through the apiserver) and the CA in-cluster clients trust. */
export type TokenFetcher = (
  namespace: string,
  serviceAccount: string,
  spec: Record<string, unknown>,
) => Promise<{ token: string; expirationTimestamp: string; caCert: string }>;

interface Held {
  token: string;
  caCert: string;
  refreshAt: number;
  expiresAt: number;
}

export class TokenManager {
  private readonly held = new Map<string, Held>();
  constructor(
    private readonly fetch: TokenFetcher,
    private readonly now = () => Date.now(),
  ) {}

  /** A valid token for the pod's account (fetched or from the cache). */
  async token(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<{ token: string; caCert: string }> {
    const sa = String((pod.spec as { serviceAccountName?: string }).serviceAccountName || "default");
    const key = `${pod.metadata.uid}/${sa}/${audience ?? ""}/${expirationSeconds}`;
    const cur = this.held.get(key);
    if (cur && this.now() < cur.refreshAt) return cur;
    const spec = {
      expirationSeconds,
      ...(audience ? { audiences: [audience] } : {}),
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: pod.metadata.name, uid: pod.metadata.uid },
    };
    const r = await this.fetch(pod.metadata.namespace!, sa, spec);
    const issued = this.now();
    const expiresAt = Date.parse(r.expirationTimestamp);
    const held: Held = { token: r.token, caCert: r.caCert, expiresAt, refreshAt: Math.min(issued + 0.8 * (expiresAt - issued), issued + 24 * 3600_000) };
    this.held.set(key, held);
    return held;
  }

  /** Forgets a pod's tokens (it is gone). */
  forget(podUid: string): void {
    for (const k of this.held.keys()) if (k.startsWith(`${podUid}/`)) this.held.delete(k);
  }
}
