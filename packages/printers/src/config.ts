// Tables of ConfigMaps, Secrets, PersistentVolumes and PersistentVolumeClaims.
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

const name = column("Name", docs.name, { format: "name" });
const age = column("Age", docs.age);

/** ConfigMaps: DATA AGE. */
export function configMapTable(items: ConfigMap[], opts: TableOptions = {}): Table {
  const cols = [name, column("Data", "Data contains the configuration data."), age];
  return makeTable(
    cols,
    items.map((c) => ({
      object: c,
      cells: [
        c.metadata.name ?? "",
        Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length,
        ageSince(c.metadata.creationTimestamp, opts.now),
      ],
    })),
  );
}

/** Secrets: TYPE DATA AGE. */
export function secretTable(items: Secret[], opts: TableOptions = {}): Table {
  const cols = [name, column("Type", "Used to facilitate programmatic handling of secret data."), column("Data", "Data contains the secret data."), age];
  return makeTable(
    cols,
    items.map((s) => ({
      object: s,
      cells: [s.metadata.name ?? "", s.type ?? "Opaque", Object.keys(s.data ?? {}).length, ageSince(s.metadata.creationTimestamp, opts.now)],
    })),
  );
}

const modeShort: Record<string, string> = { ReadWriteOnce: "RWO", ReadOnlyMany: "ROX", ReadWriteMany: "RWX", ReadWriteOncePod: "RWOP" };
const modes = (m: string[] | undefined) => (m ?? []).map((x) => modeShort[x] ?? x).join(",");

/** PersistentVolumes: CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS … AGE. */
export function persistentVolumeTable(items: PersistentVolume[], opts: TableOptions = {}): Table {
  const cols = [
    name,
    column("Capacity", "capacity is the description of the persistent volume's resources and capacity."),
    column("Access Modes", "accessModes contains all ways the volume can be mounted."),
    column("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
    column("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
    column("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
    column("StorageClass", "storageClassName is the name of StorageClass to which this persistent volume belongs."),
    column("VolumeAttributesClass", "Name of VolumeAttributesClass to which this persistent volume belongs."),
    column("Reason", "reason is a brief CamelCase string that describes any failure."),
    age,
    column("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", { priority: 1 }),
  ];
  return makeTable(
    cols,
    items.map((p) => {
      const claim = p.spec?.claimRef ? `${p.spec.claimRef.namespace}/${p.spec.claimRef.name}` : "";
      return {
        object: p,
        cells: [
          p.metadata.name ?? "",
          p.spec?.capacity?.storage ?? "",
          modes(p.spec?.accessModes),
          p.spec?.persistentVolumeReclaimPolicy ?? "",
          p.status?.phase ?? "",
          claim,
          p.spec?.storageClassName ?? "",
          "<unset>",
          p.status?.reason ?? "",
          ageSince(p.metadata.creationTimestamp, opts.now),
          p.spec?.volumeMode ?? "Filesystem",
        ],
      };
    }),
  );
}

/** PersistentVolumeClaims: STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS … AGE. */
export function persistentVolumeClaimTable(items: PersistentVolumeClaim[], opts: TableOptions = {}): Table {
  const cols = [
    name,
    column("Status", "phase represents the current phase of PersistentVolumeClaim."),
    column("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
    column("Capacity", "capacity represents the actual resources of the underlying volume."),
    column("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has."),
    column("StorageClass", "storageClassName is the name of the StorageClass required by the claim."),
    column("VolumeAttributesClass", "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim."),
    age,
    column("VolumeMode", "volumeMode defines what type of volume is required by the claim.", { priority: 1 }),
  ];
  return makeTable(
    cols,
    items.map((p) => ({
      object: p,
      cells: [
        p.metadata.name ?? "",
        p.status?.phase ?? "",
        p.spec?.volumeName ?? "",
        p.status?.capacity?.storage ?? "",
        modes(p.status?.accessModes),
        p.spec?.storageClassName ?? "",
        "<unset>",
        ageSince(p.metadata.creationTimestamp, opts.now),
        p.spec?.volumeMode ?? "Filesystem",
      ],
    })),
  );
}
