/**
 * Python's `csv.writer` (excel dialect) and `str()` of the values it is
 * given: comma separated, minimal quoting, CRLF line ends, floats as Python
 * reprs, None as the empty field.
 */
import { floatRepr } from "../../../core/slap/marshal/float-repr.ts";
import type { Cell } from "../store/database.ts";

/** A field as Python's csv module writes `str(value)`. */
export type CsvValue = string | { float: number } | { int: number } | null;

/** Python's repr of a float; JavaScript's shortest digits are the same outside the exponent ranges. */
function floatText(x: number): string {
  const a = Math.abs(x);
  if (!(a < 1e16) || (a < 1e-4 && x !== 0) || x === 0) return floatRepr(x);
  const s = String(x);
  return s.includes(".") ? s : `${s}.0`;
}

function field(value: CsvValue): string {
  if (value === null) return "";
  if (typeof value === "string") return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  if ("float" in value) return floatText(value.float);
  return String(value.int);
}

/** One CSV row, CRLF included. */
export function csvRow(values: CsvValue[]): string {
  // A row of a single empty field is written `""` so that it is not read back as an empty row.
  if (values.length === 1 && (values[0] === null || values[0] === "")) return '""\r\n';
  let line = field(values[0]);
  for (let i = 1; i < values.length; i++) line += "," + field(values[i]);
  return line + "\r\n";
}

/** A stored SQLite value as Python's sqlite3 would hand it to csv. */
export function cellValue(cell: Cell): CsvValue {
  if (cell.value === null) return null;
  if (cell.type === "real") return { float: cell.value as number };
  if (cell.type === "integer") return { int: cell.value as number };
  return String(cell.value);
}
