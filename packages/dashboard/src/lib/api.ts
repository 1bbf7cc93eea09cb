// Talking to the Kubernetes API as the signed-in user: every request carries the user's bearer
// token; refusals become ApiFailure with the Status message the apiserver wrote.
import type { StatusBody } from "./types.js";

/** A refused or failed request, with the apiserver's own words. */
export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Turns a non-2xx response into an ApiFailure. */
export async function failureOf(res: Response): Promise<ApiFailure> {
  const text = await res.text().catch(() => "");
  let st: StatusBody = {};
  try {
    st = JSON.parse(text) as StatusBody;
  } catch {
    st = { message: text.trim() || res.statusText };
  }
  return new ApiFailure(st.code ?? res.status, st.reason ?? res.statusText, st.message ?? `HTTP ${res.status}`);
}

/** The fetch a ListWatch and the views use. */
export type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

/** The API as one user. */
export class Api {
  constructor(
    readonly token: string,
    private readonly base = "",
    private readonly f: typeof fetch = (...a) => fetch(...a),
  ) {}

  /** A raw request (streams: logs, watches). */
  fetch: Fetch = (path, init = {}) =>
    this.f(this.base + path, {
      ...init,
      headers: { Accept: "application/json", ...(init.headers as Record<string, string>), Authorization: `Bearer ${this.token}` },
    });

  /** A JSON request; throws ApiFailure on refusal. */
  async json<T = unknown>(path: string, init: RequestInit & { body?: string } = {}, contentType = "application/json"): Promise<T> {
    const res = await this.fetch(path, {
      ...init,
      headers: { ...(init.body ? { "Content-Type": contentType } : {}), ...(init.headers as Record<string, string>) },
    });
    if (!res.ok) throw await failureOf(res);
    return (await res.json()) as T;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.json<T>(path);
  }
  patch<T = unknown>(path: string, body: unknown, type: "merge" | "strategic" | "json" = "merge"): Promise<T> {
    const ct = { merge: "application/merge-patch+json", strategic: "application/strategic-merge-patch+json", json: "application/json-patch+json" }[type];
    return this.json<T>(path, { method: "PATCH", body: JSON.stringify(body) }, ct);
  }
  /** Server-side apply of a YAML or JSON document (conflicts come back as 409). */
  apply<T = unknown>(path: string, doc: string, force = false): Promise<T> {
    return this.json<T>(`${path}?fieldManager=skiff-dashboard${force ? "&force=true" : ""}`, { method: "PATCH", body: doc }, "application/apply-patch+yaml");
  }
  delete(path: string): Promise<unknown> {
    return this.json(path, { method: "DELETE", body: JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" }) });
  }
  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.json<T>(path, { method: "POST", body: JSON.stringify(body) });
  }

  /** The WebSocket subprotocol that carries the token (browsers cannot set Authorization on a WebSocket). */
  wsTokenProtocol(): string {
    const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(this.token)))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    return `base64url.bearer.authorization.k8s.io.${b64}`;
  }
}

/** Splits a byte stream into lines (watch events, log lines), keeping a partial line for the next chunk. */
export async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i = buf.indexOf("\n");
      while (i >= 0) {
        yield buf.slice(0, i);
        buf = buf.slice(i + 1);
        i = buf.indexOf("\n");
      }
    }
    buf += dec.decode();
    if (buf) yield buf;
  } finally {
    reader.releaseLock();
  }
}
