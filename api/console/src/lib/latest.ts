/**
 * Drops stale answers: each call takes a generation number, and only the answer of the newest call is applied.
 * Without it a slow answer to an old filter (or an old page, or the previous sandbox) could land after the answer
 * to the current one and overwrite it.
 */
export class Latest {
  private generation = 0;

  /** Runs the call; its result reaches {@code apply} only if no later call started meanwhile. */
  async run<T>(call: () => Promise<T>, apply: (value: T) => void, fail: (error: unknown) => void = () => {}): Promise<void> {
    const mine = ++this.generation;
    try {
      const value = await call();
      if (mine === this.generation) {
        apply(value);
      }
    } catch (error) {
      if (mine === this.generation) {
        fail(error);
      }
    }
  }

  /** Makes every answer still on its way stale (the page is leaving). */
  invalidate(): void {
    this.generation++;
  }
}
