// Validation of API objects before they are stored, with Kubernetes' field paths and messages
// (`spec.containers[0].image: Required value`) so users can act on them as they would there:
// names and metadata here; each kind's own checks live with the kind in kinds/.
export { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, pathSegmentNameErrors } from "./names.js";
export { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from "./meta.js";
