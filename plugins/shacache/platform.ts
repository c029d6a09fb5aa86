/**
 * Which binaries this machine can run (node-runtime.md §5.2): the reference
 * compares `gcc -dumpmachine` and `[distro.id(), distro.version(),
 * distro.codename()]`. We need neither gcc nor Python:
 *
 * - multiarch is derived from `process.arch`, the C library (glibc when the
 *   runtime reports a glibc version, musl otherwise) and the vendor triplet
 *   each distribution's gcc prints: Debian and its derivatives
 *   `x86_64-linux-gnu` (armhf `arm-linux-gnueabihf`), Red Hat family
 *   `x86_64-redhat-linux`, SUSE `x86_64-suse-linux`, Arch `x86_64-pc-linux-gnu`,
 *   Alpine `x86_64-alpine-linux-musl`;
 * - the OS triple is read from /etc/os-release as the `distro` module does.
 */
import { existsSync, readFileSync } from "node:fs";

/** [distribution id, version, codename], as `distro` gives them. */
export type OsTuple = [string, string, string];

export interface MachineInfo {
  multiarch: string;
  os: OsTuple;
}

/** Parse os-release text (shell-style KEY=value, optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\$`])/g, "$1");
    }
    out[match[1]!] = value;
  }
  return out;
}

/** The OS triple `distro` computes from os-release fields. */
export function osTupleFrom(release: Record<string, string>): OsTuple {
  let id = (release.ID ?? "").toLowerCase().replace(/ /g, "_");
  // distro's NORMALIZED_OS_ID
  if (id === "ol") id = "oracle";
  if (id === "opensuse-leap") id = "opensuse";
  const version = release.VERSION_ID ?? "";
  let codename = release.VERSION_CODENAME ?? release.UBUNTU_CODENAME ?? "";
  if (!codename && release.VERSION) {
    // distro parses "12 (bookworm)" or "16.04.3 LTS, Xenial Xerus".
    const paren = /\(([^)]+)\)/.exec(release.VERSION);
    const comma = /,\s*(.+)$/.exec(release.VERSION);
    codename = (paren?.[1] ?? comma?.[1] ?? "").trim();
  }
  return [id, version, codename];
}

const CPU: Record<string, string> = {
  x64: "x86_64",
  arm64: "aarch64",
  ia32: "i686",
  arm: "arm",
  ppc64: "powerpc64le",
  s390x: "s390x",
  riscv64: "riscv64",
  loong64: "loongarch64",
  mips64el: "mips64el",
};

function usesGlibc(): boolean {
  const report = (process as unknown as { report?: { getReport?: () => { header?: { glibcVersionRuntime?: string } } } })
    .report;
  try {
    if (report?.getReport?.().header?.glibcVersionRuntime) return true;
  } catch {
    // fall through to the file check
  }
  return !["/lib/ld-musl-x86_64.so.1", "/lib/ld-musl-aarch64.so.1", "/lib/ld-musl-armhf.so.1"].some(existsSync);
}

/** What `gcc -dumpmachine` prints on this machine's distribution (see the module comment). */
export function multiarchFor(arch: string, release: Record<string, string>, glibc: boolean): string {
  const cpu = CPU[arch] ?? arch;
  const id = (release.ID ?? "").toLowerCase();
  const family = `${id} ${(release.ID_LIKE ?? "").toLowerCase()}`;
  if (!glibc) return `${cpu}-${id === "alpine" ? "alpine" : "pc"}-linux-musl`;
  if (/\b(rhel|fedora|centos)\b/.test(family)) return `${cpu}-redhat-linux`;
  if (/\b(suse|opensuse)\b/.test(family)) return `${cpu}-suse-linux`;
  if (/\barch\b/.test(family)) return `${cpu}-pc-linux-gnu`;
  if (cpu === "arm") return "arm-linux-gnueabihf";
  return `${cpu}-linux-gnu`;
}

let cached: MachineInfo | undefined;

/** This machine's multiarch and OS triple (computed once per process). */
export function machineInfo(): MachineInfo {
  if (cached) return cached;
  let release: Record<string, string> = {};
  for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
    if (!existsSync(path)) continue;
    try {
      release = parseOsRelease(readFileSync(path, "utf8"));
      break;
    } catch {
      // try the next
    }
  }
  cached = { multiarch: multiarchFor(process.arch, release, usesGlibc()), os: osTupleFrom(release) };
  return cached;
}

/** The reference's `_debianize`: raspbian is debian; debian keeps its major version and no codename. */
export function debianize(os: readonly string[]): OsTuple {
  let [name = "", version = "", codename = ""] = os.map((part) => String(part ?? ""));
  name = name.toLowerCase();
  if (name === "raspbian") name = "debian";
  if (name === "debian") {
    if (version.includes(".")) version = version.split(".")[0]!;
    codename = "";
  }
  return [name, version, codename];
}

export function osMatches(a: readonly string[], b: readonly string[]): boolean {
  const x = debianize(a);
  const y = debianize(b);
  return x[0] === y[0] && x[1] === y[1] && x[2] === y[2];
}

/** Same multiarch and a matching OS. */
export function isCompatible(machine: MachineInfo, multiarch: unknown, os: unknown): boolean {
  return multiarch === machine.multiarch && Array.isArray(os) && osMatches(os.map(String), machine.os);
}
