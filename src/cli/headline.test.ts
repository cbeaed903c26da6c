import { describe, expect, it } from 'vitest';
import { kwikid } from '../core/contracts/contracts.ts';
import { reportCard } from '../core/evaluation/card.ts';
import type { EvalRow } from '../core/evaluation/evaluation.ts';
import { parseCommand, type RunArgs } from './args.ts';
import { junitXml } from './junit.ts';
import { headlineFigures } from './run.ts';

const row = (id: string, expected: 'same' | 'different', match: boolean | null): EvalRow => ({ pair_id: id, expected, match, score: null, latencyMs: 1 });

describe('CLI headline figures', () => {
  // 4 same-person: 2 TP, 1 FN, 1 without a decision; 4 different-person: 3 TN, 1 FP.
  const card = reportCard([row('a', 'same', true), row('b', 'same', true), row('c', 'same', false), row('d', 'same', null),
    row('e', 'different', false), row('f', 'different', false), row('g', 'different', false), row('h', 'different', true)], { threshold: null });
  const h = headlineFigures(card);

  it('prints both conventions and FTA, and gives the JUnit properties as fractions', () => {
    expect(h.lines[0]).toMatch(/^FMR \(failures excluded, at the API's decision\): 1 of 4 = 25\.0 %/);
    expect(h.lines[1]).toMatch(/^FNMR \(failures excluded, at the API's decision\): 1 of 3 = 33\.3 %/);
    expect(h.lines[2]).toMatch(/FNMR \(failures included\): 2 of 4 = 50\.0 %/);
    expect(new Map(h.properties).get('fnmr_failures_included')).toBe(0.5);
    expect(new Map(h.properties).get('fta_same')).toBe(0.25);
    const xml = junitXml({ suite: 'pairs.zip', contract: kwikid, records: [], properties: h.properties });
    expect(xml).toMatch(/<property name="fmr" value="0\.25"\/>/);
  });

  it('--fail-over-fmr and --fail-over-fnmr take a fraction or a percentage', () => {
    const args = parseCommand(['run', 'pairs.zip', '--fail-over-fmr', '0.1%', '--fail-over-fnmr', '0.05']) as RunArgs;
    expect([args.failOverFmr, args.failOverFnmr]).toEqual([0.001, 0.05]);
    expect(() => parseCommand(['run', 'pairs.zip', '--fail-over-fmr', 'lots'])).toThrow(/--fail-over-fmr must be a fraction from 0 to 1/);
  });
});
