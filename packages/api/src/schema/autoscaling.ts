// autoscaling/v2 HorizontalPodAutoscaler (stored) and its autoscaling/v1 view (what `kubectl
// autoscale` sends): field numbers as in Kubernetes' generated.proto of each version.
import { f, int32, int64, listOf, pkg, ptr, quantity, req, str, struct, time } from "./dsl.js";
import { kind, LabelSelector } from "./meta.js";

const v2 = pkg.autoscalingV2;
const v1 = pkg.autoscalingV1;

const crossVersionRef = (p: string) =>
  struct(p, "CrossVersionObjectReference", "CrossVersionObjectReference contains enough information to let you identify the referred resource.", {
    kind: f(str, 1, "kind is the kind of the referent (Deployment, ReplicaSet, StatefulSet, ReplicationController).", req),
    name: f(str, 2, "name is the name of the referent.", req),
    apiVersion: f(str, 3, "apiVersion is the API version of the referent."),
  });

const condition = (p: string) =>
  struct(p, "HorizontalPodAutoscalerCondition", "HorizontalPodAutoscalerCondition describes the state of a HorizontalPodAutoscaler at a certain point.", {
    type: f(str, 1, "type describes the current condition: AbleToScale, ScalingActive or ScalingLimited.", req),
    status: f(str, 2, "status is the status of the condition (True, False, Unknown).", req),
    lastTransitionTime: f(time, 3, "lastTransitionTime is the last time the condition transitioned from one status to another."),
    reason: f(str, 4, "reason is the reason for the condition's last transition."),
    message: f(str, 5, "message is a human-readable explanation containing details about the transition."),
  });

export const CrossVersionObjectReferenceV2 = crossVersionRef(v2);

export const MetricTarget = struct(v2, "MetricTarget", "MetricTarget defines the target value, average value, or average utilization of a specific metric.", {
  type: f(str, 1, "type represents whether the metric type is Utilization, Value, or AverageValue.", req),
  value: f(quantity, 2, "value is the target value of the metric (as a quantity).", ptr),
  averageValue: f(quantity, 3, "averageValue is the target value of the average of the metric across all relevant pods (as a quantity).", ptr),
  averageUtilization: f(
    int32,
    4,
    "averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods. Currently only valid for Resource metric source type.",
    ptr,
  ),
});

export const MetricValueStatus = struct(v2, "MetricValueStatus", "MetricValueStatus holds the current value for a metric.", {
  value: f(quantity, 1, "value is the current value of the metric (as a quantity).", ptr),
  averageValue: f(quantity, 2, "averageValue is the current value of the average of the metric across all relevant pods (as a quantity).", ptr),
  averageUtilization: f(
    int32,
    3,
    "currentAverageUtilization is the current value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods.",
    ptr,
  ),
});

const MetricIdentifier = struct(v2, "MetricIdentifier", "MetricIdentifier defines the name and optionally selector for a metric.", {
  name: f(str, 1, "name is the name of the given metric.", req),
  selector: f(LabelSelector, 2, "selector is the string-encoded form of a standard kubernetes label selector for the given metric."),
});

const resourceSource = struct(
  v2,
  "ResourceMetricSource",
  "ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits (cpu or memory), averaged over the pods of the target.",
  {
    name: f(str, 1, "name is the name of the resource in question (cpu or memory).", req),
    target: f(MetricTarget, 2, "target specifies the target value for the given metric.", req),
  },
);
const containerResourceSource = struct(
  v2,
  "ContainerResourceMetricSource",
  "ContainerResourceMetricSource indicates how to scale on a resource metric of one container of each pod of the target.",
  {
    name: f(str, 1, "name is the name of the resource in question.", req),
    target: f(MetricTarget, 2, "target specifies the target value for the given metric.", req),
    container: f(str, 3, "container is the name of the container in the pods of the scaling target.", req),
  },
);
const podsSource = struct(
  v2,
  "PodsMetricSource",
  "PodsMetricSource indicates how to scale on a metric describing each pod in the current scale target (custom metrics API).",
  {
    metric: f(MetricIdentifier, 1, "metric identifies the target metric by name and selector.", req),
    target: f(MetricTarget, 2, "target specifies the target value for the given metric.", req),
  },
);
const objectSource = struct(
  v2,
  "ObjectMetricSource",
  "ObjectMetricSource indicates how to scale on a metric describing a kubernetes object (custom metrics API).",
  {
    describedObject: f(CrossVersionObjectReferenceV2, 1, "describedObject specifies the descriptions of a object,such as kind,name apiVersion.", req),
    target: f(MetricTarget, 2, "target specifies the target value for the given metric.", req),
    metric: f(MetricIdentifier, 3, "metric identifies the target metric by name and selector.", req),
  },
);
const externalSource = struct(
  v2,
  "ExternalMetricSource",
  "ExternalMetricSource indicates how to scale on a metric not associated with any Kubernetes object (external metrics API).",
  {
    metric: f(MetricIdentifier, 1, "metric identifies the target metric by name and selector.", req),
    target: f(MetricTarget, 2, "target specifies the target value for the given metric.", req),
  },
);

