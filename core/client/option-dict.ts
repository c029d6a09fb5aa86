/**
 * `key=value` words of `--node` and `--parameters` (format-collect-cli.md
 * §6.1): split at the first `=`, so `a=a=b` gives `{a: "a=b"}` and a newline
 * stays in the value; a word without `=` or a repeated key is an error that
 * names the option and the word (exit 1, as the reference's ValueError).
 */
import { SlapError } from "../errors.ts";

export function parseOptionDict(words: string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const word of words ?? []) {
    const at = word.indexOf("=");
    if (at < 0) throw new SlapError("failure", `${option}: '${word}' is not of the form key=value`);
    const key = word.slice(0, at);
    if (key in out) throw new SlapError("failure", `${option}: multiple values provided for the same key '${key}'`);
    out[key] = word.slice(at + 1);
  }
  return out;
}
