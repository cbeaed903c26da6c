/**
 * Labelled evaluation of a bulk run: how accurate the API was on these pairs, at its own decision
 * and at any threshold on its confidence.
 *
 * Definitions (as in ISO/IEC 19795-1 and the NIST FRTE report cards):
 *  - A labelled pair is genuine ("same") or impostor ("different").
 *  - At a decision: TP = same and matched, TN = different and not matched,
 *    FP = different but matched (a false match), FN = same but not matched (a false non-match).
 *  - Pairs with no decision (HTTP error, timeout, no face, no verdict in the body, never sent) are
 *    `error`: counted apart as failures to acquire, never folded into non-matches.
 *  - FMR = FP / (FP + TN), FNMR = FN / (FN + TP), each with a 95 % Wilson score interval.
 *  - At a threshold t on the confidence (0–1), a pair matches when its confidence >= t.
 *  - Operating points: every distinct score of a decided labelled pair, plus "reject all" (+∞).
 *  - EER: where the FMR and FNMR curves cross, linearly interpolated between the two adjacent
 *    operating points; its threshold is the operating point of those two whose FMR and FNMR are
 *    closest (the lower one on a tie).
 *  - FNMR@FMR=x: the lowest FNMR among operating points with FMR <= x, reported only when there
 *    are at least 3/x impostor pairs (the "rule of three": fewer cannot show an FMR of x).
 *  - DET: (Φ⁻¹(FMR), Φ⁻¹(FNMR)) for operating points where both rates are strictly inside (0, 1).
 */
import quantile from '@stdlib/stats-base-dists-normal-quantile';
import { recordVerdict, type PairRecord } from '../run/records.ts';
import type { ProviderContract } from '../contracts/contracts.ts';
import type { Expected } from '../pairing/labels.ts';
import { labelColumnsField, type AttributeTable } from './input.ts';

export type Outcome = 'TP' | 'TN' | 'FP' | 'FN' | 'error';

/** One pair, reduced to what the evaluation needs. */
export interface EvalRow {
  pair_id: string;
  /** null: the pair has no label (it is reported as unlabelled). */
  expected: Expected | null;
  /** The API's own decision; null when there is none (an error). */
  match: boolean | null;
  /** Confidence on 0–1; null when the API gave none. */
  score: number | null;
  /** Response time of a call that got an HTTP answer; null otherwise. */
  latencyMs: number | null;
}

/** The pairs of a run as evaluation rows (labels by pair_id). */
export function evalRows(records: readonly PairRecord[], contract: ProviderContract, labels: ReadonlyMap<string, Expected>): EvalRow[] {
  return records.map((rec) => {
    const v = recordVerdict(contract, rec);
    const latency = rec.http_status !== null && rec.response_time_ms !== null && Number.isFinite(rec.response_time_ms) ? rec.response_time_ms : null;
    return { pair_id: rec.pair_id, expected: labels.get(rec.pair_id) ?? null, match: v ? v.match : null, score: v?.confidence ?? null, latencyMs: latency };
  });
}

/**
 * The records with `expected` and `outcome` appended after the seed's keys (key order kept), and
 * for a labelled pair whose labels.csv row has other columns (subjects, groupings) `label_columns`,
 * so an archive reopened from its results/*.json shows the same groups.
 * With no labels at all the records are returned as they are: the seed's archive is unchanged.
 */
export function withOutcomes(records: readonly PairRecord[], contract: ProviderContract, labels: ReadonlyMap<string, Expected> | null, attributes?: AttributeTable): PairRecord[] {
  if (!labels || labels.size === 0) return records.slice();
  const columnsOf = labelColumnsField(attributes);
  return records.map((rec) => {
    const { expected: _e, outcome: _o, label_columns: _l, ...seed } = rec;
    const expected = labels.get(rec.pair_id) ?? null;
    const v = recordVerdict(contract, rec);
    const cells = expected === null ? undefined : columnsOf(rec.pair_id);
    return { ...seed, expected, outcome: outcomeOf(expected, v ? v.match : null), ...(cells ? { label_columns: cells } : {}) } as PairRecord;
  });
}

/** The outcome of a labelled pair given a decision; null for an unlabelled pair. */
export function outcomeOf(expected: Expected | null, match: boolean | null): Outcome | null {
  if (expected === null) return null;
  if (match === null) return 'error';
  if (expected === 'same') return match ? 'TP' : 'FN';
  return match ? 'FP' : 'TN';
}

/**
 * A pair's outcome at a threshold (null = the API's own decision). A pair the API decided but
 * sent no confidence for keeps the API's decision at every threshold.
 */
export function outcomeAt(row: EvalRow, threshold: number | null): Outcome | null {
  if (threshold === null || row.match === null || row.score === null) return outcomeOf(row.expected, row.match);
  return outcomeOf(row.expected, row.score >= threshold);
}

export interface Confusion {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  /** Labelled pairs without a decision. */
  errors: number;
  unlabelled: number;
}

