// ServiceAccount admission: a pod without serviceAccountName runs as its namespace's `default`
// account, and unless the pod or its account says automountServiceAccountToken: false, every
// container gets the account's credentials at /var/run/secrets/kubernetes.io/serviceaccount
// (a projected volume: a bound token the node agent refreshes, the cluster CA from the
// kube-root-ca.crt ConfigMap, and the namespace), as Kubernetes does.
import { ForbiddenError, isMirrorPod, type KObject, type Pod, type ServiceAccount } from "@skiff/api";
import type { MutatingPlugin } from "./chain.js";

export const TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
/** Kubernetes' lifetime of projected tokens (1 h plus 7 s, so clients can tell them apart). */
const TOKEN_SECONDS = 3607;

const suffix = () => Array.from({ length: 5 }, () => "bcdfghjklmnpqrstvwxz2456789"[Math.floor(Math.random() * 27)]).join("");

export function serviceAccountAdmission(getAccount: (namespace: string, name: string) => Promise<KObject | undefined>): MutatingPlugin {
  return {
    name: "ServiceAccount",
    handles: (a) => a.operation === "CREATE" && a.subresource === "" && a.resource.group === "" && a.resource.resource === "pods",
    async admit(a) {
      const pod = a.object as Pod;
      // Kubernetes leaves mirror pods alone (their node mirrors a spec it holds; a changed one
      // would be deleted and made again), and they may not use an account at all.
      if (isMirrorPod(pod)) {
        const s = pod.spec as { serviceAccountName?: string; serviceAccount?: string };
        if (s.serviceAccountName || s.serviceAccount)
          throw new ForbiddenError(`pods "${pod.metadata.name}" is forbidden: a mirror pod may not reference service accounts`);
        return;
      }
      const spec = pod.spec as Pod["spec"] & {
        serviceAccountName?: string;
        serviceAccount?: string;
        automountServiceAccountToken?: boolean;
        volumes?: unknown[];
      };
      spec.serviceAccountName ||= spec.serviceAccount || "default";
      spec.serviceAccount = spec.serviceAccountName;
      const sa = (await getAccount(a.namespace, spec.serviceAccountName)) as ServiceAccount | undefined;
      if ((spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true) === false) return;
      const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])] as {
        volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
      }[];
      if (containers.some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === TOKEN_MOUNT_PATH))) return;
      const name = `kube-api-access-${suffix()}`;
      spec.volumes = [
        ...(spec.volumes ?? []),
        {
          name,
          projected: {
            defaultMode: 0o644,
            sources: [
              { serviceAccountToken: { expirationSeconds: TOKEN_SECONDS, path: "token" } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
            ],
          },
        },
      ];
      for (const c of containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name, mountPath: TOKEN_MOUNT_PATH, readOnly: true }];
    },
  };
}
