/**
 * Robustness curves of a sweep, computed from its records only (results/*.json carry everything:
 * `base_pair_id`, `perturbation`, and with labels `expected`), so the Robustness sheet equals a
 * recomputation from the archive.
 *
 * Per perturbation and level (the baseline first: the pairs as loaded):
 *  - pairs, decided (a verdict was read), failures to acquire (sent, but no verdict: an HTTP error,
 *    no face, no verdict in the body), not run; the FTA rate = failures / sent, 95 % Wilson;
 *  - with labels: FMR and FNMR at the API's decision with their 95 % Wilson intervals (evaluation.ts);
 *  - always: the verdict-flip rate against the same pair's baseline (over pairs decided both times),
 *    and the mean and standard deviation of the confidence change (variant − baseline).
 * A perturbation's sentence names the first level, in the order the levels were given, where a rate
 * (FNMR, FMR, FTA) leaves the baseline's interval: "FNMR leaves the baseline from JPEG quality 30:
 * 2.00 % → 11.0 %".
 */
import type { ProviderContract } from '../contracts/contracts.ts';
import { fmrOf, fnmrOf, outcomeOf, pct, rate, type Confusion, type Rate } from '../evaluation/evaluation.ts';
import { recordVerdict, type PairRecord } from '../run/records.ts';
import { levelLabel, PERTURBATIONS, type PerturbationId } from './spec.ts';
import { sweepFieldsOf } from './variants.ts';

export interface RobustnessLevel {
  /** null for the baseline. */
  perturbation: PerturbationId | null;
  level: number | null;
  /** "baseline", "JPEG quality 30". */
  label: string;
  pairs: number;
  decided: number;
  failuresToAcquire: number;
  notRun: number;
  fta: Rate;
  /** null without labels. */
  fmr: Rate | null;
  fnmr: Rate | null;
  /** Verdicts that differ from the same pair's baseline, over pairs decided both times; null for the baseline. */
  flips: Rate | null;
  scoreChange: { n: number; mean: number | null; sd: number | null } | null;
}

export interface RobustnessCurve {
  perturbation: PerturbationId;
  label: string;
  levels: RobustnessLevel[];
  /** Where a rate first leaves the baseline's interval, or that none does. */
  sentence: string;
}

export interface Robustness {
  labelled: boolean;
  baseline: RobustnessLevel;
  curves: RobustnessCurve[];
}

interface Row {
  base: string;
  match: boolean | null;
  score: number | null;
  sent: boolean;
  expected: 'same' | 'different' | null;
}

function levelOf(perturbation: PerturbationId | null, level: number | null, rows: readonly Row[], baseline: ReadonlyMap<string, Row> | null, labelled: boolean): RobustnessLevel {
  const decided = rows.filter((r) => r.match !== null).length;
  const sent = rows.filter((r) => r.sent).length;
  const failures = rows.filter((r) => r.sent && r.match === null).length;
  const c: Confusion = { tp: 0, tn: 0, fp: 0, fn: 0, errors: 0, unlabelled: 0 };
  for (const r of rows) {
    const o = outcomeOf(r.expected, r.match);
    if (o === null) c.unlabelled++;
    else if (o === 'error') c.errors++;
    else c[o.toLowerCase() as 'tp' | 'tn' | 'fp' | 'fn']++;
  }
  let flips: Rate | null = null;
  let scoreChange: RobustnessLevel['scoreChange'] = null;
  if (baseline) {
    let k = 0, n = 0;
    const deltas: number[] = [];
    for (const r of rows) {
      const b = baseline.get(r.base);
      if (!b) continue;
      if (r.match !== null && b.match !== null) {
        n++;
        if (r.match !== b.match) k++;
      }
      if (r.score !== null && b.score !== null) deltas.push(r.score - b.score);
    }
    flips = rate(k, n, 'twice-decided');
    const mean = deltas.length ? deltas.reduce((a, b) => a + b, 0) / deltas.length : null;
    const sd = mean !== null && deltas.length > 1 ? Math.sqrt(deltas.reduce((a, d) => a + (d - mean) ** 2, 0) / (deltas.length - 1)) : null;
    scoreChange = { n: deltas.length, mean, sd };
  }
  return {
    perturbation, level,
    label: perturbation === null ? 'baseline' : levelLabel({ perturbation, level: level! }),
    pairs: rows.length, decided, failuresToAcquire: failures, notRun: rows.length - sent,
    fta: rate(failures, sent, 'sent'),
    fmr: labelled ? fmrOf(c) : null,
    fnmr: labelled ? fnmrOf(c) : null,
    flips, scoreChange,
  };
}

const outside = (r: Rate | null, base: Rate | null): boolean =>
  r !== null && base !== null && r.value !== null && base.low !== null && base.high !== null && (r.value < base.low || r.value > base.high);

function curveSentence(label: string, levels: readonly RobustnessLevel[], baseline: RobustnessLevel): string {
  const checks: [string, (l: RobustnessLevel) => Rate | null][] = [['FNMR', (l) => l.fnmr], ['FMR', (l) => l.fmr], ['FTA', (l) => l.fta]];
  for (const l of levels) {
    for (const [name, get] of checks) {
      const r = get(l);
      if (outside(r, get(baseline))) return `${name} leaves the baseline from ${l.label}: ${pct(get(baseline)!.value!)} → ${pct(r!.value!)}.`;
    }
  }
  return `No rate leaves the baseline's 95 % interval at any level of ${label} tried.`;
}

