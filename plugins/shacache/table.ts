/**
 * prettytable's `get_string(border=True, padding_width=0, vrules=NONE)`, the
 * style of `cachelookup` and `proxy show` (format-collect-cli.md §6.6, §6.7):
 * rows are `" " + cells.join(" ") + " "`, cells centred (odd leftover space
 * goes right for odd-length text, left for even-length text), and rules of
 * `-` over the full width above the header, under it, and at the bottom.
 */

function center(text: string, width: number): string {
  const length = [...text].length;
  const excess = width - length;
  if (excess <= 0) return text;
  const half = Math.floor(excess / 2);
  if (excess % 2 === 0) return " ".repeat(half) + text + " ".repeat(half);
  return length % 2 ? " ".repeat(half) + text + " ".repeat(half + 1) : " ".repeat(half + 1) + text + " ".repeat(half);
}

/** The table's lines. */
export function prettyTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((header, i) => Math.max([...header].length, ...rows.map((row) => [...(row[i] ?? "")].length)));
  const line = (cells: string[]) => ` ${cells.map((cell, i) => center(cell, widths[i]!)).join(" ")} `;
  const header = line(headers);
  const rule = "-".repeat([...header].length);
  return [rule, header, rule, ...rows.map(line), rule];
}
