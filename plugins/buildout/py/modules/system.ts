/**
 * `sys` and `platform` as CPython 3.11 on this Linux machine shows them
 * (what section conditions test: `sys.version_info >= (3, 8)`,
 * `platform.system() == "Linux"`), and the `os` members beside `os.path`.
 */
import { arch, hostname, release, version } from "node:os";
import { REQUIRED, builtin } from "../args.ts";
import { pyStr } from "../repr.ts";
import { PyDict, PyObject, PyTuple, type PyValue } from "../types.ts";
import { makeModule } from "./module.ts";

/** The Python the native engine answers as (Debian bookworm's). */
export const PYTHON_VERSION: readonly [number, number, number] = [3, 11, 2];
const FULL = PYTHON_VERSION.join(".");
const MACHINE = arch() === "x64" ? "x86_64" : arch() === "arm64" ? "aarch64" : arch();

function versionInfo(): PyTuple {
  return new PyTuple([...PYTHON_VERSION, "final", 0], {
    type: "sys.version_info",
    fields: ["major", "minor", "micro", "releaselevel", "serial"],
  });
}

export function sysModule(): PyObject {
  const implementation = new PyObject(
    "types.SimpleNamespace",
    new Map<string, PyValue>([
      ["name", "cpython"],
      ["cache_tag", `cpython-${PYTHON_VERSION[0]}${PYTHON_VERSION[1]}`],
      ["version", versionInfo()],
    ]),
  );
  return makeModule("sys", [
    ["version_info", versionInfo()],
    ["version", `${FULL} (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]`],
    ["platform", "linux"],
    ["byteorder", "little"],
    ["maxsize", 2 ** 63 - 1],
    ["maxunicode", 0x10ffff],
    ["hexversion", (PYTHON_VERSION[0] << 24) | (PYTHON_VERSION[1] << 16) | (PYTHON_VERSION[2] << 8) | 0xf0],
    ["implementation", implementation],
    ["executable", "/usr/bin/python3"],
    ["prefix", "/usr"],
    ["base_prefix", "/usr"],
    ["exec_prefix", "/usr"],
    ["argv", []],
  ]);
}

export function platformModule(): PyObject {
  return makeModule("platform", [
    builtin("system", [], () => "Linux"),
    builtin("machine", [], () => MACHINE),
    builtin("processor", [], () => ""),
    builtin("node", [], () => hostname()),
    builtin("release", [], () => release()),
    builtin("version", [], () => version()),
    builtin("python_version", [], () => FULL),
    builtin("python_version_tuple", [], () => new PyTuple(PYTHON_VERSION.map(String))),
    builtin("python_implementation", [], () => "CPython"),
    builtin("architecture", [["executable", "/usr/bin/python3"]], () => new PyTuple(["64bit", "ELF"])),
  ]);
}

/** os's members other than os.path (which the caller adds). */
export function osMembers(): Array<[string, PyValue] | ReturnType<typeof builtin>> {
  const environ = () => PyDict.from(Object.entries(process.env).map(([k, v]) => [k, v ?? ""] as [PyValue, PyValue]));
  return [
    ["name", "posix"],
    ["sep", "/"],
    ["altsep", null],
    ["extsep", "."],
    ["pathsep", ":"],
    ["linesep", "\n"],
    ["curdir", "."],
    ["pardir", ".."],
    ["devnull", "/dev/null"],
    ["environ", environ()],
    builtin("getenv", [["key", REQUIRED], ["default", null]], (key, fallback) => process.env[pyStr(key)] ?? fallback),
  ];
}
