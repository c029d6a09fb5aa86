/**
 * Python's `csv.writer` (excel dialect) and `str()` of the values it is
 * given: comma separated, minimal quoting, CRLF line ends, floats as Python
 * reprs, None as the empty field.
 */
import { floatRepr } from "../../../core/slap/marshal/float-repr.ts";
import type { Cell } from "../store/database.ts";

/** A field as Python's csv module writes `str(value)`. */
export type CsvValue = string | { float: number } | { int: number } | null;

function text(value: CsvValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if ("float" in value) return floatRepr(value.float);
  return String(value.int);
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** One CSV row, CRLF included. */
export function csvRow(values: CsvValue[]): string {
  // A row of a single empty field is written `""` so that it is not read back as an empty row.
  if (values.length === 1 && text(values[0]) === "") return '""\r\n';
  return values.map((v) => quote(text(v))).join(",") + "\r\n";
}

/** A stored SQLite value as Python's sqlite3 would hand it to csv. */
export function cellValue(cell: Cell): CsvValue {
  if (cell.value === null) return null;
  if (cell.type === "real") return { float: cell.value as number };
  if (cell.type === "integer") return { int: cell.value as number };
  return String(cell.value);
}
