/**
 * Benchmark: rendering a SlapOS-style instance template (loops, macros,
 * filters, dict methods, `%` formatting) with the native engine, compared
 * with Python Jinja2 rendering the same template in its own process (both
 * measure parse + render inside the process, without start-up).
 *
 *   bun test/bench/buildout-recipes/jinja2.ts
 */
import { createHash } from "node:crypto";
import { renderTemplate } from "../../../plugins/buildout/recipes/jinja/index.ts";
import { importModule } from "../../../plugins/buildout/py/modules/index.ts";
import { jsonLoads } from "../../../plugins/buildout/py/json.ts";
import type { PyDict } from "../../../plugins/buildout/py/types.ts";

const TEMPLATE = `{% import 'macros' as m with context -%}
{% set part_list = [] -%}
{% set frontends = slapparameter_dict.get('frontends', {}) -%}
{% for i in range(slapparameter_dict.get('nodes', '1') | int) -%}
{%   set name = 'node-%03d' % i -%}
{%   do part_list.append(name) -%}
[{{ name }}]
recipe = slapos.cookbook:wrapper
command-line = {{ bin }}/server --port {{ 8000 + i }} --name {{ name }} {{ '--debug' if slapparameter_dict.get('debug') == 'true' else '' }}
wrapper-path = \${directory:service}/{{ name }}
environment =
{%- for key, value in slapparameter_dict.get('environment', {}).items() | sort %}
  {{ key }}={{ value }}
{%- endfor %}
{{ m.promise(name, 8000 + i) }}
{% endfor -%}
{% for name, frontend in frontends | dictsort -%}
[frontend-{{ name }}]
<= slap-connection
recipe = slapos.cookbook:requestoptional
name = {{ name | title }}
config-url = {{ frontend.url | default('http://[%s]:%d/' % (ipv6 | first, 8000)) }}
return = domain secure_access
{% endfor -%}
[publish]
recipe = slapos.cookbook:publish.serialised
nodes = {{ part_list | length }}
json = {{ json_module.dumps(slapparameter_dict, sort_keys=True) }}
[buildout]
parts =
  {{ (part_list + ['publish']) | join('\\n  ') }}
`;

const MACROS = `{% macro promise(name, port) -%}
[{{ name }}-promise]
<= monitor-promise-base
promise = check_socket_listening
name = {{ name }}-port-listening.py
config-host = {{ ipv6 | first }}
config-port = {{ port }}
{%- endmacro %}`;

const CONTEXT = JSON.stringify({
  slapparameter_dict: {
    nodes: "100",
    debug: "true",
    environment: { LANG: "C.UTF-8", TZ: "UTC", PATH: "/usr/bin:/bin", HOME: "/srv/slapgrid/slappart0" },
    frontends: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`site-${i}`, i % 2 ? { url: `http://10.0.0.${i}/` } : {}])),
  },
  ipv6: ["2001:db8::1"],
  bin: "/opt/slapgrid/bin",
});

const ROUNDS = 300;

function native(): { ms: number; size: number; md5: string } {
  const context = new Map<string, never>();
  for (const [k, v] of (jsonLoads(CONTEXT) as PyDict).entries()) context.set(k as string, v as never);
  context.set("json_module", importModule("json") as never);
  const loader = (name: string) => (name === "macros" ? { source: MACROS, name } : undefined);
  let text = "";
  for (let i = 0; i < 20; i++) text = renderTemplate(TEMPLATE, context, { loader }); // warm-up
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) renderTemplate(TEMPLATE, context, { loader });
  return { ms: (performance.now() - start) / ROUNDS, size: text.length, md5: createHash("md5").update(text).digest("hex") };
}

function python(): { ms: number; size: number; md5: string } {
  const code = `
import hashlib, json, sys, time, jinja2
t, macros, ctx, rounds = json.load(sys.stdin)
ctx = json.loads(ctx); ctx["json_module"] = json
env_args = dict(extensions=["jinja2.ext.do"], undefined=jinja2.StrictUndefined)
def render():
    env = jinja2.Environment(loader=jinja2.DictLoader({"macros": macros}), **env_args)
    return env.from_string(t).render(**ctx)
for _ in range(20): text = render()
start = time.perf_counter()
for _ in range(rounds): render()
print(json.dumps({"ms": (time.perf_counter() - start) * 1000 / rounds, "size": len(text), "md5": hashlib.md5(text.encode()).hexdigest()}))
`;
  const child = Bun.spawnSync(["python3", "-c", code], { stdin: new TextEncoder().encode(JSON.stringify([TEMPLATE, MACROS, CONTEXT, ROUNDS])) });
  if (child.exitCode !== 0) throw new Error(child.stderr.toString());
  return JSON.parse(child.stdout.toString());
}

const ours = native();
const theirs = python();
console.log(`template: ${ours.size} bytes rendered, identical to Python's: ${ours.md5 === theirs.md5}; ${ROUNDS} rounds, parse + render each`);
console.log(`native engine : ${ours.ms.toFixed(2)} ms per render`);
console.log(`Python Jinja2 : ${theirs.ms.toFixed(2)} ms per render (compile + render, no start-up)`);
console.log(`ratio         : ${(theirs.ms / ours.ms).toFixed(1)}x`);
