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
import type { Comparison } from '../compare.ts';
import type { EvalRow } from '../evaluation.ts';
import type { Expected, LabelAttributes } from '../labels.ts';
import { acquisitionAt, type Acquisition } from './acquisition.ts';
import { groupings, type Grouping } from './groups.ts';
import { intervalPlan, intervalSentence, type IntervalMethod } from './intervals.ts';
import { runDifference, type RunDifference } from './significance.ts';
import { DEFAULT_TARGET_FMRS, thresholdForTargetFmr, type TargetFmr } from './target-fmr.ts';

/** Column names (lower case, spaces as _) that name a pair's people rather than a group. */
export const SUBJECT_COLUMNS = ['subject1', 'subject2', 'subject'] as const;

const norm = (c: string) => c.trim().toLowerCase().replace(/\s+/g, '_');

/** The extra label columns, structured-clone friendly (as the archive input carries them). */
export interface AttributeTable {
  columns: readonly string[];
  /** [pair_id, one value per column]. */
  rows: readonly (readonly [string, readonly string[]])[];
}

export function attributeTable(a: LabelAttributes | undefined): AttributeTable | undefined {
  return a ? { columns: [...a.columns], rows: [...a.values] } : undefined;
}

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

/** Subjects and group values of a pair, by pair_id. */
export function labelColumns(attributes: AttributeTable | undefined): {
  subjectColumns: string[];
  groupColumns: string[];
  subjectsOf: (pairId: string) => string[];
  groupValuesOf: (pairId: string) => string[] | null;
} {
  const cols = attributes?.columns ?? [];
  const values = new Map(attributes?.rows ?? []);
  const subjectIdx = cols.flatMap((c, k) => ((SUBJECT_COLUMNS as readonly string[]).includes(norm(c)) ? [k] : []));
  const groupIdx = cols.flatMap((_c, k) => (subjectIdx.includes(k) ? [] : [k]));
  return {
    subjectColumns: subjectIdx.map((k) => cols[k]!),
    groupColumns: groupIdx.map((k) => cols[k]!),
    subjectsOf: (id) => {
      const v = values.get(id);
      return v ? subjectIdx.map((k) => v[k] ?? '').filter((s) => s !== '') : [];
    },
    groupValuesOf: (id) => {
      const v = values.get(id);
      return v ? groupIdx.map((k) => v[k] ?? '') : null;
    },
  };
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
