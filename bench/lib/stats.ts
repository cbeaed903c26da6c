/** Small helpers shared by the benchmarks: run statistics and number formatting. */

export interface RunStats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarise(values: readonly number[]): RunStats {
  if (values.length === 0) throw new Error('summarise() needs at least one value.');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** Rounds to a sensible number of significant places for the table and the JSON. */
export function round(n: number, places = 2): number {
  const f = 10 ** places;
  return Math.round(n * f) / f;
}

export function fmt(n: number | null | undefined, places = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const r = round(n, places);
  return Math.abs(r) >= 1000 ? r.toLocaleString('en', { maximumFractionDigits: places }) : String(r);
}

export const MB = 1024 * 1024;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
