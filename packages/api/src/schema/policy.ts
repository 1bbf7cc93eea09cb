// policy/v1 Eviction: the body of a pod's eviction subresource (not a resource of its own).
import { f, pkg } from "./dsl.js";
import { DeleteOptions, kind } from "./meta.js";

export const Eviction = kind(pkg.policy, "Eviction", { deleteOptions: f(DeleteOptions, 2, "DeleteOptions may be provided.") });
