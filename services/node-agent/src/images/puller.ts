// Image pulls for pod containers, as the kubelet's image manager does them: imagePullPolicy,
// credentials from imagePullSecrets, one pull at a time per image (pods asking for the same image
// wait for it), back-off after failures, and Events with timings. Waiting messages name the
// image, the node and the engine's reason, with a hint at what to do.
import type { Logger } from "@skiff/log";
import type { Container, Pod, Secret } from "@skiff/api";
import type { EventRecorder } from "@skiff/client";
import { credentialsFor, type PullCredentials } from "./credentials.js";
import type { ImageRuntime } from "./runtime.js";

/** Why a container waits for its image. */
export interface ImageWaiting {
  waiting: { reason: string; message: string };
  retryInMs: number;
}

export interface ImagePullerDeps {
  images: ImageRuntime;
  recorder: EventRecorder;
  /** Secrets from the agent's cache (imagePullSecrets). */
  secret: (namespace: string, name: string) => Secret | undefined;
  log: Logger;
  /** Called after an image was pulled (node status.images changes). */
  onPulled?: () => void;
}

export interface ImagePullerOptions {
  nodeName: string;
  /** Back-off after a failed pull: first delay and cap (Kubernetes: 10 s, 5 min). */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/** Go's time.Duration formatting, as the kubelet's messages print it (523ms, 1.234s). */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
}

/** The engine's reason with a hint at what the user can do about it. */
export function explainPullError(image: string, node: string, reason: string, creds: PullCredentials): string {
  let hint = "";
  if (/unauthorized|authentication required|no basic auth credentials|denied: requested access/i.test(reason)) {
    hint = creds.auth
      ? ` (the registry ${creds.registry} refused the credentials from the pod's imagePullSecrets)`
      : ` (the registry ${creds.registry} needs credentials: give the pod imagePullSecrets naming a Secret of type kubernetes.io/dockerconfigjson with an entry for ${creds.registry})`;
  } else if (
    creds.registry === "docker.io" ||
    /no such host|connection refused|i\/o timeout|dial tcp|network is unreachable|repository does not exist|not found/i.test(reason)
  ) {
    hint = ` (the image is not on node ${node} and its registry ${creds.registry} cannot provide it: copy it from your machine with \`skiff image load ${image}\`, or push it to the cluster registry)`;
  }
  return `failed to pull image "${image}" on node ${node}: ${reason}${hint}`;
}

/** How long an image seen present is believed present without asking the engine. */
const PRESENT_TTL_MS = 30_000;

export class ImagePuller {
  /** Back-off per pod uid/container (in memory: losing it only retries sooner). */
  private readonly backoff = new Map<string, { failures: number; until: number; message: string }>();
  /** Pulls under way, by image and credentials: a second pod waits for the same pull. */
  private readonly inflight = new Map<string, Promise<void>>();
  /** Secrets already reported missing per pod uid (one event each). */
  private readonly reported = new Set<string>();
  /**
   * Images seen present, until when (ms): pods of an image already on the node start without
   * asking the engine again. An image removed meanwhile fails the create, which forgets it.
   */
  private readonly present = new Map<string, number>();

  constructor(
    private readonly deps: ImagePullerDeps,
    private readonly opts: ImagePullerOptions,
  ) {}

