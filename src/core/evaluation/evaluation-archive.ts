/**
 * Rebuilding a results archive with the user's evaluation choices: the threshold picked in the
 * what-if and a comparison with a previous run. The archive is first built when a run ends (with
 * the API's own decision); a changed choice rebuilds it from the same report input, or — for an
 * archive reopened from disk — from its own results/*.json and run.json (never its xlsx).
 *
 * Labels of a reopened archive are the records' `expected` fields (report.ts wrote them).
 */
import type { Comparison } from './compare.ts';
import type { AttributeTable } from './input.ts';
import type { EvaluationInput } from './evaluation-report.ts';
import type { Expected } from '../pairing/labels.ts';
import { reportInputOfArchive } from '../run/report-input.ts';
import type { ReadResultsArchive } from '../archive/archive-read.ts';
import type { ReportInput } from '../archive/report.ts';

/** Labels of a reopened archive: the records' `expected` fields (run/report-input.ts). */
export { labelsFromRecords, RECORD_LABELS_SOURCE } from '../run/report-input.ts';

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

/** A report input that rebuilds an archive read back with readResultsArchive (run/report-input.ts, the one builder). */
export function reportInputFromArchive(read: ReadResultsArchive): ReportInput {
  const { evaluation: _e, ...input } = reportInputOfArchive(read);
  return input;
}
