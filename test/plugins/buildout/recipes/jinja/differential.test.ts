/**
 * Differential test of the native Jinja2 engine: every case of cases.ts is
 * rendered by Python Jinja2 (Debian's python3-jinja2, configured like
 * slapos.recipe.template) and by ours; outputs must be identical, and a
 * case that fails in Python must fail here too.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { renderTemplate } from "../../../../../plugins/buildout/recipes/jinja/index.ts";
import { importModule } from "../../../../../plugins/buildout/py/modules/index.ts";
import { jsonLoads } from "../../../../../plugins/buildout/py/json.ts";
import { PyDict, type PyValue } from "../../../../../plugins/buildout/py/types.ts";
import { CASES, type Case } from "./cases.ts";

type Result = { ok: true; out: string } | { ok: false; error: string };

let python: Result[] = [];

beforeAll(async () => {
  const child = Bun.spawn(["python3", join(import.meta.dir, "python-jinja2.py")], {
    stdin: new TextEncoder().encode(JSON.stringify(CASES)),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`python3 with jinja2 is needed (Debian python3-jinja2): ${err}`);
  python = JSON.parse(out);
});

function native(c: Case): Result {
  try {
    const context = new Map<string, PyValue>();
    const parsed = jsonLoads(c.context ?? "{}") as PyDict;
    for (const [k, v] of parsed.entries()) context.set(k as string, v);
    for (const [alias, module] of Object.entries(c.imports ?? {})) context.set(alias, importModule(module));
    const templates = c.templates ?? {};
    const out = renderTemplate(c.template, context, {
      loader: (name) => (name in templates ? { source: templates[name]!, name } : undefined),
    });
    return { ok: true, out };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

describe("native jinja2 renders like Python Jinja2", () => {
  CASES.forEach((c, i) => {
    test(c.name, () => {
      const expected = python[i]!;
      const got = native(c);
      if (expected.ok) {
        expect(got).toEqual(expected);
      } else {
        expect({ ok: got.ok, python: expected.error }).toEqual({ ok: false, python: expected.error });
      }
    });
  });
});
