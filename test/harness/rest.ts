// Raw HTTPS requests to a test cluster's Kubernetes API with its admin token: for tests of what a
// client library sees (status codes, headers, bodies), below kubectl.
import { Agent, request } from "node:https";
import { ensureClusterCa } from "@skiff/client";
import type { TestCluster } from "./cluster.js";

/** One answer of the REST API. */
export interface RestResponse {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body as JSON (undefined when it is not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
  json?: any;
}

/** A client of one cluster's REST API. */
export class RestClient {
  private constructor(
    readonly host: string,
    readonly port: number,
    readonly ca: string,
    readonly token: string,
    readonly agent: Agent,
  ) {}

  static async of(cluster: TestCluster, agentOptions: { maxSockets?: number } = {}): Promise<RestClient> {
    // The cluster's PKI directory holds its CA and the admin token.
    const { ca, adminToken: token } = ensureClusterCa(cluster.pkiDir);
    const caPem = ca.cert;
    const i = cluster.httpsAddress.lastIndexOf(":");
    return new RestClient(
      cluster.httpsAddress.slice(0, i),
      Number(cluster.httpsAddress.slice(i + 1)),
      caPem,
      token,
      new Agent({ keepAlive: true, maxSockets: agentOptions.maxSockets ?? 16, ca: caPem }),
    );
  }

  /** Sends one request and reads the whole answer. */
  send(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<RestResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path,
          method,
          agent: this.agent,
          timeout: timeoutMs,
          headers: {
            Authorization: `Bearer ${this.token}`,
            ...(body !== undefined ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ code: res.statusCode ?? 0, headers: res.headers, body: text, json });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Opens a watch (or any streaming GET) and resolves with the first `n` lines, then closes it. */
  firstLines(path: string, n: number, timeoutMs = 15_000): Promise<{ code: number; lines: string[] }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, path, method: "GET", ca: this.ca, headers: { Authorization: `Bearer ${this.token}` } }, (res) => {
        let buf = "";
        const timer = setTimeout(() => {
          req.destroy();
          resolve({ code: res.statusCode ?? 0, lines: buf.split("\n").filter(Boolean) });
        }, timeoutMs);
        res.on("data", (d: Buffer) => {
          buf += d.toString("utf8");
          const lines = buf.split("\n");
          if (lines.length > n) {
            clearTimeout(timer);
            req.destroy();
            resolve({ code: res.statusCode ?? 0, lines: lines.slice(0, n) });
          }
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ code: res.statusCode ?? 0, lines: buf.split("\n").filter(Boolean) });
        });
        res.on("error", () => undefined);
      });
      req.on("error", (err) => {
        if (!req.destroyed) reject(err);
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
