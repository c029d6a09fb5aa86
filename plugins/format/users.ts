/**
 * Users and groups (§1.5): lookups in the passwd and group databases, and
 * `User.create` exactly as the reference runs it — `groupadd` when the
 * group is missing, then `useradd … -r [-G …]` or `usermod … [-aG …]`
 * (whose failure is ignored), then `passwd -l`.
 */
import { existsSync, readFileSync } from "node:fs";
import { callAndRead, resolveBinary, type Runner } from "./exec.ts";

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function nssSources(database: "passwd" | "group"): string[] {
  try {
    const line = readFileSync("/etc/nsswitch.conf", "utf8")
      .split("\n")
      .find((l) => l.trim().startsWith(`${database}:`));
    return line ? line.replace(/#.*/, "").split(":")[1].trim().split(/\s+/).filter((w) => !w.startsWith("[")) : ["files"];
  } catch {
    return ["files"];
  }
}

/** Sources other than the files we read ourselves (LDAP, sss, …) are asked through getent. */
function needsGetent(database: "passwd" | "group"): boolean {
  return nssSources(database).some((source) => !["files", "compat", "systemd"].includes(source));
}

function findInFile(path: string, name: string): string[] | undefined {
  if (!existsSync(path)) return undefined;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const fields = line.split(":");
    if (fields[0] === name) return fields;
  }
  return undefined;
}

function getent(database: "passwd" | "group", name: string): string[] | undefined {
  if (!resolveBinary("getent")) return undefined;
  const { code, output } = callAndRead(["getent", database, name], false);
  return code === 0 && output.trim() ? output.trim().split("\n")[0].split(":") : undefined;
}

/** Where users and groups are looked up; dry-run fakes every user (uid 12345, gid 54321) as the reference does. */
export class UserDatabase {
  constructor(
    private readonly fakeUsers = false,
    private readonly root = "/etc",
  ) {}

  /** `pwd.getpwnam`, or undefined when the user does not exist. */
  user(name: string): PasswdEntry | undefined {
    if (this.fakeUsers) return { name, uid: 12345, gid: 54321, home: "" };
    const fields = findInFile(`${this.root}/passwd`, name) ?? (needsGetent("passwd") ? getent("passwd", name) : undefined);
    if (!fields || fields.length < 6) return undefined;
    return { name, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] };
  }

  /** `grp.getgrnam` succeeds. */
  hasGroup(name: string): boolean {
    return Boolean(findInFile(`${this.root}/group`, name) ?? (needsGetent("group") ? getent("group", name) : undefined));
  }

  /** `User.isAvailable`. */
  hasUser(name: string): boolean {
    return this.user(name) !== undefined;
  }

  /** The user, or an error naming it (chown of a partition needs it). */
  require(name: string): PasswdEntry {
    const entry = this.user(name);
    if (!entry) throw new Error(`getpwnam(): name not found: '${name}'`);
    return entry;
  }
}

/** `User.create()`: the commands of §1.5, in order. */
export function createUser(
  runner: Runner,
  users: UserDatabase,
  user: { name: string; path?: string | null; shell: string; additional_group_list: string[] | null },
): void {
  if (!users.hasGroup(user.name)) runner.run(["groupadd", user.name]);
  const exists = users.hasUser(user.name);
  const argv = [exists ? "usermod" : "useradd", "-d", String(user.path), "-g", user.name, "-s", user.shell];
  if (!exists) argv.push("-r");
  if (user.additional_group_list !== null) argv.push(exists ? "-aG" : "-G", user.additional_group_list.join(","));
  argv.push(user.name);
  runner.run(argv, false);
  runner.run(["passwd", "-l", user.name]);
}
