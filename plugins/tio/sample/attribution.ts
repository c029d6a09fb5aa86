/**
 * Which partition a process is accounted to.
 *
 * Root node (the reference's only case): each partition has its own user,
 * `<user_base_name><N>`, and a process belongs to the partition whose user
 * is its real uid.
 *
 * Non-root node (StandaloneSlapOS, `configure local` as a normal user): the
 * partition users do not exist, every partition folder belongs to one
 * user, so the uid says nothing. A process of that user is then accounted
 * to a partition, in this order, by:
 *  1. its cgroup: a path segment equal to the partition id (a supervisor
 *     plugin that starts each partition in its own cgroup);
 *  2. its supervisor group: `SUPERVISOR_GROUP_NAME` in its initial
 *     environment is the partition id, or `<id>-<suffix>` (`slappart3-prerm`);
 *     children inherit it;
 *  3. its working folder: inside the partition folder (supervisor programs
 *     run with `directory=<partition>`, buildout runs there).
 * A process matching none is not a partition's.
 *
 * The mode is chosen per partition: the uid rule when its user exists and
 * owns the folder (or the folder does not exist yet), the folder rule
 * otherwise. Users are looked up in /etc/passwd (slapformat creates local
 * users); no child process is run.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import type { CollectPartition } from "../../../core/hooks/groups/report.ts";
import { processCgroups, processCwd, processEnv } from "../proc/process.ts";

/** name → uid of the local users. */
export function localUsers(passwdFile = "/etc/passwd"): Map<string, number> {
  const out = new Map<string, number>();
  let text = "";
  try {
    text = readFileSync(passwdFile, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    const [name, , uid] = line.split(":");
    if (name && uid !== undefined && /^\d+$/.test(uid) && !out.has(name)) out.set(name, Number(uid));
  }
  return out;
}

export class Attribution {
  /** uid → partition user, for partitions with their own user. */
  readonly byUid = new Map<number, string>();
  /** Partitions accounted by folder, with their folder resolved. */
  readonly byFolder: Array<CollectPartition & { real: string }> = [];
  /** Owners of the folder-accounted partitions: only their processes are looked at further. */
  readonly folderOwners = new Set<number>();

  constructor(readonly partitions: readonly CollectPartition[], users = localUsers()) {
    for (const partition of partitions) {
      const uid = users.get(partition.user);
      const owner = existsSync(partition.path) ? statSync(partition.path).uid : undefined;
      if (uid !== undefined && (owner === undefined || owner === uid)) {
        if (!this.byUid.has(uid)) this.byUid.set(uid, partition.user);
      } else if (owner !== undefined) {
        this.byFolder.push({ ...partition, real: realpathSync(partition.path) });
        this.folderOwners.add(owner);
      }
    }
  }

  /** True when a process of this uid may belong to a partition. */
  concerns(uid: number): boolean {
    return this.byUid.has(uid) || this.folderOwners.has(uid);
  }

  /** The partition user of a process, or undefined. */
  userOf(pid: number, uid: number, procRoot = "/proc"): string | undefined {
    const direct = this.byUid.get(uid);
    if (direct !== undefined) return direct;
    if (!this.folderOwners.has(uid)) return undefined;
    const candidates = this.byFolder;
    for (const cgroup of processCgroups(pid, procRoot)) {
      const segments = cgroup.split("/");
      const hit = candidates.find((p) => segments.includes(p.id));
      if (hit) return hit.user;
    }
    const group = processEnv(pid, "SUPERVISOR_GROUP_NAME", procRoot);
    if (group) {
      const hit = candidates.find((p) => group === p.id || group.startsWith(`${p.id}-`));
      if (hit) return hit.user;
    }
    const cwd = processCwd(pid, procRoot);
    if (cwd) {
      const hit = candidates.find((p) => cwd === p.real || cwd.startsWith(`${p.real}/`));
      if (hit) return hit.user;
    }
    return undefined;
  }
}
