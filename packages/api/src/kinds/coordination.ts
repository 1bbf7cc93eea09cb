// coordination.k8s.io/v1 Lease (leader election is on NATS KV; Leases are served for kubectl
// and for clients that use them).
import type { KObject } from "../types.js";
import { gv, withMeta, type Info } from "./common.js";
import * as coordinationSchema from "../schema/coordination.js";

export interface Lease extends KObject {
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

export const coordinationResources: Info[] = [
  {
    ...gv("coordination.k8s.io", "v1"),
    resource: "leases",
    singular: "lease",
    kind: "Lease",
    schema: coordinationSchema.Lease,
    listKind: "LeaseList",
    namespaced: true,
    shortNames: [],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true),
  },
];
