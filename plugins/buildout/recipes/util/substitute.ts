/**
 * Buildout substitution of a text in the context of a section, for the
 * template recipes: `${section:option}` (empty section = this one),
 * `${:_buildout_section_name_}`, and `$$` — which yields `$` under the
 * SlapOS fork (a template's `$${x:y}` comes out as `${x:y}`) and stays `$$`
 * upstream. Referenced sections are initialised through the engine, so they
 * become dependencies of the part exactly as a `${}` in an option would.
 */
import type { BuildoutView, Options } from "../../recipe-api.ts";
import { UserError } from "./errors.ts";

const TOKEN = /\$\{([^}]*)\}/g;
const NAME = /^[-a-zA-Z0-9 ._]*$/;

async function resolveToken(buildout: BuildoutView, current: Options, inside: string): Promise<string> {
  const parts = inside.split(":");
  if (parts.length !== 2 || !NAME.test(parts[0]!) || !NAME.test(parts[1]!) || parts[1] === "") {
    throw new UserError(`The substitution, \${${inside}}, has invalid syntax.`);
  }
  const [sectionName, option] = parts as [string, string];
  const own = sectionName === "" || sectionName === current.name;
  const section = own ? current : await buildout.section(sectionName);
  const value = section.get(option);
  if (value !== undefined) return value;
  if (option === "_buildout_section_name_") return current.name;
  throw new UserError(`Referenced option does not exist: ${section.name} ${option}`);
}

async function substitutePiece(buildout: BuildoutView, current: Options, piece: string): Promise<string> {
  let out = "";
  let last = 0;
  for (const match of piece.matchAll(TOKEN)) {
    out += piece.slice(last, match.index) + (await resolveToken(buildout, current, match[1]!));
    last = match.index! + match[0].length;
  }
  return out + piece.slice(last);
}

/** The text with every `${}` resolved in the context of `current`. */
export async function substitute(buildout: BuildoutView, current: Options, text: string): Promise<string> {
  const pieces = text.split("$$");
  const done: string[] = [];
  for (const piece of pieces) done.push(await substitutePiece(buildout, current, piece));
  return done.join(buildout.fork ? "$" : "$$");
}
