// Fixtures of the Ingress controller's integration test: an echo pod that reports what it was
// asked, Services, Ingresses, TLS Secrets, and plain HTTP/TLS clients.
import { request } from "node:http";
import { connect as tlsConnect } from "node:tls";
import { setCondition, type Ingress, type Pod, type Secret, type Service } from "@skiff/api";
import type { ApiClient } from "@skiff/client";
import { selfSigned } from "../../services/ingress/src/tls/certs.js";

export const IMAGE = "skiff/busybox:1.35";
export const GATE = "skiff.io/serving";

/** A pod answering every request with "<pod> <path> host=<Host> proto=<X-Forwarded-Proto>" (+ " xff=<X-Forwarded-For> real=<X-Real-IP>" with `addresses`). */
export function echoPod(name: string, app: string, addresses = false): Pod {
  const script = [
    "#!/bin/sh",
    "cr=$(printf '\\r')",
    "read -r method path proto",
    "host=''; xfp=''; xff=''; xri=''",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    'while read -r line; do line=${line%"$cr"}; [ -z "$line" ] && break; case "$line" in [Hh]ost:*) host=${line#*: };; [Xx]-[Ff]orwarded-[Pp]roto:*) xfp=${line#*: };; [Xx]-[Ff]orwarded-[Ff]or:*) xff=${line#*: };; [Xx]-[Rr]eal-[Ii][Pp]:*) xri=${line#*: };; esac; done',
    `body="${name} $path host=$host proto=$xfp${addresses ? " xff=$xff real=$xri" : ""}"`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    'printf \'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s\' "${#body}" "$body"',
  ].join("\n");
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app } },
    spec: {
      containers: [
        {
          name: "echo",
          image: IMAGE,
          ports: [{ name: "http", containerPort: 8080 }],
          command: ["sh", "-c", `cat > /h.sh <<'EOF'\n${script}\nEOF\nchmod +x /h.sh && exec nc -ll -p 8080 -e /h.sh`],
        },
      ],
      readinessGates: [{ conditionType: GATE }],
      terminationGracePeriodSeconds: 1,
    },
  };
}

export const service = (name: string, app?: string): Service =>
  ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: { ...(app ? { selector: { app } } : {}), ports: [{ name: "http", port: 80, targetPort: "http" }] },
  }) as Service;

type Rule = { host?: string; paths: [string, "Exact" | "Prefix" | "ImplementationSpecific", string][] };
export function ingress(name: string, rules: Rule[], extra: Partial<Ingress["spec"]> = {}, annotations: Record<string, string> = {}): Ingress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace: "default", annotations },
    spec: {
      rules: rules.map((r) => ({
        host: r.host,
        http: { paths: r.paths.map(([path, pathType, svc]) => ({ path, pathType, backend: { service: { name: svc, port: { number: 80 } } } })) },
      })),
      ...extra,
    },
  };
}

/** One HTTP/1.1 request to ip:port with a Host header; resolves status, headers and body. */
export function http(
  ip: string,
  port: number,
  host: string,
  path: string,
  timeoutMs = 15_000,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: ip, port, path, headers: { host }, agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: body.trim(), headers: res.headers }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** The certificate's CN a TLS client sees for an SNI name. */
export function servedCN(ip: string, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: ip, port: 443, servername, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => {
      const cn = s.getPeerCertificate().subject?.CN;
      s.end();
      resolve(Array.isArray(cn) ? cn[0] : String(cn));
    });
    s.on("error", reject);
  });
}

export function tlsSecret(name: string, cn: string): Secret {
  const { cert, key } = selfSigned(cn);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "default" },
    type: "kubernetes.io/tls",
    data: { "tls.crt": Buffer.from(cert).toString("base64"), "tls.key": Buffer.from(key).toString("base64") },
  };
}

/** Sets the echo pods' readiness gate (the agent writes the same status: retried on conflict). */
export async function setGate(client: ApiClient, name: string, status: "True" | "False"): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const p = await client.get<Pod>("pods", name, "default");
    p.status ??= {};
    p.status.conditions ??= [];
    setCondition(p.status.conditions, { type: GATE, status });
    try {
      await client.updateStatus("pods", p);
      return;
    } catch {
      /* conflict with the agent: read again */
    }
  }
  throw new Error("could not set the readiness gate");
}
