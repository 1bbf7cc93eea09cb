// The Docker engine's images through dockerode: list, pull (with registry credentials), load a
// `docker save` archive, remove, which images containers use, and the image filesystem's size.
import { statfs } from "node:fs/promises";
import Docker from "dockerode";
import type { ImageFsStats, ImageRuntime, RegistryAuth, RuntimeImage } from "./runtime.js";

/** An engine error, keeping the engine's own words (they end up in pod status messages). */
export class ImageEngineError extends Error {}

function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return (e.json?.message ?? e.message ?? String(err)).trim();
}

/** Collects an engine progress stream; rejects with the first error line. */
function follow(modem: Docker["modem"], stream: NodeJS.ReadableStream): Promise<{ stream?: string; error?: string }[]> {
  return new Promise((resolve, reject) => {
    modem.followProgress(stream, (err: Error | null, output: { stream?: string; error?: string }[]) => {
      const failed = output?.find((o) => o.error);
      if (err || failed) reject(new ImageEngineError(err ? engineMessage(err) : failed!.error!));
      else resolve(output ?? []);
    });
  });
}

export class DockerImages implements ImageRuntime {
  private readonly docker: Docker;
  private rootDir?: string;

  constructor(socketPath = "/var/run/docker.sock") {
    this.docker = new Docker({ socketPath });
  }

  async list(): Promise<RuntimeImage[]> {
    const imgs = await this.docker.listImages({ all: false });
    return imgs.map((i) => ({
      id: i.Id,
      tags: (i.RepoTags ?? []).filter((t) => t !== "<none>:<none>"),
      digests: (i.RepoDigests ?? []).filter((t) => !t.startsWith("<none>@")),
      sizeBytes: i.Size,
      created: new Date(i.Created * 1000).toISOString(),
    }));
  }

  async inspect(name: string): Promise<{ id: string; sizeBytes: number } | undefined> {
    try {
      const i = await this.docker.getImage(name).inspect();
      return { id: i.Id, sizeBytes: i.Size };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw new ImageEngineError(engineMessage(err));
    }
  }

  async pull(image: string, auth?: RegistryAuth): Promise<void> {
    try {
      await follow(this.docker.modem, await this.docker.pull(image, auth ? { authconfig: auth } : {}));
    } catch (err) {
      throw err instanceof ImageEngineError ? err : new ImageEngineError(engineMessage(err));
    }
  }

  async load(tar: NodeJS.ReadableStream): Promise<string> {
    try {
      const out = await follow(this.docker.modem, await this.docker.loadImage(tar, { quiet: true }));
      return out
        .map((o) => o.stream ?? "")
        .join("")
        .trim();
    } catch (err) {
      throw err instanceof ImageEngineError ? err : new ImageEngineError(engineMessage(err));
    }
  }

  async remove(id: string): Promise<void> {
    // By each tag first, never forced: the engine refuses to remove the last reference of an
    // image a container (even a stopped one) still uses, so a race with a new pod is safe.
    const img = (await this.list()).find((i) => i.id === id);
    if (!img) return;
    try {
      for (const t of img.tags) await this.docker.getImage(t).remove({ noprune: false });
      if (!img.tags.length || (await this.inspect(id))) await this.docker.getImage(id).remove({ noprune: false });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      throw new ImageEngineError(engineMessage(err));
    }
  }

  async inUse(): Promise<Set<string>> {
    const cs = await this.docker.listContainers({ all: true });
    return new Set(cs.map((c) => c.ImageID));
  }

  async fsStats(): Promise<ImageFsStats | undefined> {
    try {
      this.rootDir ??= (await this.docker.info()).DockerRootDir as string;
      const s = await statfs(this.rootDir!);
      return { capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize };
    } catch {
      return undefined;
    }
  }
}
