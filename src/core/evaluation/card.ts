/**
 * The report card of a labelled run, built once for the app, summary.xlsx, report.html and the
 * CLI: failures to acquire and both FMR/FNMR conventions, error rates by group, thresholds for
 * target FMRs, and (with a comparison) whether the difference between the runs is real.
 *
 * labels.csv columns beyond pair_id and expected:
 *  - `subject1` and `subject2` (or `subject`, e.g. for same-person pairs) name the people in a
 *    pair: intervals then come from a bootstrap over subjects (intervals.ts), otherwise Wilson.
 *  - every other column (`sex`, `age_band`, `capture`, ...) is a grouping (groups.ts).
 */
import type { Comparison } from './compare.ts';
import type { EvalRow } from './evaluation.ts';
import type { Expected } from '../pairing/labels.ts';
import { acquisitionAt, type Acquisition } from './acquisition.ts';
import { labelColumns, type AttributeTable } from './input.ts';
import { groupings, type Grouping } from './groups.ts';
import { intervalPlan, intervalSentence, type IntervalMethod } from './intervals.ts';
import { runDifference, type RunDifference } from './significance.ts';
import { DEFAULT_TARGET_FMRS, thresholdForTargetFmr, type TargetFmr } from './target-fmr.ts';

export interface CardOptions {
  /** Extra label columns; absent: no groups, Wilson intervals. */
  attributes?: AttributeTable;
  /** The run's threshold (null: the API's decision). */
  threshold: number | null;
  /** Target FMRs (fractions); default 1 % and 0.1 %. */
  targetFmrs?: readonly number[];
  seed?: number;
}

export interface ReportCard {
  intervals: { method: IntervalMethod; sentence: string };
  threshold: number | null;
  /** FTA and both conventions at the run's threshold. */
  acquisition: Acquisition;
  groupColumns: string[];
  subjectColumns: string[];
  groups: Grouping[];
  targets: TargetFmr[];
}

export function reportCard(rows: readonly EvalRow[], opts: CardOptions): ReportCard {
  const cols = labelColumns(opts.attributes);
  const plan = intervalPlan(rows.length, (i) => (rows[i]!.expected === null ? [] : cols.subjectsOf(rows[i]!.pair_id)), opts.seed !== undefined ? { seed: opts.seed } : {});
  return {
    intervals: { method: plan.method, sentence: intervalSentence(plan) },
    threshold: opts.threshold,
    acquisition: acquisitionAt(rows, opts.threshold, plan),
    groupColumns: cols.groupColumns,
    subjectColumns: cols.subjectColumns,
    groups: groupings(rows, opts.threshold, plan, cols.groupColumns, (i) => cols.groupValuesOf(rows[i]!.pair_id)),
    targets: (opts.targetFmrs ?? DEFAULT_TARGET_FMRS).map((t) => thresholdForTargetFmr(rows, t, plan)),
  };
}

/** McNemar's test and rate deltas of a comparison, with the same subjects as the card's intervals. */
export function cardDifference(c: Comparison, labels: ReadonlyMap<string, Expected>, opts: Pick<CardOptions, 'attributes' | 'seed'>): RunDifference | null {
  const cols = labelColumns(opts.attributes);
  return runDifference(c, labels, { subjectsOf: cols.subjectsOf, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
}
