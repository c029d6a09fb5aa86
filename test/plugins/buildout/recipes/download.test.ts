/** slapos.recipe.build:download and :download-unpacked through real profiles, against a loopback HTTP server. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHooks } from "../../../../core/hooks/catalogue.ts";
import type { RecipeFactory } from "../../../../plugins/buildout/recipe-api.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { buildout, installOk, installedParts, project, read } from "./helpers.ts";

const CONTENT = "downloaded content\n";
const md5 = (data: string | Buffer) => createHash("md5").update(data).digest("hex");
let server: ReturnType<typeof Bun.serve>;
let base: string;
const hits: string[] = [];
const archives = tempDir("archives-");

beforeAll(async () => {
  // A tar.gz with one top folder, and a zip with two top entries.
  mkdirSync(join(archives, "src/project-1.0/bin"), { recursive: true });
  writeFileSync(join(archives, "src/project-1.0/bin/tool"), "#!/bin/sh\n");
  writeFileSync(join(archives, "src/project-1.0/README"), "readme");
  Bun.spawnSync(["tar", "-czf", join(archives, "project.tar.gz"), "-C", join(archives, "src"), "project-1.0"]);
  Bun.spawnSync([
    "python3",
    "-c",
    `import zipfile; z = zipfile.ZipFile(${JSON.stringify(join(archives, "two.zip"))}, "w", zipfile.ZIP_DEFLATED); z.writestr("a/x.txt", "x" * 1000); z.writestr("b.txt", "b"); z.close()`,
  ]);
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      hits.push(path);
      if (path === "/file") return new Response(CONTENT);
      if (path === "/big") return new Response("x".repeat(1000));
      if (path === "/slow") {
        await Bun.sleep(5000);
        return new Response("late");
      }
      if (path.endsWith(".tar.gz") || path.endsWith(".zip")) return new Response(Bun.file(join(archives, path.slice(1))));
      return new Response("missing", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server.stop(true));

const downloadProfile = (url: string, extra = "") => `[buildout]
parts = use

[dl]
recipe = slapos.recipe.build:download
url = ${url}
${extra}

[use]
recipe = slapos.recipe.template
inline = \${dl:target}
output = \${buildout:directory}/target-path
`;

test("download over http: md5 checked, target under parts/<name>/<name>, mode applied", async () => {
  const dir = project(downloadProfile(`${base}/file`, `md5sum = ${md5(CONTENT)}\nmode = 0640`));
  await installOk(dir);
  const target = join(dir, "parts/dl/dl");
  expect(read(dir, "target-path")).toBe(target);
  expect(readFileSync(target, "utf8")).toBe(CONTENT);
  expect(statSync(target).mode & 0o777).toBe(0o640);
});

test("filename and destination choose where the file goes", async () => {
  const one = project(downloadProfile(`${base}/file`, "filename = named.txt"));
  await installOk(one);
  expect(read(one, "target-path")).toBe(join(one, "parts/dl/named.txt"));
  const two = project(downloadProfile(`${base}/file`, "destination = ${buildout:directory}/exact.txt"));
  await installOk(two);
  expect(read(two, "exact.txt")).toBe(CONTENT);
  const both = await buildout(project(downloadProfile(`${base}/file`, "filename = x\ndestination = /tmp/y")));
  expect(both.text).toContain("'filename' can't be used with 'destination'");
});

test("a checksum mismatch fails the part and leaves no file", async () => {
  const dir = project(downloadProfile(`${base}/file`, `md5sum = ${"0".repeat(32)}`));
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("[dl] (slapos.recipe.build:download) installing: MD5 checksum mismatch downloading");
  expect(existsSync(join(dir, "parts/dl/dl"))).toBe(false);
  expect(readdirSync(join(dir, "parts/dl"))).toEqual([]);
  expect(installedParts(dir)).toEqual([]);
});

test("an HTTP error fails the part", async () => {
  const run = await buildout(project(downloadProfile(`${base}/nothing-here`)));
  expect(run.code).toBe(1);
  expect(run.text).toContain(`Error downloading ${base}/nothing-here: HTTP Error 404`);
});

test("file URLs and plain paths are copied", async () => {
  const src = join(tempDir(), "source.txt");
  writeFileSync(src, CONTENT);
  for (const url of [`file://${src}`, src]) {
    const dir = project(downloadProfile(url));
    await installOk(dir);
    expect(readFileSync(join(dir, "parts/dl/dl"), "utf8")).toBe(CONTENT);
  }
});

test("offline mode refuses the network", async () => {
  const dir = project(downloadProfile(`${base}/file`).replace("parts = use", "parts = use\noffline = true"));
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("in offline mode");
});

test("the binary cache hook answers before the network", async () => {
  const hooks = createHooks();
  const keys: string[] = [];
  hooks.binaryCache.download.tapPromise("test-cache", async ({ key, destination, kind, md5sum }) => {
    keys.push(`${kind} ${key} ${md5sum}`);
    writeFileSync(destination, "from cache");
    return { path: destination, sha512: createHash("sha512").update("from cache").digest("hex"), size: 10 };
  });
  const before = hits.length;
  const dir = project(downloadProfile(`${base}/cached-only`, `md5sum = ${md5("from cache")}`));
  await installOk(dir, [], hooks);
  expect(read(dir, "parts/dl/dl")).toBe("from cache");
  expect(keys).toEqual([`url file-urlmd5:${md5(`${base}/cached-only`)} ${md5("from cache")}`]);
  expect(hits.length).toBe(before);
});

test("size and time limits of the engine's download service abandon a download and leave nothing", async () => {
  const hooks = createHooks();
  const limited: RecipeFactory = (view, _name, options) => ({
    async install() {
      const target = options.require("target");
      try {
        await view.download!(options.require("url"), target, undefined, { maxBytes: 100, timeoutSeconds: 1 });
      } finally {
        options.set("exists-after", String(existsSync(target)));
      }
      return [target];
    },
  });
  hooks.buildout.recipes.tapPromise("test", async (registry) => registry.register("test:limited", limited));
  for (const [path, message] of [["/big", "is larger than 100 bytes"], ["/slow", "Error downloading"]] as const) {
    const dir = project(`[buildout]
parts = x

[x]
recipe = test:limited
url = ${base}${path}
target = \${buildout:directory}/out
`);
    const run = await buildout(dir, [], hooks);
    expect(run.code).toBe(1);
    expect(run.text).toContain(message);
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes(".part"))).toEqual([]);
  }
});

const unpackedProfile = (url: string, extra = "") => `[buildout]
parts = unpacked

[unpacked]
recipe = slapos.recipe.build:download-unpacked
url = ${url}
${extra}
`;

test("download-unpacked strips a single top folder by default", async () => {
  const data = readFileSync(join(archives, "project.tar.gz"));
  const dir = project(unpackedProfile(`${base}/project.tar.gz`, `md5sum = ${md5(data)}`));
  await installOk(dir);
  expect(readdirSync(join(dir, "parts/unpacked")).sort()).toEqual(["README", "bin"]);
  expect(read(dir, "parts/unpacked/bin/tool")).toBe("#!/bin/sh\n");
  expect(readdirSync(join(dir, "parts")).sort()).toEqual(["unpacked"]);
});

test("download-unpacked keeps the top folder when asked, and unpacks zip archives natively", async () => {
  const dir = project(unpackedProfile(`${base}/project.tar.gz`, "strip-top-level-dir = false\ndestination = ${buildout:directory}/tree"));
  await installOk(dir);
  expect(readdirSync(join(dir, "tree"))).toEqual(["project-1.0"]);
  const zip = project(unpackedProfile(`${base}/two.zip`));
  await installOk(zip);
  expect(readdirSync(join(zip, "parts/unpacked")).sort()).toEqual(["a", "b.txt"]);
  expect(read(zip, "parts/unpacked/a/x.txt")).toBe("x".repeat(1000));
});

test("download-unpacked cannot strip an archive with several top entries", async () => {
  const dir = project(unpackedProfile(`${base}/two.zip`, "strip-top-level-dir = true"));
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("cannot strip the top-level directory");
  expect(existsSync(join(dir, "parts/unpacked"))).toBe(false);
});
