// Images on a node: the seam between the agent's image logic (pulls with credentials, loads,
// garbage collection, node status.images) and the engine that stores them. Docker is the real
// implementation (docker.ts); unit tests use a fake.

/** One image in the engine. */
export interface RuntimeImage {
  /** sha256:… */
  id: string;
  /** repo:tag names (may be empty for a dangling image). */
  tags: string[];
  /** repo@sha256:… names (images that came from a registry). */
  digests: string[];
  sizeBytes: number;
  /** When the image was built (RFC 3339 or epoch seconds as the engine gives it). */
  created: string;
}

/** Credentials for one registry, as Docker's pull takes them (X-Registry-Auth). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress: string;
}

/** Bytes of the filesystem the engine keeps images on. */
export interface ImageFsStats {
  capacityBytes: number;
  availableBytes: number;
}

/** What the agent needs from the engine for images. */
export interface ImageRuntime {
  list(): Promise<RuntimeImage[]>;
  /** The image's id and size, or undefined when the engine does not have it. */
  inspect(name: string): Promise<{ id: string; sizeBytes: number } | undefined>;
  pull(image: string, auth?: RegistryAuth): Promise<void>;
  /** Loads a `docker save` archive; resolves with the engine's report (e.g. "Loaded image: a:1"). */
  load(tar: NodeJS.ReadableStream): Promise<string>;
  /** Removes an image by id; an image some container still uses is refused by the engine. */
  remove(id: string): Promise<void>;
  /** Ids of the images of every container the engine has (running or not). */
  inUse(): Promise<Set<string>>;
  /** The image filesystem; undefined when the agent cannot see it (a remote engine). */
  fsStats(): Promise<ImageFsStats | undefined>;
}
