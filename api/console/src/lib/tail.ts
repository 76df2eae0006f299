/**
 * The part of `current` that follows what `shown` already ends with. Output arrives as tails of one growing text,
 * never with offsets, so after a reconnect the server sends the running step's whole tail again; the longest suffix
 * of `shown` that is a prefix of `current` is what both have (the server's TailOverlap, same rule, same KMP).
 */
export function newText(shown: string, current: string): string {
  if (!shown) {
    return current;
  }
  // Only the last current.length characters of shown can overlap.
  const window = shown.length > current.length ? shown.slice(shown.length - current.length) : shown;
  const combined = current + '\u0000' + window;
  const prefix = new Array<number>(combined.length).fill(0);
  for (let i = 1; i < combined.length; i++) {
    let k = prefix[i - 1];
    while (k > 0 && combined[i] !== combined[k]) {
      k = prefix[k - 1];
    }
    if (combined[i] === combined[k]) {
      k++;
    }
    prefix[i] = k;
  }
  return current.slice(prefix[combined.length - 1]);
}
