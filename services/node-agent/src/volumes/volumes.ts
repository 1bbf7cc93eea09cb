// Pod volumes on the node: every volume is a directory under <root-dir>/pods/<uid>/volumes
// (or the PV's / hostPath's own path) bind-mounted into the containers that mount it.
// emptyDir lives as long as the pod (medium Memory: a tmpfs of sizeLimit); configMap, secret
// and downwardAPI volumes are re-written atomically on every sync, so updates reach them.
import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, rm, stat, writeFile, readdir } from "node:fs/promises";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, normalize, isAbsolute } from "node:path";
import { promisify } from "node:util";
import { memoryToBytes, type PersistentVolume, type PersistentVolumeClaim, type Pod, type RuntimeContainerSpec, type Volume, type KeyToPath } from "@skiff/api";
import type { Logger } from "@skiff/log";
import type { Mount } from "../runtime/runtime.js";
import { ConfigError, fieldValue, resourceValue, type ConfigSources } from "../config/env.js";
import { forgetWrittenUnder, writeAtomic, type Payload } from "./atomic.js";
import { applyFsGroup } from "./ownership.js";

const run = promisify(execFile);

/** Where PVCs and PVs come from (informer caches), and ServiceAccount tokens (the apiserver). */
export interface VolumeSources extends ConfigSources {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  /** A token for the pod's ServiceAccount and the cluster CA; absent → serviceAccountToken sources fail to mount. */
  token?(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<{ token: string; caCert: string }>;
}

/** One source of a projected volume (Kubernetes' VolumeProjection). */
interface Projection {
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: { path: string; fieldRef?: { fieldPath: string }; mode?: number }[] };
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
}

/** A prepared volume: the host path to bind and whether it must be read-only. */
export interface PreparedVolume {
  path: string;
  readOnly: boolean;
}

/** A volume that cannot be set up yet (missing object, unbound claim): FailedMount. */
export class MountError extends Error {}

export class VolumeManager {
  constructor(
    private readonly rootDir: string,
    private readonly src: VolumeSources,
    private readonly log: Logger,
    /** Creates volumes for unbound claims of a class this node provisions (local-path). */
    private readonly provisioner?: { provision(pod: Pod, claim: PersistentVolumeClaim): Promise<boolean> },
  ) {}

  /** The pod's own directory (volumes, termination logs). */
  podDir(uid: string): string {
    return join(this.rootDir, "pods", uid);
  }

  /** Host directory of a pod's emptyDir volume. */
  emptyDirPath(uid: string, volume: string): string {
    return join(this.podDir(uid), "volumes", "empty-dir", volume);
  }

  /** Prepares (or refreshes) every volume of the pod; idempotent. */
  async setUp(pod: Pod): Promise<Map<string, PreparedVolume>> {
    const out = new Map<string, PreparedVolume>();
    for (const v of (pod.spec.volumes ?? []) as Volume[]) out.set(v.name, await this.setUpOne(pod, v));
    return out;
  }

