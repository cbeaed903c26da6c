/**
 * Verification figures over labelled pairs scored by descriptor distance (smaller = more alike):
 * accuracy at a threshold, the equal error rate, and the threshold that decides most pairs right.
 * Used by the threshold fit, the engine tests and bench/engine.ts.
 *
 * A pair is decided "same" when distance < threshold (the engine's rule). A pair whose image had
 * no face has distance Infinity: it counts as "different", so it is wrong for a same-person pair.
 */
import { eerOf, operatingPoints } from '../../src/core/evaluation/evaluation.ts';

export interface ScoredPair { distance: number; same: boolean }

export function correctAt(pairs: readonly ScoredPair[], threshold: number): number {
  let n = 0;
  for (const p of pairs) if ((p.distance < threshold) === p.same) n++;
  return n;
}

/** Candidate thresholds: midpoints between consecutive distinct finite distances, plus both ends. */
function candidates(pairs: readonly ScoredPair[]): number[] {
  const d = [...new Set(pairs.map((p) => p.distance).filter(Number.isFinite))].sort((a, b) => a - b);
  if (d.length === 0) return [0];
  const out = [d[0]! - 1e-6];
  for (let i = 1; i < d.length; i++) out.push((d[i - 1]! + d[i]!) / 2);
  out.push(d[d.length - 1]! + 1e-6);
  return out;
}

/**
 * Equal error rate, by the one EER rule of src/core/evaluation/evaluation.ts (score = −distance, so a higher
 * score is more alike; a pair without a face scores −∞). Its threshold is returned as a distance.
 */
export function equalErrorRate(pairs: readonly ScoredPair[]): { eer: number; threshold: number } {
  const same = pairs.filter((p) => p.same).map((p) => -p.distance);
  const different = pairs.filter((p) => !p.same).map((p) => -p.distance);
  const eer = eerOf(operatingPoints(same, different));
  if (!eer) return { eer: NaN, threshold: NaN };
  return { eer: eer.value, threshold: -eer.threshold };
}

/**
 * The threshold deciding the most pairs right; among ties, the middle of the widest run of
 * best candidates (so it sits centred in the gap, not on the edge of one pair).
 */
export function bestThreshold(pairs: readonly ScoredPair[]): { threshold: number; correct: number } {
  const cs = candidates(pairs);
  const scores = cs.map((t) => correctAt(pairs, t));
  const top = Math.max(...scores);
  let bestRun = { start: 0, end: 0 };
  for (let i = 0; i < cs.length; i++) {
    if (scores[i] !== top) continue;
    let j = i;
    while (j + 1 < cs.length && scores[j + 1] === top) j++;
    if (cs[j]! - cs[i]! >= cs[bestRun.end]! - cs[bestRun.start]! || scores[bestRun.start] !== top) bestRun = { start: i, end: j };
    i = j;
  }
  return { threshold: (cs[bestRun.start]! + cs[bestRun.end]!) / 2, correct: top };
}

/**
 * FNMR at the most permissive threshold whose FMR is at most `maxFmr` (by the operating points of
 * src/core/evaluation.ts; score = −distance). With n different-person pairs that allows
 * floor(maxFmr · n) false matches.
 */
export function fnmrAtFmrOf(pairs: readonly ScoredPair[], maxFmr: number): { fnmr: number; threshold: number } {
  const same = pairs.filter((p) => p.same).map((p) => -p.distance);
  const different = pairs.filter((p) => !p.same).map((p) => -p.distance);
  const point = operatingPoints(same, different).find((pt) => pt.fmr <= maxFmr);
  if (!point) return { fnmr: NaN, threshold: NaN };
  return { fnmr: point.fnmr, threshold: -point.threshold };
}
