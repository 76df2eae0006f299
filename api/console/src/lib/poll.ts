/**
 * Calls `tick` now and then every `intervalMs`, but never while the tab is hidden (Page Visibility API): a hidden
 * console costs the API nothing, and on return it refreshes at once. A tick that is still running when the next is
 * due is not doubled. Returns the stop function: called from an $effect that reads the interval's inputs (a build
 * that starts running, a range), so a new interval takes effect at once rather than after the old one's wait.
 */
export function poll(tick: () => Promise<unknown>, intervalMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running = false;

  const schedule = () => {
    clearTimeout(timer);
    if (!stopped && !document.hidden) {
      timer = setTimeout(run, intervalMs);
    }
  };
  const run = async () => {
    if (stopped || document.hidden || running) {
      return;
    }
    running = true;
    try {
      await tick();
    } finally {
      running = false;
      schedule();
    }
  };
  const visibility = () => {
    if (document.hidden) {
      clearTimeout(timer);
    } else {
      void run();
    }
  };
  document.addEventListener('visibilitychange', visibility);
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', visibility);
  };
}