  private async setUpOne(pod: Pod, v: Volume): Promise<PreparedVolume> {
    const base = join(this.podDir(pod.metadata.uid!), "volumes");
    const ns = pod.metadata.namespace!;
    // fsGroup: the volume's files belong to that group (hostPath and hostPath PVs excepted, as in Kubernetes).
    const fsGroup = (pod.spec.securityContext as { fsGroup?: number } | undefined)?.fsGroup;
    if (v.emptyDir) {
      const dir = this.emptyDirPath(pod.metadata.uid!, v.name);
      await mkdir(dir, { recursive: true, mode: 0o777 });
      // 0777 as the kubelet makes it (mkdir's mode passes through the umask): any user may write.
      const st = await stat(dir);
      if ((st.mode & 0o777) !== 0o777) await chmod(dir, (st.mode & 0o7777) | 0o777);
      if (v.emptyDir.medium === "Memory" && !(await isMountPoint(dir))) {
        // A tmpfs counts against the pod's memory like the kubelet's; sizeLimit caps it.
        const size = v.emptyDir.sizeLimit ? memoryToBytes(v.emptyDir.sizeLimit) : undefined;
        await run("mount", ["-t", "tmpfs", "-o", `mode=0777${size ? `,size=${size}` : ""}`, "tmpfs", dir]);
      }
      if (fsGroup !== undefined) await applyFsGroup(dir, fsGroup, false);
      return { path: dir, readOnly: false };
    }
    if (v.hostPath) return { path: await this.hostPath(v.hostPath.path, v.hostPath.type ?? ""), readOnly: false };
    if (v.configMap) {
      const data = this.configMapData(ns, v.configMap.name, !!v.configMap.optional);
      return this.projected(
        base,
        "configmap",
        v.name,
        data,
        v.configMap.items,
        v.configMap.defaultMode,
        `ConfigMap ${ns}/${v.configMap.name}`,
        !!v.configMap.optional,
        fsGroup,
      );
    }
    if (v.secret) {
      const data = this.secretData(ns, v.secret.secretName, !!v.secret.optional);
      return this.projected(
        base,
        "secret",
        v.name,
        data,
        v.secret.items,
        v.secret.defaultMode,
        `Secret ${ns}/${v.secret.secretName}`,
        !!v.secret.optional,
        fsGroup,
      );
    }
    if (v.downwardAPI) {
      const files = new Map<string, Payload>();
      for (const it of v.downwardAPI.items ?? []) {
        const value = it.fieldRef
          ? fieldValue(pod, it.fieldRef.fieldPath)
          : it.resourceFieldRef
            ? resourceValue(pod, it.resourceFieldRef.containerName ?? "", it.resourceFieldRef.resource, it.resourceFieldRef.divisor, this.src.allocatable)
            : "";
        files.set(safeRel(it.path), { content: Buffer.from(value), mode: it.mode ?? v.downwardAPI.defaultMode ?? 0o644 });
      }
      const dir = join(base, "downward-api", v.name);
      await writeAtomic(dir, files, fsGroup);
      return { path: dir, readOnly: true };
    }
    const projected = (v as { projected?: { sources?: Projection[]; defaultMode?: number } }).projected;
    if (projected) return this.projectedVolume(pod, v.name, projected.sources ?? [], projected.defaultMode ?? 0o644, base, fsGroup);
    if (v.persistentVolumeClaim) {
      const name = v.persistentVolumeClaim.claimName;
      const pvc = this.src.claim(ns, name);
      if (!pvc) throw new MountError(`persistentvolumeclaim "${name}" not found`);
      if (pvc.status?.phase !== "Bound" || !pvc.spec.volumeName) {
        // A claim of a local-path class waits for its first consumer: this pod, on this node.
        const provisioned = await this.provisioner?.provision(pod, pvc);
        throw new MountError(`persistentvolumeclaim "${name}" is not bound yet${provisioned ? " (volume provisioned, waiting for the binder)" : ""}`);
      }
      const pv = this.src.volume(pvc.spec.volumeName);
      if (!pv) throw new MountError(`persistentvolume "${pvc.spec.volumeName}" not found`);
      const path = pv.spec.hostPath?.path ?? pv.spec.local?.path;
      if (!path) throw new MountError(`persistentvolume "${pv.metadata.name}" has no hostPath or local path`);
      const readOnly = !!v.persistentVolumeClaim.readOnly;
      const dir = await this.hostPath(path, pv.spec.hostPath ? "DirectoryOrCreate" : "Directory");
      if (fsGroup !== undefined && pv.spec.local?.path) await applyFsGroup(dir, fsGroup, readOnly);
      return { path: dir, readOnly };
    }
    throw new MountError(`volume "${v.name}": unsupported volume type`);
  }

