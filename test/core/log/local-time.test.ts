import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { offsetAt, parseTzif } from "../../../core/log/local-time.ts";

const ZONEINFO = "/usr/share/zoneinfo";
const hasZones = existsSync(join(ZONEINFO, "Europe/Paris"));
const zone = (name: string) => parseTzif(readFileSync(join(ZONEINFO, name)))!;
const at = (iso: string) => Date.parse(iso) / 1000;

describe.skipIf(!hasZones)("local time from the system's TZif files", () => {
  test("Europe/Paris: winter and summer offsets", () => {
    expect(offsetAt(zone("Europe/Paris"), at("2024-01-15T12:00:00Z"))).toBe(3600);
    expect(offsetAt(zone("Europe/Paris"), at("2024-07-15T12:00:00Z"))).toBe(7200);
  });

  test("the offset changes exactly at the transition second", () => {
    const paris = zone("Europe/Paris");
    expect(offsetAt(paris, at("2024-03-31T01:00:00Z") - 1)).toBe(3600);
    expect(offsetAt(paris, at("2024-03-31T01:00:00Z"))).toBe(7200);
  });

  test("a zone without transitions (UTC) has its one offset", () => {
    expect(offsetAt(zone("UTC"), at("2030-01-01T00:00:00Z"))).toBe(0);
  });

  test("a half-hour zone (Asia/Kolkata)", () => {
    expect(offsetAt(zone("Asia/Kolkata"), at("2024-01-01T00:00:00Z"))).toBe(19800);
  });

  test("not a TZif file: undefined, so the logger falls back to Date", () => {
    expect(parseTzif(new TextEncoder().encode("not a zone file at all, just some text of 44+ bytes"))).toBeUndefined();
  });

  test("log stamps under $TZ match libc's localtime (date(1)) across a DST change", async () => {
    const script = `import { localFields } from ${JSON.stringify(join(import.meta.dir, "../../../core/log/local-time.ts"))};
      for (const t of [1711846799, 1711846800, 1730001000]) { const f = localFields(new Date(t * 1000));
      console.log([f.year, f.month, f.day].map((n, i) => String(n).padStart(i ? 2 : 4, "0")).join("-") + " " + [f.hours, f.minutes, f.seconds].map((n) => String(n).padStart(2, "0")).join(":")); }`;
    for (const tz of ["Europe/Paris", "America/New_York", "Australia/Lord_Howe"]) {
      const env = { ...process.env, TZ: tz };
      const ours = Bun.spawnSync([process.execPath, "-e", script], { env }).stdout.toString().trim().split("\n");
      const libc = [1711846799, 1711846800, 1730001000].map((t) =>
        Bun.spawnSync(["date", "-d", `@${t}`, "+%Y-%m-%d %H:%M:%S"], { env }).stdout.toString().trim(),
      );
      expect(ours).toEqual(libc);
    }
  });
});
