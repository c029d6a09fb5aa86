/**
 * Python's `round(x, n)` on floats, which the reference applies to the
 * figures of the monitor JSON and to psutil's percentages: the correctly
 * rounded decimal, exact ties to even (JavaScript's toFixed sends them to
 * the larger neighbour).
 */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const scaled = x * 10 ** digits;
  if (Math.abs(scaled) >= 2 ** 52) return x;
  const text = x.toFixed(digits);
  // A tie is exact only
  // when x is a dyadic rational whose decimal expansion ends in 5 right after `digits` places.
  const exact = x.toFixed(digits + 30).replace(/0+$/, "");
  const fraction = exact.split(".")[1] ?? "";
  if (fraction.length === digits + 1 && fraction.endsWith("5")) {
    const towardZero = Math.trunc(scaled);
    const even = towardZero % 2 === 0 ? towardZero : towardZero + Math.sign(x);
    return Number((even / 10 ** digits).toFixed(digits));
  }
  return Number(text);
}