  /** A projected volume: configMap, secret, downwardAPI and serviceAccountToken sources in one directory. */
  private async projectedVolume(pod: Pod, name: string, sources: Projection[], defaultMode: number, base: string, fsGroup?: number): Promise<PreparedVolume> {
    const ns = pod.metadata.namespace!;
    const files = new Map<string, Payload>();
    for (const src of sources) {
      if (src.configMap) {
        const optional = !!src.configMap.optional;
        addKeyed(
          files,
          this.configMapData(ns, src.configMap.name, optional),
          src.configMap.items,
          defaultMode,
          `ConfigMap ${ns}/${src.configMap.name}`,
          optional,
        );
      } else if (src.secret) {
        const optional = !!src.secret.optional;
        addKeyed(files, this.secretData(ns, src.secret.name, optional), src.secret.items, defaultMode, `Secret ${ns}/${src.secret.name}`, optional);
      } else if (src.downwardAPI) {
        for (const it of src.downwardAPI.items ?? [])
          files.set(safeRel(it.path), { content: Buffer.from(it.fieldRef ? fieldValue(pod, it.fieldRef.fieldPath) : ""), mode: it.mode ?? defaultMode });
      } else if (src.serviceAccountToken) {
        if (!this.src.token) throw new MountError("this node cannot request service account tokens");
        const t = await this.src.token(pod, src.serviceAccountToken.audience, src.serviceAccountToken.expirationSeconds ?? 3600).catch((err: Error) => {
          throw new MountError(
            `cannot get a token for service account "${(pod.spec as { serviceAccountName?: string }).serviceAccountName || "default"}": ${err.message}`,
          );
        });
        // 0644: the container may run as any user (with fsGroup the file also belongs to that group).
        files.set(safeRel(src.serviceAccountToken.path), { content: Buffer.from(t.token), mode: 0o644 });
      }
    }
    const dir = join(base, "projected", name);
    if (await writeAtomic(dir, files, fsGroup)) this.log.debug({ dir }, "volume contents updated");
    return { path: dir, readOnly: true };
  }

  private async projected(
    base: string,
    kind: string,
    name: string,
    data: Map<string, Buffer>,
    items: KeyToPath[] | undefined,
    defaultMode: number | undefined,
    what: string,
    optional: boolean,
    fsGroup?: number,
  ): Promise<PreparedVolume> {
    const files = new Map<string, Payload>();
    addKeyed(files, data, items, defaultMode ?? 0o644, what, optional);
    const dir = join(base, kind, name);
    if (await writeAtomic(dir, files, fsGroup)) this.log.debug({ dir }, "volume contents updated");
    return { path: dir, readOnly: true };
  }

  /** A ConfigMap's keys (data and binaryData) as bytes; MountError when it is missing and not optional. */
  private configMapData(ns: string, name: string, optional: boolean): Map<string, Buffer> {
    const cm = this.src.configMap(ns, name);
    if (!cm && !optional) throw new MountError(`configmap "${name}" not found`);
    const data = new Map<string, Buffer>();
    for (const [k, val] of Object.entries(cm?.data ?? {})) data.set(k, Buffer.from(val, "utf8"));
    for (const [k, val] of Object.entries(cm?.binaryData ?? {})) data.set(k, Buffer.from(val, "base64"));
    return data;
  }

  /** A Secret's keys as bytes; MountError when it is missing and not optional. */
  private secretData(ns: string, name: string, optional: boolean): Map<string, Buffer> {
    const s = this.src.secret(ns, name);
    if (!s && !optional) throw new MountError(`secret "${name}" not found`);
    return new Map(Object.entries(s?.data ?? {}).map(([k, val]) => [k, Buffer.from(val, "base64")]));
  }

  private async hostPath(path: string, type: string): Promise<string> {
    if (!isAbsolute(path)) throw new MountError(`hostPath ${path}: must be an absolute path`);
    const st = await stat(path).catch(() => undefined);
    switch (type) {
      case "DirectoryOrCreate":
        if (!st) await mkdir(path, { recursive: true, mode: 0o755 });
        else if (!st.isDirectory()) throw new MountError(`hostPath type check failed: ${path} is not a directory`);
        break;
      case "Directory":
        if (!st?.isDirectory()) throw new MountError(`hostPath type check failed: ${path} is not a directory`);
        break;
      case "FileOrCreate":
        if (!st) await writeFile(path, "", { mode: 0o644 });
        else if (!st.isFile()) throw new MountError(`hostPath type check failed: ${path} is not a file`);
        break;
      case "File":
        if (!st?.isFile()) throw new MountError(`hostPath type check failed: ${path} is not a file`);
        break;
      case "Socket":
        if (!st?.isSocket()) throw new MountError(`hostPath type check failed: ${path} is not a socket file`);
        break;
      default:
        break;
    }
    return path;
  }

