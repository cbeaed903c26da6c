/**
 * Failures to acquire and the two conventions for counting them in FMR and FNMR.
 *
 * A labelled pair the API did not decide (HTTP error, timeout, no face, no verdict, never sent) is
 * a failure to acquire (FTA). Per side:
 *  - FTA (same-person)      = same-person pairs without a decision ÷ same-person pairs
 *  - FTA (different-person) = different-person pairs without a decision ÷ different-person pairs
 *
 * **Failures excluded** (ISO/IEC 19795-1's FMR/FNMR, and the playground's headline figures):
 *  - FMR  = FP ÷ (FP + TN),  FNMR = FN ÷ (FN + TP): undecided pairs are left out.
 * **Failures included** (as NIST FRTE counts a failed template):
 *  - FNMR = (FN + same-person failures) ÷ same-person pairs: a failure is a false non-match.
 *  - FMR  = FP ÷ different-person pairs: a failure is a correct rejection.
 * A vendor that answers "no face" to every hard same-person pair looks better under the first.
 */
import { outcomeAt, type EvalRow, type Outcome, type Rate } from './evaluation.ts';
import { ratesWith, type IntervalPlan, type RateSpec } from './intervals.ts';

export type Convention = 'excluded' | 'included';

/** How each convention is named wherever its figures are shown. */
export const CONVENTION_LABELS: Record<Convention, string> = {
  excluded: 'failures excluded',
  included: 'failures included',
};

export const CONVENTION_NOTES: Record<Convention, string> = {
  excluded: 'pairs without a decision (error, timeout, no face, never sent) are left out and counted as failures to acquire',
  included: 'a same-person pair without a decision counts as a false non-match, a different-person pair without a decision as a correct rejection',
};

export interface Acquisition {
  /** Labelled pairs counted. */
  pairs: number;
  same: number;
  different: number;
  fta: { all: Rate; same: Rate; different: Rate };
  excluded: { fmr: Rate; fnmr: Rate };
  included: { fmr: Rate; fnmr: Rate };
}

/**
 * FTA per side and FMR/FNMR under both conventions, at a threshold (null: the API's decision),
 * over `subset` (row indices; default all rows). Unlabelled rows are never counted.
 */
export function acquisitionAt(rows: readonly EvalRow[], threshold: number | null, plan: IntervalPlan, subset?: readonly number[]): Acquisition {
  const indices = subset ?? rows.map((_, i) => i);
  const same: number[] = [];
  const different: number[] = [];
  const outcome = new Map<number, Outcome>();
  for (const i of indices) {
    const o = outcomeAt(rows[i]!, threshold);
    if (o === null) continue;
    outcome.set(i, o);
    (rows[i]!.expected === 'same' ? same : different).push(i);
  }
  const is = (...os: Outcome[]) => new Set([...outcome].flatMap(([i, o]) => (os.includes(o) ? [i] : [])));
  const failed = is('error');
  const fn = is('FN');
  const fp = is('FP');
  const decidedSame = same.filter((i) => !failed.has(i));
  const decidedDiff = different.filter((i) => !failed.has(i));
  const specs: RateSpec[] = [
    { noun: 'labelled', trials: [...same, ...different], errors: failed },
    { noun: 'same-person', trials: same, errors: failed },
    { noun: 'different-person', trials: different, errors: failed },
    { noun: 'different-person', trials: decidedDiff, errors: fp },
    { noun: 'same-person', trials: decidedSame, errors: fn },
    { noun: 'different-person', trials: different, errors: fp },
    { noun: 'same-person', trials: same, errors: new Set([...fn, ...failed]) },
  ];
  const [all, ftaSame, ftaDiff, fmrEx, fnmrEx, fmrIn, fnmrIn] = ratesWith(plan, specs) as [Rate, Rate, Rate, Rate, Rate, Rate, Rate];
  return {
    pairs: same.length + different.length,
    same: same.length,
    different: different.length,
    fta: { all, same: ftaSame, different: ftaDiff },
    excluded: { fmr: fmrEx, fnmr: fnmrEx },
    included: { fmr: fmrIn, fnmr: fnmrIn },
  };
}
