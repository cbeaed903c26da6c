/**
 * The threshold for a target FMR: "which threshold gives the false-match rate our risk team
 * allows, and what does it cost in false non-matches?"
 *
 *  - Candidate thresholds are the distinct confidences of the labelled pairs the API decided, then
 *    "reject all" (+∞). A pair matches at t when its confidence ≥ t (a decided pair with no
 *    confidence keeps the API's decision, as in the what-if).
 *  - The threshold is the lowest candidate whose FMR (failures excluded) on these pairs is at or
 *    under the target. Tied confidences move together: a threshold never splits pairs of equal
 *    confidence, so the answer is the next distinct confidence above a tie that would exceed it.
 *  - Its FNMR (failures excluded) comes with a 95 % interval.
 *  - With fewer than 3 ÷ target different-person pairs decided, these pairs cannot show that rate
 *    (rule of three: 0 false matches in n pairs still allows an FMR up to about 3/n), and a warning
 *    says so; the threshold is still given.
 */
import { pct, type EvalRow, type Rate } from './evaluation.ts';
import { acquisitionAt } from './acquisition.ts';
import type { IntervalPlan } from './intervals.ts';

/** Targets shown when the user has not typed one. */
export const DEFAULT_TARGET_FMRS = [0.01, 0.001] as const;

export interface TargetFmr {
  target: number;
  /** "1 %", "0.1 %". */
  label: string;
  /** The threshold (0–1 confidence); null when only rejecting every pair meets it, or nothing does. */
  threshold: number | null;
  /** True when no threshold meets the target (decided pairs without a confidence already exceed it). */
  unreachable: boolean;
  fmr: Rate;
  fnmr: Rate;
  /** Different-person pairs decided. */
  impostors: number;
  /** 3 ÷ target, rounded up. */
  needed: number;
  /** The rule-of-three warning, when there are too few different-person pairs. */
  warning: string | null;
  /** One sentence saying what the row means. */
  note: string;
}

/** The targets a report gives thresholds for: the user's own first (when typed), then the defaults, each once. */
export function targetFmrsWith(typed: number | null): number[] {
  return typed === null ? [...DEFAULT_TARGET_FMRS] : [typed, ...DEFAULT_TARGET_FMRS.filter((t) => t !== typed)];
}

/** "1 %", "0.1 %", "0.05 %". */
export function targetLabel(target: number): string {
  const v = target * 100;
  return `${Number(v.toPrecision(6))} %`;
}

/**
 * A target FMR typed by a user: "1 %", "1%", "0.1 %" or a fraction "0.001". Returns the fraction,
 * or a sentence saying what to type.
 */
export function parseTargetFmr(text: string, name = 'Target FMR'): { value: number } | { problem: string } {
  const t = text.trim().replace(',', '.');
  const m = /^(\d+(?:\.\d*)?|\.\d+)\s*(%?)$/.exec(t);
  const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!m || !(n > 0 && n < 1)) {
    return { problem: `${name} must be a rate above 0 and under 100 %, as a percentage (e.g. 1 % or 0.1 %) or a fraction (e.g. 0.001), not "${text}".` };
  }
  return { value: n };
}

/** The lowest threshold meeting `target` on these rows, its FMR and FNMR (failures excluded) with intervals. */
export function thresholdForTargetFmr(rows: readonly EvalRow[], target: number, plan: IntervalPlan): TargetFmr {
  const label = targetLabel(target);
  const imp: number[] = [];
  let fixedFp = 0;
  let impostors = 0;
  const candidates = new Set<number>();
  for (const r of rows) {
    if (r.expected === null || r.match === null) continue;
    if (r.score !== null) candidates.add(r.score);
    if (r.expected !== 'different') continue;
    impostors++;
    if (r.score !== null) imp.push(r.score);
    else if (r.match) fixedFp++;
  }
  imp.sort((a, b) => a - b);
  const thresholds = [...candidates].sort((a, b) => a - b);
  thresholds.push(Infinity);
  // FMR(t) never rises with t: walk up until it is at or under the target.
  let chosen: number | null = null;
  let below = 0; // impostor confidences < t
  for (const t of thresholds) {
    while (below < imp.length && imp[below]! < t) below++;
    const fp = fixedFp + imp.length - below;
    if (impostors > 0 && fp / impostors <= target) {
      chosen = t;
      break;
    }
  }
  const needed = Math.ceil(3 / target - 1e-9);
  const warning = impostors < needed
    ? `Only ${impostors} different-person pair(s) were decided: fewer than ${needed} (3 ÷ ${label}) cannot show an FMR of ${label}, so this threshold may not hold on other pairs.`
    : null;
  const at = chosen ?? Infinity;
  const figures = acquisitionAt(rows, at, plan);
  const unreachable = chosen === null;
  const threshold = chosen !== null && Number.isFinite(chosen) ? chosen : null;
  const fnmr = figures.excluded.fnmr;
  const note = impostors === 0 ? `needs different-person pairs with a decision to set a threshold for an FMR of ${label}`
    : unreachable ? `no threshold reaches an FMR of ${label}: ${fixedFp} different-person pair(s) were matched without a confidence`
      : threshold === null ? `only rejecting every pair reaches an FMR of ${label}`
        : `lowest threshold with FMR ≤ ${label} on these pairs: a pair matches when its confidence ≥ ${Math.round(threshold * 10000) / 10000}; FNMR there ${fnmr.value === null ? 'cannot be measured' : pct(fnmr.value)}`;
  return { target, label, threshold, unreachable, fmr: figures.excluded.fmr, fnmr, impostors, needed, warning, note };
}

