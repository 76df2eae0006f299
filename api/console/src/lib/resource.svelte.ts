import { Latest } from './latest';

/**
 * One thing a page shows from the API: its last answer, or the error of the last call, with stale answers dropped
 * (Latest). `value` stays null until the first answer, which is when a page shows its skeleton; later polls
 * replace it in place, so nothing blinks.
 */
export class Resource<T> {
  value = $state<T | null>(null);
  error = $state<unknown>(null);
  private readonly latest = new Latest();

  constructor(private readonly fetch: () => Promise<T>) {}

  /** For poll(): the fetch reads the page's state (a filter, a range), so a new call asks with the new one. */
  readonly load = (): Promise<void> =>
    this.latest.run(
      this.fetch,
      (value) => {
        this.value = value;
        this.error = null;
      },
      (error) => (this.error = error),
    );

  /** First load not answered yet and nothing failed: the moment for a skeleton. */
  get loading(): boolean {
    return this.value === null && !this.error;
  }
}
