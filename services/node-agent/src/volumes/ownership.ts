// fsGroup volume ownership (the kubelet's SetVolumeOwnership): the volume's files belong to
// the group fsGroup, gain group read (and write, unless the volume is read-only), and its
// directories the setgid bit, so files created later inherit the group.
import { chmod, chown, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

const RW = 0o660;
const RO = 0o440;
const EXEC = 0o110;
const SETGID = 0o2000;

/** The mode a file or directory gets under fsGroup. */
export function fsGroupMode(mode: number, isDir: boolean, readOnly: boolean): number {
  let mask = readOnly ? RO : RW;
  if (isDir) mask |= EXEC | SETGID;
  return (mode & 0o7777) | mask;
}

/** Gives one path to `gid` with fsGroup's mode bits (symlinks are left alone). */
export async function ownOne(path: string, gid: number, readOnly: boolean): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  if (st.gid !== gid) await chown(path, st.uid, gid);
  const want = fsGroupMode(st.mode, st.isDirectory(), readOnly);
  if ((st.mode & 0o7777) !== want) await chmod(path, want);
}

/**
 * Applies fsGroup to a volume directory. The whole tree is walked only when its root does not
 * already carry the group and bits (Kubernetes' fsGroupChangePolicy OnRootMismatch): the agent
 * sets volumes up on every sync, and walking a large claim each time would cost what the kubelet
 * pays once per mount.
 */
export async function applyFsGroup(root: string, gid: number, readOnly: boolean): Promise<void> {
  const st = await lstat(root);
  if (st.gid === gid && (st.mode & 0o7777) === fsGroupMode(st.mode, true, readOnly)) return;
  const walk = async (p: string): Promise<void> => {
    await ownOne(p, gid, readOnly);
    const s = await lstat(p);
    if (!s.isDirectory()) return;
    for (const e of await readdir(p)) await walk(join(p, e));
  };
  await walk(root);
}