  /** Pulls by imagePullPolicy; returns why the container waits when the image is not there. */
  async ensure(pod: Pod, spec: Container, fieldPath: string): Promise<ImageWaiting | undefined> {
    const { images, recorder } = this.deps;
    const image = spec.image;
    // The apiserver defaults the policy (Always for :latest or no tag); this is only a fallback.
    const policy = spec.imagePullPolicy ?? "IfNotPresent";
    const present = (this.present.get(image) ?? 0) > Date.now() || !!(await images.inspect(image));
    if (present) this.rememberPresent(image);
    if (policy === "Never") {
      if (present) return undefined;
      const message = `Container image "${image}" is not present on node ${this.opts.nodeName} with pull policy of Never (copy it there with \`skiff image load ${image}\`)`;
      recorder.record(pod, "Warning", "ErrImageNeverPull", message, fieldPath);
      return { waiting: { reason: "ErrImageNeverPull", message }, retryInMs: 10_000 };
    }
    if (present && policy === "IfNotPresent") {
      recorder.record(pod, "Normal", "Pulled", `Container image "${image}" already present on machine`, fieldPath);
      return undefined;
    }
    const bk = `${pod.metadata.uid}/${spec.name}`;
    const b = this.backoff.get(bk);
    if (b && Date.now() < b.until) {
      recorder.record(pod, "Normal", "BackOff", `Back-off pulling image "${image}"`, fieldPath);
      return {
        waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}": ErrImagePull: ${b.message}` },
        retryInMs: b.until - Date.now() + 10,
      };
    }
    const creds = credentialsFor(pod, image, this.deps.secret);
    const problems = [...creds.missing.map((n) => `${n} (not found)`), ...creds.invalid];
    if (problems.length && !this.reported.has(`${pod.metadata.uid}/${problems.join()}`)) {
      this.reported.add(`${pod.metadata.uid}/${problems.join()}`);
      recorder.record(
        pod,
        "Warning",
        "FailedToRetrieveImagePullSecret",
        `Unable to retrieve some image pull secrets (${problems.join("; ")}); attempting to pull the image may not succeed.`,
      );
    }
    recorder.record(pod, "Normal", "Pulling", `Pulling image "${image}"`, fieldPath);
    const t0 = Date.now();
    try {
      const waited = await this.pullOnce(image, creds);
      this.backoff.delete(bk);
      const size = (await images.inspect(image).catch(() => undefined))?.sizeBytes;
      const total = Date.now() - t0;
      recorder.record(
        pod,
        "Normal",
        "Pulled",
        `Successfully pulled image "${image}" in ${formatDuration(total - waited)} (${formatDuration(total)} including waiting).${size !== undefined ? ` Image size: ${size} bytes.` : ""}`,
        fieldPath,
      );
      return undefined;
    } catch (err) {
      const message = explainPullError(image, this.opts.nodeName, (err as Error).message, creds);
      const failures = (b?.failures ?? 0) + 1;
      const delay = Math.min(this.opts.backoffBaseMs * 2 ** (failures - 1), this.opts.backoffMaxMs);
      this.backoff.set(bk, { failures, until: Date.now() + delay, message });
      recorder.record(pod, "Warning", "Failed", `Failed to pull image "${image}": ${message}`, fieldPath);
      recorder.record(pod, "Warning", "Failed", "Error: ErrImagePull", fieldPath);
      this.deps.log.info({ image, err }, "image pull failed");
      return { waiting: { reason: "ErrImagePull", message }, retryInMs: delay + 10 };
    }
  }

  /** Forgets that an image is present (the engine said it is not). */
  forgetPresent(image: string): void {
    this.present.delete(image);
  }

  private rememberPresent(image: string): void {
    if (this.present.size >= 1000) this.present.clear();
    this.present.set(image, Date.now() + PRESENT_TTL_MS);
  }

  /** Forgets a pod's back-off (the pod is gone). */
  forget(uid: string): void {
    for (const k of this.backoff.keys()) if (k.startsWith(`${uid}/`)) this.backoff.delete(k);
    for (const k of this.reported) if (k.startsWith(`${uid}/`)) this.reported.delete(k);
  }

  /** One pull per image and credentials at a time; resolves with the ms spent waiting for another pod's pull. */
  private async pullOnce(image: string, creds: PullCredentials): Promise<number> {
    const key = `${image}\u0000${creds.auth?.username ?? ""}`;
    const t0 = Date.now();
    const running = this.inflight.get(key);
    if (running) {
      await running;
      return Date.now() - t0;
    }
    const p = this.deps.images.pull(image, creds.auth).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    await p;
    this.deps.onPulled?.();
    return 0;
  }
}
