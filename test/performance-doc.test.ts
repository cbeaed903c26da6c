import { describe, expect, it } from 'vitest';
import type { BenchRow } from '../bench/types.ts';
import { figureKey, HISTORY, parseSections, renderPerformanceDoc, type BenchResults } from '../bench/lib/performance-doc.ts';

const machine = { cores: 2, cpu: 'Test CPU', memoryGB: 23.5, node: 'v20.20.2', chromium: '156.0.1', loadAverage1m: { start: 1, end: 1.5 } };

function row(over: Partial<BenchRow>): BenchRow {
  return {
    name: 'zip-open', figure: 'openZip() on a 10,000-pair ZIP (23.4 MB) in Chromium', value: 80.9, unit: 'ms',
    baseline: 151.7, baselineLabel: 'JSZip.loadAsync', ratio: 0.518, budget: 'ratio ≤ 1.2', pass: true,
    runs: { median: 80.9, min: 70, max: 90, n: 3 }, ...over,
  };
}

function run(date: string, rows: BenchRow[]): BenchResults {
  return { date, machine, rows };
}

describe('docs/performance.md from a bench run', () => {
  it('writes one table per figure with value, baseline, budget, result, date and machine', () => {
    const doc = renderPerformanceDoc('', run('2026-12-06T04:00:00.000Z', [
      row({}),
      row({ name: 'first-load', figure: 'JS loaded before the user acts (3 scripts)', value: 91.2, unit: 'KB', baseline: null, ratio: null, budget: '≤ 90 KB', pass: false, runs: undefined }),
    ]));
    expect(doc).toContain('### zip-open: openZip() on a 10,000-pair ZIP in Chromium');
    expect(doc).toContain('| 80.9 ms (median of 3; 70–90) | 151.7 ms (JSZip.loadAsync) | 0.518 | ratio ≤ 1.2 | pass | 2026-12-06 04:00 UTC | 2 cores (Test CPU), 23.5 GB, Node 20.20.2, Chromium 156, load 1 → 1.5 |');
    expect(doc).toContain('| 91.2 KB | – | – | ≤ 90 KB | **miss** |');
    expect(parseSections(doc).map((s) => s.key)).toEqual([
      'zip-open: openZip() on a 10,000-pair ZIP in Chromium',
      'first-load: JS loaded before the user acts',
    ]);
  });

  it('puts a new measurement first, keeps figures the run did not measure, and keeps at most HISTORY rows', () => {
    let doc = renderPerformanceDoc('', run('2026-12-01T00:00:00.000Z', [row({}), row({ name: 'archive', figure: 'whole build', value: 900, baseline: null, ratio: null })]));
    for (let i = 2; i <= HISTORY + 2; i++) {
      doc = renderPerformanceDoc(doc, run(`2026-12-0${i}T00:00:00.000Z`, [row({ figure: 'openZip() on a 10,000-pair ZIP (24.0 MB) in Chromium', value: 80 + i })]));
    }
    const [zip, archive] = parseSections(doc);
    expect(zip!.lines).toHaveLength(HISTORY);
    expect(zip!.lines[0]).toContain(`${80 + HISTORY + 2} ms`);
    expect(zip!.lines[0]).toContain(`2026-12-0${HISTORY + 2} 00:00 UTC`);
    expect(archive!.key).toBe('archive: whole build');
    expect(archive!.lines).toHaveLength(1);
    expect(archive!.lines[0]).toContain('900 ms');
  });

  it('names a figure by its words, not by the details in brackets that vary between runs', () => {
    expect(figureKey({ name: 'concurrency', figure: "1,000 pairs at concurrency 4 (median of 3)" })).toBe('concurrency: 1,000 pairs at concurrency 4');
    expect(figureKey({ name: 'concurrency', figure: '1,000 pairs at concurrency 8' })).not.toBe(figureKey({ name: 'concurrency', figure: '1,000 pairs at concurrency 4' }));
  });
});

describe('the order of the figures', () => {
  it('follows the benchmarks\' order, whatever order they were measured in', () => {
    let doc = renderPerformanceDoc('', run('2026-12-01T00:00:00.000Z', [row({ name: 'engine', figure: 'fixtures: EER', value: 0, unit: '%', baseline: null, ratio: null })]), ['zip-open', 'engine']);
    doc = renderPerformanceDoc(doc, run('2026-12-02T00:00:00.000Z', [row({})]), ['zip-open', 'engine']);
    expect(parseSections(doc).map((s) => s.key)).toEqual(['zip-open: openZip() on a 10,000-pair ZIP in Chromium', 'engine: fixtures: EER']);
  });
});
