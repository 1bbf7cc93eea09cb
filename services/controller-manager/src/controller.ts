// What every controller gets, and the one list they are registered in.
import type { Logger } from "@skiff/log";
import type { ApiClient, EventRecorder, Informer } from "@skiff/client";
import type { NatsConnection } from "@nats-io/transport-node";
import type { KObject } from "@skiff/api";
import type { ControllerManagerOptions } from "./options/options.js";

/** Shared informers: one cache per resource, shared by every controller. */
export interface InformerFactory {
  get<T extends KObject>(resource: string): Informer<T>;
}

export interface ControllerContext {
  client: ApiClient;
  informers: InformerFactory;
  nc: NatsConnection;
  recorder: EventRecorder;
  opts: ControllerManagerOptions;
  log: Logger;
}

/** A running controller. */
export interface Controller {
  start(): Promise<void>;
  stop(): void;
}

/** A registered controller: a name (for logs and --controllers) and how to build it. */
export interface ControllerDescriptor {
  name: string;
  create(ctx: ControllerContext): Controller;
}
