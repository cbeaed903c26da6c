/**
 * zip-open and archive: the app's core modules running in Chromium, through a bench page built
 * with the app's own Vite config (bench/pages/bench.html).
 */
import type { Page } from '@playwright/test';
import type { BenchRow } from './types.ts';
import type { BenchEnv } from './lib/env.ts';
import { buildPairZip, noiseJpegs } from './lib/inputs.ts';
import { fmt, MB, round, summarise } from './lib/stats.ts';
import type { ArchiveTiming, ZipOpenTiming } from './pages/api.ts';

const ZIP_PAIRS = 10_000;
const ARCHIVE_RECORDS = 10_000;

export async function openBenchPage(env: BenchEnv): Promise<{ page: Page; origin: string; close(): Promise<void> }> {
  const origin = await env.benchPageServer();
  const browser = await env.browser();
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/bench/pages/bench.html`);
  try {
    await page.waitForFunction(() => window.benchApi !== undefined, undefined, { timeout: 30_000 });
  } catch {
    throw new Error(`The bench page did not start${errors.length ? `: ${errors.join('; ')}` : ''}.`);
  }
  return { page, origin, close: () => context.close() };
}

export async function benchZipOpen(env: BenchEnv, runs: number): Promise<BenchRow[]> {
  const www = await env.wwwDir();
  const images = await noiseJpegs(16, 32, 32, 75, 101);
  const zip = await buildPairZip(www, 'zip-open.zip', ZIP_PAIRS, images, 'deflate');
  env.log(`  input: ${ZIP_PAIRS.toLocaleString('en')} pairs, ${(zip.bytes / MB).toFixed(1)} MB (Deflate)`);
  const { page, close } = await openBenchPage(env);
  try {
    await page.evaluate((u) => window.benchApi!.loadZip(u), '/zip-open.zip');
    // Warm-up (JSZip chunk load, JIT), not counted.
    const warmOpen = await page.evaluate(() => window.benchApi!.openZipOnce());
    const warmJs = await page.evaluate(() => window.benchApi!.jszipOnce());
    if (warmOpen.count !== ZIP_PAIRS) throw new Error(`openZip found ${warmOpen.count} pairs, expected ${ZIP_PAIRS}.`);
    const open: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate the order so neither side always runs on a warmer heap.
      const first = i % 2 === 0 ? 'open' : 'jszip';
      for (const which of first === 'open' ? ['open', 'jszip'] : ['jszip', 'open']) {
        const t: ZipOpenTiming = which === 'open'
          ? await page.evaluate(() => window.benchApi!.openZipOnce())
          : await page.evaluate(() => window.benchApi!.jszipOnce());
        (which === 'open' ? open : base).push(t.ms);
      }
    }
    const o = summarise(open);
    const b = summarise(base);
    // Median of the paired ratios (each openZip run next to one JSZip run): robust to load drift.
    const ratio = summarise(open.map((x, i) => x / base[i]!)).median;
    return [{
      name: 'zip-open',
      figure: `openZip() on a ${ZIP_PAIRS.toLocaleString('en')}-pair ZIP (${(zip.bytes / MB).toFixed(1)} MB) in Chromium`,
      value: round(o.median, 1), unit: 'ms',
      baseline: round(b.median, 1), baselineLabel: 'JSZip.loadAsync alone, same bytes, same page',
      ratio: round(ratio, 3), budget: 'ratio ≤ 1.2', pass: ratio <= 1.2,
      runs: { median: round(o.median, 1), min: round(o.min, 1), max: round(o.max, 1), n: o.n },
      notes: `baseline runs median/min/max ${fmt(b.median, 1)}/${fmt(b.min, 1)}/${fmt(b.max, 1)} ms (n=${b.n}); ratio = median of the paired ratios ${open.map((x, i) => fmt(x / base[i]!, 3)).join(', ')}; ratio of medians ${fmt(o.median / b.median, 3)}; warm-up run excluded (openZip ${fmt(warmOpen.ms, 1)} ms, JSZip ${fmt(warmJs.ms, 1)} ms); ${warmJs.count} entries`,
    }];
  } finally {
    await close();
  }
}

export async function benchArchive(env: BenchEnv, runs: number): Promise<BenchRow[]> {
  const { page, close } = await openBenchPage(env);
  try {
    const probe = await page.evaluate(() => window.benchApi!.probeLongTask());
    if (probe < 100) throw new Error(`The longtask observer did not report a deliberate 120 ms task (saw ${probe} ms): the figure cannot be measured in this browser.`);
    const timings: ArchiveTiming[] = [];
    const warm = await page.evaluate((n) => window.benchApi!.archiveOnce(n), ARCHIVE_RECORDS);
    for (let i = 0; i < runs; i++) timings.push(await page.evaluate((n) => window.benchApi!.archiveOnce(n), ARCHIVE_RECORDS));
    const t = summarise(timings.map((x) => x.ms));
    const lt = summarise(timings.map((x) => x.longestTaskMs));
    const worstTask = Math.max(lt.max, warm.longestTaskMs);
    return [
      {
        name: 'archive',
        figure: `buildArchiveInWorker(): results ZIP for ${ARCHIVE_RECORDS.toLocaleString('en')} records (${(warm.bytes / MB).toFixed(1)} MB out)`,
        value: round(t.median, 1), unit: 'ms', baseline: null, baselineLabel: '–', ratio: null,
        budget: '≤ 1500 ms', pass: t.median <= 1500,
        runs: { median: round(t.median, 1), min: round(t.min, 1), max: round(t.max, 1), n: t.n },
        notes: `records: 95% success / 5% HTTP 422; first (cold) build ${fmt(warm.ms, 1)} ms, not counted in the median; each build starts a new worker, as the app does`,
      },
      {
        name: 'archive',
        figure: 'longest main-thread task during the build (PerformanceObserver longtask, ≥ 50 ms reported)',
        value: round(worstTask, 1), unit: 'ms', baseline: null, baselineLabel: '–', ratio: null,
        budget: 'no task > 200 ms', pass: worstTask <= 200,
        runs: { median: round(lt.median, 1), min: round(lt.min, 1), max: round(lt.max, 1), n: lt.n },
        notes: `value = worst over all builds incl. the cold one (${fmt(warm.longestTaskMs, 1)} ms, ${warm.longTasks} long task(s)); the observer was checked first with a deliberate 120 ms task (reported ${fmt(probe, 0)} ms); 0 = no long task reported; long tasks per build: ${timings.map((x) => x.longTasks).join(', ')}`,
      },
    ];
  } finally {
    await close();
  }
}
