/**
 * A string that changes exactly when a chart's data does: the charts compare it before calling into the canvas, so
 * a poll that brought the same points redraws nothing.
 */
export function fingerprint(columns: ArrayLike<number | null>[]): string {
  return columns.map((column) => Array.from(column, (v) => (v === null ? '-' : String(v))).join(',')).join('|');
}
