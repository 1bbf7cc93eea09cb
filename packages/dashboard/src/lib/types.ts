// The few Kubernetes object shapes the dashboard reads (loose: any Kubernetes answers them).

/** Any object: what every list and watch gives. */
export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
    generation?: number;
    managedFields?: unknown;
  };
  // biome-ignore lint/suspicious/noExplicitAny: objects of every kind pass through the views
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: objects of every kind pass through the views
  status?: any;
  [k: string]: unknown;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number; signal?: number; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
  image?: string;
}

/** A watch event (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR). */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KObj & { code?: number; message?: string; reason?: string };
}

/** A Kubernetes Status (the body of every refusal). */
export interface StatusBody {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}
