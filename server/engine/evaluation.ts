/**
 * Verification figures over labelled pairs scored by descriptor distance (smaller = more alike):
 * accuracy at a threshold, the equal error rate, and the threshold that decides most pairs right.
 * Used by the threshold fit, the engine tests and bench/engine.ts.
 *
 * A pair is decided "same" when distance < threshold (the engine's rule). A pair whose image had
 * no face has distance Infinity: it counts as "different", so it is wrong for a same-person pair.
 */
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

export interface ErrorRates { fmr: number; fnmr: number }

/** False match rate (different people decided same) and false non-match rate (same person decided different). */
export function ratesAt(pairs: readonly ScoredPair[], threshold: number): ErrorRates {
  let pos = 0, neg = 0, fn = 0, fp = 0;
  for (const p of pairs) {
    if (p.same) { pos++; if (!(p.distance < threshold)) fn++; } else { neg++; if (p.distance < threshold) fp++; }
  }
  return { fmr: neg ? fp / neg : 0, fnmr: pos ? fn / pos : 0 };
}

/**
 * Equal error rate: over the candidate thresholds, the one where FMR and FNMR are closest; the EER
 * is their mean there (the usual discrete estimate).
 */
export function equalErrorRate(pairs: readonly ScoredPair[]): { eer: number; threshold: number } {
  let best = { gap: Infinity, eer: 1, threshold: 0 };
  for (const t of candidates(pairs)) {
    const { fmr, fnmr } = ratesAt(pairs, t);
    const gap = Math.abs(fmr - fnmr);
    if (gap < best.gap) best = { gap, eer: (fmr + fnmr) / 2, threshold: t };
  }
  return { eer: best.eer, threshold: best.threshold };
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
