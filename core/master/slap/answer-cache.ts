/**
 * Answers of requestComputerPartition re-requests, by request body. A node
 * re-requests the same instances with the same parameters at every run;
 * when nothing was committed since (the store's generation is the same),
 * the same body gets the same answer, so it is given again without
 * parsing, a transaction or marshalling. Only answers that depend on the
 * database and the body alone are kept (the caller decides: see routes.ts),
 * and only those of one generation: any write empties the cache.
 */
export class AnswerCache {
  private generation = "";
  private readonly answers = new Map<string, string>();

  /** `limit` bounds the memory (a body and its answer are 2–4 KiB): 1,024 covers a big node's instances. */
  constructor(private readonly limit = 1024) {}

  /** The answer given to `body` at `generation`, if it was kept. */
  get(body: string, generation: string): string | undefined {
    return generation === this.generation ? this.answers.get(body) : undefined;
  }

  /** Keep the answer given to `body` while the store was at `generation`. */
  set(body: string, generation: string, answer: string): void {
    if (generation !== this.generation) {
      this.answers.clear();
      this.generation = generation;
    } else if (this.answers.size >= this.limit) {
      this.answers.delete(this.answers.keys().next().value!); // the oldest
    }
    this.answers.set(body, answer);
  }
}
