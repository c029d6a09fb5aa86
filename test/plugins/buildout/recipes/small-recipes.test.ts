/** cron.d, symbolic.link and free_port through real profiles. */
import { expect, test } from "bun:test";
import { mkdirSync, readlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { systemdToCron } from "../../../../plugins/buildout/recipes/cron.ts";
import { buildout, installOk, project, read } from "./helpers.ts";

test("cron.d writes one line, from frequency or from a systemd calendar spec", async () => {
  const dir = project(`[buildout]
parts = a b

[cron]
recipe = slapos.cookbook:mkdirectory
entries = \${buildout:directory}/etc/cron.d

[a]
recipe = slapos.cookbook:cron.d
cron-entries = \${cron:entries}
name = logrotate
frequency = 0 0 * * *
command = /srv/bin/logrotate --state x

[b]
recipe = slapos.cookbook:cron.d
cron-entries = \${cron:entries}
name = backup
time = Mon,Fri 02:30
command = /srv/bin/backup
`);
  await installOk(dir);
  expect(read(dir, "etc/cron.d/logrotate")).toBe("0 0 * * * /srv/bin/logrotate --state x\n");
  expect(read(dir, "etc/cron.d/backup")).toBe("30 02 * * 1,5 /srv/bin/backup\n");
});

test("systemd calendar specs convert as upstream does, and unsupported ones are refused", () => {
  expect(systemdToCron("daily")).toBe("0 0 * * *");
  expect(systemdToCron("*-*-1 4:00")).toBe("00 4 1 * *");
  expect(systemdToCron("*:0/15")).toBe("0-45/15 * * * *");
  expect(systemdToCron("Sat-Sun 10:00")).toBe("00 10 * * 6-0");
  expect(() => systemdToCron("2030-01-01 00:00")).toThrow();
  expect(() => systemdToCron("Mon *-*-1 0:00")).toThrow();
  expect(() => systemdToCron("12:00:30")).toThrow();
});

test("an invalid time names the spec", async () => {
  const run = await buildout(project(`[buildout]\nparts = a\n\n[a]\nrecipe = slapos.cookbook:cron.d\ncron-entries = \${buildout:directory}\nname = x\ntime = whenever\ncommand = true\n`));
  expect(run.code).toBe(1);
  expect(run.text).toContain("Invalid systemd calendar spec 'whenever'");
});

test("symbolic.link links binaries into the target folder and replaces old links", async () => {
  const dir = project(`[buildout]
parts = links

[links]
recipe = slapos.cookbook:symbolic.link
target-directory = \${buildout:directory}/bin
link-binary =
  /usr/bin/env
  /bin/sh
`);
  mkdirSync(join(dir, "bin"), { recursive: true });
  const { symlinkSync } = await import("node:fs");
  symlinkSync("/nowhere", join(dir, "bin", "sh"));
  await installOk(dir);
  expect(readlinkSync(join(dir, "bin", "env"))).toBe("/usr/bin/env");
  expect(readlinkSync(join(dir, "bin", "sh"))).toBe("/bin/sh");
  // A plain file where a link should go is refused (never write through the links: they point at system files).
  const other = project(`[buildout]
parts = links

[links]
recipe = slapos.cookbook:symbolic.link
target-directory = \${buildout:directory}
link-binary = /bin/true
`);
  writeFileSync(join(other, "true"), "a file");
  const run = await buildout(other);
  expect(run.code).toBe(1);
  expect(run.text).toContain("already exists but is not a link");
  expect(read(other, "true")).toBe("a file");
});

test("free_port picks the first bindable port and keeps it on later runs", async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  const taken = (busy.address() as { port: number }).port;
  const profile = `[buildout]
parts = show

[port]
recipe = slapos.cookbook:free_port
ip = 127.0.0.1
minimum = ${taken}
maximum = ${taken + 50}

[show]
recipe = slapos.recipe.template
inline = \${port:port}
output = \${buildout:directory}/port
`;
  const dir = project(profile);
  try {
    await installOk(dir);
    const chosen = Number(read(dir, "port"));
    expect(chosen).toBeGreaterThan(taken);
    // Hold the chosen port: the next run keeps the recorded one anyway.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(chosen, "127.0.0.1", resolve));
    try {
      await installOk(dir);
      expect(Number(read(dir, "port"))).toBe(chosen);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  } finally {
    await new Promise((resolve) => busy.close(resolve));
  }
});

test("free_port: minimum == maximum gives it, an unknown address family gives 0", async () => {
  const dir = project(`[buildout]
parts = show

[fixed]
recipe = slapos.cookbook:free_port
minimum = 8080
maximum = 8080

[unknown]
recipe = slapos.cookbook:free_port
ip = not-an-ip

[show]
recipe = slapos.recipe.template
inline = \${fixed:port} \${unknown:port}
output = \${buildout:directory}/ports
`);
  await installOk(dir);
  expect(read(dir, "ports")).toBe("8080 0");
});
