/**
 * Evaluation is written once, as generators, and driven two ways: resolving
 * never waits (every step completes synchronously), while a run awaits the
 * promises recipe factories return in the middle of a substitution, since
 * zc.buildout constructs a part's recipe while the section that references
 * it is being evaluated.
 */

/** A computation that may pause on a promise. */
export type Step<T> = Generator<Promise<unknown>, T, unknown>;

/** Run a step that must not wait; a pending promise is a programming error named by `what`. */
export function runSync<T>(step: Step<T>, what = "this evaluation"): T {
  const r = step.next();
  if (!r.done) {
    // Abandon the generator so its finally blocks run.
    step.return(undefined as T);
    throw new Error(`${what} needs an asynchronous recipe: initialise the section with await buildout.section() first`);
  }
  return r.value;
}

/** Run a step, awaiting every promise it yields and resuming it with the result (or the error). */
export async function runAsync<T>(step: Step<T>): Promise<T> {
  let input: unknown;
  let error: unknown;
  let failed = false;
  for (;;) {
    const r = failed ? step.throw(error) : step.next(input);
    failed = false;
    if (r.done) return r.value;
    try {
      input = await r.value;
    } catch (caught) {
      error = caught;
      failed = true;
    }
  }
}
