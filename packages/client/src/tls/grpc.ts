// gRPC credentials from the cluster PKI: mutual TLS servers that refuse a client without a
// certificate of the cluster CA at the handshake, and channels that check the server's
// identity (CN) rather than its host name. Certificates come from certificate providers, so a
// renewed tls.crt/tls.key on disk (or a new in-memory pair) is used for new connections
// without a restart.
import { X509Certificate } from "node:crypto";
import type { PeerCertificate } from "node:tls";
import { experimental, type ChannelCredentials, type ServerCredentials } from "@grpc/grpc-js";
import { tlsPaths } from "./files.js";
import { identityFromSubject, type Identity, type TlsMaterialLike } from "./identity.js";

type Provider = experimental.CertificateProvider;

/** How often files are re-read for rotation (ms). */
export const DEFAULT_TLS_REFRESH_MS = 30_000;

/** grpc-js's file watcher whose refresh timer does not keep a process alive (a CLI must exit once its work is done). */
class UnrefFileWatcher extends experimental.FileWatcherCertificateProvider {
  override addCaCertificateListener(l: experimental.CaCertificateUpdateListener): void {
    super.addCaCertificateListener(l);
    this.unrefTimer();
  }
  override addIdentityCertificateListener(l: experimental.IdentityCertificateUpdateListener): void {
    super.addIdentityCertificateListener(l);
    this.unrefTimer();
  }
  private unrefTimer(): void {
    (this as unknown as { refreshTimer?: NodeJS.Timeout }).refreshTimer?.unref?.();
  }
}

/** A certificate provider over the files of a TLS directory (re-read every `refreshMs`). */
export function fileProvider(dir: string, refreshMs = DEFAULT_TLS_REFRESH_MS): Provider {
  const p = tlsPaths(dir);
  return new UnrefFileWatcher({ caCertificateFile: p.ca, certificateFile: p.cert, privateKeyFile: p.key, refreshIntervalMs: refreshMs });
}

/** A certificate provider over PEM strings in memory; `set` rotates them. */
export class MemoryProvider implements Provider {
  private ca: Buffer;
  private id: { certificate: Buffer; privateKey: Buffer };
  private readonly caListeners = new Set<experimental.CaCertificateUpdateListener>();
  private readonly idListeners = new Set<experimental.IdentityCertificateUpdateListener>();
  constructor(m: TlsMaterialLike) {
    this.ca = Buffer.from(m.ca);
    this.id = { certificate: Buffer.from(m.cert), privateKey: Buffer.from(m.key) };
  }
  set(m: TlsMaterialLike): void {
    this.ca = Buffer.from(m.ca);
    this.id = { certificate: Buffer.from(m.cert), privateKey: Buffer.from(m.key) };
    for (const l of this.caListeners) l({ caCertificate: this.ca });
    for (const l of this.idListeners) l(this.id);
  }
  addCaCertificateListener(l: experimental.CaCertificateUpdateListener): void {
    this.caListeners.add(l);
    setImmediate(() => l({ caCertificate: this.ca }));
  }
  removeCaCertificateListener(l: experimental.CaCertificateUpdateListener): void {
    this.caListeners.delete(l);
  }
  addIdentityCertificateListener(l: experimental.IdentityCertificateUpdateListener): void {
    this.idListeners.add(l);
    setImmediate(() => l(this.id));
  }
  removeIdentityCertificateListener(l: experimental.IdentityCertificateUpdateListener): void {
    this.idListeners.delete(l);
  }
}

/** Where a component's TLS material comes from: a directory on disk or a rotating memory provider. */
export type TlsSource = { dir: string; refreshMs?: number } | { provider: Provider };

function providerOf(src: TlsSource): Provider {
  return "provider" in src ? src.provider : fileProvider(src.dir, src.refreshMs);
}

/** Mutual-TLS server credentials: clients must present a certificate of the cluster CA. */
export function mtlsServerCredentials(src: TlsSource): ServerCredentials {
  const p = providerOf(src);
  return experimental.createCertificateProviderServerCredentials(p, p, true);
}

