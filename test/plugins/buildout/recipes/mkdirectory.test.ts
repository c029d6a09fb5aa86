/** slapos.cookbook:mkdirectory through real profiles. */
import { expect, test } from "bun:test";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildout, installOk, project } from "./helpers.ts";

test("every option is a folder, created with parents and mode; folders survive uninstall", async () => {
  const dir = project(`[buildout]
parts = directory

[directory]
recipe = slapos.cookbook:mkdirectory
etc = \${buildout:directory}/etc
service = \${:etc}/service
deep = \${buildout:directory}/srv/a/b/c
empty =
mode = 0750
`);
  await installOk(dir);
  for (const path of ["etc", "etc/service", "srv/a/b/c"]) expect(statSync(join(dir, path)).isDirectory()).toBe(true);
  expect(statSync(join(dir, "srv/a/b/c")).mode & 0o777).toBe(0o750 & ~process.umask());
  writeFileSync(join(dir, "srv/a/b/c/data"), "user data");
  writeFileSync(join(dir, "buildout.cfg"), "[buildout]\nparts =\n");
  await installOk(dir);
  expect(existsSync(join(dir, "srv/a/b/c/data"))).toBe(true);
});

test("a path that exists as a file fails the part", async () => {
  const dir = project(
    `[buildout]
parts = directory

[directory]
recipe = slapos.cookbook:mkdirectory
etc = \${buildout:directory}/etc
`,
    { etc: "not a folder" },
  );
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("exists and is not a directory");
});
