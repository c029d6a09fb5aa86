"""Render templates with Python Jinja2 configured as slapos.recipe.template
does (StrictUndefined, do + loopcontrols, Python builtins in the context),
for the differential test of the native engine. Reads a JSON list of cases
on stdin, writes a JSON list of results."""
import json
import sys

import jinja2

BUILTINS = {x.__name__: x for x in (
    abs, all, any, bin, bool, callable, chr, dict, divmod, enumerate, filter,
    float, format, frozenset, getattr, hasattr, hex, int, isinstance, iter,
    len, list, map, max, min, next, oct, ord, pow, range, repr, reversed,
    round, set, sorted, str, sum, tuple, zip)}


def render(case):
    env = jinja2.Environment(
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        undefined=jinja2.StrictUndefined,
        loader=jinja2.DictLoader(case.get("templates", {})),
    )
    context = dict(BUILTINS)
    context.update(json.loads(case.get("context", "{}")))
    for alias, module in case.get("imports", {}).items():
        context[alias] = __import__(module, fromlist=["_"])
    try:
        out = env.from_string(case["template"]).render(**context)
        # Generators print as <generator ...>: the native engine has none.
        return {"ok": True, "out": out}
    except Exception as e:
        return {"ok": False, "error": type(e).__name__ + ": " + str(e)}


print(json.dumps([render(c) for c in json.load(sys.stdin)]))