/**
 * Identities of recently seen certificates by SHA-256 fingerprint. Why: gRPC asks for the peer's
 * identity on every call, and parsing the certificate each time cost the apiserver ~15% of its CPU
 * under load; a fingerprint names exactly one certificate, so the answer cannot go stale.
 */
const identities = new Map<string, Identity | undefined>();
const MAX_CACHED_IDENTITIES = 4096;

/** Identities by HTTP/2 session: a TLS connection's peer certificate never changes. */
const bySession = new WeakMap<object, Identity | undefined>();

/** Anything grpc-js hands a server handler or interceptor. */
interface ServerCallLike {
  getAuthContext(): { sslPeerCertificate?: PeerCertificate } | null;
}

/**
 * The HTTP/2 session under a grpc-js server call, found through its (internal) chain of calls
 * to the stream; undefined if grpc-js is shaped otherwise, and then nothing is cached.
 */
function sessionOf(call: unknown): object | undefined {
  let c = call as { nextCall?: unknown; stream?: { session?: object } } | undefined;
  for (let i = 0; c && i < 8; i++) {
    if (c.stream?.session) return c.stream.session;
    c = c.nextCall as typeof c;
  }
  return undefined;
}

/**
 * The identity of a gRPC call's peer, looked up once per connection. Why: Node builds the whole
 * peer certificate (three fingerprints included) on each getPeerCertificate(), which grpc-js
 * calls on every getAuthContext(); that was the apiserver's most expensive function under load.
 */
export function identityOfCall(call: ServerCallLike): Identity | undefined {
  const session = sessionOf(call);
  if (session && bySession.has(session)) {
    const id = bySession.get(session);
    return id ? { user: id.user, groups: [...id.groups] } : undefined;
  }
  const id = identityOfPeer(call.getAuthContext()?.sslPeerCertificate);
  if (session) bySession.set(session, id ? { user: id.user, groups: [...id.groups] } : undefined);
  return id;
}

/** The identity of a peer certificate as Node's TLS reports it. */
export function identityOfPeer(cert: PeerCertificate | undefined): Identity | undefined {
  if (!cert?.raw) return undefined;
  const fp = cert.fingerprint256;
  // A copy, so that no caller can change what the next call sees.
  const copy = (i: Identity | undefined) => (i ? { user: i.user, groups: [...i.groups] } : undefined);
  if (fp && identities.has(fp)) return copy(identities.get(fp));
  const id = identityFromSubject(new X509Certificate(cert.raw).subject);
  if (fp) {
    if (identities.size >= MAX_CACHED_IDENTITIES) identities.clear();
    identities.set(fp, copy(id));
  }
  return id;
}

/**
 * Channel credentials presenting this component's certificate and accepting only a server
 * whose certificate (of the cluster CA) names an accepted identity (`accept(identity)`).
 */
export function mtlsChannelCredentials(src: TlsSource, accept: (id: Identity) => boolean, what: string): ChannelCredentials {
  const p = providerOf(src);
  return experimental.createCertificateProviderChannelCredentials(p, p, {
    checkServerIdentity: (_host, cert) => {
      const id = identityOfPeer(cert);
      return id && accept(id) ? undefined : new Error(`the server's certificate names ${id ? `"${id.user}"` : "nobody"}, not ${what}`);
    },
  });
}

/** The identity apiservers serve with (and present to node agents). */
export const APISERVER_USER = "kube-apiserver";
/** Accepts only apiservers. */
export const isApiserver = (id: Identity): boolean => id.user === APISERVER_USER;
/** The user name of a node's identity. */
export const nodeUser = (nodeName: string): string => `system:node:${nodeName}`;
/** The group every node belongs to. */
export const NODES_GROUP = "system:nodes";
/** The group with every right (cluster admins). */
export const MASTERS_GROUP = "system:masters";
/** Channel options that keep an IP address out of SNI (Node warns about it) whatever the target. */
export const TLS_CHANNEL_OPTIONS = { "grpc.ssl_target_name_override": "skiff" } as const;
