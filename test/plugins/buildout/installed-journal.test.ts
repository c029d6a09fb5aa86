/**
 * `.installed.cfg` during and after a run: each finished step is appended
 * (a later `[buildout]` block wins, as zc.buildout reads it too), and the
 * file is rewritten compact once at the end, so the cost of a run stays
 * linear in its parts.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatInstalled, readInstalled } from "../../../plugins/buildout/run/installed.ts";
import { waitFor } from "../../helpers/ports.ts";
import { buildout, project } from "./run-helpers.ts";

const RUNNER = join(import.meta.dir, "fixtures", "run-with-test-recipes.ts");

function part(name: string, content: string, extra = ""): string {
  return `[${name}]\nrecipe = test:file\npath = \${buildout:directory}/${name}\ncontent = ${content}\n${extra}\n`;
}

function installedPath(dir: string): string {
  return join(dir, ".installed.cfg");
}

/** The file is exactly what a compact write of its own content gives. */
function expectCompact(dir: string): void {
  const text = readFileSync(installedPath(dir), "utf8");
  expect(text).toBe(formatInstalled(readInstalled(installedPath(dir)).state));
  expect(text.match(/^\[buildout\]$/gm)?.length).toBe(1);
}

test("after a first install of many parts the file is compact and lists them in order", async () => {
  const names = Array.from({ length: 30 }, (_, i) => `p${i}`);
  const dir = project(`[buildout]\nparts = ${names.join(" ")}\n\n${names.map((n) => part(n, n)).join("\n")}`);
  expect((await buildout(dir)).code).toBe(0);
  expectCompact(dir);
  expect(readInstalled(installedPath(dir)).state.parts).toEqual(names);
});

test("a failing run leaves a compact file listing the parts that finished", async () => {
  const dir = project(`[buildout]\nparts = a b bad\n\n${part("a", "1")}\n${part("b", "2")}\n[bad]\nrecipe = test:fail\npath = \${buildout:directory}/partial\n`);
  expect((await buildout(dir)).code).toBe(1);
  expectCompact(dir);
  expect(readInstalled(installedPath(dir)).state.parts).toEqual(["a", "b"]);
});

test("a part reinstalled without one of its options no longer records it", async () => {
  const dir = project(`[buildout]\nparts = a b\n\n${part("a", "1", "extra = gone soon")}\n${part("b", "2")}`);
  expect((await buildout(dir)).code).toBe(0);
  writeFileSync(join(dir, "buildout.cfg"), `[buildout]\nparts = a b\n\n${part("a", "1")}\n${part("b", "2")}`);
  expect((await buildout(dir)).code).toBe(0);
  const { state } = readInstalled(installedPath(dir));
  expect(state.options.get("a")?.has("extra")).toBe(false);
  expect(state.parts).toEqual(["a", "b"]);
  expectCompact(dir);
});

test("mid-run, the file already holds every finished step; at the end it is compacted", async () => {
  const base = `[buildout]\nparts = a b\n\n${part("a", "old")}\n${part("b", "2")}`;
  const dir = project(base);
  expect((await buildout(dir)).code).toBe(0);
  writeFileSync(
    join(dir, "buildout.cfg"),
    `[buildout]\nparts = a b slow\n\n${part("a", "new")}\n${part("b", "2")}\n[slow]\nrecipe = test:wait\nstarted = \${buildout:directory}/started\nrelease = \${buildout:directory}/release\n`,
  );
  const child = Bun.spawn(["bun", RUNNER, "-U"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  await waitFor(() => existsSync(join(dir, "started")), 30, "the slow part to start");
  const during = readInstalled(installedPath(dir)).state;
  expect(during.parts).toEqual(["a", "b"]);
  expect(during.options.get("a")?.get("content")).toBe("new");
  writeFileSync(join(dir, "release"), "");
  expect(await child.exited).toBe(0);
  expectCompact(dir);
  expect(readInstalled(installedPath(dir)).state.parts).toEqual(["a", "b", "slow"]);
});

test("a run that changes nothing does not write the file", async () => {
  const dir = project(`[buildout]\nparts = a b\n\n${part("a", "1")}\n${part("b", "2")}`);
  expect((await buildout(dir)).code).toBe(0);
  writeFileSync(installedPath(dir), readFileSync(installedPath(dir), "utf8") + "\n# marker kept when nothing is written\n");
  expect((await buildout(dir)).code).toBe(0);
  expect(readFileSync(installedPath(dir), "utf8")).toContain("# marker kept");
});
