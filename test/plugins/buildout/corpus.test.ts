/**
 * The language against zc.buildout 2.13 itself: every case folder under
 * corpus/ holds input files and the expected.json the real zc.buildout gave
 * (oracle/regenerate.py); our resolver must give the same sections, the same
 * install order, or the same error class.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../../../plugins/buildout/lang/resolve.ts";
import { isBuildoutError } from "../../../plugins/buildout/lang/errors.ts";
import { tempDir } from "../../helpers/tmp.ts";

const CORPUS = join(import.meta.dir, "corpus");
const cases = readdirSync(CORPUS).filter((name) => existsSync(join(CORPUS, name, "expected.json"))).sort();

/** Serves one folder on loopback, for cases whose files say @@HTTP@@. */
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request) {
    const url = new URL(request.url);
    const [root, ...rest] = url.pathname.slice(1).split("/");
    const folder = roots.get(root);
    const path = folder && join(folder, ...rest.map(decodeURIComponent));
    if (!path || !existsSync(path) || !statSync(path).isFile()) return new Response("not found", { status: 404 });
    return new Response(Bun.file(path));
  },
});
const roots = new Map<string, string>();
afterAll(() => server.stop(true));

function substitute(folder: string, mapping: Record<string, string>): void {
  for (const name of readdirSync(folder, { recursive: true }) as string[]) {
    const path = join(folder, name);
    if (!statSync(path).isFile()) continue;
    const text = readFileSync(path, "latin1");
    let changed = text;
    for (const [key, value] of Object.entries(mapping)) changed = changed.replaceAll(key, value);
    if (changed !== text) writeFileSync(path, changed, "latin1");
  }
}

async function run(name: string): Promise<unknown> {
  const folder = join(tempDir("corpus-"), name);
  cpSync(join(CORPUS, name), folder, { recursive: true, filter: (src) => !src.endsWith("expected.json") });
  roots.set(name, folder);
  const http = `http://127.0.0.1:${server.port}/${name}`;
  substitute(folder, { "@@DIR@@": folder, "@@HTTP@@": http });
  try {
    const result = await resolveConfig({ configFile: join(folder, "buildout.cfg"), cwd: folder });
    return JSON.parse(JSON.stringify(result).replaceAll(folder, "@@DIR@@").replaceAll(http, "@@HTTP@@"));
  } catch (error) {
    if (!isBuildoutError(error)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
    return { error: error.kind };
  }
}

describe("resolve matches zc.buildout 2.13", () => {
  test.each(cases)("%s", async (name) => {
    const expected = JSON.parse(readFileSync(join(CORPUS, name, "expected.json"), "utf8"));
    if (expected.error) expected.message = undefined;
    const actual = (await run(name)) as Record<string, unknown>;
    if (expected.error) expect({ error: actual.error }).toEqual({ error: expected.error });
    else expect(actual).toEqual(expected);
  });
});
