/**
 * Rebuilding a results archive with the user's evaluation choices: the threshold picked in the
 * what-if and a comparison with a previous run. The archive is first built when a run ends (with
 * the API's own decision); a changed choice rebuilds it from the same report input, or — for an
 * archive reopened from disk — from its own results/*.json and run.json (never its xlsx).
 *
 * Labels of a reopened archive are the records' `expected` fields (report.ts wrote them).
 */
import type { Comparison } from './compare.ts';
import type { AttributeTable } from './evaluation/input.ts';
import type { EvaluationInput } from './evaluation-report.ts';
import type { Expected } from './labels.ts';
import { MANIFEST_FORMAT, type RunManifest } from './manifest.ts';
import type { ReadResultsArchive } from './archive-read.ts';
import type { PairRecord } from './records.ts';
import type { ReportInput } from './report.ts';

/** Where a reopened archive's labels are said to come from. */
export const RECORD_LABELS_SOURCE = 'the expected field of the archive’s records';

/** pair_id → expected, from records that carry an `expected` of "same" or "different". */
export function labelsFromRecords(records: readonly PairRecord[]): Map<string, Expected> {
  const labels = new Map<string, Expected>();
  for (const r of records) {
    if ((r.expected === 'same' || r.expected === 'different') && !labels.has(r.pair_id)) labels.set(r.pair_id, r.expected);
  }
  return labels;
}

/** What the user chose for the archive: the what-if threshold (null: the API's decision) and a comparison. */
export interface EvaluationChoice {
  /** Labels to evaluate with; null or empty leaves the evaluation out. */
  labels: ReadonlyMap<string, Expected> | null;
  labelsSource: string;
  /** labels.csv's other columns (subjects, groupings), when it has any. */
  attributes?: AttributeTable | undefined;
  /** Target FMRs to give thresholds for (default 1 % and 0.1 %). */
  targetFmrs?: readonly number[];
  threshold: number | null;
  comparison: Comparison | null;
}

/** The report input with the user's choice applied (labels, threshold used, comparison). */
export function withEvaluationChoice(input: ReportInput, choice: EvaluationChoice): ReportInput {
  const { evaluation: _e, comparison: _c, ...rest } = input;
  const evaluation: EvaluationInput | null = choice.labels && choice.labels.size
    ? {
      labels: [...choice.labels], labelsSource: choice.labelsSource, threshold: choice.threshold,
      ...(choice.attributes ? { attributes: choice.attributes } : {}), ...(choice.targetFmrs ? { targetFmrs: choice.targetFmrs } : {}),
    }
    : null;
  return {
    ...rest,
    ...(evaluation ? { evaluation } : {}),
    ...(choice.comparison ? { comparison: choice.comparison } : {}),
  };
}

/**
 * A report input that rebuilds an archive read back with readResultsArchive: its records (with
 * expected/outcome left for report.ts to recompute), contract, endpoint, times, skipped files,
 * notices and, when it is one of ours, run.json as it was.
 */
export function reportInputFromArchive(read: ReadResultsArchive): ReportInput {
  const { run } = read;
  const manifest = run.manifest && run.manifest.format === MANIFEST_FORMAT ? (run.manifest as unknown as RunManifest) : undefined;
  const s = run.settings;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const timeoutMs = num(s?.timeout_ms ?? s?.timeoutMs);
  const retries = num(s?.retries);
  const concurrency = num(s?.concurrency);
  const rate = s ? (s.max_requests_per_second ?? s.ratePerSecond) : undefined;
  const records = read.records.map((r) => {
    const { expected: _x, outcome: _o, ...seed } = r;
    return seed as PairRecord;
  });
  return {
    records,
    skipped: [...run.skipped],
    notices: [...run.notices],
    contract: run.contract,
    endpoint: run.endpoint ?? '',
    startedAt: run.startedAt ?? '',
    finishedAt: run.finishedAt ?? '',
    ...(run.stopReason ? { stopReason: run.stopReason } : {}),
    ...(timeoutMs !== undefined && retries !== undefined
      ? { settings: { timeoutMs, retries, ...(concurrency !== undefined ? { concurrency } : {}), ratePerSecond: typeof rate === 'number' ? rate : null } }
      : {}),
    ...(run.input?.name ? { inputZip: { name: run.input.name, size: run.input.size ?? 0 } } : {}),
    ...(run.appVersion ? { appVersion: run.appVersion } : {}),
    ...(manifest ? { manifest } : {}),
  };
}
