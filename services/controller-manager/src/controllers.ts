// The one list of controllers the controller-manager runs.
import type { ControllerDescriptor } from "./controller.js";
import { NodeIpamController } from "./nodeipam/ipam.js";
import { NodeLifecycleController } from "./nodelifecycle/lifecycle.js";
import { NamespaceController } from "./namespace/namespace.js";
import { VolumeBinderController } from "./volume/binder.js";
import { EndpointsController } from "./endpoints/endpoints.js";
import { EndpointSliceController } from "./endpointslices/endpointslices.js";

export const controllers: ControllerDescriptor[] = [
  { name: "nodeipam", create: (ctx) => new NodeIpamController(ctx) },
  { name: "nodelifecycle", create: (ctx) => new NodeLifecycleController(ctx) },
  { name: "namespace", create: (ctx) => new NamespaceController(ctx) },
  { name: "persistentvolume-binder", create: (ctx) => new VolumeBinderController(ctx) },
  { name: "endpoints", create: (ctx) => new EndpointsController(ctx) },
  { name: "endpointslices", create: (ctx) => new EndpointSliceController(ctx) },
];
