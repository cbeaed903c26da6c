/** One line of the benchmark table (`npm run bench`), also written to bench/results.json. */
export interface BenchRow {
  /** Benchmark name, as given on the command line (e.g. "zip-open"). */
  name: string;
  /** What was measured, in words. */
  figure: string;
  /** The measured value (the median when the figure was run several times). */
  value: number;
  unit: string;
  /** The same-run baseline, in the same unit; null when the figure has none. */
  baseline: number | null;
  baselineLabel: string;
  /** value / baseline; null when there is no baseline. */
  ratio: number | null;
  /** The budget, in words (e.g. "ratio ≤ 1.2", "≤ 1500 ms"). */
  budget: string;
  pass: boolean;
  runs?: { median: number; min: number; max: number; n: number };
  notes?: string;
}
