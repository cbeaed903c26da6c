/**
 * Comparison of two runs of (mostly) the same pairs, joined by pair_id: "did the new release get
 * worse?". Each side is read through its own contract (a run may be KwikID, the other Deepvue).
 *
 *  - A verdict flip: both runs decided the pair and the decisions differ.
 *  - Newly failing: decided before, no decision now (error, not run, no verdict). Recovered: the reverse.
 *  - Confidence delta: after − before (0–1 scale) for pairs with a confidence in both.
 *  - Latency p50/p95: over each run's records with an HTTP answer (stats.percentile).
 *  - Pairs in only one run are listed, never dropped.
 *  - Two robustness sweeps: each perturbation level's FNMR, FMR and FTA in both runs, side by side
 *    (sweep/robustness.ts), matched by perturbation and level as the records are by variant id.
 */
import type { ProviderContract } from '../contracts/contracts.ts';
import type { Expected } from '../pairing/labels.ts';
import { recordVerdict, type PairRecord } from '../run/records.ts';
import { withOutcomes } from './evaluation.ts';
import { percentile } from '../run/stats.ts';
import { robustnessOf, robustnessSideBySide, type RobustnessPair } from '../sweep/robustness.ts';

export interface RunSide {
  /** How the run is named to the user, e.g. the archive's file name. */
  name: string;
  records: readonly PairRecord[];
  contract: ProviderContract;
}

export interface PairState {
  match: boolean | null;
  confidence: number | null;
  /** "http: ...", "timeout: ...", "no verdict in the response"; null when decided. */
  error: string | null;
  /** The error in a word or two for a table cell ("timeout", "http 503", "no verdict"); null when decided. */
  errorKind: string | null;
  /** The error's sentence without its type ("No answer from … within 1 s; …"); null when decided. */
  errorMessage: string | null;
  latencyMs: number | null;
}

export interface ComparedPair {
  pair_id: string;
  before: PairState;
  after: PairState;
  /** after − before; null unless both have a confidence. */
  delta: number | null;
  change: 'flip' | 'newly_failing' | 'recovered' | 'same_verdict' | 'both_failed';
}

export interface LatencyFigures {
  n: number;
  p50: number | null;
  p95: number | null;
}

export interface Comparison {
  before: string;
  after: string;
  pairs: ComparedPair[];
  flips: ComparedPair[];
  newlyFailing: ComparedPair[];
  recovered: ComparedPair[];
  onlyBefore: string[];
  onlyAfter: string[];
  deltas: { n: number; mean: number | null; median: number | null; min: number | null; max: number | null; p5: number | null; p95: number | null };
  latency: { before: LatencyFigures; after: LatencyFigures };
  /** Both runs are sweeps: their levels side by side; null otherwise. */
  robustness: RobustnessPair[] | null;
}

function stateOf(contract: ProviderContract, rec: PairRecord): PairState {
  const v = recordVerdict(contract, rec);
  const latencyMs = rec.http_status !== null && rec.response_time_ms !== null && Number.isFinite(rec.response_time_ms) ? rec.response_time_ms : null;
  if (v) return { match: v.match, confidence: v.confidence, error: null, errorKind: null, errorMessage: null, latencyMs };
  if (rec.success) return { match: null, confidence: null, error: 'no verdict in the response', errorKind: 'no verdict', errorMessage: 'The answer has no verdict.', latencyMs };
  const errorKind = rec.error.type === 'http' && rec.http_status !== null ? `http ${rec.http_status}` : rec.error.type;
  return { match: null, confidence: null, error: `${rec.error.type}: ${rec.error.message}`, errorKind, errorMessage: rec.error.message, latencyMs };
}

export interface ErrorNote {
  /** As the table cells show it ("timeout"). */
  kind: string;
  /** The sentence, once ("No answer from … within 1 s; …"). */
  message: string;
  /** Pairs of the list whose before or after side has this error. */
  pairs: number;
}

