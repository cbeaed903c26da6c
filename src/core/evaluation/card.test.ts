import { describe, expect, it } from 'vitest';
import type { Comparison, ComparedPair } from './compare.ts';
import { wilson, type EvalRow } from './evaluation.ts';
import { parseLabels } from '../pairing/labels.ts';
import { acquisitionAt } from './acquisition.ts';
import { cardDifference, reportCard } from './card.ts';
import { attributeTable } from './input.ts';
import { intervalPlan } from './intervals.ts';
import { formatP, mcnemarExactP, runDifference } from './significance.ts';
import { parseTargetFmr, thresholdForTargetFmr } from './target-fmr.ts';

let seq = 0;
const row = (expected: 'same' | 'different' | null, match: boolean | null, score: number | null = null, pair_id = `p${seq++}`): EvalRow =>
  ({ pair_id, expected, match, score, latencyMs: 100 });
const times = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);
const wilsonPlan = intervalPlan(0, () => []);

describe('failures to acquire, counted both ways', () => {
  // 10 same-person pairs: 6 TP, 2 FN, 2 without a decision; 20 different-person: 17 TN, 1 FP, 2 without.
  const rows = [
    ...times(6, () => row('same', true)), ...times(2, () => row('same', false)), ...times(2, () => row('same', null)),
    ...times(17, () => row('different', false)), row('different', true), ...times(2, () => row('different', null)),
    row(null, null),
  ];
  const a = acquisitionAt(rows, null, wilsonPlan);

  it('FTA per side: 2 of 10 same-person, 2 of 20 different-person pairs had no decision; the unlabelled failure is not counted', () => {
    expect([a.fta.same.k, a.fta.same.n, a.fta.same.value]).toEqual([2, 10, 0.2]);
    expect([a.fta.different.k, a.fta.different.n, a.fta.different.value]).toEqual([2, 20, 0.1]);
    expect([a.fta.all.k, a.fta.all.n]).toEqual([4, 30]);
    const ci = wilson(2, 10)!;
    expect([a.fta.same.low, a.fta.same.high]).toEqual([ci.low, ci.high]);
  });

  it('failures excluded: FMR 1/18, FNMR 2/8', () => {
    expect([a.excluded.fmr.k, a.excluded.fmr.n]).toEqual([1, 18]);
    expect([a.excluded.fnmr.k, a.excluded.fnmr.n, a.excluded.fnmr.value]).toEqual([2, 8, 0.25]);
  });

  it('failures included: a same-person failure is a false non-match (4/10), a different-person failure a correct rejection (1/20)', () => {
    expect([a.included.fnmr.k, a.included.fnmr.n, a.included.fnmr.value]).toEqual([4, 10, 0.4]);
    expect([a.included.fmr.k, a.included.fmr.n, a.included.fmr.value]).toEqual([1, 20, 0.05]);
    // bob.measure's identities: FRR = FtA + FNMR·(1 − FtA), FAR = FMR·(1 − FtA).
    expect(a.included.fnmr.value).toBeCloseTo(0.2 + 0.25 * 0.8, 12);
    expect(a.included.fmr.value).toBeCloseTo((1 / 18) * 0.9, 12);
  });
});

describe('error rates by group', () => {
  // capture=selfie: 100 different-person pairs with 4 false matches, 100 same-person with 6 false non-matches;
  // capture=id: 100 different with 1 false match, 100 same with none; capture=kiosk: 10 different with 5 false matches.
  const rows: EvalRow[] = [];
  const cells: [string, string[]][] = [];
  const add = (capture: string, expected: 'same' | 'different', match: boolean, n: number) => {
    for (let k = 0; k < n; k++) {
      const r = row(expected, match);
      rows.push(r);
      cells.push([r.pair_id, [capture]]);
    }
  };
  add('selfie', 'different', true, 4); add('selfie', 'different', false, 96);
  add('selfie', 'same', false, 6); add('selfie', 'same', true, 94);
  add('id', 'different', true, 1); add('id', 'different', false, 99);
  add('id', 'same', true, 100);
  add('kiosk', 'different', true, 5); add('kiosk', 'different', false, 5);
  const card = reportCard(rows, { threshold: null, attributes: { columns: ['capture'], rows: cells } });
  const [grouping] = card.groups;

  it('per group: pairs and FMR at the run threshold', () => {
    expect(card.groupColumns).toEqual(['capture']);
    expect(grouping!.groups.map((g) => [g.value, g.figures.pairs, g.figures.excluded.fmr.k, g.figures.excluded.fmr.n])).toEqual([
      ['id', 200, 1, 100], ['kiosk', 10, 5, 10], ['selfie', 200, 4, 100],
    ]);
  });

  it('FMR ratio 4 % ÷ 1 % = 4 between selfie and id; kiosk (10 pairs < 3 ÷ 10/210 = 63) is named too small, not divided by', () => {
    const fmr = grouping!.ratios.find((r) => r.rate === 'FMR')!;
    expect(fmr.needed).toBe(63);
    expect(fmr.value).toBeCloseTo(4, 12);
    expect([fmr.highest, fmr.lowest]).toEqual(['selfie', 'id']);
    expect(fmr.tooSmall).toEqual(['kiosk']);
    expect(fmr.note).toMatch(/^FMR is 4\.00× higher for selfie \(4\.00 %\) than for id \(1\.00 %\)\. Too few pairs .*: kiosk\.$/);
  });

  it('FNMR ratio is not given when the lowest compared group has no error (unbounded), and kiosk has no same-person pairs', () => {
    const fnmr = grouping!.ratios.find((r) => r.rate === 'FNMR')!;
    expect(fnmr.value).toBeNull();
    expect(fnmr.lowest).toBe('id');
    expect(fnmr.tooSmall).toEqual(['kiosk']);
    expect(fnmr.note).toMatch(/id has no error in 100 pairs/);
  });
});