export const MetricSpec = struct(
  v2,
  "MetricSpec",
  "MetricSpec specifies how to scale based on a single metric (only `type` and one matching field should be set at once).",
  {
    type: f(str, 1, "type is the type of metric source: ContainerResource, External, Object, Pods or Resource.", req),
    object: f(objectSource, 2, "object refers to a metric describing a single kubernetes object."),
    pods: f(podsSource, 3, "pods refers to a metric describing each pod in the current scale target."),
    resource: f(
      resourceSource,
      4,
      "resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target.",
    ),
    containerResource: f(
      containerResourceSource,
      7,
      "containerResource refers to a resource metric known to Kubernetes describing a single container in each pod of the current scale target.",
    ),
    external: f(externalSource, 5, "external refers to a global metric that is not associated with any Kubernetes object."),
  },
);

const valueStatus = (name: string, fields: Record<string, ReturnType<typeof f>>) =>
  struct(v2, name, `${name} indicates the current value of a metric.`, fields);
export const MetricStatus = struct(v2, "MetricStatus", "MetricStatus describes the last-read state of a single metric.", {
  type: f(str, 1, "type is the type of metric source.", req),
  object: f(
    valueStatus("ObjectMetricStatus", {
      metric: f(MetricIdentifier, 1),
      current: f(MetricValueStatus, 2),
      describedObject: f(CrossVersionObjectReferenceV2, 3),
    }),
    2,
    "object refers to a metric describing a single kubernetes object.",
  ),
  pods: f(
    valueStatus("PodsMetricStatus", { metric: f(MetricIdentifier, 1), current: f(MetricValueStatus, 2) }),
    3,
    "pods refers to a metric describing each pod in the current scale target.",
  ),
  resource: f(
    valueStatus("ResourceMetricStatus", {
      name: f(str, 1, "name is the name of the resource in question."),
      current: f(MetricValueStatus, 2, "current contains the current value for the given metric."),
    }),
    4,
    "resource refers to a resource metric known to Kubernetes describing each pod in the current scale target.",
  ),
  containerResource: f(
    valueStatus("ContainerResourceMetricStatus", { name: f(str, 1), current: f(MetricValueStatus, 2), container: f(str, 3) }),
    7,
    "containerResource refers to a resource metric of a single container in each pod.",
  ),
  external: f(
    valueStatus("ExternalMetricStatus", { metric: f(MetricIdentifier, 1), current: f(MetricValueStatus, 2) }),
    5,
    "external refers to a global metric that is not associated with any Kubernetes object.",
  ),
});

export const HPAScalingPolicy = struct(v2, "HPAScalingPolicy", "HPAScalingPolicy is a single policy which must hold true for a specified past interval.", {
  type: f(str, 1, "type is used to specify the scaling policy: Pods or Percent.", req),
  value: f(int32, 2, "value contains the amount of change which is permitted by the policy. It must be greater than zero.", req),
  periodSeconds: f(
    int32,
    3,
    "periodSeconds specifies the window of time for which the policy should hold true. PeriodSeconds must be greater than zero and less than or equal to 1800 (30 min).",
    req,
  ),
});

export const HPAScalingRules = struct(
  v2,
  "HPAScalingRules",
  "HPAScalingRules configures the scaling behavior for one direction: the stabilization window and the policies that limit the rate of change.",
  {
    stabilizationWindowSeconds: f(
      int32,
      3,
      "stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down. 0 <= it <= 3600. Defaults: scale up 0 (no stabilization), scale down the controller's --horizontal-pod-autoscaler-downscale-stabilization (300).",
      ptr,
    ),
    selectPolicy: f(str, 1, "selectPolicy is used to specify which policy should be used (Max, Min or Disabled). Defaults to Max.", ptr),
    policies: f(listOf(HPAScalingPolicy), 2, "policies is a list of potential scaling polices which can be used during scaling."),
  },
);

