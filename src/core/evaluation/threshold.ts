/**
 * The what-if threshold: a value typed by the user, and the API's own decision point on its
 * confidence scale, as the run shows it. An API answers
 * match / no match itself, and the what-if slider marks where that decision lies.
 *
 * Over the pairs the API decided with a confidence (labelled or not):
 *  - every matched pair's confidence above every not-matched pair's: the decision point is the
 *    lowest confidence it matched (any threshold between the highest not-matched confidence and
 *    that one reproduces its decisions on these pairs);
 *  - a matched pair at or below a not-matched one: its decisions follow no single threshold on
 *    this confidence, and no point is given;
 *  - no pair matched, or no pair with a confidence: no point is given.
 */
import type { EvalRow } from './evaluation.ts';

export interface DecisionPoint {
  /** The lowest confidence the API matched, when its decisions follow one threshold; else null. */
  threshold: number | null;
  lowestMatch: number | null;
  highestNonMatch: number | null;
  /** One sentence saying where the API's decision lies, or why it has no point. */
  note: string;
}

const fmt = (x: number) => String(Math.round(x * 10000) / 10000);

export function apiDecisionPoint(rows: readonly EvalRow[]): DecisionPoint {
  let lowestMatch: number | null = null;
  let highestNonMatch: number | null = null;
  for (const r of rows) {
    if (r.match === null || r.score === null) continue;
    if (r.match) lowestMatch = lowestMatch === null ? r.score : Math.min(lowestMatch, r.score);
    else highestNonMatch = highestNonMatch === null ? r.score : Math.max(highestNonMatch, r.score);
  }
  const base = { lowestMatch, highestNonMatch };
  if (lowestMatch === null) {
    return { ...base, threshold: null, note: highestNonMatch === null ? 'The API sent no confidence with a decision, so its decision has no point on this scale.' : `The API matched no pair (the highest confidence it did not match is ${fmt(highestNonMatch)}), so its decision point is not known.` };
  }
  if (highestNonMatch !== null && highestNonMatch >= lowestMatch) {
    return { ...base, threshold: null, note: `The API's decisions follow no single threshold on its confidence: it matched a pair at ${fmt(lowestMatch)} but not one at ${fmt(highestNonMatch)}.` };
  }
  return {
    ...base,
    threshold: lowestMatch,
    note: highestNonMatch === null
      ? `The API matched every pair it decided; the lowest confidence it matched is ${fmt(lowestMatch)}.`
      : `The API matched every pair with a confidence of ${fmt(lowestMatch)} or more and none at ${fmt(highestNonMatch)} or less: its decision point lies between them.`,
  };
}

/** A threshold typed by a user ("0.62", "0,62"): a number from 0 to 1, or a sentence saying what to type. */
export function parseThreshold(text: string, name = 'Threshold'): { value: number } | { problem: string } {
  const t = text.trim().replace(',', '.');
  const n = /^(\d+(?:\.\d*)?|\.\d+)$/.test(t) ? Number(t) : NaN;
  if (!(n >= 0 && n <= 1)) {
    return { problem: `${name} must be a confidence from 0 to 1 (e.g. 0.62), not "${text}". A pair matches when its confidence is at or above it.` };
  }
  return { value: n };
}