describe('threshold for a target FMR', () => {
  // Different-person confidences 0.1 … 0.8, then two tied at 0.9; same-person 0.6, 0.85, 0.95, 0.99.
  const rows = [
    ...[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.9].map((s) => row('different', s >= 0.5, s)),
    ...[0.6, 0.85, 0.95, 0.99].map((s) => row('same', s >= 0.5, s)),
  ];

  it('10 %: the tie at 0.9 holds two false matches (20 %), so the lowest threshold is the next confidence, 0.95; FNMR 2/4', () => {
    const t = thresholdForTargetFmr(rows, 0.1, wilsonPlan);
    expect(t.threshold).toBe(0.95);
    expect([t.fmr.k, t.fmr.n]).toEqual([0, 10]);
    expect([t.fnmr.k, t.fnmr.n, t.fnmr.value]).toEqual([2, 4, 0.5]);
    expect(t.warning).toMatch(/Only 10 different-person pair\(s\).*fewer than 30 \(3 ÷ 10 %\)/);
  });

  it('20 %: 0.85 already meets it (the tied pair counts twice, 2/10), FNMR 1/4', () => {
    const t = thresholdForTargetFmr(rows, 0.2, wilsonPlan);
    expect(t.threshold).toBe(0.85);
    expect([t.fmr.k, t.fnmr.k]).toEqual([2, 1]);
  });

  it('50 %: 0.6 (5 of 10), no warning with 10 ≥ 3 ÷ 50 % pairs', () => {
    const t = thresholdForTargetFmr(rows, 0.5, wilsonPlan);
    expect([t.threshold, t.fmr.k, t.fnmr.k, t.warning]).toEqual([0.6, 5, 0, null]);
  });

  it('a different-person pair at the top confidence: only rejecting every pair meets 0.1 %', () => {
    const t = thresholdForTargetFmr([...rows, row('different', true, 1)], 0.001, wilsonPlan);
    expect(t.threshold).toBeNull();
    expect(t.unreachable).toBe(false);
    expect(t.note).toMatch(/only rejecting every pair/);
  });

  it('reads 1 %, 0.1% and 0.001; refuses 0 and 150 % with a sentence', () => {
    expect(parseTargetFmr('1 %')).toEqual({ value: 0.01 });
    expect(parseTargetFmr('0.1%')).toEqual({ value: 0.001 });
    expect(parseTargetFmr('0.001')).toEqual({ value: 0.001 });
    expect(parseTargetFmr('0')).toHaveProperty('problem');
    expect(parseTargetFmr('150 %', '--target-fmr')).toEqual({ problem: expect.stringMatching(/^--target-fmr must be a rate above 0 and under 100 %/) });
  });
});

