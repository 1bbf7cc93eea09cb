// Sign-in: a bearer token pasted once (kept in this tab's sessionStorage, never in the URL), or
// the single-use login secret of `skiff dashboard --url`, which arrives in the URL fragment (never
// sent to a server or logged), is traded for a session token and wiped from the address bar.
import { useState } from "preact/hooks";

export interface Session {
  token: string;
  user: string;
  expiresAt?: string;
}

const KEY = "skiff-dashboard-session";

export function loadSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Session | null;
    if (s?.expiresAt && Date.parse(s.expiresAt) < Date.now()) return undefined;
    return s ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

/** Trades a login secret from the URL fragment (#login=…) for a session; the fragment is removed first. */
export async function loginFromFragment(): Promise<Session | undefined> {
  const m = /(?:^#|&)login=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (!m) return undefined;
  history.replaceState(null, "", `${location.pathname}#/overview`);
  const res = await fetch("api/exchange", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ secret: m[1] }) });
  const body = (await res.json().catch(() => ({}))) as { token?: string; user?: string; expiresAt?: string; message?: string };
  if (!res.ok || !body.token) throw new Error(body.message ?? `login failed (HTTP ${res.status})`);
  return { token: body.token, user: body.user ?? "", expiresAt: body.expiresAt };
}

/** Who a token is (SelfSubjectReview), or the API's refusal. */
export async function whoAmI(token: string): Promise<string> {
  const res = await fetch("/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
  });
  const body = (await res.json().catch(() => ({}))) as { status?: { userInfo?: { username?: string } }; message?: string };
  if (res.status === 401) throw new Error("the token was not accepted (401 Unauthorized)");
  return body.status?.userInfo?.username ?? "(unknown user)";
}

export function SignIn(p: { onSession(s: Session): void; error?: string }) {
  const [token, setToken] = useState("");
  const [err, setErr] = useState(p.error ?? "");
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = token.trim().replace(/^Bearer\s+/i, "");
    try {
      p.onSession({ token: t, user: await whoAmI(t) });
    } catch (x) {
      setErr((x as Error).message);
    }
  };
  return (
    <main class="signin">
      <h1>Skiff</h1>
      <form onSubmit={submit}>
        <label for="token">Bearer token</label>
        <textarea
          id="token"
          rows={4}
          value={token}
          onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)}
          placeholder="a ServiceAccount token (kubectl create token …) or your kubeconfig's token"
          data-testid="token"
        />
        <button type="submit">Sign in</button>
        {err && (
          <p class="bad" data-testid="signin-error">
            {err}
          </p>
        )}
        <p class="muted">
          Or run <code>skiff dashboard</code>: it opens this page signed in as you.
        </p>
      </form>
    </main>
  );
}
