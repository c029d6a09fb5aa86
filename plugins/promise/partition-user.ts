/**
 * Who a partition's promises run as, and with which environment
 * (node-runtime.md §2.5): as root, the owner of the partition folder (never
 * gid 0; a root-owned folder runs as root); otherwise the current user. The environment is the node's
 * minus Python and locale variables, with HOME set to the owner's home and
 * PYTHONNOUSERSITE=true.
 */
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { lookupUser } from "../../core/node/users.ts";

export interface PartitionUser {
  uid: number;
  gid: number;
  /** The passwd name, when the uid has one. */
  name?: string;
  home: string;
  /** Privileges must be dropped to this user (the node runs as root). */
  drop: boolean;
}

/** The user promises of the partition at `path` run as. */
export function partitionUser(path: string): PartitionUser {
  const stat = statSync(path);
  const running = process.getuid?.() ?? -1;
  const entry = lookupUser(stat.uid);
  return {
    uid: stat.uid,
    gid: stat.gid,
    name: entry?.name,
    // A dropped user without a passwd entry gets its partition as home, never root's.
    home: entry?.home ?? (running === 0 ? path : (process.env.HOME ?? homedir())),
    // As in core/node/spawn.ts: a root-owned partition (a base-folder node set up by root) runs as root.
    drop: running === 0 && stat.uid !== 0,
  };
}

/** Why privileges cannot be dropped to this user, as the reference words it; undefined when they can. */
export function dropRefusal(user: PartitionUser): string | undefined {
  if (!user.drop) return undefined;
  if (user.uid === 0 || user.gid === 0) {
    return `Dropping privileges to uid = ${user.uid} or gid = ${user.gid} is too dangerous`;
  }
  return undefined;
}

/** getCleanEnvironment(home_path=<owner's home>): the node's rule, shared with every child it runs. */
export { cleanEnvironment } from "../../core/node/spawn.ts";

/**
 * Whether `user` may read `path`, from its mode bits (owner, group, other;
 * supplementary groups are not looked at). Checks that run inside the node
 * as root use it before reading a file a partition names.
 */
export function readableBy(user: PartitionUser, path: string): boolean {
  if (!user.drop) return true;
  try {
    const stat = statSync(path);
    if (stat.uid === user.uid) return (stat.mode & 0o400) !== 0;
    if (stat.gid === user.gid) return (stat.mode & 0o040) !== 0;
    return (stat.mode & 0o004) !== 0;
  } catch {
    return false;
  }
}
