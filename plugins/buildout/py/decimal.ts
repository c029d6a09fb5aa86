/**
 * Correctly rounded decimal formatting of doubles, as Python does it
 * (round-half-even on the exact binary value): JS's toFixed and
 * toExponential round exact ties up, Python rounds them to even
 * (`'%.2f' % 0.125` is `0.12`, `round(2.5)` is `2`).
 */

/** The exact decimal digits of |x| and the exponent of the first one (x = d.ddd × 10^exp). */
function exactDigits(x: number): { digits: string; exp: number } {
  const [mantissa, expText] = Math.abs(x).toExponential(99).split("e") as [string, string];
  return { digits: mantissa.replace(".", "").replace(/0+$/, "") || "0", exp: Number(expText) };
}

/** Keep `keep` significant digits, half-even; may carry into a new leading digit. */
function roundDigits(digits: string, exp: number, keep: number): { digits: string; exp: number } {
  if (keep >= digits.length) return { digits: digits.padEnd(keep, "0"), exp };
  if (keep < 0) return { digits: "", exp };
  const next = Number(digits[keep]);
  const rest = digits.slice(keep + 1);
  const previous = keep > 0 ? Number(digits[keep - 1]) : 0;
  const up = next > 5 || (next === 5 && (/[1-9]/.test(rest) || previous % 2 === 1));
  let kept = digits.slice(0, keep);
  if (!up) return { digits: kept, exp };
  // Add one at the last kept digit, with carry.
  const chars = kept.split("").map(Number);
  let i = chars.length - 1;
  while (i >= 0) {
    if (chars[i]! < 9) {
      chars[i]! += 1;
      break;
    }
    chars[i] = 0;
    i--;
  }
  kept = chars.join("");
  if (i < 0) return { digits: "1" + kept, exp: exp + 1 };
  return { digits: kept, exp };
}

/** |x| with `places` decimals (Python's '%.Nf' without the sign). */
export function fixedAbs(x: number, places: number): string {
  if (x === 0) return places > 0 ? "0." + "0".repeat(places) : "0";
  const { digits, exp } = exactDigits(x);
  const keep = exp + 1 + places;
  const r = keep <= 0 && keep < 0 ? { digits: "", exp } : roundDigits(digits, exp, keep);
  // r.digits represent the number with its first digit at 10^r.exp, `places` decimals in total.
  const totalDigits = r.exp + 1 + places;
  const all = totalDigits <= 0 ? "" : r.digits.padEnd(totalDigits, "0").slice(0, totalDigits);
  const intLength = r.exp + 1;
  let intPart: string;
  let frac: string;
  if (intLength <= 0) {
    intPart = "0";
    frac = ("0".repeat(-intLength) + all).padEnd(places, "0").slice(0, places);
  } else {
    intPart = all.slice(0, intLength) || "0";
    frac = all.slice(intLength);
  }
  return places > 0 ? `${intPart}.${frac}` : intPart;
}

/** |x| as d.ddd with `places` decimals and its exponent (Python's '%.Ne' parts). */
export function exponentialAbs(x: number, places: number): { mantissa: string; exp: number } {
  if (x === 0) return { mantissa: places > 0 ? "0." + "0".repeat(places) : "0", exp: 0 };
  const { digits, exp } = exactDigits(x);
  const r = roundDigits(digits, exp, places + 1);
  const d = r.digits.padEnd(places + 1, "0");
  return { mantissa: places > 0 ? `${d[0]}.${d.slice(1)}` : d[0]!, exp: r.exp };
}

/** Python's round(x, n) for floats. */
export function roundHalfEven(x: number, places: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (places < 0) {
    const f = 10 ** -places;
    return roundHalfEven(x / f, 0) * f;
  }
  const text = fixedAbs(x, places);
  return (x < 0 ? -1 : 1) * Number(text);
}