export const HorizontalPodAutoscalerV2 = kind(v2, "HorizontalPodAutoscaler", {
  spec: f(
    struct(v2, "HorizontalPodAutoscalerSpec", "HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.", {
      scaleTargetRef: f(
        CrossVersionObjectReferenceV2,
        1,
        "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.",
        req,
      ),
      minReplicas: f(int32, 2, "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. Defaults to 1 pod.", ptr),
      maxReplicas: f(
        int32,
        3,
        "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.",
        req,
      ),
      metrics: f(
        listOf(MetricSpec),
        4,
        "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used). Defaults to 80% average CPU utilization.",
      ),
      behavior: f(
        struct(
          v2,
          "HorizontalPodAutoscalerBehavior",
          "HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively).",
          {
            scaleUp: f(
              HPAScalingRules,
              1,
              "scaleUp is scaling policy for scaling Up. Default: the highest of 4 pods or 100% per 15 seconds, no stabilization.",
            ),
            scaleDown: f(
              HPAScalingRules,
              2,
              "scaleDown is scaling policy for scaling Down. Default: 100% per 15 seconds after a 300 second stabilization window.",
            ),
          },
        ),
        5,
        "behavior configures the scaling behavior of the target in both Up and Down directions. If not set, the default HPAScalingRules for scale up and scale down are used.",
      ),
    }),
    2,
  ),
  status: f(
    struct(v2, "HorizontalPodAutoscalerStatus", "HorizontalPodAutoscalerStatus describes the current status of a horizontal pod autoscaler.", {
      observedGeneration: f(int64, 1, "observedGeneration is the most recent generation observed by this autoscaler.", ptr),
      lastScaleTime: f(time, 2, "lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods."),
      currentReplicas: f(int32, 3, "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
      desiredReplicas: f(
        int32,
        4,
        "desiredReplicas is the desired number of replicas of pods managed by this autoscaler, as last calculated by the autoscaler.",
        req,
      ),
      currentMetrics: f(listOf(MetricStatus), 5, "currentMetrics is the last read state of the metrics used by this autoscaler."),
      conditions: f(
        listOf(condition(v2)),
        6,
        "conditions is the set of conditions required for this autoscaler to scale its target, and indicates whether or not those conditions are met.",
        { list: { mergeKey: "type" } },
      ),
    }),
    3,
  ),
});

/** autoscaling/v1: CPU utilisation only (other metrics and behavior survive in the stored v2 object). */
export const HorizontalPodAutoscalerV1 = kind(v1, "HorizontalPodAutoscaler", {
  spec: f(
    struct(v1, "HorizontalPodAutoscalerSpec", "specification of a horizontal pod autoscaler.", {
      scaleTargetRef: f(
        crossVersionRef(v1),
        1,
        "reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.",
        req,
      ),
      minReplicas: f(int32, 2, "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. Defaults to 1 pod.", ptr),
      maxReplicas: f(
        int32,
        3,
        "maxReplicas is the upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.",
        req,
      ),
      targetCPUUtilizationPercentage: f(
        int32,
        4,
        "targetCPUUtilizationPercentage is the target average CPU utilization (represented as a percentage of requested CPU) over all the pods; if not specified the default autoscaling policy will be used.",
        ptr,
      ),
    }),
    2,
  ),
  status: f(
    struct(v1, "HorizontalPodAutoscalerStatus", "current status of a horizontal pod autoscaler", {
      observedGeneration: f(int64, 1, "observedGeneration is the most recent generation observed by this autoscaler.", ptr),
      lastScaleTime: f(time, 2, "lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods."),
      currentReplicas: f(int32, 3, "currentReplicas is the current number of replicas of pods managed by this autoscaler."),
      desiredReplicas: f(int32, 4, "desiredReplicas is the  desired number of replicas of pods managed by this autoscaler.", req),
      currentCPUUtilizationPercentage: f(
        int32,
        5,
        "currentCPUUtilizationPercentage is the current average CPU utilization over all pods, represented as a percentage of requested CPU.",
        ptr,
      ),
    }),
    3,
  ),
});
