/** slapos.recipe.template:jinja2 through real profiles. */
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildout, installOk, installedParts, project, read } from "./helpers.ts";

const HEAD = `[buildout]
parts = render

[render]
recipe = slapos.recipe.template:jinja2
output = \${buildout:directory}/out.cfg
`;

test("context types: raw, key, section, json, jsonkey, import", async () => {
  const dir = project(
    HEAD +
      `url = \${buildout:directory}/in.j2
context =
  raw knight Ni !
  key port config:port
  key recipe :recipe
  section config config
  json words ["Peng", "Neee-wom"]
  jsonkey params config:json
  import json_module json

[config]
port = 8080
json = {"a": [1, 2.5], "b": null}
`,
    {
      "in.j2":
        "{{ knight }}|{{ port }}|{{ recipe }}|{{ config | dictsort | map(attribute=0) | join(',') }}|{{ words }}|{{ params['a'] }} {{ params.b is none }}|{{ json_module.dumps(params, sort_keys=True) }}\n${not:touched}\n",
    },
  );
  await installOk(dir);
  expect(read(dir, "out.cfg")).toBe(
    'Ni !|8080|slapos.recipe.template:jinja2|json,port|[\'Peng\', \'Neee-wom\']|[1, 2.5] True|{"a": [1, 2.5], "b": null}\n${not:touched}',
  );
});

test("a SlapOS-style instance profile template renders", async () => {
  const dir = project(
    HEAD +
      `url = \${buildout:directory}/instance.cfg.in
extensions = jinja2.ext.do
context =
  jsonkey slapparameter_dict params:json
  raw bin /opt/sr/bin

[params]
json = {"nodes": "3", "frontend": {"name": "web"}}
`,
    {
      "instance.cfg.in": `{% set part_list = [] -%}
{% for i in range(slapparameter_dict.get('nodes', '1') | int) -%}
{%   set name = 'node-%d' % i -%}
{%   do part_list.append(name) -%}
[{{ name }}]
recipe = slapos.cookbook:wrapper
command-line = {{ bin }}/node --index {{ i }} --frontend {{ slapparameter_dict['frontend'].get('name', 'none') }}
wrapper-path = \${directory:service}/{{ name }}
{% endfor -%}
[buildout]
parts =
  {{ part_list | join('\\n  ') }}
`,
    },
  );
  await installOk(dir);
  expect(read(dir, "out.cfg")).toBe(`[node-0]
recipe = slapos.cookbook:wrapper
command-line = /opt/sr/bin/node --index 0 --frontend web
wrapper-path = \${directory:service}/node-0
[node-1]
recipe = slapos.cookbook:wrapper
command-line = /opt/sr/bin/node --index 1 --frontend web
wrapper-path = \${directory:service}/node-1
[node-2]
recipe = slapos.cookbook:wrapper
command-line = /opt/sr/bin/node --index 2 --frontend web
wrapper-path = \${directory:service}/node-2
[buildout]
parts =
  node-0
  node-1
  node-2`);
});

test("import-list: file, rawfile, folder and rawfolder entries feed import and include", async () => {
  const dir = project(
    HEAD +
      `url = \${buildout:directory}/main.j2
import-list =
  file macros lib:macros
  rawfile header \${buildout:directory}/header.j2
  folder parts lib:folder
  rawfolder raw \${buildout:directory}/rawdir

[lib]
macros = \${buildout:directory}/macros.j2
folder = \${buildout:directory}/tpl
`,
    {
      "main.j2": "{% import 'macros' as m %}{% include 'header' %}|{{ m.section('x') }}|{% include 'parts/one.j2' %}|{% from 'raw/two.j2' import two %}{{ two() }}",
      "macros.j2": "{% macro section(name) %}[{{ name }}]{% endmacro %}",
      "header.j2": "HEADER",
    },
  );
  mkdirSync(join(dir, "tpl"));
  writeFileSync(join(dir, "tpl", "one.j2"), "one");
  mkdirSync(join(dir, "rawdir"));
  writeFileSync(join(dir, "rawdir", "two.j2"), "{% macro two() %}two{% endmacro %}");
  await installOk(dir);
  expect(read(dir, "out.cfg")).toBe("HEADER|[x]|one|two");
});

test("a template cannot include a file that import-list does not declare", async () => {
  const dir = project(
    HEAD +
      `inline = {% include '../secret' %}
import-list = rawfolder tpl \${buildout:directory}/tpl
`,
    { secret: "do not read" },
  );
  mkdirSync(join(dir, "tpl"));
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("[render] (slapos.recipe.template:jinja2)");
  expect(run.text).toContain("not in import-list");
  const run2 = await buildout(project(HEAD + `inline = {% include 'tpl/../../secret' %}\nimport-list = rawfolder tpl \${buildout:directory}/tpl\n`, { secret: "x" }));
  expect(run2.code).toBe(1);
});

test("a rendering error names the part and the recipe, and installs nothing", async () => {
  const dir = project(HEAD + "inline = {{ undefined_variable }}\n");
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(run.text).toContain("[render] (slapos.recipe.template:jinja2) installing: UndefinedError: 'undefined_variable' is undefined");
  expect(existsSync(join(dir, "out.cfg"))).toBe(false);
  expect(installedParts(dir)).toEqual([]);
});

test("once: nothing is rendered while the marker exists", async () => {
  const dir = project(HEAD + "inline = first\nonce = ${buildout:directory}/rendered.once\n");
  await installOk(dir);
  expect(read(dir, "out.cfg")).toBe("first");
  expect(existsSync(join(dir, "rendered.once"))).toBe(true);
  writeFileSync(join(dir, "buildout.cfg"), HEAD + "inline = second\nonce = ${buildout:directory}/rendered.once\n");
  await installOk(dir);
  expect(read(dir, "out.cfg")).toBe("first");
});

test("update renders again, so a changed template file is picked up", async () => {
  const dir = project(HEAD + "url = ${buildout:directory}/t.j2\nmode = 640\n", { "t.j2": "v1" });
  await installOk(dir);
  writeFileSync(join(dir, "t.j2"), "v2");
  await installOk(dir);
  expect(read(dir, "out.cfg")).toBe("v2");
  expect(statSync(join(dir, "out.cfg")).mode & 0o777).toBe(0o640);
});

test("an unsupported extension and an unknown context type are refused", async () => {
  const one = await buildout(project(HEAD + "inline = x\nextensions = jinja2.ext.i18n\n"));
  expect(one.code).toBe(1);
  expect(one.text).toContain("unsupported Jinja2 extension jinja2.ext.i18n");
  const two = await buildout(project(HEAD + "inline = x\ncontext = magic x y\n"));
  expect(two.code).toBe(1);
  expect(two.text).toContain('unknown context type "magic"');
});

test("encoding applies to the template and the output", async () => {
  const dir = project(HEAD + "url = ${buildout:directory}/latin.j2\nencoding = latin-1\ncontext = raw word caf\u00e9\n");
  writeFileSync(join(dir, "latin.j2"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x7b, 0x7b, 0x20, 0x77, 0x6f, 0x72, 0x64, 0x20, 0x7d, 0x7d]));
  await installOk(dir);
  const { readFileSync } = await import("node:fs");
  expect([...readFileSync(join(dir, "out.cfg"))]).toEqual([0x63, 0x61, 0x66, 0xe9, 0x20, 0x63, 0x61, 0x66, 0xe9]);
});
