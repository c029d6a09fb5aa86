/**
 * Users and groups (§1.5, checks 11–17), for real, as root: every user the
 * tests make has a unique prefix and is removed afterwards. The network is
 * left alone (alter_network off); the namespace only gives eth0 an IPv6.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { UserDatabase } from "../../../plugins/format/users.ts";
import { addUser, createNetns, IS_ROOT, randomTag, traceOf, userPrefix, writeConfig, type Netns, cleanUpAfterFile, tempDir } from "./helpers.ts";

cleanUpAfterFile();

function sh(command: string): string {
  const run = Bun.spawnSync(["/bin/sh", "-c", command]);
  if (run.exitCode !== 0) throw new Error(`${command}: ${new TextDecoder().decode(run.stderr)}`);
  return new TextDecoder().decode(run.stdout);
}

describe.skipIf(!IS_ROOT)("users and groups of format (§1.5)", () => {
  const prefix = userPrefix();
  // XML mode reads the computer's IPv6 from its interface even with alter_network off: give it one of its own.
  let ns: Netns;
  beforeAll(() => {
    ns = createNetns();
  });

  /** A run that formats `partitions` partitions, touching only users and directories. */
  async function format(dir: string, names: { software: string; user: string }, partitions: number) {
    const cfg = writeConfig(dir, {
      slapos: { computer_id: "COMP-U", master_url: "http://127.0.0.1:1", instance_root: join(dir, "inst"), software_root: join(dir, "soft") },
      slapformat: {
        computer_xml: join(dir, "slapos.xml"),
        interface_name: "eth0",
        partition_amount: partitions,
        alter_network: false,
        create_tap: false,
        software_user: names.software,
        user_base_name: names.user,
        partition_base_name: "p",
        public_ipv4_lookup: false,
      },
    });
    const r = await ns.slapos(["node", "format", "--now", "-v", "--log-time", "--cfg", cfg]);
    return { ...r, commands: traceOf(r.stderr).commands };
  }

  function names() {
    const tag = randomTag(3);
    return { software: `${prefix}${tag}s`, user: `${prefix}${tag}u` };
  }

  test("check 11 [TestUser.test_create]: groupadd u, useradd -d /u -g u -s /bin/sh -r u, passwd -l u", async () => {
    const dir = tempDir();
    const n = names();
    const r = await format(dir, n, 0);
    expect(r.code).toBe(2);
    expect(r.commands).toEqual([
      `groupadd ${n.software}`,
      `useradd -d ${dir}/soft -g ${n.software} -s /bin/sh -r ${n.software}`,
      `passwd -l ${n.software}`,
    ]);
    const entry = sh(`getent passwd ${n.software}`).trim().split(":");
    expect([entry[5], entry[6]]).toEqual([`${dir}/soft`, "/bin/sh"]);
    expect(sh(`getent shadow ${n.software}`).split(":")[1].startsWith("!")).toBe(true);
    expect(statSync(`${dir}/soft`).uid).toBe(Number(entry[2]));
  });

  test("check 12 [test_create_additional_groups]: a partition user is created with -r -G <software_user>", async () => {
    const dir = tempDir();
    const n = names();
    const r = await format(dir, n, 1);
    expect(r.commands.slice(3)).toEqual([
      `groupadd ${n.user}0`,
      `useradd -d ${dir}/inst/p0 -g ${n.user}0 -s /bin/sh -r -G ${n.software} ${n.user}0`,
      `passwd -l ${n.user}0`,
    ]);
    expect(sh(`id -nG ${n.user}0`).trim().split(" ")).toEqual([`${n.user}0`, n.software]);
    const stat = statSync(`${dir}/inst/p0`);
    expect(stat.uid).toBe(Number(sh(`id -u ${n.user}0`)));
    expect(stat.mode & 0o777).toBe(0o750);
  });

  test("check 13 [test_create_group_exists]: no groupadd when the group exists", async () => {
    const dir = tempDir();
    const n = names();
    sh(`groupadd ${n.software}`);
    const r = await format(dir, n, 0);
    expect(r.commands).toEqual([`useradd -d ${dir}/soft -g ${n.software} -s /bin/sh -r ${n.software}`, `passwd -l ${n.software}`]);
  });

  test("check 14 [test_create_user_exists]: an existing user is updated with usermod, and its missing group still added", async () => {
    const dir = tempDir();
    const n = names();
    sh(`useradd -M -r -N -g users ${n.software}`);
    const r = await format(dir, n, 0);
    expect(r.commands).toEqual([
      `groupadd ${n.software}`,
      `usermod -d ${dir}/soft -g ${n.software} -s /bin/sh ${n.software}`,
      `passwd -l ${n.software}`,
    ]);
    expect(sh(`id -gn ${n.software}`).trim()).toBe(n.software);
  });

  test("check 15 [test_create_user_exists_additional_groups]: an existing partition user gets usermod … -aG <software_user>", async () => {
    const dir = tempDir();
    const n = names();
    await format(dir, n, 1);
    const r = await format(dir, n, 1);
    expect(r.commands.slice(2)).toEqual([`usermod -d ${dir}/inst/p0 -g ${n.user}0 -s /bin/sh -aG ${n.software} ${n.user}0`, `passwd -l ${n.user}0`]);
  });

  test("check 16 [test_create_user_group_exists]: user and group both there: only usermod and passwd -l", async () => {
    const dir = tempDir();
    const n = names();
    await format(dir, n, 0);
    const r = await format(dir, n, 0);
    expect(r.commands).toEqual([`usermod -d ${dir}/soft -g ${n.software} -s /bin/sh ${n.software}`, `passwd -l ${n.software}`]);
  });

  test("check 17 [test_isAvailable, test_isAvailable_notAvailable]: a user exists when the passwd database has it", () => {
    const users = new UserDatabase();
    const name = `${prefix}${randomTag(3)}a`;
    expect(users.hasUser("root")).toBe(true);
    expect(users.hasUser(name)).toBe(false);
    const { uid } = addUser(name);
    expect(users.hasUser(name)).toBe(true);
    expect(users.user(name)?.uid).toBe(uid);
    expect(readFileSync("/etc/passwd", "utf8")).toContain(`${name}:`);
  });

  test("dry-run fakes every user (uid 12345, gid 54321), as the reference does", () => {
    expect(new UserDatabase(true).user("nobody-at-all")).toEqual({ name: "nobody-at-all", uid: 12345, gid: 54321, home: "" });
  });
});
