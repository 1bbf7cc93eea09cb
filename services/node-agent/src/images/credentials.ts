// Registry credentials from a pod's imagePullSecrets (types kubernetes.io/dockerconfigjson and
// kubernetes.io/dockercfg), matched to the registry host of the image as the kubelet's
// credential provider does. Pure: the secrets come from the agent's informer cache.
import type { Pod, Secret } from "@skiff/api";
import type { RegistryAuth } from "./runtime.js";

/** Docker Hub's names: an image without a registry host comes from there. */
const dockerHub = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** The registry host of an image reference ("docker.io" when it names none). */
export function registryOf(image: string): string {
  const first = image.split("/")[0];
  if (image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) return first;
  return "docker.io";
}

/** A config key ("https://index.docker.io/v1/", "localhost:5001", "http://r:5000/x") as a bare host[:port]. */
function hostOfKey(key: string): string {
  const h = key
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/\/.*$/, "")
    .toLowerCase();
  return dockerHub.has(h) ? "docker.io" : h;
}

interface AuthEntry {
  username?: string;
  password?: string;
  auth?: string;
}

/** The auths of one secret, or an error message when it is not a usable registry secret. */
export function authsOf(secret: Secret): Record<string, AuthEntry> | string {
  const data = (secret.data ?? {}) as Record<string, string>;
  const name = `${secret.metadata.namespace}/${secret.metadata.name}`;
  const decode = (k: string) => Buffer.from(data[k] ?? "", "base64").toString("utf8");
  try {
    if (secret.type === "kubernetes.io/dockerconfigjson") return (JSON.parse(decode(".dockerconfigjson")) as { auths?: Record<string, AuthEntry> }).auths ?? {};
    if (secret.type === "kubernetes.io/dockercfg") return JSON.parse(decode(".dockercfg")) as Record<string, AuthEntry>;
  } catch (err) {
    return `secret ${name} does not hold valid registry JSON: ${(err as Error).message}`;
  }
  return `secret ${name} has type ${secret.type ?? "Opaque"}, not kubernetes.io/dockerconfigjson`;
}

/** What the pod's pull secrets give for one image. */
export interface PullCredentials {
  /** Credentials for the image's registry, first matching secret wins (as in Kubernetes). */
  auth?: RegistryAuth;
  /** Secrets named by the pod that do not exist. */
  missing: string[];
  /** Secrets that exist but cannot be used (wrong type, bad JSON). */
  invalid: string[];
  /** Registry host of the image. */
  registry: string;
}

/** Finds credentials for `image` among the pod's imagePullSecrets. */
export function credentialsFor(pod: Pod, image: string, secret: (namespace: string, name: string) => Secret | undefined): PullCredentials {
  const registry = registryOf(image);
  const out: PullCredentials = { missing: [], invalid: [], registry };
  const refs = (pod.spec.imagePullSecrets as { name?: string }[] | undefined) ?? [];
  for (const ref of refs) {
    if (!ref?.name) continue;
    const s = secret(pod.metadata.namespace ?? "default", ref.name);
    if (!s) {
      out.missing.push(ref.name);
      continue;
    }
    const auths = authsOf(s);
    if (typeof auths === "string") {
      out.invalid.push(auths);
      continue;
    }
    if (out.auth) continue;
    for (const [key, a] of Object.entries(auths)) {
      if (hostOfKey(key) !== registry) continue;
      let { username, password } = a;
      if ((!username || !password) && a.auth) {
        const plain = Buffer.from(a.auth, "base64").toString("utf8");
        const i = plain.indexOf(":");
        if (i > 0) [username, password] = [plain.slice(0, i), plain.slice(i + 1)];
      }
      out.auth = { username, password, serveraddress: registry === "docker.io" ? "https://index.docker.io/v1/" : registry };
      break;
    }
  }
  return out;
}