/**
 * The errors of a list of compared pairs, each sentence once with how many pairs have it (most
 * first): a table shows each side's `errorKind` and this legend under it, instead of one long
 * sentence repeated in every row.
 */
export function errorNotes(pairs: readonly ComparedPair[]): ErrorNote[] {
  const notes = new Map<string, ErrorNote>();
  for (const p of pairs) {
    const seen = new Set<string>();
    for (const s of [p.before, p.after]) {
      if (s.errorKind === null || s.errorMessage === null) continue;
      const key = `${s.errorKind}\n${s.errorMessage}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const note = notes.get(key) ?? { kind: s.errorKind, message: s.errorMessage, pairs: 0 };
      note.pairs++;
      notes.set(key, note);
    }
  }
  return [...notes.values()].sort((a, b) => b.pairs - a.pairs);
}

function latencyOf(states: readonly PairState[]): LatencyFigures {
  const ms = states.flatMap((s) => (s.latencyMs === null ? [] : [s.latencyMs])).sort((a, b) => a - b);
  return { n: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

function byId(side: RunSide): Map<string, PairState> {
  const m = new Map<string, PairState>();
  for (const rec of side.records) if (!m.has(rec.pair_id)) m.set(rec.pair_id, stateOf(side.contract, rec));
  return m;
}

/**
 * `labels`: the labels to read both runs' robustness with (the app passes this run's, as McNemar's
 * test uses them for both); without them, each run's records' own `expected`.
 */
export function compareRuns(before: RunSide, after: RunSide, labels?: ReadonlyMap<string, Expected> | null): Comparison {
  const a = byId(before);
  const b = byId(after);
  const pairs: ComparedPair[] = [];
  const onlyBefore: string[] = [];
  for (const [id, s0] of a) {
    const s1 = b.get(id);
    if (!s1) {
      onlyBefore.push(id);
      continue;
    }
    const decided0 = s0.match !== null;
    const decided1 = s1.match !== null;
    const change: ComparedPair['change'] = decided0 && decided1 ? (s0.match === s1.match ? 'same_verdict' : 'flip')
      : decided0 ? 'newly_failing' : decided1 ? 'recovered' : 'both_failed';
    const delta = s0.confidence !== null && s1.confidence !== null ? s1.confidence - s0.confidence : null;
    pairs.push({ pair_id: id, before: s0, after: s1, delta, change });
  }
  const onlyAfter = [...b.keys()].filter((id) => !a.has(id));
  const deltas = pairs.flatMap((p) => (p.delta === null ? [] : [p.delta])).sort((x, y) => x - y);
  const mean = deltas.length ? deltas.reduce((s, d) => s + d, 0) / deltas.length : null;
  return {
    before: before.name,
    after: after.name,
    pairs,
    flips: pairs.filter((p) => p.change === 'flip'),
    newlyFailing: pairs.filter((p) => p.change === 'newly_failing'),
    recovered: pairs.filter((p) => p.change === 'recovered'),
    onlyBefore,
    onlyAfter,
    deltas: {
      n: deltas.length, mean, median: percentile(deltas, 50), min: deltas[0] ?? null, max: deltas.at(-1) ?? null,
      p5: percentile(deltas, 5), p95: percentile(deltas, 95),
    },
    latency: { before: latencyOf([...a.values()]), after: latencyOf([...b.values()]) },
    robustness: sweeps(before, after, labels ?? null),
  };
}

function sweeps(before: RunSide, after: RunSide, labels: ReadonlyMap<string, Expected> | null): RobustnessPair[] | null {
  const of = (side: RunSide) => robustnessOf(labels ? withOutcomes(side.records, side.contract, labels) : side.records, side.contract);
  const b = of(before);
  const a = b && of(after);
  return b && a ? robustnessSideBySide(b, a) : null;
}

/** "match → no match" for a flip; "no match → error" and so on. */
export function describeChange(p: ComparedPair): string {
  const word = (s: PairState) => (s.match === null ? 'error' : s.match ? 'match' : 'no match');
  return `${word(p.before)} → ${word(p.after)}`;
}
