/**
 * The names zc.buildout's `_default_globals()` defines for conditions, with
 * the values CPython 3.11 on this Linux machine would give. 2.13 knows
 * pythonXY for 24-27 and 30-36 (so `python311` is a NameError there); the
 * fork (3.0.1) knows 37-315 too, and PEP 508 marker variables.
 */
import { arch, release } from "node:os";
import { fn, tuple, type PyValue } from "./condition-values.ts";

/** The Python buildout claims to run on. */
export const PYTHON_VERSION: readonly [number, number, number] = [3, 11, 2];

const MACHINE = arch() === "x64" ? "x86_64" : arch() === "arm64" ? "aarch64" : arch();
const FULL = PYTHON_VERSION.join(".");
const SHORT = `${PYTHON_VERSION[0]}.${PYTHON_VERSION[1]}`;
const MINOR = `${PYTHON_VERSION[0]}${PYTHON_VERSION[1]}`;

function build(fork: boolean): Record<string, PyValue> {
  const versionInfo: PyValue = {
    t: "tuple",
    items: [PYTHON_VERSION[0], PYTHON_VERSION[1], PYTHON_VERSION[2], "final", 0],
    attrs: { major: PYTHON_VERSION[0], minor: PYTHON_VERSION[1], micro: PYTHON_VERSION[2], releaselevel: "final", serial: 0 },
  };
  const regex = (anchored: boolean) =>
    fn(anchored ? "match" : "search", ([pattern, text]) => {
      if (typeof pattern !== "string" || typeof text !== "string") return null;
      const m = new RegExp(anchored ? `^(?:${pattern})` : pattern).exec(text);
      return m ? { t: "obj", name: "Match", attrs: { group: fn("group", () => m[0]) } } : null;
    });
  const scope: Record<string, PyValue> = {
    sys: {
      t: "obj",
      name: "sys",
      attrs: {
        version_info: versionInfo,
        version: `${FULL} (main) [GCC]`,
        platform: "linux",
        byteorder: "little",
        maxsize: 2 ** 63 - 1,
        hexversion: (PYTHON_VERSION[0] << 24) | (PYTHON_VERSION[1] << 16) | (PYTHON_VERSION[2] << 8) | 0xf0,
        implementation: { t: "obj", name: "implementation", attrs: { name: "cpython" } },
        executable: "/usr/bin/python3",
      },
    },
    os: {
      t: "obj",
      name: "os",
      attrs: {
        name: "posix",
        sep: "/",
        pathsep: ":",
        linesep: "\n",
        curdir: ".",
        pardir: "..",
        getenv: fn("getenv", ([key, fallback]) => process.env[String(key)] ?? fallback ?? null),
        environ: {
          t: "obj",
          name: "environ",
          attrs: { get: fn("get", ([key, fallback]) => process.env[String(key)] ?? fallback ?? null) },
        },
      },
    },
    platform: {
      t: "obj",
      name: "platform",
      attrs: {
        system: fn("system", () => "Linux"),
        machine: fn("machine", () => MACHINE),
        release: fn("release", () => release()),
        python_version: fn("python_version", () => FULL),
        python_version_tuple: fn("python_version_tuple", () => tuple(...PYTHON_VERSION.map(String))),
        python_implementation: fn("python_implementation", () => "CPython"),
        architecture: fn("architecture", () => tuple("64bit", "ELF")),
      },
    },
    re: { t: "obj", name: "re", attrs: { match: regex(true), search: regex(false) } },
    python2: PYTHON_VERSION[0] === 2,
    python3: PYTHON_VERSION[0] === 3,
    cpython: true,
    pypy: false,
    jython: false,
    ironpython: false,
    linux: true,
    windows: false,
    cygwin: false,
    solaris: false,
    macosx: false,
    posix: true,
    bits32: false,
    bits64: true,
    little_endian: true,
    big_endian: false,
    len: fn("len", ([x]) => {
      if (typeof x === "string") return x.length;
      if (x && typeof x === "object" && (x.t === "tuple" || x.t === "list")) return x.items.length;
      return 0;
    }),
    str: fn("str", ([x]) => (x === undefined ? "" : typeof x === "string" ? x : JSON.stringify(x))),
    int: fn("int", ([x]) => (typeof x === "string" ? Number.parseInt(x, 10) : Number(x ?? 0))),
    bool: fn("bool", ([x]) => Boolean(x)),
  };
  const minors = ["24", "25", "26", "27", "30", "31", "32", "33", "34", "35", "36"];
  if (fork) for (let m = 7; m <= 15; m++) minors.push(`3${m}`);
  for (const v of minors) scope[`python${v}`] = v === MINOR;
  if (fork) {
    Object.assign(scope, {
      python_version: { t: "ver", s: SHORT },
      python_full_version: { t: "ver", s: FULL },
      implementation_version: { t: "ver", s: FULL },
      platform_release: { t: "ver", s: release() },
      os_name: "posix",
      sys_platform: "linux",
      platform_system: "Linux",
      platform_machine: MACHINE,
      platform_python_implementation: "CPython",
      implementation_name: "cpython",
      extra: "",
    } satisfies Record<string, PyValue>);
  }
  return scope;
}

const cache = new Map<boolean, Record<string, PyValue>>();

/** The condition namespace (built once per mode). */
export function globalsFor(fork: boolean): Record<string, PyValue> {
  let scope = cache.get(fork);
  if (!scope) cache.set(fork, (scope = build(fork)));
  return scope;
}