/** The sweep's robustness from its records; null when the records are not a sweep's. */
export function robustnessOf(records: readonly PairRecord[], contract: ProviderContract): Robustness | null {
  const base = new Map<string, Row>();
  const groups = new Map<PerturbationId, Map<number, Row[]>>();
  const baseRows: Row[] = [];
  let labelled = false;
  for (const rec of records) {
    const f = sweepFieldsOf(rec);
    if (!f) continue;
    const v = recordVerdict(contract, rec);
    const expected = rec.expected ?? null;
    if (expected) labelled = true;
    const row: Row = {
      base: f.base_pair_id, match: v ? v.match : null, score: v?.confidence ?? null,
      sent: rec.success || rec.error.type !== 'not_run', expected,
    };
    if (!f.perturbation) {
      base.set(f.base_pair_id, row);
      baseRows.push(row);
      continue;
    }
    let byLevel = groups.get(f.perturbation.name);
    if (!byLevel) groups.set(f.perturbation.name, (byLevel = new Map()));
    let list = byLevel.get(f.perturbation.level);
    if (!list) byLevel.set(f.perturbation.level, (list = []));
    list.push(row);
  }
  if (!baseRows.length && !groups.size) return null;
  const baseline = levelOf(null, null, baseRows, null, labelled);
  const curves = [...groups].map(([id, byLevel]) => {
    const levels = [...byLevel].map(([level, rows]) => levelOf(id, level, rows, base, labelled));
    const label = PERTURBATIONS[id].label;
    return { perturbation: id, label, levels, sentence: curveSentence(label, levels, baseline) };
  });
  return { labelled, baseline, curves };
}

export const ROBUSTNESS_COLUMNS = [
  'perturbation', 'level', 'pairs', 'decided', 'failures_to_acquire', 'not_run',
  'fta', 'fta_ci_low', 'fta_ci_high', 'fmr', 'fmr_ci_low', 'fmr_ci_high', 'fmr_n',
  'fnmr', 'fnmr_ci_low', 'fnmr_ci_high', 'fnmr_n', 'flip_rate', 'flips', 'flips_n',
  'score_change_mean', 'score_change_sd', 'score_change_n', 'note',
] as const;

/** Columns holding a rate (shown as percentages). */
export const ROBUSTNESS_RATE_COLUMNS: ReadonlySet<string> = new Set(['fta', 'fta_ci_low', 'fta_ci_high', 'fmr', 'fmr_ci_low', 'fmr_ci_high', 'fnmr', 'fnmr_ci_low', 'fnmr_ci_high', 'flip_rate']);

export type RobustnessCell = string | number | null;

function levelRow(l: RobustnessLevel, note: string | null): RobustnessCell[] {
  return [
    l.perturbation === null ? 'baseline' : PERTURBATIONS[l.perturbation].label,
    l.level === null ? null : l.level,
    l.pairs, l.decided, l.failuresToAcquire, l.notRun,
    l.fta.value, l.fta.low, l.fta.high,
    l.fmr?.value ?? null, l.fmr?.low ?? null, l.fmr?.high ?? null, l.fmr?.n ?? null,
    l.fnmr?.value ?? null, l.fnmr?.low ?? null, l.fnmr?.high ?? null, l.fnmr?.n ?? null,
    l.flips?.value ?? null, l.flips?.k ?? null, l.flips?.n ?? null,
    l.scoreChange?.mean ?? null, l.scoreChange?.sd ?? null, l.scoreChange?.n ?? null,
    note,
  ];
}

/** The Robustness sheet's data rows: the baseline, then each perturbation's levels; its sentence on its first row. */
export function robustnessRows(r: Robustness): RobustnessCell[][] {
  const note = r.labelled ? null : 'No labels: FMR and FNMR need labels.csv; the flip rate and score change compare each variant with its own pair.';
  return [
    levelRow(r.baseline, note),
    ...r.curves.flatMap((c) => c.levels.map((l, k) => levelRow(l, k === 0 ? c.sentence : null))),
  ];
}

/** One level of two sweeps compared (Compare): the same perturbation and level in each run; null where a run did not try it. */
export interface RobustnessPair {
  label: string;
  before: RobustnessLevel | null;
  after: RobustnessLevel | null;
}

/** Two sweeps' levels side by side, matched by perturbation and level: the baseline, then each perturbation's levels (the later run's order first). */
export function robustnessSideBySide(before: Robustness, after: Robustness): RobustnessPair[] {
  const key = (l: RobustnessLevel) => `${l.perturbation ?? ''}:${l.level ?? ''}`;
  const levels = (r: Robustness) => [r.baseline, ...r.curves.flatMap((c) => c.levels)];
  const old = new Map(levels(before).map((l) => [key(l), l]));
  const out: RobustnessPair[] = levels(after).map((l) => {
    const b = old.get(key(l)) ?? null;
    old.delete(key(l));
    return { label: l.label, before: b, after: l };
  });
  for (const l of old.values()) out.push({ label: l.label, before: l, after: null });
  return out;
}

export const ROBUSTNESS_COMPARE_COLUMNS = ['perturbation level', 'FNMR before', 'FNMR after', 'FMR before', 'FMR after', 'FTA before', 'FTA after'] as const;

/** The rows of ROBUSTNESS_COMPARE_COLUMNS: rates as fractions (null where a run has none). */
export function robustnessCompareRows(pairs: readonly RobustnessPair[]): RobustnessCell[][] {
  const v = (r: Rate | null | undefined) => r?.value ?? null;
  return pairs.map((p) => [p.label, v(p.before?.fnmr), v(p.after?.fnmr), v(p.before?.fmr), v(p.after?.fmr), v(p.before?.fta), v(p.after?.fta)]);
}
