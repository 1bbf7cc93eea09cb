// Kubernetes' WebSocket channel protocols: every binary message starts with a channel byte
// (0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize); v5.channel.k8s.io adds a close
// signal (channel 255 + the closed channel). Port-forward uses two channels per port.

/** Channel numbers of the remote-command protocols. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Subprotocols of exec/attach, most preferred first. */
export const execProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
/** Prefix of WebSocket subprotocols that tunnel a SPDY session (kubectl 1.31+'s port-forward). */
export const spdyTunnelPrefix = "SPDY/3.1+";
/** Subprotocols of port-forward over WebSocket, most preferred first: SPDY tunnelled, then the channel protocol. */
export const portForwardProtocols = [`${spdyTunnelPrefix}portforward.k8s.io`, "v4.channel.k8s.io", "portforward.k8s.io"];

/** Picks the first protocol the server supports from the client's offer (undefined when none). */
export function negotiate(offered: Iterable<string>, supported: string[]): string | undefined {
  const set = new Set([...offered].map((p) => p.trim()));
  return supported.find((p) => set.has(p));
}

/** Frames data for a channel. */
export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** Splits a message into channel and data; undefined for an empty message. */
export function unframe(msg: Buffer): { channel: number; data: Buffer } | undefined {
  if (msg.length === 0) return undefined;
  return { channel: msg[0], data: msg.subarray(1) };
}

/** The Status written on the error channel when a command ends (code 0 = Success). */
export function exitStatus(code: number, command: string[]): object {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

/** A terminal size message from the resize channel ({"Width":80,"Height":24}). */
export function parseResize(data: Buffer): { cols: number; rows: number } | undefined {
  try {
    const o = JSON.parse(data.toString("utf8")) as { Width?: number; Height?: number };
    if (typeof o.Width === "number" && typeof o.Height === "number") return { cols: o.Width, rows: o.Height };
  } catch {
    // A malformed resize is ignored, as the kubelet does.
  }
  return undefined;
}

/** The 2-byte little-endian port prefix that opens each port-forward channel. */
export function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}
