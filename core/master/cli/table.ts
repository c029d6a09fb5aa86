/**
 * prettytable as `slapos proxy show` prints it: border on, no vertical
 * rules, padding 0 — each row is " " + centred cells joined by " " + " ",
 * rules of "-" over the full width, NULL shown as "-".
 */

function width(text: string): number {
  let n = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    // East Asian wide and fullwidth forms take two columns, as wcwidth says.
    n += (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x1f300 && code <= 0x1faff) || (code >= 0x20000 && code <= 0x3fffd)
      ? 2
      : 1;
  }
  return n;
}

/** prettytable's centring: odd excess goes right for odd-length text, left for even-length text. */
export function centre(text: string, size: number): string {
  const excess = size - width(text);
  if (excess <= 0) return text;
  const half = Math.floor(excess / 2);
  if (excess % 2 === 0) return " ".repeat(half) + text + " ".repeat(half);
  return width(text) % 2 ? " ".repeat(half) + text + " ".repeat(half + 1) : " ".repeat(half + 1) + text + " ".repeat(half);
}

export function renderTable(columns: string[], rows: string[][]): string[] {
  const sizes = columns.map((c, i) => Math.max(width(c), ...rows.map((r) => width(r[i]))));
  const line = (cells: string[]) => ` ${cells.map((cell, i) => centre(cell, sizes[i])).join(" ")} `;
  const rule = "-".repeat(sizes.reduce((a, b) => a + b, 0) + sizes.length + 1);
  return [rule, line(columns), rule, ...rows.map(line), rule];
}
