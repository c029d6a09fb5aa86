/**
 * The stored computer_xml is the compact marshal document re-serialised by
 * lxml with `pretty_print=True` (§1.11.1): one element per line, two spaces
 * per level, leaves on one line, empty elements self-closed (`<string/>`),
 * no declaration, a final newline.
 */

// Sticky: each matches exactly at lastIndex.
const LEAF = /<(string|unicode|int|long|float|bool|complex)>([^<]*)<\/\1>/y;
const EMPTY = /<[a-z]+(?: [^>]*)?\/>/y;
const OPEN = /<[a-z]+(?: [^>]*)?>/y;
const CLOSE = /<\/[a-z]+>/y;

function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

export function prettyMarshal(compact: string): string {
  const lines: string[] = [];
  let depth = 0;
  let at = 0;
  while (at < compact.length) {
    let match: RegExpExecArray | null;
    if ((match = matchAt(LEAF, compact, at))) {
      lines.push("  ".repeat(depth) + (match[2] === "" ? `<${match[1]}/>` : match[0]));
    } else if ((match = matchAt(EMPTY, compact, at))) {
      lines.push("  ".repeat(depth) + match[0]);
    } else if ((match = matchAt(CLOSE, compact, at))) {
      depth--;
      lines.push("  ".repeat(depth) + match[0]);
    } else if ((match = matchAt(OPEN, compact, at))) {
      lines.push("  ".repeat(depth) + match[0]);
      depth++;
    } else throw new Error(`unexpected content in marshal document at offset ${at}`);
    at += match[0].length;
  }
  return lines.join("\n") + "\n";
}
