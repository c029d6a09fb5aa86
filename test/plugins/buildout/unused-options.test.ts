/**
 * "Unused options" warnings: zc.buildout 2.13's wording upstream, the
 * fork's (3.0) wording with --fork; the fork never reports
 * `_profile_base_location_` nor the [buildout] options the node writes for
 * its extensions; an updated part is not checked again (its options are
 * those of the install that was checked).
 */
import { expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildout, project } from "./run-helpers.ts";

const FORK_HINT = "This may be an indication for either a typo in the option's name or a bug in the used recipe.";

const PROFILE = `[buildout]
parts = d

[d]
recipe = test:file
path = \${buildout:directory}/d
forgotten = 1
`;

function unusedLines(lines: string[]): string[] {
  return lines.filter((line) => line.startsWith("Unused options") || line.startsWith("Section `") || line === FORK_HINT);
}

test("upstream prints 2.13's line", async () => {
  const run = await buildout(project(PROFILE));
  expect(unusedLines(run.lines)).toEqual(["Unused options for d: 'forgotten'."]);
});

test("the fork prints 3.0's two lines", async () => {
  const run = await buildout(project(PROFILE), [], { fork: true });
  expect(unusedLines(run.lines)).toEqual(["Section `d` contains unused option(s): 'forgotten'.", FORK_HINT]);
});

test("a name with a quote is shown as Python's repr", async () => {
  const run = await buildout(project(PROFILE.replace("forgotten = 1", "it's = 1")));
  expect(unusedLines(run.lines)).toEqual([`Unused options for d: "it's".`]);
});

test("an updated part is not checked again", async () => {
  const dir = project(PROFILE);
  await buildout(dir, [], { fork: true });
  const again = await buildout(dir, [], { fork: true });
  expect(again.lines).toContain("Updating d.");
  expect(unusedLines(again.lines)).toEqual([]);
});

test("the fork does not report _profile_base_location_ nor the node's shared-part-list and build-time-part-list", async () => {
  const dir = project("");
  mkdirSync(join(dir, "profile"));
  writeFileSync(
    join(dir, "profile", "software.cfg"),
    `[buildout]\nparts = t\n\n[t]\nrecipe = test:file\npath = \${buildout:directory}/t\ncontent = \${:_profile_base_location_}/x\n`,
  );
  writeFileSync(
    join(dir, "buildout.cfg"),
    `[buildout]\nextends = profile/software.cfg\nshared-part-list =\n  /opt/shared\nbuild-time-part-list =\nstray = 1\n`,
  );
  const run = await buildout(dir, [], { fork: true });
  expect(run.code).toBe(0);
  expect(unusedLines(run.lines)).toEqual(["Section `buildout` contains unused option(s): 'stray'.", FORK_HINT]);
});

test("upstream reports the same [buildout] options", async () => {
  const dir = project(`[buildout]\nparts =\nshared-part-list = /opt/shared\n`);
  const run = await buildout(dir);
  expect(unusedLines(run.lines)).toEqual(["Unused options for buildout: 'shared-part-list'."]);
});
