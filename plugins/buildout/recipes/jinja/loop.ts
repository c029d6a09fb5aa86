/** The `loop` variable of a for loop: index, first, last, length, cycle(), changed(), and loop() when recursive. */
import { eq } from "../../py/ops.ts";
import { PyFunction, PyObject, Undefined, typeError, type PyValue } from "../../py/types.ts";

export function loopContext(
  items: PyValue[],
  cursor: { index: number },
  depth: number,
  recurse: ((children: PyValue) => string) | undefined,
): PyObject {
  let lastChanged: PyValue[] | undefined;
  return new PyObject("LoopContext", new Map(), false, (name) => {
    const n = items.length;
    const index = cursor.index;
    switch (name) {
      case "index":
        return index + 1;
      case "index0":
        return index;
      case "revindex":
        return n - index;
      case "revindex0":
        return n - index - 1;
      case "first":
        return index === 0;
      case "last":
        return index === n - 1;
      case "length":
        return n;
      case "depth":
        return depth + 1;
      case "depth0":
        return depth;
      case "previtem":
        return index > 0 ? items[index - 1]! : new Undefined("there is no previous item");
      case "nextitem":
        return index < n - 1 ? items[index + 1]! : new Undefined("there is no next item");
      case "cycle":
        return new PyFunction("cycle", (args) => {
          if (!args.length) throw typeError("no items for cycling given");
          return args[index % args.length]!;
        });
      case "changed":
        return new PyFunction("changed", (args) => {
          if (lastChanged && args.length === lastChanged.length && args.every((a, i) => eq(a, lastChanged![i]!))) return false;
          lastChanged = args;
          return true;
        });
      case "__call__":
        return recurse ? new PyFunction("loop", (args) => recurse(args[0] ?? null)) : undefined;
    }
    return undefined;
  });
}
