/**
 * A Jinja2-compatible template engine with Python value semantics, for
 * slapos.recipe.template:jinja2. Why not nunjucks: it evaluates with
 * JavaScript semantics (an empty dict is true, `{{ True }}` prints `true`,
 * `'%s' % x` is a number, no `{% do %}`, no `str.split`/`dict.items`
 * without patches), which would silently render SlapOS profiles
 * differently from Python Jinja2. This engine keeps Python's types and
 * Jinja2's StrictUndefined, scoping and whitespace rules.
 */
import { installGlobals } from "./builtins.ts";
import { Environment, type TemplateLoader } from "./environment.ts";
import { installFilters } from "./filters.ts";
import { parseTemplate } from "./parser.ts";
import type { PyValue } from "../../py/types.ts";
import { Renderer } from "./render.ts";
import { Scope } from "./scope.ts";
import { installTests } from "./tests.ts";

export { TemplateSyntaxError } from "./lexer.ts";
export { TemplateRuntimeError } from "./render.ts";
export type { TemplateLoader } from "./environment.ts";

/** A fresh environment with Jinja's filters, tests and globals and slapos.recipe.template's builtins. */
export function createEnvironment(loader: TemplateLoader = () => undefined): Environment {
  const env = new Environment(loader);
  installFilters(env);
  installTests(env);
  installGlobals(env);
  return env;
}

/** Render `source` with `context` variables. */
export function renderTemplate(
  source: string,
  context: Record<string, PyValue> | Map<string, PyValue>,
  options: { name?: string; loader?: TemplateLoader; env?: Environment } = {},
): string {
  const name = options.name ?? "<template>";
  const env = options.env ?? createEnvironment(options.loader);
  const body = parseTemplate(source, name);
  const root = new Scope();
  for (const [key, value] of context instanceof Map ? context : Object.entries(context)) root.set(key, value);
  return new Renderer(env, name).renderBody(body, root.child());
}