export function confusionAt(rows: readonly EvalRow[], threshold: number | null): Confusion {
  const c: Confusion = { tp: 0, tn: 0, fp: 0, fn: 0, errors: 0, unlabelled: 0 };
  for (const row of rows) {
    const o = outcomeAt(row, threshold);
    if (o === null) c.unlabelled++;
    else if (o === 'error') c.errors++;
    else c[o.toLowerCase() as 'tp' | 'tn' | 'fp' | 'fn']++;
  }
  return c;
}

/** z for a two-sided 95 % interval. */
export const Z95 = quantile(0.975, 0, 1);

export interface Rate {
  /** Errors (FP for FMR, FN for FNMR). */
  k: number;
  /** Trials (FP + TN, or FN + TP). */
  n: number;
  /** k / n; null when n = 0. */
  value: number | null;
  low: number | null;
  high: number | null;
  /** "3 of 200 = 1.50 % (95 % CI 0.51–4.31 %)", "0 of 200 (≤ 1.88 % at 95 %)". */
  text: string;
}

/** The 95 % Wilson score interval for k of n; null bounds when n = 0. */
export function wilson(k: number, n: number, z = Z95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, k === 0 ? 0 : centre - half), high: Math.min(1, k === n ? 1 : centre + half) };
}

/** A percentage with enough digits to be read: 12.5 %, 1.50 %, 0.052 %. */
export function pct(x: number): string {
  const v = x * 100;
  if (v === 0) return '0 %';
  const digits = v >= 10 ? 1 : v >= 1 ? 2 : 3;
  return `${v.toFixed(digits)} %`;
}

/** k of n with its 95 % interval: Wilson's unless `interval` gives one (e.g. a subject bootstrap). */
export function rate(k: number, n: number, noun: string, interval?: { low: number; high: number } | null): Rate {
  const ci = n > 0 && interval ? interval : wilson(k, n);
  if (!ci) return { k, n, value: null, low: null, high: null, text: `no ${noun} pairs were decided` };
  const value = k / n;
  const text = k === 0
    ? `0 of ${n} (≤ ${pct(ci.high)} at 95 %)`
    : `${k} of ${n} = ${pct(value)} (95 % CI ${pct(ci.low)}–${pct(ci.high)})`;
  return { k, n, value, low: ci.low, high: ci.high, text };
}

export function fmrOf(c: Confusion): Rate {
  return rate(c.fp, c.fp + c.tn, 'different-person');
}

export function fnmrOf(c: Confusion): Rate {
  return rate(c.fn, c.fn + c.tp, 'same-person');
}

export interface OperatingPoint {
  /** Match when score >= threshold; Infinity = reject all. */
  threshold: number;
  fmr: number;
  fnmr: number;
}

/** Genuine and impostor scores of labelled pairs the API decided with a confidence. */
export function scoresOf(rows: readonly EvalRow[]): { same: number[]; different: number[] } {
  const same: number[] = [];
  const different: number[] = [];
  for (const r of rows) {
    if (r.expected === null || r.match === null || r.score === null) continue;
    (r.expected === 'same' ? same : different).push(r.score);
  }
  return { same, different };
}

/** FMR and FNMR at every distinct score (ascending), then at +∞; empty when a class is empty. */
export function operatingPoints(same: readonly number[], different: readonly number[]): OperatingPoint[] {
  if (!same.length || !different.length) return [];
  const gen = [...same].sort((a, b) => a - b);
  const imp = [...different].sort((a, b) => a - b);
  const thresholds = [...new Set([...gen, ...imp])].sort((a, b) => a - b);
  thresholds.push(Infinity);
  const out: OperatingPoint[] = [];
  let g = 0; // genuine scores < t
  let i = 0; // impostor scores < t
  for (const t of thresholds) {
    while (g < gen.length && gen[g]! < t) g++;
    while (i < imp.length && imp[i]! < t) i++;
    out.push({ threshold: t, fmr: (imp.length - i) / imp.length, fnmr: g / gen.length });
  }
  return out;
}

export interface Eer {
  value: number;
  threshold: number;
}

export function eerOf(points: readonly OperatingPoint[]): Eer | null {
  for (let k = 1; k < points.length; k++) {
    const a = points[k - 1]!;
    const b = points[k]!;
    const da = a.fnmr - a.fmr;
    const db = b.fnmr - b.fmr;
    if (db < 0) continue;
    const s = db === da ? 0 : -da / (db - da);
    const value = a.fmr + s * (b.fmr - a.fmr);
    const pick = !Number.isFinite(b.threshold) || Math.abs(da) <= Math.abs(db) ? a : b;
    return { value, threshold: pick.threshold };
  }
  return null;
}

export interface FnmrAtFmr {
  /** "1%". */
  label: string;
  fmr: number;
  /** Impostor pairs needed to report it (3 / fmr). */
  needed: number;
  value: number | null;
  threshold: number | null;
  /** Why there is no value, as a sentence fragment: "needs ≥ 300 different-person pairs (has 40)". */
  note: string | null;
}

export const FMR_TARGETS = [
  { label: '10%', fmr: 0.1, needed: 30 },
  { label: '1%', fmr: 0.01, needed: 300 },
  { label: '0.1%', fmr: 0.001, needed: 3000 },
] as const;