  /** The container's bind mounts: its volumeMounts (subPath created on demand) and its termination log. */
  async mountsFor(c: RuntimeContainerSpec, vols: Map<string, PreparedVolume>, terminationLog?: { host: string; target: string }): Promise<Mount[]> {
    const mounts: Mount[] = [];
    for (const m of c.volumeMounts ?? []) {
      const v = vols.get(m.name);
      if (!v) throw new MountError(`volumeMount "${m.name}": no volume of that name in the pod`);
      let source = v.path;
      if (m.subPath) {
        source = join(v.path, safeRel(m.subPath));
        if (!(await stat(source).catch(() => undefined))) await mkdir(source, { recursive: true, mode: 0o777 });
      }
      mounts.push({ source, target: m.mountPath, readOnly: v.readOnly || !!m.readOnly });
    }
    if (terminationLog) mounts.push({ source: terminationLog.host, target: terminationLog.target });
    return mounts;
  }

  /** A fresh, empty termination-log file for one container instance (sync calls: see atomic.ts). */
  async terminationLog(uid: string, container: string, attempt: number): Promise<string> {
    const dir = join(this.podDir(uid), "containers", container);
    mkdirSync(dir, { recursive: true });
    const f = join(dir, `${attempt}.termination-log`);
    writeFileSync(f, "", { mode: 0o666 });
    return f;
  }

  /** The message a container wrote to its termination log (at most 4096 bytes), if any. */
  async terminationMessage(uid: string, container: string, attempt: number): Promise<string | undefined> {
    const b = await readFile(join(this.podDir(uid), "containers", container, `${attempt}.termination-log`)).catch(() => undefined);
    return b?.length ? b.subarray(0, 4096).toString("utf8") : undefined;
  }

  /** Removes everything the pod had on this node (tmpfs unmounted first). PV and hostPath data stay. */
  async tearDown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    const empty = join(dir, "volumes", "empty-dir");
    for (const n of await readdir(empty).catch(() => [] as string[])) {
      const p = join(empty, n);
      if (await isMountPoint(p)) await run("umount", [p]).catch((err) => this.log.warn({ err, path: p }, "cannot unmount tmpfs"));
    }
    await rm(dir, { recursive: true, force: true });
    forgetWrittenUnder(dir);
  }

  /** Pod directories on disk (uids), to clean up those of pods that are gone. */
  async podUids(): Promise<string[]> {
    return readdir(join(this.rootDir, "pods")).catch(() => []);
  }
}

/** A relative path that stays inside its volume. */
function safeRel(p: string): string {
  const n = normalize(p);
  if (isAbsolute(n) || n.startsWith("..")) throw new ConfigError(`invalid path "${p}": must be relative and may not contain '..'`);
  return n;
}

async function isMountPoint(dir: string): Promise<boolean> {
  const mounts = await readFile("/proc/self/mounts", "utf8").catch(() => "");
  return mounts.split("\n").some((l) => l.split(" ")[1] === dir);
}

/** Adds a volume's files from keyed data: every key, or the `items` asked for (a missing key fails unless optional). */
function addKeyed(files: Map<string, Payload>, data: Map<string, Buffer>, items: KeyToPath[] | undefined, mode: number, what: string, optional: boolean): void {
  if (!items?.length) {
    for (const [k, content] of data) files.set(k, { content, mode });
    return;
  }
  for (const it of items) {
    const content = data.get(it.key);
    if (content === undefined) {
      if (optional) continue;
      throw new MountError(`couldn't find key ${it.key} in ${what}`);
    }
    files.set(safeRel(it.path), { content, mode: it.mode ?? mode });
  }
}
