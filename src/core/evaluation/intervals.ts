/**
 * 95 % intervals for error rates, two ways:
 *
 *  - **Wilson** score interval (evaluation.ts `wilson`): treats every pair as an independent trial.
 *  - **Subject bootstrap**, used when labels.csv names the people in each pair (`subject1` /
 *    `subject2`, or `subject`): pairs that share a person are not independent, so the resampling
 *    unit is the person. Each replicate draws as many subjects as there are, with replacement; a
 *    pair then counts as many times as the product of the draws of its distinct subjects (a
 *    genuine pair of subject a counts m(a) times, an impostor pair of a and b m(a)·m(b) times).
 *    A labelled pair with no subject named is a subject of its own. The interval is the 2.5th and
 *    97.5th percentile of the replicates' rates. A rate of 0 (or 1) has no spread to resample, so
 *    its interval stays Wilson's.
 *
 * The replicates come from a seeded Mersenne Twister (@stdlib/random-base-mt19937): the same seed
 * and data give the same interval, in the browser and in the CLI.
 */
import mt19937 from '@stdlib/random-base-mt19937';
import { rate, type Rate } from './evaluation.ts';

export type IntervalMethod = 'wilson' | 'subject-bootstrap';

/** The seed used when none is given, so an archive rebuilt from the same run shows the same intervals. */
export const DEFAULT_SEED = 19795;
export const DEFAULT_REPLICATES = 1000;

/** How intervals are computed for a set of rows (index-aligned with the rows). */
export interface IntervalPlan {
  method: IntervalMethod;
  /** Per row, the indices of its distinct subjects (bootstrap only). */
  clusters: readonly (readonly number[])[];
  subjects: number;
  seed: number;
  replicates: number;
}

/** What the report says about its intervals, in one sentence. */
export function intervalSentence(plan: IntervalPlan): string {
  return plan.method === 'subject-bootstrap'
    ? `95 % intervals come from a bootstrap over the ${plan.subjects} subjects named in the labels (${plan.replicates} replicates, seed ${plan.seed}): pairs that share a person are resampled together.`
    : '95 % intervals are Wilson score intervals: every pair counts as an independent trial (labels.csv names no subject1/subject2 or subject).';
}

/**
 * The plan for rows whose subjects are `subjectsOf(i)` (empty: none named). With no subject named
 * on any row, Wilson; otherwise a subject bootstrap.
 */
export function intervalPlan(rowCount: number, subjectsOf: (i: number) => readonly string[], opts: { seed?: number; replicates?: number } = {}): IntervalPlan {
  const ids = new Map<string, number>();
  const clusters: number[][] = [];
  let named = false;
  for (let i = 0; i < rowCount; i++) {
    const names = [...new Set(subjectsOf(i).filter((s) => s !== ''))];
    if (names.length) named = true;
    const keys = names.length ? names.map((s) => `s:${s}`) : [`row:${i}`];
    clusters.push(keys.map((k) => {
      let id = ids.get(k);
      if (id === undefined) {
        id = ids.size;
        ids.set(k, id);
      }
      return id;
    }));
  }
  return {
    method: named ? 'subject-bootstrap' : 'wilson',
    clusters: named ? clusters : [],
    subjects: named ? ids.size : 0,
    seed: opts.seed ?? DEFAULT_SEED,
    replicates: opts.replicates ?? DEFAULT_REPLICATES,
  };
}

/** A rate to estimate: per row, whether it is a trial (n) and whether it is an error (k). */
export interface RateSpec {
  noun: string;
  /** Row indices that are trials. */
  trials: readonly number[];
  /** The subset of `trials` that are errors. */
  errors: ReadonlySet<number> | readonly number[];
}

/** The bootstrap's weight of every row (or of the rows `only`) in `replicates` resamplings (shared by every rate of one plan). */
function* replicateWeights(plan: IntervalPlan, only?: Int32Array): Generator<Float64Array> {
  const rand = mt19937.factory({ seed: plan.seed });
  const scale = plan.subjects / (rand.MAX + 1);
  const m = new Float64Array(plan.subjects);
  const w = new Float64Array(plan.clusters.length);
  for (let r = 0; r < plan.replicates; r++) {
    m.fill(0);
    for (let d = 0; d < plan.subjects; d++) m[Math.floor(rand() * scale)]!++;
    const n = only ? only.length : plan.clusters.length;
    for (let r2 = 0; r2 < n; r2++) {
      const i = only ? only[r2]! : r2;
      let x = 1;
      for (const s of plan.clusters[i]!) x *= m[s]!;
      w[i] = x;
    }
    yield w;
  }
}

/** Nearest-rank quantile (0–1) of ascending values. */
function quantileOf(sorted: readonly number[], q: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** The rates with their 95 % intervals by the plan's method. */
export function ratesWith(plan: IntervalPlan, specs: readonly RateSpec[]): Rate[] {
  const errs = specs.map((s) => (s.errors instanceof Set ? s.errors : new Set(s.errors as readonly number[])));
  const ks = specs.map((s, j) => s.trials.filter((i) => errs[j]!.has(i)).length);
  if (plan.method === 'wilson') return specs.map((s, j) => rate(ks[j]!, s.trials.length, s.noun));
  const needs = specs.map((s, j) => ks[j]! > 0 && ks[j]! < s.trials.length);
  const samples: number[][] = specs.map(() => []);
  // Typed copies keep the replicate loop tight (rows × rates × replicates).
  const trials = specs.map((s) => Int32Array.from(s.trials));
  const isErr = specs.map((s, j) => Uint8Array.from(s.trials, (i) => (errs[j]!.has(i) ? 1 : 0)));
  if (needs.some(Boolean)) {
    const used = Int32Array.from(new Set(specs.flatMap((s, j) => (needs[j] ? s.trials : []))));
    for (const w of replicateWeights(plan, used)) {
      for (let j = 0; j < specs.length; j++) {
        if (!needs[j]) continue;
        const t = trials[j]!;
        const e = isErr[j]!;
        let num = 0;
        let den = 0;
        for (let x = 0; x < t.length; x++) {
          const wi = w[t[x]!]!;
          den += wi;
          num += wi * e[x]!;
        }
        if (den > 0) samples[j]!.push(num / den);
      }
    }
  }
  return specs.map((s, j) => {
    const k = ks[j]!;
    const sample = samples[j]!.sort((a, b) => a - b);
    const ci = needs[j] && sample.length ? { low: quantileOf(sample, 0.025), high: quantileOf(sample, 0.975) } : null;
    return rate(k, s.trials.length, s.noun, ci);
  });
}

/**
 * A 95 % interval of a statistic of weighted rows (e.g. the difference of two runs' rates),
 * resampled by the plan (a Wilson plan resamples rows one by one). null when the statistic is
 * undefined in every replicate.
 */
export function bootstrapInterval(plan: IntervalPlan, rowCount: number, statistic: (weights: Float64Array) => number | null): { low: number; high: number } | null {
  const p: IntervalPlan = plan.method === 'subject-bootstrap' ? plan
    : { ...plan, method: 'subject-bootstrap', clusters: Array.from({ length: rowCount }, (_, i) => [i]), subjects: rowCount };
  if (!p.subjects) return null;
  const values: number[] = [];
  for (const w of replicateWeights(p)) {
    const v = statistic(w);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (!values.length) return null;
  values.sort((a, b) => a - b);
  return { low: quantileOf(values, 0.025), high: quantileOf(values, 0.975) };
}