export function fnmrAtFmr(points: readonly OperatingPoint[], impostors: number): FnmrAtFmr[] {
  return FMR_TARGETS.map(({ label, fmr, needed }) => {
    if (impostors < needed) return { label, fmr, needed, value: null, threshold: null, note: `needs ≥ ${needed} different-person pairs (has ${impostors})` };
    if (!points.length) return { label, fmr, needed, value: null, threshold: null, note: 'needs same-person pairs with a confidence' };
    const p = points.find((pt) => pt.fmr <= fmr)!; // +∞ always qualifies
    return { label, fmr, needed, value: p.fnmr, threshold: Number.isFinite(p.threshold) ? p.threshold : null, note: null };
  });
}

/** Φ⁻¹(p), the standard normal deviate used for DET axes. */
export function probit(p: number): number {
  return quantile(p, 0, 1);
}

export interface DetPoint {
  threshold: number;
  fmr: number;
  fnmr: number;
  /** Φ⁻¹(FMR), Φ⁻¹(FNMR). */
  x: number;
  y: number;
}

export function detPoints(points: readonly OperatingPoint[]): DetPoint[] {
  return points
    .filter((p) => p.fmr > 0 && p.fmr < 1 && p.fnmr > 0 && p.fnmr < 1)
    .map((p) => ({ ...p, x: probit(p.fmr), y: probit(p.fnmr) }));
}

export interface Histogram {
  /** Bin lower edges; bin k is [edges[k], edges[k] + width). The last bin includes its upper edge. */
  edges: number[];
  width: number;
  counts: number[];
}

/** Counts of values in `bins` equal bins over [lo, hi]. */
export function histogram(values: readonly number[], lo: number, hi: number, bins: number): Histogram {
  const width = (hi - lo) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    const k = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)));
    counts[k]!++;
  }
  return { edges: counts.map((_, k) => lo + k * width), width, counts };
}

/** A histogram of response times over a round range. */
export function latencyHistogram(ms: readonly number[], bins = 20): Histogram {
  if (!ms.length) return { edges: [], width: 0, counts: [] };
  const max = Math.max(...ms);
  const step = niceStep(max / bins);
  return histogram(ms, 0, step * Math.max(1, Math.ceil((max + 1e-9) / step)), Math.max(1, Math.ceil((max + 1e-9) / step)));
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

export interface Evaluation {
  rows: readonly EvalRow[];
  labelled: number;
  same: number;
  different: number;
  unlabelled: number;
  /** At the API's own decision. */
  api: { confusion: Confusion; fmr: Rate; fnmr: Rate };
  /** Genuine / impostor scores of decided pairs with a confidence. */
  scores: { same: number[]; different: number[] };
  points: OperatingPoint[];
  eer: Eer | null;
  /** Why there is no EER, when there is none. */
  eerNote: string | null;
  fnmrAt: FnmrAtFmr[];
  det: DetPoint[];
  latencies: number[];
}

export function evaluate(rows: readonly EvalRow[]): Evaluation {
  const confusion = confusionAt(rows, null);
  const scores = scoresOf(rows);
  const points = operatingPoints(scores.same, scores.different);
  const eer = eerOf(points);
  let same = 0;
  let different = 0;
  for (const r of rows) {
    if (r.expected === 'same') same++;
    else if (r.expected === 'different') different++;
  }
  const eerNote = eer ? null
    : !scores.same.length && !scores.different.length ? 'needs labelled pairs with a confidence score'
      : !scores.same.length ? 'needs same-person pairs with a confidence score'
        : 'needs different-person pairs with a confidence score';
  return {
    rows,
    labelled: same + different,
    same,
    different,
    unlabelled: rows.length - same - different,
    api: { confusion, fmr: fmrOf(confusion), fnmr: fnmrOf(confusion) },
    scores,
    points,
    eer,
    eerNote,
    fnmrAt: fnmrAtFmr(points, scores.different.length),
    det: detPoints(points),
    latencies: rows.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs])),
  };
}

/** The confusion matrix and rates at a threshold (the what-if), or at the API's decision for null. */
export function atThreshold(rows: readonly EvalRow[], threshold: number | null): { confusion: Confusion; fmr: Rate; fnmr: Rate } {
  const confusion = confusionAt(rows, threshold);
  return { confusion, fmr: fmrOf(confusion), fnmr: fnmrOf(confusion) };
}

export interface Accuracy {
  /** Labelled pairs decided right (TP + TN). */
  correct: number;
  /** Labelled pairs (an error without a decision counts as wrong). */
  labelled: number;
  /** correct / labelled; null when nothing is labelled. */
  value: number | null;
}

/** Share of labelled pairs decided right; a labelled pair without a decision counts as wrong. */
export function accuracyOf(c: Confusion): Accuracy {
  const correct = c.tp + c.tn;
  const labelled = c.tp + c.tn + c.fp + c.fn + c.errors;
  return { correct, labelled, value: labelled ? correct / labelled : null };
}
