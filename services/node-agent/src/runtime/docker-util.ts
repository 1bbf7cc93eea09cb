// Small pieces of the Docker runtime that need no engine: error wording, label filters, the
// log stream's framing, bridge names and architecture names.

/** Errors from the engine keep its message (shown to users as ErrImagePull etc.). */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

export function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string };
  return e.json?.message ?? e.message ?? String(err);
}

export function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

/** Splits the engine's multiplexed log format (8-byte frame headers) into the payload bytes. */
export function demuxBuffer(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(parts);
}

/** Linux bridge names are limited to 15 characters. */
export function bridgeName(network: string): string {
  let h = 0;
  for (const c of network) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `skiff${h.toString(36)}`.slice(0, 15);
}

/** Docker's (uname) architecture names as Go's GOARCH, which kubernetes.io/arch uses. */
export function goArch(machine: string | undefined): string {
  const m: Record<string, string> = {
    x86_64: "amd64",
    aarch64: "arm64",
    armv7l: "arm",
    armhf: "arm",
    i386: "386",
    i686: "386",
    ppc64le: "ppc64le",
    s390x: "s390x",
    riscv64: "riscv64",
  };
  return (machine && m[machine]) || machine || "amd64";
}
