/**
 * `user=`: the daemon (root) drops the program to the user, with its
 * primary group and its supplementary groups, as supervisord does
 * (partition users need the software user's group). A test user and group
 * are created for this file and removed after it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../helpers/ports.ts";
import { makeInstance, program, readText, startDaemon } from "./helpers.ts";

const suffix = Math.random().toString(36).slice(2, 7);
const user = `svu${suffix}`;
const extra = `svg${suffix}`;
const instance = makeInstance();

function run(argv: string[]): void {
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${result.stderr.toString()}`);
}

beforeAll(async () => {
  run(["groupadd", extra]);
  run(["useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh", "-G", extra, user]);
  writeFileSync(join(instance.confDir, "p.conf"), program(instance, "asuser", "/bin/sh -c 'id; exec sleep 1000'", { user }));
  await startDaemon(instance);
});

afterAll(() => {
  Bun.spawnSync(["userdel", user]);
  Bun.spawnSync(["groupdel", extra]);
});

describe("user=", () => {
  test("the program runs as the user with its supplementary groups", async () => {
    const log = join(instance.dir, "logs", "asuser.log");
    await waitFor(() => readText(log).includes("uid="), 20, "id output");
    const line = readText(log).trim();
    expect(line).toMatch(new RegExp(`^uid=\\d+\\(${user}\\) gid=\\d+\\(${user}\\) groups=.*\\(${extra}\\)`));
  });
});