describe('subject bootstrap intervals', () => {
  // 20 subjects, 5 same-person pairs each; all 5 pairs of subject s0 are false non-matches: FNMR 5/100.
  const rows: EvalRow[] = [];
  const cells: [string, string[]][] = [];
  for (let s = 0; s < 20; s++) {
    for (let k = 0; k < 5; k++) {
      const r = row('same', s !== 0, null);
      rows.push(r);
      cells.push([r.pair_id, [`s${s}`, `s${s}`]]);
    }
  }
  const attributes = { columns: ['subject1', 'subject2'], rows: cells };

  it('the report says which intervals it uses', () => {
    expect(reportCard(rows, { threshold: null }).intervals.method).toBe('wilson');
    const card = reportCard(rows, { threshold: null, attributes, seed: 7 });
    expect(card.intervals.method).toBe('subject-bootstrap');
    expect(card.intervals.sentence).toMatch(/bootstrap over the 20 subjects .* seed 7/);
    expect(card.groupColumns).toEqual([]);
  });

  it('errors clustered in one person widen the interval beyond Wilson’s: s0 is left out of a replicate about a third of the time', () => {
    const fnmr = reportCard(rows, { threshold: null, attributes, seed: 7 }).acquisition.excluded.fnmr;
    const w = wilson(5, 100)!;
    expect(fnmr.value).toBe(0.05);
    expect(fnmr.low).toBe(0);
    expect(fnmr.high!).toBeGreaterThan(w.high);
  });

  it('is reproducible with a seed and moves with another seed', () => {
    // Subject s has s mod 4 false non-matches of its 5 pairs, so replicates spread over many rates.
    const spread = rows.map((r, i) => ({ ...r, match: i % 5 >= Math.floor(i / 5) % 4 }));
    const fnmrOf = (seed: number) => reportCard(spread, { threshold: null, attributes, seed }).acquisition.excluded.fnmr;
    const a = fnmrOf(7);
    const b = fnmrOf(7);
    const seeds = [1, 2, 3, 4, 5].map((seed) => `${fnmrOf(seed).low}–${fnmrOf(seed).high}`);
    expect([b.low, b.high]).toEqual([a.low, a.high]);
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it('labels.csv columns subject1, subject2 and capture reach the card as subjects and a grouping', () => {
    const set = parseLabels('pair_id,expected,subject1,subject2,capture\na,same,x,x,selfie\nb,different,x,y,id\n', { source: 'labels.csv' });
    const card = reportCard([row('same', true, 0.9, 'a'), row('different', false, 0.1, 'b')], { threshold: null, attributes: attributeTable(set.attributes) });
    expect([card.subjectColumns, card.groupColumns, card.intervals.method]).toEqual([['subject1', 'subject2'], ['capture'], 'subject-bootstrap']);
    expect(card.groups[0]!.groups.map((g) => g.value)).toEqual(['id', 'selfie']);
  });
});

describe('is a difference between two runs real', () => {
  it('McNemar exact p for known counts: b=1, c=9 → 2·11/1024; b=3, c=7 → 2·176/1024; none discordant → 1', () => {
    expect(mcnemarExactP(1, 9)).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarExactP(9, 1)).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarExactP(3, 7)).toBeCloseTo(352 / 1024, 12);
    expect(mcnemarExactP(0, 0)).toBe(1);
    expect(formatP(22 / 1024)).toBe('0.021');
  });

  const state = (match: boolean | null) => ({ match, confidence: null, error: match === null ? 'timeout: slow' : null, errorKind: match === null ? 'timeout' : null, errorMessage: match === null ? 'slow' : null, latencyMs: 10 });
  const comparison = (pairs: [string, boolean | null, boolean | null][]): Comparison => ({
    before: 'run A', after: 'run B',
    pairs: pairs.map(([pair_id, b, a]): ComparedPair => ({ pair_id, before: state(b), after: state(a), delta: null, change: 'same_verdict' })),
  } as unknown as Comparison);

  // 20 same-person pairs: run A wrong on 10 (9 no match, 1 timeout), run B wrong on 2 (one of them right in A).
  const pairs: [string, boolean | null, boolean | null][] = [
    ...times(9, (): [string, boolean | null, boolean | null] => [`g${seq++}`, false, true]),
    [`g${seq++}`, null, false],
    [`g${seq++}`, true, false],
    ...times(9, (): [string, boolean | null, boolean | null] => [`g${seq++}`, true, true]),
  ];
  const labels = new Map(pairs.map(([id]) => [id, 'same' as const]));

  it('b=1, c=9: run B makes fewer errors and the difference is significant at 5 %', () => {
    const d = runDifference(comparison(pairs), labels)!;
    expect([d.b, d.c, d.errorsBefore, d.errorsAfter]).toEqual([1, 9, 10, 2]);
    expect(d.p).toBeCloseTo(22 / 1024, 12);
    expect(d.sentence).toBe("run B makes fewer errors than run A (2 vs 10 of 20 labelled pair(s)); the difference is statistically significant at 5 % (McNemar's exact test on 10 pair(s) decided right by one run and wrong by the other, p = 0.021).");
  });

  it('FNMR delta: 9/19 before (the timeout is excluded) to 2/20 after, with a reproducible paired interval below 0', () => {
    const d = runDifference(comparison(pairs), labels, { seed: 3 })!;
    expect([d.fnmr.before.k, d.fnmr.before.n, d.fnmr.after.k, d.fnmr.after.n]).toEqual([9, 19, 2, 20]);
    expect(d.fnmr.delta).toBeCloseTo(2 / 20 - 9 / 19, 12);
    expect(d.fnmr.high!).toBeLessThan(0);
    expect(d.fnmr.low!).toBeLessThan(d.fnmr.delta!);
    const again = runDifference(comparison(pairs), labels, { seed: 3 })!;
    expect([again.fnmr.low, again.fnmr.high]).toEqual([d.fnmr.low, d.fnmr.high]);
    expect(d.fmr.delta).toBeNull();
  });

  it('b=3, c=7 is not significant; the card passes subjects through', () => {
    const few: [string, boolean | null, boolean | null][] = [
      ...times(7, (): [string, boolean | null, boolean | null] => [`h${seq++}`, false, true]),
      ...times(3, (): [string, boolean | null, boolean | null] => [`h${seq++}`, true, false]),
    ];
    const d = cardDifference(comparison(few), new Map(few.map(([id]) => [id, 'same' as const])), {})!;
    expect(d.sentence).toMatch(/^run B makes fewer errors than run A \(3 vs 7 of 10 labelled pair\(s\)\); the difference is not statistically significant at 5 % .*p = 0\.344\)\.$/);
  });
});
