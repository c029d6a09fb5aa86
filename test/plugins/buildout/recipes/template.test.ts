/** slapos.recipe.template (default entry) and collective.recipe.template, through real profiles. */
import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildout, installOk, installedParts, project, read } from "./helpers.ts";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

test("url template is buildout-substituted in the part's context, $${ gives ${", async () => {
  const template = "name=${:_buildout_section_name_} value=${section:option} own=${:extra} escaped=$${x:y}\n";
  const dir = project(
    `[buildout]
parts = template

[section]
option = hello

[template]
recipe = slapos.recipe.template
url = \${buildout:directory}/template.in
output = \${buildout:directory}/out.txt
extra = more
`,
    { "template.in": template },
  );
  await installOk(dir);
  expect(read(dir, "out.txt")).toBe("name=template value=hello own=more escaped=${x:y}\n");
  expect(installedParts(dir)).toEqual(["template"]);
});

test("inline template with mode", async () => {
  const dir = project(`[buildout]
parts = t

[t]
recipe = slapos.recipe.template
inline =
  #!/bin/sh
  echo \${:_buildout_section_name_}
output = \${buildout:directory}/run.sh
mode = 0750
`);
  await installOk(dir);
  expect(read(dir, "run.sh")).toBe("#!/bin/sh\necho t");
  expect(statSync(join(dir, "run.sh")).mode & 0o777).toBe(0o750);
});

test("md5sum match installs, mismatch fails naming the part and leaves nothing", async () => {
  const text = "checked\n";
  const base = (sum: string) => `[buildout]
parts = t

[t]
recipe = slapos.recipe.template
url = template.in
md5sum = ${sum}
output = \${buildout:directory}/out
`;
  const dir = project(base(md5(text)), { "template.in": text });
  await installOk(dir);
  expect(read(dir, "out")).toBe(text);

  const bad = project(base("0".repeat(32)), { "template.in": text });
  const run = await buildout(bad);
  expect(run.code).toBe(1);
  expect(run.text).toContain("[t] (slapos.recipe.template)");
  expect(run.text).toContain("MD5 checksum mismatch");
  expect(existsSync(join(bad, "out"))).toBe(false);
  expect(installedParts(bad)).toEqual([]);
});

test("legacy names: template = inline:... and rendered", async () => {
  const dir = project(`[buildout]
parts = t

[t]
recipe = slapos.recipe.template
template = inline:
  legacy \${:_buildout_section_name_}
rendered = \${buildout:directory}/legacy
`);
  await installOk(dir);
  expect(read(dir, "legacy")).toBe("legacy t");
});

test("update does nothing when options are unchanged", async () => {
  const dir = project(`[buildout]
parts = t

[t]
recipe = slapos.recipe.template
inline = v1
output = \${buildout:directory}/out
`);
  await installOk(dir);
  writeFileSync(join(dir, "out"), "altered");
  await installOk(dir);
  expect(read(dir, "out")).toBe("altered");
});

test("a missing referenced option fails while initialising", async () => {
  const dir = project(`[buildout]
parts = t

[t]
recipe = slapos.recipe.template
inline = \${nowhere:x}
output = \${buildout:directory}/out
`);
  const run = await buildout(dir);
  expect(run.code).toBe(1);
  expect(existsSync(join(dir, "out"))).toBe(false);
});

test("collective.recipe.template: input, ${option} shorthand, input mode kept", async () => {
  const dir = project(
    `[buildout]
parts = c

[c]
recipe = collective.recipe.template
input = \${buildout:directory}/in.tmpl
output = \${buildout:directory}/out.sh
port = 8080
`,
    { "in.tmpl": "port ${port} and ${c:port}\n" },
  );
  const { chmodSync } = await import("node:fs");
  chmodSync(join(dir, "in.tmpl"), 0o755);
  await installOk(dir);
  expect(read(dir, "out.sh")).toBe("port 8080 and 8080\n");
  expect(statSync(join(dir, "out.sh")).mode & 0o777).toBe(0o755);
});
