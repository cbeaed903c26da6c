/**
 * Is the difference between two runs on the same labelled pairs real, or noise?
 *
 *  - A labelled pair is decided right by a run when its outcome is TP or TN; wrong when it is FP,
 *    FN or has no decision (as in the CLI's accuracy).
 *  - McNemar's exact test looks only at the discordant pairs: b = right before and wrong after,
 *    c = wrong before and right after. Under "no difference" each discordant pair is a fair coin,
 *    so the two-sided p-value is min(1, 2·P(X ≤ min(b, c))) for X ~ Binomial(b + c, ½)
 *    (@stdlib/stats-base-dists-binomial-cdf). Significant at 5 % when p < 0.05.
 *  - FMR and FNMR (failures excluded) of each run on the pairs both runs have, their difference
 *    (after − before) and its 95 % interval from a paired bootstrap: the same resampled pairs (or
 *    subjects, when labels name them) feed both runs.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import type { Comparison } from './compare.ts';
import { detPoints, operatingPoints, outcomeOf, rate, scoresOf, type DetPoint, type EvalRow, type Outcome, type Rate } from './evaluation.ts';
import type { Expected } from '../pairing/labels.ts';
import { bootstrapInterval, intervalPlan } from './intervals.ts';

/** Two-sided exact McNemar p-value for b and c discordant pairs. */
export function mcnemarExactP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
}

export const SIGNIFICANCE_LEVEL = 0.05;

export interface RateDelta {
  before: Rate;
  after: Rate;
  /** after − before; null when either is not measurable. */
  delta: number | null;
  low: number | null;
  high: number | null;
}

export interface RunDifference {
  before: string;
  after: string;
  /** Labelled pairs in both runs. */
  pairs: number;
  errorsBefore: number;
  errorsAfter: number;
  /** Right before, wrong after. */
  b: number;
  /** Wrong before, right after. */
  c: number;
  p: number;
  significant: boolean;
  /** "<after> makes fewer errors than <before> (…); the difference is not statistically significant at 5 % (…)". */
  sentence: string;
  fmr: RateDelta;
  fnmr: RateDelta;
}

/** "0.031", "< 0.001", "1". */
export function formatP(p: number): string {
  if (p < 0.001) return '< 0.001';
  if (p >= 0.9995) return '1';
  return p.toFixed(3);
}

function sentenceOf(d: Omit<RunDifference, 'sentence' | 'fmr' | 'fnmr'>): string {
  const test = `McNemar's exact test on ${d.b + d.c} pair(s) decided right by one run and wrong by the other, p = ${formatP(d.p)}`;
  const sig = `the difference is ${d.significant ? '' : 'not '}statistically significant at 5 % (${test})`;
  if (d.errorsAfter === d.errorsBefore) return `Both runs make ${d.errorsAfter} error(s) on the ${d.pairs} labelled pair(s) they share; ${sig}.`;
  const [fewer, more, few, many] = d.errorsAfter < d.errorsBefore
    ? [d.after, d.before, d.errorsAfter, d.errorsBefore] : [d.before, d.after, d.errorsBefore, d.errorsAfter];
  return `${fewer} makes fewer errors than ${more} (${few} vs ${many} of ${d.pairs} labelled pair(s)); ${sig}.`;
}

/**
 * McNemar's test and FMR/FNMR deltas for a comparison, over the pairs both runs have that carry a
 * label. `subjectsOf` names each pair's people (for the bootstrap); null when there are no labelled
 * pairs in both runs.
 */
export function runDifference(c: Comparison, labels: ReadonlyMap<string, Expected>, opts: { subjectsOf?: (pairId: string) => readonly string[]; seed?: number } = {}): RunDifference | null {
  const joined = c.pairs.flatMap((p) => {
    const expected = labels.get(p.pair_id);
    return expected ? [{ id: p.pair_id, expected, before: outcomeOf(expected, p.before.match)!, after: outcomeOf(expected, p.after.match)! }] : [];
  });
  if (!joined.length) return null;
  const right = (o: Outcome) => o === 'TP' || o === 'TN';
  let b = 0, cc = 0, errorsBefore = 0, errorsAfter = 0;
  for (const j of joined) {
    if (!right(j.before)) errorsBefore++;
    if (!right(j.after)) errorsAfter++;
    if (right(j.before) && !right(j.after)) b++;
    if (!right(j.before) && right(j.after)) cc++;
  }
  const p = mcnemarExactP(b, cc);
  const base = { before: c.before, after: c.after, pairs: joined.length, errorsBefore, errorsAfter, b, c: cc, p, significant: p < SIGNIFICANCE_LEVEL };
  const plan = intervalPlan(joined.length, (i) => opts.subjectsOf?.(joined[i]!.id) ?? [], opts.seed !== undefined ? { seed: opts.seed } : {});

  const delta = (side: Expected, error: Outcome, noun: string): RateDelta => {
    const counts = (which: 'before' | 'after', w: Float64Array | null) => {
      let k = 0, n = 0;
      joined.forEach((j, i) => {
        const o = j[which];
        if (j.expected !== side || o === 'error') return;
        const wi = w ? w[i]! : 1;
        n += wi;
        if (o === error) k += wi;
      });
      return { k, n };
    };
    const b0 = counts('before', null);
    const a0 = counts('after', null);
    const before = rate(b0.k, b0.n, noun);
    const after = rate(a0.k, a0.n, noun);
    const d = before.value !== null && after.value !== null ? after.value - before.value : null;
    const ci = d === null ? null : bootstrapInterval(plan, joined.length, (w) => {
      const x = counts('before', w);
      const y = counts('after', w);
      return x.n > 0 && y.n > 0 ? y.k / y.n - x.k / x.n : null;
    });
    return { before, after, delta: d, low: ci?.low ?? null, high: ci?.high ?? null };
  };
  return {
    ...base,
    sentence: sentenceOf(base),
    fmr: delta('different', 'FP', 'different-person'),
    fnmr: delta('same', 'FN', 'same-person'),
  };
}

/** Each run's DET points on the labelled pairs both runs have (for one chart with both curves). */
export function comparisonDet(c: Comparison, labels: ReadonlyMap<string, Expected>): { before: DetPoint[]; after: DetPoint[] } {
  const side = (which: 'before' | 'after'): DetPoint[] => {
    const rows: EvalRow[] = c.pairs.flatMap((p) => {
      const expected = labels.get(p.pair_id);
      const s = p[which];
      return expected ? [{ pair_id: p.pair_id, expected, match: s.match, score: s.confidence, latencyMs: s.latencyMs }] : [];
    });
    const sc = scoresOf(rows);
    return detPoints(operatingPoints(sc.same, sc.different));
  };
  return { before: side('before'), after: side('after') };
}
