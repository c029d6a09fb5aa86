/**
 * The run model on real files: install, update, reinstall on change,
 * uninstall of removed parts, .installed.cfg in zc.buildout's format, a
 * failing recipe, parts reached through references, and the commands.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readInstalled } from "../../../plugins/buildout/run/installed.ts";
import { buildout, project } from "./run-helpers.ts";

const calls = (dir: string) => (existsSync(join(dir, "calls.log")) ? readFileSync(join(dir, "calls.log"), "utf8").trim().split("\n") : []);

const TWO_PARTS = `[buildout]
parts = first second

[first]
recipe = test:file
path = \${buildout:directory}/first.txt
content = one

[second]
recipe = test:file
path = \${buildout:directory}/second.txt
content = \${first:content} and two
`;

describe("install", () => {
  test("installs the parts in order and records them in .installed.cfg", async () => {
    const dir = project(TWO_PARTS);
    const run = await buildout(dir);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, "second.txt"), "utf8")).toBe("one and two");
    expect(calls(dir)).toEqual(["install first", "install second"]);
    expect(run.lines).toContain("Installing first.");
    expect(run.lines.some((l) => /^Installed second \(\d+\.\d\ds\)\.$/.test(l))).toBe(true);
    const text = readFileSync(join(dir, ".installed.cfg"), "utf8");
    expect(text).toBe(
      `[buildout]\ninstalled_develop_eggs = \nparts = first second\n\n` +
        `[first]\n__buildout_installed__ = ${dir}/first.txt\n__buildout_signature__ = test:file-native\n` +
        `content = one\npath = ${dir}/first.txt\nrecipe = test:file\n\n` +
        `[second]\n__buildout_installed__ = ${dir}/second.txt\n__buildout_signature__ = test:file-native\n` +
        `content = one and two\npath = ${dir}/second.txt\nrecipe = test:file\n`,
    );
  });

  test("creates the bin, parts and develop-eggs directories", async () => {
    const dir = project(TWO_PARTS);
    await buildout(dir);
    for (const name of ["bin", "parts", "develop-eggs"]) expect(statSync(join(dir, name)).isDirectory()).toBe(true);
  });

  test("a no-change run updates the parts and leaves .installed.cfg untouched", async () => {
    const dir = project(TWO_PARTS);
    await buildout(dir);
    const path = join(dir, ".installed.cfg");
    const before = statSync(path).mtimeMs;
    writeFileSync(join(dir, "calls.log"), "");
    const run = await buildout(dir);
    expect(run.code).toBe(0);
    expect(calls(dir)).toEqual(["update first", "update second"]);
    expect(run.lines).toContain("Updating first.");
    expect(statSync(path).mtimeMs).toBe(before);
  });

  test("a changed option uninstalls and reinstalls that part only", async () => {
    const dir = project(TWO_PARTS);
    await buildout(dir);
    writeFileSync(join(dir, "calls.log"), "");
    writeFileSync(join(dir, "buildout.cfg"), TWO_PARTS.replace("and two", "and 2"));
    const run = await buildout(dir);
    expect(run.code).toBe(0);
    expect(calls(dir)).toEqual(["uninstall second one and two", "update first", "install second"]);
    expect(readFileSync(join(dir, "second.txt"), "utf8")).toBe("one and 2");
  });

  test("a change in a referenced option reinstalls the part that uses it", async () => {
    const dir = project(TWO_PARTS);
    await buildout(dir);
    writeFileSync(join(dir, "calls.log"), "");
    writeFileSync(join(dir, "buildout.cfg"), TWO_PARTS.replace("content = one", "content = uno"));
    await buildout(dir);
    expect(calls(dir)).toEqual(["uninstall second one and two", "uninstall first one", "install first", "install second"]);
  });

  test("a part removed from parts is uninstalled and its files deleted", async () => {
    const dir = project(TWO_PARTS);
    await buildout(dir);
    writeFileSync(join(dir, "buildout.cfg"), TWO_PARTS.replace("parts = first second", "parts = first"));
    const run = await buildout(dir);
    expect(run.lines).toContain("Uninstalling second.");
    expect(existsSync(join(dir, "second.txt"))).toBe(false);
    expect(readInstalled(join(dir, ".installed.cfg")).state.parts).toEqual(["first"]);
  });

  test("removing every part deletes .installed.cfg", async () => {
    const dir = project(TWO_PARTS);
    await buildout(dir);
    writeFileSync(join(dir, "buildout.cfg"), "[buildout]\nparts =\n");
    await buildout(dir);
    expect(existsSync(join(dir, ".installed.cfg"))).toBe(false);
    expect(existsSync(join(dir, "first.txt"))).toBe(false);
  });

  test("a part whose installed file disappeared is reinstalled", async () => {
    const dir = project(TWO_PARTS);
    await buildout(dir);
    rmSync(join(dir, "first.txt"));
    writeFileSync(join(dir, "calls.log"), "");
    await buildout(dir);
    expect(calls(dir)).toEqual(["uninstall first one", "install first", "update second"]);
    expect(existsSync(join(dir, "first.txt"))).toBe(true);
  });

  test("a recipe section referenced by a part is installed before it, without being listed", async () => {
    const dir = project(`[buildout]
parts = app

[app]
recipe = test:file
path = \${buildout:directory}/app
content = \${db:path}

[db]
recipe = test:file
path = \${buildout:directory}/db
content = db
`);
    const run = await buildout(dir);
    expect(run.code).toBe(0);
    expect(calls(dir)).toEqual(["install db", "install app"]);
    expect(readInstalled(join(dir, ".installed.cfg")).state.parts).toEqual(["db", "app"]);
  });

  test("options a recipe sets at construction are visible to sections that reference them", async () => {
    const dir = project(`[buildout]
parts = user

[source]
value = v

[maker]
recipe = test:sets
from = source

[user]
recipe = test:file
path = \${buildout:directory}/user
content = \${maker:computed}
`);
    const run = await buildout(dir);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, "user"), "utf8")).toBe("v-computed");
    expect(readInstalled(join(dir, ".installed.cfg")).state.options.get("maker")?.get("computed")).toBe("v-computed");
  });

  test("options a recipe provides on demand are computed when referenced and recorded with its part", async () => {
    const profile = `[buildout]
parts = user

[maker]
recipe = test:provide

[user]
recipe = test:file
path = \${buildout:directory}/user
content = \${maker:upper-abc} REF
`;
    const dir = project(profile.replace("REF", ""));
    expect((await buildout(dir)).code).toBe(0);
    expect(readFileSync(join(dir, "user"), "utf8")).toBe("ABC");
    expect(readInstalled(join(dir, ".installed.cfg")).state.options.get("maker")?.get("upper-abc")).toBe("ABC");
    writeFileSync(join(dir, "buildout.cfg"), profile.replace("REF", "${maker:other}"));
    const run = await buildout(dir);
    expect(run.code).toBe(1);
    expect(run.text).toContain("Referenced option does not exist: maker other");
  });

  test("install PART installs only that part and uninstalls nothing", async () => {
    const dir = project(TWO_PARTS);
    await buildout(dir, ["install", "first"]);
    expect(calls(dir)).toEqual(["install first"]);
    expect(readInstalled(join(dir, ".installed.cfg")).state.parts).toEqual(["first"]);
    writeFileSync(join(dir, "calls.log"), "");
    await buildout(dir, ["install", "second"]);
    expect(calls(dir)).toEqual(["install second"]);
    expect(readInstalled(join(dir, ".installed.cfg")).state.parts).toEqual(["first", "second"]);
  });

  test("a recipe without update is reinstalled through install, with a warning", async () => {
    const dir = project(`[buildout]\nparts = d\n\n[d]\nrecipe = test:dir\npath = \${buildout:parts-directory}/d\n`);
    await buildout(dir);
    const run = await buildout(dir);
    expect(run.lines).toContain("The recipe for d doesn't define an update method. Using its install method.");
    expect(calls(dir)).toEqual(["install d", "install d"]);
  });

  test("unused options are reported", async () => {
    const dir = project(`[buildout]\nparts = d\n\n[d]\nrecipe = test:dir\npath = \${buildout:parts-directory}/d\nforgotten = 1\n`);
    const run = await buildout(dir);
    expect(run.lines).toContain("Unused options for d: 'forgotten'.");
  });

  test("-o and assignments reach the configuration", async () => {
    const dir = project(`[buildout]\nparts = dump\n\n[dump]\nrecipe = test:dump\noutput = \${buildout:directory}/dump.json\noffline = \${buildout:offline}\nnewest = \${buildout:newest}\nextra = \${settings:value}\n\n[settings]\nvalue = file\n`);
    const run = await buildout(dir, ["-o", "-N", "settings:value=command-line"]);
    expect(run.code).toBe(0);
    const dump = JSON.parse(readFileSync(join(dir, "dump.json"), "utf8"));
    expect(dump).toMatchObject({ offline: "true", newest: "false", extra: "command-line" });
  });
});

describe("failures", () => {
  test("a failing recipe names the part and the recipe and leaves the part uninstalled", async () => {
    const dir = project(`[buildout]
parts = good bad

[good]
recipe = test:file
path = \${buildout:directory}/good
content = ok

[bad]
recipe = test:fail
path = \${buildout:directory}/partial
`);
    const run = await buildout(dir);
    expect(run.code).toBe(1);
    expect(run.text).toContain("[bad] (test:fail) installing: cannot finish");
    expect(existsSync(join(dir, "partial"))).toBe(false);
    expect(readInstalled(join(dir, ".installed.cfg")).state.parts).toEqual(["good"]);
  });

  test("the next run after a failure resumes: finished parts update, the failed one installs", async () => {
    const profile = `[buildout]
parts = good later

[good]
recipe = test:file
path = \${buildout:directory}/good
content = ok

[later]
recipe = RECIPE
path = \${buildout:directory}/later
content = fixed
`;
    const dir = project(profile.replace("RECIPE", "test:fail"));
    expect((await buildout(dir)).code).toBe(1);
    writeFileSync(join(dir, "calls.log"), "");
    writeFileSync(join(dir, "buildout.cfg"), profile.replace("RECIPE", "test:file"));
    const run = await buildout(dir);
    expect(run.code).toBe(0);
    expect(calls(dir)).toEqual(["update good", "install later"]);
    expect(readInstalled(join(dir, ".installed.cfg")).state.parts).toEqual(["good", "later"]);
  });

  test("a recipe we do not have fails before anything changes, naming the recipe and the part", async () => {
    const dir = project(`[buildout]\nparts = x\n\n[x]\nrecipe = no.such.recipe:thing\n`);
    const run = await buildout(dir);
    expect(run.code).toBe(86);
    expect(run.text).toContain("part [x] uses recipe 'no.such.recipe:thing'");
    expect(existsSync(join(dir, ".installed.cfg"))).toBe(false);
  });

  test("a refused configuration is an error naming the file and line", async () => {
    const dir = project(`[buildout]\nparts =\n\n[s]\nkey: value\n`);
    const run = await buildout(dir);
    expect(run.code).toBe(1);
    expect(run.text).toContain(`File contains parsing errors: ${dir}/buildout.cfg`);
    expect(run.text).toContain("[line  5]: 'key: value\\n'");
  });
});

describe(".installed.cfg", () => {
  test("values with edge whitespace and newlines are escaped and read back identically", async () => {
    const dir = project(`[buildout]
parts = p

[p]
recipe = test:file
path = \${buildout:directory}/p
content = \${values:text}

[values]
text =

    indented first
  second

`);
    await buildout(dir);
    const text = readFileSync(join(dir, ".installed.cfg"), "utf8");
    expect(text).toContain("content = %(__buildout_space__)s%(__buildout_space__)sindented first\n\tsecond\n");
    writeFileSync(join(dir, "calls.log"), "");
    await buildout(dir);
    expect(calls(dir)).toEqual(["update p"]);
  });

  test("a file written by zc.buildout (appended [buildout] blocks) is read with the last parts list", () => {
    const dir = project("");
    const path = join(dir, ".installed.cfg");
    writeFileSync(
      path,
      "[buildout]\ninstalled_develop_eggs = \nparts = a b\n\n[a]\n__buildout_installed__ = \nx = %(__buildout_space_n__)sline\n\n[b]\n__buildout_installed__ = \n\n[buildout]\nparts = a\n",
    );
    const { state } = readInstalled(path);
    expect(state.parts).toEqual(["a"]);
    expect(state.options.get("a")?.get("x")).toBe("\nline");
  });
});

describe("annotate and query", () => {
  test("annotate prints raw values and their origins", async () => {
    const dir = project(`[buildout]\nextends = base.cfg\nparts =\n\n[s]\nx += more\n`);
    writeFileSync(join(dir, "base.cfg"), "[s]\nx = base\ny = ${s:x}\n");
    const run = await buildout(dir, ["annotate", "s"]);
    expect(run.code).toBe(0);
    expect(run.text).toBe("\nAnnotated sections\n==================\n\n[s]\nx= base\nmore\n    base.cfg\n+=  buildout.cfg\ny= ${s:x}\n    base.cfg");
  });

  test("query prints one raw value", async () => {
    const dir = project(`[buildout]\nparts =\n\n[s]\ny = \${s:x}\n`);
    const run = await buildout(dir, ["query", "s:y"]);
    expect(run.text).toBe("${s:x}");
  });
});

describe("fork signatures", () => {
  const profile = (extra: string) => `[buildout]
parts = app

[db]
recipe = test:file
path = \${buildout:directory}/db
content = db
extra = ${extra}

[conf]
db = \${db:path}

[app]
recipe = test:file
path = \${buildout:directory}/app
content = \${conf:db}
`;

  test("with the fork, a change in a referenced part reinstalls the parts that use it", async () => {
    const dir = project(profile("1"));
    await buildout(dir, [], { fork: true });
    writeFileSync(join(dir, "calls.log"), "");
    writeFileSync(join(dir, "buildout.cfg"), profile("2"));
    await buildout(dir, [], { fork: true });
    expect(calls(dir)).toEqual(["uninstall app " + join(dir, "db"), "uninstall db db", "install db", "install app"]);
    expect(readInstalled(join(dir, ".installed.cfg")).state.options.get("app")?.get("__buildout_signature__")).toMatch(/^test:file-native db:[0-9a-f]{32}$/);
  });

  test("upstream, the same change leaves the using part to update", async () => {
    const dir = project(profile("1"));
    await buildout(dir);
    writeFileSync(join(dir, "calls.log"), "");
    writeFileSync(join(dir, "buildout.cfg"), profile("2"));
    await buildout(dir);
    expect(calls(dir)).toEqual(["uninstall db db", "install db", "update app"]);
  });
});
