// coordination.k8s.io/v1 Lease (served for kubectl and clients that elect leaders with them).
// Field numbers as in Kubernetes' generated.proto.
import { f, int32, pkg, ptr, str, struct, time } from "./dsl.js";
import { kind } from "./meta.js";

export const Lease = kind(pkg.coordination, "Lease", {
  spec: f(
    struct(pkg.coordination, "LeaseSpec", "LeaseSpec is a specification of a Lease.", {
      holderIdentity: f(str, 1, "holderIdentity contains the identity of the holder of a current lease.", ptr),
      leaseDurationSeconds: f(
        int32,
        2,
        "leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it, measured against the time of last observed renewTime.",
        ptr,
      ),
      acquireTime: f(time, 3, "acquireTime is a time when the current lease was acquired (a MicroTime: RFC 3339 with microseconds)."),
      renewTime: f(time, 4, "renewTime is a time when the current holder of a lease has last updated the lease (a MicroTime)."),
      leaseTransitions: f(int32, 5, "leaseTransitions is the number of transitions of a lease between holders.", ptr),
      strategy: f(str, 6, "Strategy indicates the strategy for picking the leader for coordinated leader election (OldestEmulationVersion).", ptr),
      preferredHolder: f(str, 7, "PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up.", ptr),
    }),
    2,
  ),
});
