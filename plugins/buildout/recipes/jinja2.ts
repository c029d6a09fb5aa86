/**
 * slapos.recipe.template:jinja2 — renders a Jinja2 template (`url` checked
 * by `md5sum`, or `inline`; old names `template` with `inline:` and
 * `rendered`) to `output` with `mode`.
 *
 * `context` lines are `TYPE NAME EXPR`: `raw` (the literal rest of the
 * line), `key` (`section:option`, the option's value, non-text values
 * included; `:option` is this section), `section` (a whole section as a
 * dict), `json` (the rest parsed as JSON), `jsonkey` (an option's text
 * parsed as JSON), `import` (one of the modules the engine provides).
 * `import-list` lines `file|rawfile|folder|rawfolder NAME PATH` declare the
 * only templates `{% import %}` / `{% include %}` can load
 * (`import-delimiter`, default `/`, joins a folder NAME and a relative path).
 * `once` names a marker file: when it exists nothing is rendered.
 * Context is resolved while the section initialises (so referenced
 * sections become dependencies); rendering happens on install and update.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, normalize, resolve, sep } from "node:path";
import type { BuildoutView, Options, RecipeFactory } from "../recipe-api.ts";
import { createEnvironment, renderTemplate, type TemplateLoader } from "./jinja/index.ts";
import { importModule } from "../py/modules/index.ts";
import { fromOptionValue, jsonLoads } from "../py/json.ts";
import { PyDict, type PyValue } from "../py/types.ts";
import { UserError } from "./util/errors.ts";
import { createFile } from "./util/files.ts";
import { octalMode, optionValue } from "./util/options.ts";
import { outputPath, templateSource } from "./util/template-source.ts";

/** Extensions whose features the engine always has. */
const BUILTIN_EXTENSIONS = new Set(["jinja2.ext.do", "jinja2.ext.loopcontrols", "jinja2.ext.with_", "jinja2.ext.autoescape"]);

/** `section:option` (empty section = this one) → the option's value. */
async function keyValue(buildout: BuildoutView, options: Options, expression: string, what: string): Promise<ReturnType<typeof optionValue>> {
  const colon = expression.indexOf(":");
  if (colon < 0) throw new UserError(`${what}: expected section:option, got ${JSON.stringify(expression)}`);
  const sectionName = expression.slice(0, colon);
  const option = expression.slice(colon + 1);
  const section = sectionName === "" || sectionName === options.name ? options : await buildout.section(sectionName);
  const value = optionValue(section, option);
  if (value === undefined) throw new UserError(`${what}: option ${option} of section [${section.name}] does not exist`);
  return value;
}

async function parseContext(buildout: BuildoutView, options: Options): Promise<Map<string, PyValue>> {
  const context = new Map<string, PyValue>();
  for (const raw of (options.get("context") ?? "").split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^(\S+)\s+(\S+)(?:\s+(.*))?$/s.exec(line);
    if (!match) throw new UserError(`context line needs TYPE NAME EXPRESSION: ${JSON.stringify(line)}`);
    const [, type, name, expression = ""] = match as unknown as [string, string, string, string?];
    if (context.has(name)) throw new UserError(`Duplicate context entry ${JSON.stringify(name)}`);
    const what = `context ${type} ${name}`;
    let value: PyValue;
    switch (type) {
      case "raw":
        value = expression;
        break;
      case "key":
        value = fromOptionValue((await keyValue(buildout, options, expression, what))!);
        break;
      case "jsonkey": {
        const text = await keyValue(buildout, options, expression, what);
        value = typeof text === "string" ? parseJson(text, what) : fromOptionValue(text!);
        break;
      }
      case "json":
        value = parseJson(expression, what);
        break;
      case "section": {
        const section = expression === options.name ? options : await buildout.section(expression);
        const dict = new PyDict();
        for (const key of section.keys()) {
          const v = optionValue(section, key);
          if (v !== undefined) dict.set(key, fromOptionValue(v));
        }
        value = dict;
        break;
      }
      case "import":
        try {
          value = importModule(expression);
        } catch (error) {
          throw new UserError(`${what}: ${(error as Error).message}`);
        }
        break;
      default:
        throw new UserError(`unknown context type ${JSON.stringify(type)} (raw, key, section, json, jsonkey, import)`);
    }
    context.set(name, value);
  }
  return context;
}

function parseJson(text: string, what: string): PyValue {
  try {
    return jsonLoads(text);
  } catch (error) {
    throw new UserError(`${what}: invalid JSON: ${(error as Error).message}`);
  }
}

