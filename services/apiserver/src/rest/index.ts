// The Kubernetes REST API of the apiserver (what kubectl and client libraries speak):
// http/ (server, routing, responses), auth/ (PKI, tokens), discovery/, openapi/, handlers/
// (CRUD, list, watch), tables/, patch/, subresources/, streams/ (logs, exec, port-forward).
export { startRestServer, type RunningRestServer, type RestServerOptions } from "./http/server.js";
export { removeLegacyPkiSecret, PKI_SECRET, type ClusterAuth } from "./auth/bootstrap.js";
export { servingNames } from "./http/server.js";
export type { RestContext } from "./handlers/context.js";
