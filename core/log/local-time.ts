/**
 * Local time for log stamps without ICU. `Date#getHours()` and friends make
 * JavaScriptCore load ICU's time-zone code and data, ~3 MB of RSS in a
 * process that otherwise never needs ICU (the embedded master). Python's
 * logging, which our format copies, takes local time from libc, i.e. from
 * the system's TZif file: we read the same file (`$TZ` naming a zone or a
 * file, else /etc/localtime) and find the UTC offset of an instant there.
 *
 * Anything this does not cover — a POSIX rule string in `$TZ`, a missing or
 * odd file, an instant past the file's last transition in a zone with
 * daylight saving time — falls back to the Date methods, so the answer is
 * never worse than before.
 */
import { readFileSync } from "node:fs";

interface Zone {
  /** Transition instants, seconds since the epoch, ascending. */
  times: number[];
  /** UTC offset in seconds in force from the transition of the same index. */
  offsets: number[];
  /** Offset before the first transition (or always, without transitions). */
  initial: number;
  /** Whether the offset after the last transition holds forever (the footer has no DST rule). */
  fixedAfter: boolean;
}

let zone: Zone | null | undefined;

function zoneFile(): string | undefined {
  const tz = process.env.TZ;
  if (tz === undefined) return "/etc/localtime";
  const name = tz.startsWith(":") ? tz.slice(1) : tz;
  if (name === "" || name.includes("..")) return undefined;
  return name.startsWith("/") ? name : `/usr/share/zoneinfo/${name}`;
}

/** Parse a TZif file (RFC 8536), using the 64-bit block of version 2+ files. */
export function parseTzif(data: Uint8Array): Zone | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = String.fromCharCode(...data.subarray(0, 4));
  if (data.length < 44 || magic !== "TZif") return undefined;
  const version = data[4];
  const counts = (at: number) => Array.from({ length: 6 }, (_, i) => view.getUint32(at + 20 + 4 * i));
  let at = 0;
  let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(0);
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the 32-bit block: the 64-bit one follows with its own header.
    at = 44 + timecnt * 4 + timecnt + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
    if (data.length < at + 44 || String.fromCharCode(...data.subarray(at, at + 4)) !== "TZif") return undefined;
    [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(at);
    timeSize = 8;
  }
  if (leapcnt !== 0 || typecnt === 0) return undefined; // "right/" zones count leap seconds: leave them to ICU.
  let p = at + 44;
  const end = p + timecnt * timeSize + timecnt + typecnt * 6 + charcnt + isstdcnt + isutcnt;
  if (data.length < end) return undefined;
  const times: number[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize) times.push(timeSize === 8 ? Number(view.getBigInt64(p)) : view.getInt32(p));
  const indexes = Array.from(data.subarray(p, p + timecnt));
  p += timecnt;
  const typeOffsets: number[] = [];
  const typeDst: boolean[] = [];
  for (let i = 0; i < typecnt; i++, p += 6) {
    typeOffsets.push(view.getInt32(p));
    typeDst.push(data[p + 4] !== 0);
  }
  if (indexes.some((i) => i >= typecnt)) return undefined;
  // RFC 8536 §3.2: before the first transition, the first non-DST type (else type 0) applies.
  const firstStd = typeDst.indexOf(false);
  const initial = typeOffsets[firstStd === -1 ? 0 : firstStd];
  let fixedAfter = version < 0x32 ? timecnt === 0 : true;
  if (version >= 0x32) {
    const footer = new TextDecoder().decode(data.subarray(end)).trim();
    fixedAfter = !footer.includes(",") && footer !== "";
  }
  return { times, offsets: indexes.map((i) => typeOffsets[i]), initial, fixedAfter };
}

function loadZone(): Zone | null {
  const path = zoneFile();
  if (!path) return null;
  try {
    return parseTzif(readFileSync(path)) ?? null;
  } catch {
    return null;
  }
}

/** The UTC offset, in seconds, of `zoneData` at `seconds` since the epoch; undefined when the file does not say. */
export function offsetAt(zoneData: Zone, seconds: number): number | undefined {
  const { times, offsets } = zoneData;
  if (times.length === 0) return zoneData.fixedAfter ? zoneData.initial : undefined;
  if (seconds < times[0]) return zoneData.initial;
  if (seconds >= times[times.length - 1]) return zoneData.fixedAfter ? offsets[offsets.length - 1] : undefined;
  let lo = 0;
  let hi = times.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= seconds) lo = mid;
    else hi = mid;
  }
  return offsets[lo];
}

export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
  milliseconds: number;
}

/** The local calendar fields of `d`, as `localtime()` gives them. */
export function localFields(d: Date): LocalFields {
  if (zone === undefined) zone = loadZone();
  const offset = zone ? offsetAt(zone, Math.floor(d.getTime() / 1000)) : undefined;
  if (offset === undefined) {
    return {
      year: d.getFullYear(),
      month: d.getMonth() + 1,
      day: d.getDate(),
      hours: d.getHours(),
      minutes: d.getMinutes(),
      seconds: d.getSeconds(),
      milliseconds: d.getMilliseconds(),
    };
  }
  const shifted = new Date(d.getTime() + offset * 1000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hours: shifted.getUTCHours(),
    minutes: shifted.getUTCMinutes(),
    seconds: shifted.getUTCSeconds(),
    milliseconds: shifted.getUTCMilliseconds(),
  };
}
