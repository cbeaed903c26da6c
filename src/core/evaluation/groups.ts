/**
 * Error rates by group (demographic differentials, NISTIR 8280; capture conditions in KYC).
 *
 * Every extra column of labels.csv other than the subject columns is a grouping (`sex`, `age_band`,
 * `capture`, ...). Per value of a grouping: labelled pairs, FTA, FMR and FNMR (failures excluded)
 * with 95 % intervals, at the run's threshold.
 *
 * Per grouping and rate, the ratio of the highest to the lowest group rate, taken only between
 * groups with enough trials to show the rate: a group can show a rate p when it has at least
 * 3 ÷ p trials (the rule of three: with fewer, no error at all is still consistent with p), where p
 * is the rate over all the grouping's pairs. Smaller groups are named, never divided by. With no
 * error in any group, or a lowest group with none, the ratio is not given and the note says why.
 */
import { pct, type EvalRow, type Rate } from './evaluation.ts';
import { acquisitionAt, type Acquisition } from './acquisition.ts';
import type { IntervalPlan } from './intervals.ts';

/** Errors a group must be expected to show at the pooled rate before its rate is compared (rule of three). */
export const MIN_EXPECTED_ERRORS = 3;

/** A pair whose cell in a grouping column is empty is in this group. */
export const EMPTY_GROUP = '(empty)';

export interface GroupFigures {
  value: string;
  figures: Acquisition;
}

export interface GroupRatio {
  rate: 'FMR' | 'FNMR';
  /** Highest ÷ lowest rate among the groups compared; null when it cannot be given. */
  value: number | null;
  highest: string | null;
  lowest: string | null;
  /** Groups with enough trials to show the rate, compared. */
  compared: string[];
  /** Groups with too few trials to show the rate: listed, not compared. */
  tooSmall: string[];
  /** The pooled rate and how many trials a group needed. */
  pooled: number | null;
  needed: number | null;
  /** One sentence: the ratio and its groups, or why there is none. */
  note: string;
}

export interface Grouping {
  column: string;
  groups: GroupFigures[];
  ratios: GroupRatio[];
}

function ratioOf(rateName: 'FMR' | 'FNMR', groups: readonly GroupFigures[], pooled: Rate): GroupRatio {
  const pick = (g: GroupFigures) => (rateName === 'FMR' ? g.figures.excluded.fmr : g.figures.excluded.fnmr);
  const p = pooled.value;
  const base = { rate: rateName, value: null, highest: null, lowest: null, pooled: p } as const;
  if (p === null || p === 0) {
    const why = p === null ? `no group has ${rateName === 'FMR' ? 'different' : 'same'}-person pairs decided` : `no group has a ${rateName === 'FMR' ? 'false match' : 'false non-match'}`;
    return { ...base, compared: [], tooSmall: groups.map((g) => g.value), needed: null, note: `${rateName} ratio not given: ${why}.` };
  }
  const needed = Math.ceil(MIN_EXPECTED_ERRORS / p);
  const compared = groups.filter((g) => pick(g).n >= needed);
  const tooSmall = groups.filter((g) => pick(g).n < needed).map((g) => g.value);
  const small = tooSmall.length ? ` Too few pairs to show a rate of ${pct(p)} (fewer than ${needed}): ${tooSmall.join(', ')}.` : '';
  if (compared.length < 2) {
    return { ...base, compared: compared.map((g) => g.value), tooSmall, needed, note: `${rateName} ratio not given: fewer than two groups have ${needed} or more pairs.${small}` };
  }
  const sorted = [...compared].sort((a, b) => pick(b).value! - pick(a).value!);
  const hi = sorted[0]!;
  const lo = sorted.at(-1)!;
  const names = compared.map((g) => g.value);
  if (pick(lo).value === 0) {
    return { ...base, highest: hi.value, lowest: lo.value, compared: names, tooSmall, needed, note: `${rateName} ratio not given: ${lo.value} has no error in ${pick(lo).n} pairs, so the ratio is unbounded.${small}` };
  }
  const value = pick(hi).value! / pick(lo).value!;
  return {
    ...base, value, highest: hi.value, lowest: lo.value, compared: names, tooSmall, needed,
    note: `${rateName} is ${value.toFixed(2)}× higher for ${hi.value} (${pct(pick(hi).value!)}) than for ${lo.value} (${pct(pick(lo).value!)}).${small}`,
  };
}

/** Figures for every value of every grouping column; `valuesOf(i)` gives row i's cells (index-aligned with `columns`), or null when unlabelled. */
export function groupings(rows: readonly EvalRow[], threshold: number | null, plan: IntervalPlan, columns: readonly string[], valuesOf: (i: number) => readonly string[] | null): Grouping[] {
  return columns.map((column, c) => {
    const members = new Map<string, number[]>();
    rows.forEach((row, i) => {
      if (row.expected === null) return;
      const v = valuesOf(i)?.[c] || EMPTY_GROUP;
      let list = members.get(v);
      if (!list) members.set(v, (list = []));
      list.push(i);
    });
    const groups = [...members.entries()]
      .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
      .map(([value, idx]) => ({ value, figures: acquisitionAt(rows, threshold, plan, idx) }));
    const pooled = acquisitionAt(rows, threshold, { ...plan, method: 'wilson' }, [...members.values()].flat());
    return { column, groups, ratios: [ratioOf('FMR', groups, pooled.excluded.fmr), ratioOf('FNMR', groups, pooled.excluded.fnmr)] };
  });
}
