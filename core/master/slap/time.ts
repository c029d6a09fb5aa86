/**
 * Timestamps as the reference stores them (`time.time()`, a REAL of
 * seconds), but never equal to the previous one: two changes in the same
 * microsecond still give strictly increasing values, which slapgrid needs
 * to see that something changed (slap-protocol.md §4.8).
 */
let last = 0;

export function nextTimestamp(): number {
  const now = (performance.timeOrigin + performance.now()) / 1000;
  // Round to the microsecond, as time.time() has it.
  let value = Math.round(now * 1e6) / 1e6;
  if (value <= last) value = Math.round((last + 1e-6) * 1e6) / 1e6;
  if (value <= last) value = last + 2 ** -20; // beyond float precision at this magnitude
  last = value;
  return value;
}
