/** plone.recipe.command through real profiles. */
import { expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildout, installOk, installedParts, project, read } from "./helpers.ts";

const profile = (extra: string) => `[buildout]
parts = cmd

[cmd]
recipe = plone.recipe.command
${extra}
`;

test("command runs with /bin/sh in the buildout folder; location is owned by the part", async () => {
  const dir = project(profile("command = pwd > where && mkdir -p made && echo $((1+1)) > made/two\nlocation = ${buildout:directory}/made"));
  await installOk(dir);
  expect(read(dir, "where").trim()).toBe(dir);
  expect(read(dir, "made/two")).toBe("2\n");
  // Removing the part from parts uninstalls it: its location goes.
  writeFileSync(join(dir, "buildout.cfg"), "[buildout]\nparts =\n");
  await installOk(dir);
  expect(existsSync(join(dir, "made"))).toBe(false);
});

test("update-command runs on update, command does not", async () => {
  const dir = project(profile("command = echo install >> log\nupdate-command = echo update >> log"));
  await installOk(dir);
  await installOk(dir);
  expect(read(dir, "log")).toBe("install\nupdate\n");
});

test("a failing command is ignored without stop-on-error", async () => {
  const dir = project(profile("command = exit 3"));
  const run = await installOk(dir);
  expect(run.code).toBe(0);
  expect(installedParts(dir)).toEqual(["cmd"]);
});

test("with stop-on-error a failing command fails the part", async () => {
  const dir = project(profile("command = echo partial > partial; exit 3\nstop-on-error = yes"));
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("[cmd] (plone.recipe.command) installing: command exited with status 3");
  expect(installedParts(dir)).toEqual([]);
});
