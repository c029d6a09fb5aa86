/**
 * The SlapOS fork's language differences (the --fork switch); upstream
 * behaviour for the same inputs is in the oracle corpus.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../../../plugins/buildout/lang/resolve.ts";
import { tempDir } from "../../helpers/tmp.ts";

async function resolve(files: Record<string, string>, fork = true) {
  const dir = tempDir("buildout-fork-");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, result: await resolveConfig({ configFile: join(dir, "buildout.cfg"), fork }) };
}

describe("fork: $$ escape", () => {
  test("$${a:b} reads as ${a:b}", async () => {
    const { result } = await resolve({ "buildout.cfg": "[buildout]\nparts =\n\n[s]\nx = $${a:b}\n" });
    expect(result.sections.s.x).toBe("${a:b}");
  });

  test("upstream keeps both dollars", async () => {
    const { result } = await resolve({ "buildout.cfg": "[buildout]\nparts =\n\n[s]\nx = $${a:b}\n" }, false);
    expect(result.sections.s.x).toBe("$${a:b}");
  });

  test("an escape travels through a reference and is unescaped once, at the end", async () => {
    const { result } = await resolve({ "buildout.cfg": "[buildout]\nparts =\n\n[t]\ne = $${x:y}\n\n[s]\nr = ${t:e} and ${t:e}\n" });
    expect(result.sections.s.r).toBe("${x:y} and ${x:y}");
  });

  test("every $$ is one $ in the fork's final values", async () => {
    const { result } = await resolve({ "buildout.cfg": "[buildout]\nparts =\n\n[s]\nx = cost $$5\n" });
    expect(result.sections.s.x).toBe("cost $5");
  });
});

describe("fork: ${:_profile_base_location_}", () => {
  test("is the folder of the file that writes it, also in a macro used elsewhere", async () => {
    const { dir, result } = await resolve({
      "buildout.cfg": "[buildout]\nextends = stack/base.cfg\nparts =\n\n[user]\n<= macro\nown = ${:_profile_base_location_}/own\n",
      "stack/base.cfg": "[macro]\nurl = ${:_profile_base_location_}/template.in\n",
    });
    expect(result.sections.macro.url).toBe(`${dir}/stack/template.in`);
    expect(result.sections.user.url).toBe(`${dir}/stack/template.in`);
    expect(result.sections.user.own).toBe(`${dir}/own`);
    expect(result.sections.macro._profile_base_location_).toBe(`${dir}/stack`);
  });

  test("upstream refuses it as a missing option", async () => {
    await expect(resolve({ "buildout.cfg": "[buildout]\nparts =\n\n[s]\nx = ${:_profile_base_location_}\n" }, false)).rejects.toMatchObject({
      kind: "MissingOption",
    });
  });
});

describe("fork: extends over http", () => {
  test("${:_profile_base_location_} of a file read over http is its URL folder; its relative extends follow the URL", async () => {
    const dir = tempDir("buildout-fork-http-");
    mkdirSync(join(dir, "srv", "stack"), { recursive: true });
    writeFileSync(join(dir, "srv", "software.cfg"), "[buildout]\nextends = stack/base.cfg\n\n[template]\nurl = ${:_profile_base_location_}/instance.cfg.in\n");
    writeFileSync(join(dir, "srv", "stack", "base.cfg"), "[base]\nlocation = ${:_profile_base_location_}\nfile = ${:_profile_base_location_}/../x\n");
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => new Response(Bun.file(join(dir, "srv", new URL(r.url).pathname))) });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      writeFileSync(join(dir, "buildout.cfg"), `[buildout]\nextends = ${url}/software.cfg\nparts =\n`);
      const result = await resolveConfig({ configFile: join(dir, "buildout.cfg"), fork: true });
      expect(result.sections.template).toEqual({ url: `${url}/instance.cfg.in`, _profile_base_location_: url });
      expect(result.sections.base).toEqual({ location: `${url}/stack`, file: `${url}/stack/../x`, _profile_base_location_: `${url}/stack` });
    } finally {
      server.stop(true);
    }
  });
});

describe("fork: conditions", () => {
  test("PEP 508 markers compare versions, not strings", async () => {
    const { result } = await resolve({
      "buildout.cfg":
        '[buildout]\nparts =\n\n[new:python_version >= "3.8"]\nx = 1\n\n[old:python_version < "3.8"]\nx = 1\n\n[plat:sys_platform == "linux" and os_name == "posix"]\nx = 1\n',
    });
    expect(Object.keys(result.sections).sort()).toEqual(["buildout", "new", "plat", "versions"]);
  });

  test("python311 is known to the fork but not to 2.13", async () => {
    const files = { "buildout.cfg": "[buildout]\nparts =\n\n[s:python311]\nx = 1\n" };
    expect((await resolve(files)).result.sections.s.x).toBe("1");
    await expect(resolve(files, false)).rejects.toMatchObject({ kind: "ConditionalExpressionError" });
  });
});