interface ImportEntry {
  kind: "file" | "folder";
  path: string;
}

async function parseImports(buildout: BuildoutView, options: Options): Promise<Map<string, ImportEntry>> {
  const imports = new Map<string, ImportEntry>();
  for (const raw of (options.get("import-list") ?? "").split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^(\S+)\s+(\S+)\s+(.+)$/.exec(line);
    if (!match) throw new UserError(`import-list line needs TYPE NAME PATH: ${JSON.stringify(line)}`);
    const [, type, name, expression] = match as unknown as [string, string, string, string];
    if (imports.has(name)) throw new UserError(`Duplicate import-list entry ${JSON.stringify(name)}`);
    let path: string;
    if (type === "rawfile" || type === "rawfolder") path = expression;
    else if (type === "file" || type === "folder") {
      const value = await keyValue(buildout, options, expression, `import-list ${type} ${name}`);
      path = String(value);
    } else throw new UserError(`unknown import-list type ${JSON.stringify(type)} (file, rawfile, folder, rawfolder)`);
    const base = buildout.buildout.get("directory") ?? process.cwd();
    imports.set(name, { kind: type.endsWith("folder") ? "folder" : "file", path: isAbsolute(path) ? path : resolve(base, path) });
  }
  return imports;
}

/** Only declared files, and files inside declared folders, can be loaded. */
function importLoader(imports: Map<string, ImportEntry>, delimiter: string, decode: (data: Buffer) => string): TemplateLoader {
  return (name) => {
    const direct = imports.get(name);
    if (direct?.kind === "file") return existsSync(direct.path) ? { source: decode(readFileSync(direct.path)), name } : undefined;
    const at = name.indexOf(delimiter);
    if (at < 0) return undefined;
    const folder = imports.get(name.slice(0, at));
    if (folder?.kind !== "folder") return undefined;
    const relative = normalize(name.slice(at + delimiter.length));
    if (relative.startsWith("..") || isAbsolute(relative)) return undefined;
    const path = join(folder.path, relative);
    if (!path.startsWith(folder.path.endsWith(sep) ? folder.path : folder.path + sep)) return undefined;
    if (!existsSync(path) || !statSync(path).isFile()) return undefined;
    return { source: decode(readFileSync(path)), name };
  };
}

function codec(encoding: string): { decode: (data: Buffer) => string; encode: (text: string) => Buffer } {
  const name = encoding.trim().toLowerCase().replace("_", "-");
  if (["utf-8", "utf8"].includes(name)) return { decode: (d) => new TextDecoder("utf-8", { fatal: true }).decode(d), encode: (t) => Buffer.from(t, "utf8") };
  if (["latin-1", "latin1", "iso-8859-1", "iso8859-1"].includes(name)) return { decode: (d) => d.toString("latin1"), encode: (t) => Buffer.from(t, "latin1") };
  if (name === "ascii") return { decode: (d) => d.toString("ascii"), encode: (t) => Buffer.from(t, "ascii") };
  throw new UserError(`unsupported encoding ${JSON.stringify(encoding)}`);
}

export const jinja2: RecipeFactory = async (buildout, name, options) => {
  const { decode, encode } = codec(options.get("encoding") ?? "utf-8");
  for (const extension of (options.get("extensions") ?? "").split(/\s+/).filter(Boolean)) {
    if (!BUILTIN_EXTENSIONS.has(extension)) throw new UserError(`unsupported Jinja2 extension ${extension} (available: ${[...BUILTIN_EXTENSIONS].join(", ")})`);
  }
  const source = await templateSource(buildout, options, ["url"], decode);
  const output = outputPath(options);
  const mode = octalMode(options, "mode", undefined);
  const context = await parseContext(buildout, options);
  const imports = await parseImports(buildout, options);
  const delimiter = options.get("import-delimiter") ?? "/";
  const once = options.get("once") || undefined;
  const templateName = source.url ?? `[${name}] inline`;

  const render = (): string[] => {
    if (once && existsSync(once)) return [];
    const env = createEnvironment(importLoader(imports, delimiter, decode));
    let text: string;
    try {
      text = renderTemplate(source.text, context, { name: templateName, env });
    } catch (error) {
      throw new UserError((error as Error).message, error);
    }
    const path = createFile(output, encode(text), mode ?? 0o666 & ~process.umask());
    if (once) {
      writeFileSync(once, "");
      return [];
    }
    return [path];
  };
  return { install: render, update: render };
};
