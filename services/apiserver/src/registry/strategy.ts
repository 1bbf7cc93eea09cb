// A strategy says how one kind is created, updated, status-written and deleted (Kubernetes'
// pkg/registry/*/strategy.go): the generic registry calls it and names no kind itself.
import { apiVersionOf, validateObjectMetaUpdate, field, type FieldError, type KObject, type ResourceInfo } from "@skiff/api";

/** Per-kind behaviour of the generic registry. Every hook but the first four is optional. */
export interface Strategy {
  /** Fills a new object's defaults and clears what a create may not set (status of status kinds). */
  prepareForCreate(o: KObject): void;
  validate(o: KObject): FieldError[];
  /** Fills `next` (a full replacement of `old`) from what the writer may not change. */
  prepareForUpdate(next: KObject, old: KObject): void;
  validateUpdate(next: KObject, old: KObject): FieldError[];
  /** The object a status write stores: `old` (the caller's own copy, kept in the result) with the status of `next`. */
  prepareForStatusUpdate(next: KObject, old: KObject): KObject;
  /** Fields a list or watch may select on besides metadata.name and metadata.namespace. */
  selectableFields: string[];
  /** Seconds a delete waits for the object's owner (0 = remove at once, the default). */
  deleteGracePeriod?(o: KObject, requested: number | undefined): number;
  /** Whether an object with no finalizers left still waits for someone before it goes (a bound pod for its node). */
  awaitsOwner?(o: KObject): boolean;
  /** Finalizers beyond metadata.finalizers (a namespace's spec.finalizers). */
  extraFinalizers?(o: KObject): string[];
  /** Called when a delete marks the object (a namespace turns Terminating). */
  prepareForDelete?(o: KObject): void;
}

/** Per-kind overrides of the generic strategy. */
export type StrategyOverrides = Partial<Strategy>;

/** The generic strategy of a resource: defaults and validation from its ResourceInfo. */
export function genericStrategy(info: ResourceInfo, overrides: StrategyOverrides = {}): Strategy {
  const base: Strategy = {
    prepareForCreate(o) {
      info.applyDefaults?.(o);
    },
    validate: (o) => info.validate(o),
    prepareForUpdate(next, old) {
      next.apiVersion = apiVersionOf(info);
      next.kind = info.kind;
      // Defaults apply on update too (a client may omit defaulted fields), before the stored
      // status is put back.
      info.applyDefaults?.(next);
      if (info.hasStatus) next.status = structuredClone(old.status);
      const m = next.metadata;
      // System fields are not the writer's to change.
      m.namespace = old.metadata.namespace;
      m.creationTimestamp = old.metadata.creationTimestamp;
      m.deletionTimestamp = old.metadata.deletionTimestamp;
      m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      if (!m.uid) m.uid = old.metadata.uid;
      m.generation = (old.metadata.generation ?? 1) + (JSON.stringify(next.spec) !== JSON.stringify(old.spec) ? 1 : 0);
    },
    validateUpdate(next, old) {
      const errs = [...validateObjectMetaUpdate(next.metadata, old.metadata), ...info.validate(next), ...(info.validateUpdate?.(next, old) ?? [])];
      const added = (next.metadata.finalizers ?? []).some((f) => !(old.metadata.finalizers ?? []).includes(f));
      if (old.metadata.deletionTimestamp && added) {
        errs.push(field.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted"));
      }
      return errs;
    },
    prepareForStatusUpdate(next, old) {
      return { ...old, status: structuredClone(next.status) };
    },
    selectableFields: [],
  };
  return { ...base, ...overrides };
}
